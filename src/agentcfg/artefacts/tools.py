"""`tools`: MCP `Tool` definitions plus `approval` (locked as digest of the normalised definition)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agentcfg.artefacts.base import Strict

# MCP's documented defaults for absent annotations: a tool with no hints is assumed to write,
# to be destructive, and to reach the open world. Risk rules compare *effective* values.
ANNOTATION_DEFAULTS = {
    "readOnlyHint": False,
    "destructiveHint": True,
    "idempotentHint": False,
    "openWorldHint": True,
}


class ToolAnnotations(Strict):
    title: str | None = None
    readOnlyHint: bool | None = None
    destructiveHint: bool | None = None
    idempotentHint: bool | None = None
    openWorldHint: bool | None = None


class Tool(Strict):
    file: str | None = None
    name: str | None = None  # defaults to the key; when given it must equal the key
    title: str | None = None
    description: str | None = None
    inputSchema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})
    outputSchema: dict[str, Any] | None = None
    annotations: ToolAnnotations | None = None
    approval: Literal["required", "never"] = "never"
    code: str | None = None  # the `code` artefact that implements the tool


def effective_hints(annotations: dict[str, Any] | None) -> dict[str, bool]:
    """Annotation hints with MCP's defaults filled in (a read-only tool is never destructive)."""
    ann = annotations or {}
    hints = {k: bool(ann.get(k, v)) if ann.get(k) is not None else v for k, v in ANNOTATION_DEFAULTS.items()}
    if hints["readOnlyHint"]:
        hints["destructiveHint"] = False
    return hints
