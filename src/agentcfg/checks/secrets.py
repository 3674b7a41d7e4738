"""No secret-looking literals anywhere in the manifest, its files or its overlays."""

from __future__ import annotations

from typing import Any

from agentcfg.checks.scope import unsettled
from agentcfg.errors import Finding
from agentcfg.manifest.loader import Loaded
from agentcfg.names import SECTIONS
from agentcfg.secrets import find_secrets, first_secret_offset

HINT = "move it to the runtime's environment and write ${env:NAME} instead"


def check(loaded: Loaded) -> None:
    for path, kind in find_secrets(unsettled(loaded)):
        aid = f"{path[0]}/{path[1]}" if len(path) >= 2 and (path[0] in SECTIONS or path[0] == "policies") else None
        message = f"looks like a secret ({kind}); the value is not shown"
        inside = _position_in_prompt_file(loaded, path)
        if inside is None:
            loaded.finding("secret-literal", message, path, artefact=aid, hint=HINT)
            continue
        file, line, col = inside
        loaded.findings.append(Finding("secret-literal", message, file, line, col, aid, HINT))


def _position_in_prompt_file(loaded: Loaded, path: tuple[Any, ...]) -> tuple[str, int, int] | None:
    """(file, line, col) of the secret inside a prompt read from its own file: the whole file is
    one value, so the value's position (1:1) says nothing; the secret's offset in it does."""
    if len(path) != 3 or path[0] != "prompts" or path[2] != "template":
        return None
    rel = loaded.files.get(f"prompts/{path[1]}")
    text = loaded.raw.get("prompts", {}).get(path[1], {}).get("template")
    if rel is None or not isinstance(text, str):
        return None
    offset = first_secret_offset(text)
    if offset is None:
        return None
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return rel, line, col
