"""No secret-looking literals anywhere in the manifest, its files or its overlays."""

from __future__ import annotations

from typing import Any

from agentcfg.manifest.loader import Loaded
from agentcfg.names import SECTIONS
from agentcfg.secrets import find_secrets


def check(loaded: Loaded) -> None:
    for path, kind in find_secrets(_unsettled(loaded)):
        aid = f"{path[0]}/{path[1]}" if len(path) >= 2 and (path[0] in SECTIONS or path[0] == "policies") else None
        loaded.finding("secret-literal", f"looks like a secret ({kind}); the value is not shown",
                       path, artefact=aid,
                       hint="move it to the runtime's environment and write ${env:NAME} instead")


def _unsettled(loaded: Loaded) -> dict[str, Any]:
    """The raw config without the artefacts already scanned in this identical form this run."""
    if not loaded.settled:
        return loaded.raw
    out: dict[str, Any] = {}
    for key, value in loaded.raw.items():
        if isinstance(value, dict) and (key in SECTIONS or key == "policies"):
            value = {name: v for name, v in value.items() if f"{key}/{name}" not in loaded.settled}
        out[key] = value
    return out
