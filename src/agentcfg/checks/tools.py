"""Tool definitions: valid JSON Schemas with no remote or file `$ref`, MCP-compatible names."""

from __future__ import annotations

import re
from typing import Any, Iterator

from agentcfg.manifest.loader import Loaded

# MCP (2025-06-18) recommends 1-128 chars of [A-Za-z0-9_.-]; OpenAI and Anthropic allow
# ^[a-zA-Z0-9_-]{1,64}$. We require the MCP form and warn where a provider would refuse it.
MCP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}\Z")
PROVIDER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


def iter_refs(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``$ref`` (and ``$dynamicRef``) string inside a schema, with its path."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(v, str):
                yield path + (k,), v
            else:
                yield from iter_refs(v, path + (k,))
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from iter_refs(v, path + (i,))


_CHECKED: dict[str, list[tuple[tuple[Any, ...], str, str]]] = {}


def schema_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """(path, code, message) for an unsafe or invalid JSON Schema. Never fetches anything.

    Memoised per process by the schema's canonical JSON: checking against the metaschema costs
    ~1 ms, and `lock` checks the same schemas once per environment (issue 8).
    """
    from agentcfg.canonical import canonical_json

    try:
        key = canonical_json(schema)
    except (TypeError, ValueError):
        return _schema_problems(schema)
    if key not in _CHECKED:
        _CHECKED[key] = _schema_problems(schema)
    return list(_CHECKED[key])


def _schema_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for path, ref in iter_refs(schema):
        if not ref.startswith("#"):
            problems.append((path, "schema-remote-ref",
                             f"$ref '{ref}' points outside this schema (remote and file references are refused)"))
    if problems:
        return problems
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = tuple(exc.path) if exc.path else tuple(exc.relative_path)
        problems.append((where, "schema-invalid", f"not a valid JSON Schema: {exc.message}"))
        return problems
    if isinstance(schema, dict) and schema.get("type", "object") != "object":
        problems.append(((), "schema-root-type", f"a tool's schema must describe an object (type: object), "
                                                 f"not '{schema.get('type')}'"))
    return problems


def check(loaded: Loaded) -> None:
    assert loaded.manifest is not None
    for name, tool in loaded.manifest.tools.items():
        aid = f"tools/{name}"
        if tool.name is not None and tool.name != name:
            loaded.finding("tool-name", f"`name: {tool.name}` differs from the key '{name}'", ("tools", name, "name"),
                           artefact=aid, hint="the key is the tool's name; remove `name` or make them equal")
        if not MCP_NAME.match(name):
            loaded.finding("tool-name", f"'{name}' is not a valid MCP tool name", ("tools", name), artefact=aid)
        elif not PROVIDER_NAME.match(name):
            loaded.finding("tool-name", f"'{name}' will be refused by OpenAI/Anthropic (^[a-zA-Z0-9_-]{{1,64}}$)",
                           ("tools", name), artefact=aid, severity="warning")
        for key in ("inputSchema", "outputSchema"):
            schema = getattr(tool, key)
            if schema is None:
                continue
            for sub, code, message in schema_problems(schema):
                loaded.finding(code, f"{key}: {message}", ("tools", name, key) + sub, artefact=aid)
        if tool.description is None or not tool.description.strip():
            loaded.finding("tool-description", "the tool has no description; models choose tools by it",
                           ("tools", name), artefact=aid, severity="warning")
