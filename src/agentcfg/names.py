"""Names every layer shares: the manifest's file name, artefact sections and ids.

Kept free of heavy imports (no pydantic): commands that never type-check a manifest (`diff` of
cached renders, `history`, `rollback`, `show`, the runtime's `load`) must not pay ~100 ms to
build pydantic models just to learn that ids look like ``tools/<name>``.
"""

from __future__ import annotations

import re

MANIFEST_FILE = "agentcfg.yaml"
OVERLAY_DIR = "environments"

# An artefact name becomes part of an id (`tools/<name>`), a file name for imports and a git
# trailer value, so it is kept to a conservative alphabet.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")  # \Z: "$" would accept a trailing newline

SECTIONS = ("code", "data", "models", "prompts", "tools", "memory", "orchestration", "agents", "mcp_servers")
"""The artefact sections, in the order they are reported."""

OPTIONAL_SECTIONS = ("mcp_servers",)
"""Sections a rendered config carries only when they have entries: configs written before the
section existed keep their bytes, and so their root digests."""


def artefact_id(section: str, name: str) -> str:
    return f"{section}/{name}"
