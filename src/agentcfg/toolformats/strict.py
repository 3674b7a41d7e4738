"""A tool's input schema in OpenAI's strict form, or the precise reasons it cannot be.

OpenAI's strict mode (Structured Outputs for function calling) guarantees the model's
arguments match the schema, but accepts only a subset of JSON Schema: every object lists all
its properties in `required` and sets `additionalProperties: false`; a property that may be
left out is written as required-but-nullable instead; and a number of keywords are refused.
The conversion keeps the meaning of a schema where strict mode can express it (an optional
property becomes one the model sets to null) and refuses, naming the path and keyword, where
it cannot (a free-form map, `allOf`, length limits, ...). Nothing is dropped silently.
"""

from __future__ import annotations

import copy
from typing import Any

from agentcfg.toolformats.schemas import where

UNSUPPORTED = (
    "allOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
    "patternProperties", "unevaluatedProperties", "unevaluatedItems", "propertyNames",
    "minProperties", "maxProperties", "contains", "minContains", "maxContains", "uniqueItems",
    "minLength", "maxLength", "prefixItems", "additionalItems",
)
"""Keywords strict mode refuses (OpenAI's "supported schemas" list names what it accepts)."""


def to_strict(schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(the strict form of ``schema``, why it cannot be strict). The form is valid only when the
    list is empty. ``schema`` is not modified."""
    problems: list[str] = []
    out = copy.deepcopy(schema)
    if out.get("type") != "object":
        problems.append(f"{where('')}: strict mode needs an object at the root, not {out.get('type', 'an untyped schema')}")
        return out, problems
    if "properties" not in out and out.get("additionalProperties") in (None, False):
        out["properties"] = {}  # a tool without arguments
    _convert(out, "", problems)
    return out, problems


def _convert(node: Any, path: str, problems: list[str]) -> None:
    if not isinstance(node, dict):
        return
    for key in UNSUPPORTED:
        if key in node:
            problems.append(f"{where(path)}: strict mode does not support `{key}`")
    if _is_object(node):
        _close_object(node, path, problems)
    for key in ("items",):
        if isinstance(node.get(key), dict):
            _convert(node[key], f"{path}.{key}" if path else key, problems)
    for key in ("anyOf",):
        for i, sub in enumerate(node.get(key) or []):
            _convert(sub, f"{path}.{key}.{i}" if path else f"{key}.{i}", problems)
    for key in ("$defs", "definitions"):
        for name, sub in (node.get(key) or {}).items():
            _convert(sub, f"{path}.{key}.{name}" if path else f"{key}.{name}", problems)


def _is_object(node: dict[str, Any]) -> bool:
    typ = node.get("type")
    return typ == "object" or (isinstance(typ, list) and "object" in typ) or "properties" in node


def _close_object(node: dict[str, Any], path: str, problems: list[str]) -> None:
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        problems.append(f"{where(path)}: `additionalProperties` is a schema (a free-form map); strict mode allows "
                        "only the listed properties")
        return
    props = node.get("properties")
    if props is None:
        problems.append(f"{where(path)}: an object without `properties` (free-form); strict mode allows only the "
                        "listed properties")
        return
    required = set(node.get("required") or [])
    for name, sub in props.items():
        sub_path = f"{path}.properties.{name}" if path else f"properties.{name}"
        if isinstance(sub, dict):
            _convert(sub, sub_path, problems)
            if name not in required and not _nullable(sub):
                props[name] = _make_nullable(sub, sub_path, problems)
    node["required"] = list(props)
    node["additionalProperties"] = False


def _nullable(node: dict[str, Any]) -> bool:
    typ = node.get("type")
    if typ == "null" or (isinstance(typ, list) and "null" in typ):
        return True
    return any(isinstance(s, dict) and _nullable(s) for s in node.get("anyOf") or [])


def _make_nullable(node: dict[str, Any], path: str, problems: list[str]) -> dict[str, Any]:
    """An optional property becomes required with null allowed: "leave it out" is "send null"."""
    out = dict(node)
    typ = out.get("type")
    if isinstance(typ, str):
        out["type"] = [typ, "null"]
    elif isinstance(typ, list):
        out["type"] = [*typ, "null"]
    elif "anyOf" in out:
        out["anyOf"] = [*out["anyOf"], {"type": "null"}]
        return out
    elif "$ref" in out:
        return {"anyOf": [out, {"type": "null"}]}
    else:
        problems.append(f"{where(path)}: an optional property without a `type` cannot be made nullable")
        return out
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if "const" in out:
        return {"anyOf": [node, {"type": "null"}]}
    return out
