"""What a whole-manifest check still has to read in an environment's pass."""

from __future__ import annotations

from typing import Any

from agentcfg.manifest.loader import Loaded
from agentcfg.names import SECTIONS


def unsettled(loaded: Loaded) -> dict[str, Any]:
    """The raw config without the artefacts already checked in this identical form this run.

    Such an artefact is the base manifest's entry, from the same file at the same positions:
    its findings were made in the base pass, and the report keeps each distinct finding once.
    """
    if not loaded.settled:
        return loaded.raw
    out: dict[str, Any] = {}
    for key, value in loaded.raw.items():
        if isinstance(value, dict) and (key in SECTIONS or key == "policies"):
            value = {name: v for name, v in value.items() if f"{key}/{name}" not in loaded.settled}
        out[key] = value
    return out
