"""A tool's effective MCP annotation hints (read-only, destructive, idempotent, open-world).

Plain functions, no pydantic: risk rules and policies compare effective values of rendered
configs, which are plain data.
"""

from __future__ import annotations

from typing import Any

# MCP's documented defaults for absent annotations: a tool with no hints is assumed to write,
# to be destructive, and to reach the open world. Risk rules compare *effective* values.
ANNOTATION_DEFAULTS = {
    "readOnlyHint": False,
    "destructiveHint": True,
    "idempotentHint": False,
    "openWorldHint": True,
}


def effective_hints(annotations: dict[str, Any] | None) -> dict[str, bool]:
    """Annotation hints with MCP's defaults filled in (a read-only tool is never destructive)."""
    ann = annotations or {}
    hints = {k: bool(ann.get(k, v)) if ann.get(k) is not None else v for k, v in ANNOTATION_DEFAULTS.items()}
    if hints["readOnlyHint"]:
        hints["destructiveHint"] = False
    return hints
