"""`tools`: MCP `Tool` definitions plus `approval` (locked as digest of the normalised definition)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agentcfg.artefacts.base import Strict
from agentcfg.artefacts.hints import ANNOTATION_DEFAULTS, effective_hints  # noqa: F401 - re-exported


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
    # "package.module:function": the callable Config.toolbox() imports when no handler is passed;
    # only its syntax is checked at validate time (the module lives in the runtime's environment)
    handler: str | None = None
    server: str | None = None  # the `mcp_servers` entry that serves the tool
