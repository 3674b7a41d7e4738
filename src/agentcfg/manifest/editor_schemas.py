"""JSON Schemas for the other files people write: environment overlays and tool files.

Both are derived from the manifest's schema, so they can never disagree with it. An overlay is
a partial manifest deep-merged over the base (maps merge, lists replace, `null` deletes): every
key optional, `null` allowed anywhere, and only the sections an overlay may touch. Checking an
overlay with the manifest's schema reports false errors (a missing `name`, an entry without its
required keys). A tool file holds one tool definition (MCP's Tool shape plus agentcfg's keys).
`validate` still checks the merged result and everything the schemas cannot express.
"""

from __future__ import annotations

import copy
from typing import Any

SCHEMA_KINDS = ("manifest", "overlay", "tool")
LOCAL_FILES = {"manifest": "agentcfg.schema.json", "overlay": "agentcfg.overlay.schema.json",
               "tool": "agentcfg.tool.schema.json"}
"""The names `agentcfg init` gives the schemas it writes beside a project's manifest."""

CHECKED_IN = {"manifest": "agentcfg.schema.json", "overlay": "overlay.schema.json", "tool": "tool.schema.json"}
"""Their names in this repository's schemas/ folder."""

_NULL = {"type": "null"}


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind``: ``manifest``, ``overlay`` or ``tool``."""
    from agentcfg.manifest.model import json_schema

    if kind == "manifest":
        return json_schema()
    if kind == "overlay":
        return overlay_schema(json_schema())
    if kind == "tool":
        return tool_schema(json_schema())
    raise ValueError(kind)


def overlay_schema(manifest: dict[str, Any]) -> dict[str, Any]:
    from agentcfg.manifest.model import OVERLAY_KEYS

    defs = {name: _partial(d) for name, d in copy.deepcopy(manifest.get("$defs", {})).items()}
    props = {k: _nullable(_partial(copy.deepcopy(manifest["properties"][k])))
             for k in OVERLAY_KEYS if k in manifest["properties"]}
    return {
        "$schema": manifest["$schema"],
        "$id": "https://agentcfg.dev/schemas/overlay.schema.json",
        "title": "agentcfg environment overlay (environments/<env>.yaml)",
        "description": "Deep-merged over agentcfg.yaml for one environment: maps merge, lists and scalars "
                       "replace, null deletes. Every key is optional here; `agentcfg validate` checks the "
                       "merged manifest.",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "$defs": defs,
    }


def tool_schema(manifest: dict[str, Any]) -> dict[str, Any]:
    defs = copy.deepcopy(manifest.get("$defs", {}))
    return {
        "$schema": manifest["$schema"],
        "$id": "https://agentcfg.dev/schemas/tool.schema.json",
        "title": "agentcfg tool definition (a file referenced by tools.<name>.file)",
        "description": "MCP's Tool shape (name, title, description, inputSchema, outputSchema, annotations) "
                       "plus agentcfg's own keys.",
        "$ref": "#/$defs/Tool",
        "$defs": defs,
    }


def _partial(node: Any) -> Any:
    """Every object key optional and nullable, recursively (an overlay may set or delete any)."""
    if isinstance(node, list):
        return [_partial(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _partial(v) for k, v in node.items() if k != "required"}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _nullable(v) for k, v in out["properties"].items()}
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _nullable(out["additionalProperties"])
    return out


def _nullable(schema: Any) -> Any:
    if not isinstance(schema, dict) or schema.get("type") == "null":
        return schema
    return {"anyOf": [schema, _NULL]}
