"""The whole manifest as one pydantic model; its JSON Schema is `agentcfg schema`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agentcfg.artefacts.agents import Agent
from agentcfg.artefacts.base import Strict
from agentcfg.artefacts.code import CodeRef
from agentcfg.artefacts.data import DataSet
from agentcfg.artefacts.memory import Memory
from agentcfg.artefacts.models import Model
from agentcfg.artefacts.orchestration import Graph
from agentcfg.artefacts.policies import Policy
from agentcfg.artefacts.prompts import Prompt
from agentcfg.artefacts.servers import McpServer
from agentcfg.artefacts.tools import Tool
from agentcfg.names import MANIFEST_FILE, OVERLAY_DIR  # noqa: F401 - re-exported

SECTION_MODELS: dict[str, type[Strict]] = {
    "code": CodeRef,
    "data": DataSet,
    "models": Model,
    "prompts": Prompt,
    "tools": Tool,
    "memory": Memory,
    "orchestration": Graph,
    "agents": Agent,
    "mcp_servers": McpServer,
}

# Sections whose artefacts may be given as `file: path` (a YAML/JSON mapping merged under the
# entry; for prompts the file is the template text). `data` and `code` point at content instead.
FILE_SECTIONS = ("models", "prompts", "tools", "memory", "orchestration", "agents")


class Manifest(Strict):
    """`agentcfg.yaml`: every artefact of an agent system, and how environments are promoted."""

    format_version: Literal[1] = 1
    name: str
    description: str | None = None
    environments: list[str] = Field(
        default_factory=list, description="the promotion path, in order, e.g. [staging, production]"
    )
    code: dict[str, CodeRef] = Field(default_factory=dict)
    data: dict[str, DataSet] = Field(default_factory=dict)
    models: dict[str, Model] = Field(default_factory=dict)
    prompts: dict[str, Prompt] = Field(default_factory=dict)
    tools: dict[str, Tool] = Field(default_factory=dict)
    memory: dict[str, Memory] = Field(default_factory=dict)
    orchestration: dict[str, Graph] = Field(default_factory=dict)
    agents: dict[str, Agent] = Field(default_factory=dict)
    policies: dict[str, Policy] = Field(default_factory=dict)
    mcp_servers: dict[str, McpServer] = Field(
        default_factory=dict, description="MCP servers that serve tools (a tool names its `server:`)")


# Keys an environment overlay may set (an overlay that touches anything else is refused).
OVERLAY_KEYS = tuple(k for k in Manifest.model_fields if k not in ("format_version", "name", "environments"))


def json_schema() -> dict[str, Any]:
    """The manifest's JSON Schema, as printed by `agentcfg schema` and checked in under schemas/."""
    schema = Manifest.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://agentcfg.dev/schemas/agentcfg.schema.json"
    schema["title"] = "agentcfg manifest"
    # `file:` references are inlined by the loader before validation; editors see the file form too.
    _allow_file_entries(schema)
    return schema


def _allow_file_entries(schema: dict[str, Any]) -> None:
    """Let an entry of a FILE_SECTIONS section be complete with only `file:` in the manifest.

    The loader merges the referenced file under the entry before type-checking, so the schema an
    editor applies to `agentcfg.yaml` must accept `{file: tools/x.yaml}` where the model itself
    requires more keys: each such definition's ``required`` becomes
    ``anyOf: [{required: <original>}, {required: [file]}]``. A prompt needs its text either
    inline or as a file, which the model checks in a validator; the schema says it the same way.
    """
    defs = schema.get("$defs", {})
    for section in FILE_SECTIONS:
        ref = schema["properties"][section]["additionalProperties"]["$ref"]
        definition = defs[ref.rsplit("/", 1)[-1]]
        required = definition.pop("required", None)
        if section == "prompts":
            required = ["template"]
        if required:
            definition["anyOf"] = [{"required": required}, {"required": ["file"]}]
