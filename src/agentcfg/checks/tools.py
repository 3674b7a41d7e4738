"""Tool definitions: valid JSON Schemas with no remote or file `$ref`, MCP-compatible names."""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple

from agentcfg.manifest.loader import Loaded

# MCP (2025-06-18) recommends 1-128 chars of [A-Za-z0-9_.-]; OpenAI and Anthropic allow
# ^[a-zA-Z0-9_-]{1,64}$. We require the MCP form and warn where a provider would refuse it.
MCP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}\Z")
# `handler: package.module:function`: dotted Python identifiers on both sides of one colon
HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*"
                     r"(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
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


def schema_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """(path, code, message) for an unsafe or invalid JSON Schema. Never fetches anything.

    Not remembered: an artefact is checked once per run (an environment's pass skips what its
    overlay leaves alone, the two sides of a diff share what they hold alike), so a memo would
    only be consulted for schemas seen once, and its key (the schema's JSON text) cost as much as
    the check on real schemas.
    """
    return _schema_problems(schema)


class _Survey(NamedTuple):
    """What the checks of one schema need from it, gathered in one walk."""

    refs: list[tuple[tuple[Any, ...], str]]  # what iter_refs yields, in its order
    deepest: int  # levels of nested objects/lists
    patterns: list[Any]  # every value that may be a regular expression to the meta-schema


_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
_WALK_LIMIT = 10_000  # levels: only a structure that contains itself goes deeper


def _survey(schema: Any) -> _Survey:
    refs: list[tuple[tuple[Any, ...], str]] = []
    patterns: list[Any] = []
    deepest = 0
    # Depth first, children in order, so refs come out in iter_refs' order. A path is kept as a
    # chain (parent chain, key) and spelled out only for a $ref; level 0 marks a $ref's string.
    stack: list[tuple[Any, int, Any]] = [(schema, 1, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, level, chain = pop()
        if level == 0:
            refs.append((_spell(chain), node))
            continue
        children: list[tuple[Any, int, Any]]
        if isinstance(node, dict):
            children = []
            for k, v in node.items():
                if isinstance(v, str):
                    if k in _REF_KEYS:
                        children.append((v, 0, (chain, k)))
                elif isinstance(v, (dict, list)):
                    children.append((v, level + 1, (chain, k)))
            pattern = node.get("pattern")
            if isinstance(pattern, str):
                patterns.append(pattern)
            named = node.get("patternProperties")
            if isinstance(named, dict):
                patterns.extend(named)
        elif isinstance(node, list):
            children = [(v, level + 1, (chain, i)) for i, v in enumerate(node) if isinstance(v, (dict, list))]
        else:
            continue
        if level > deepest:
            deepest = level
            if level > _WALK_LIMIT:
                raise RecursionError("the schema contains itself")
        for child in reversed(children):
            push(child)
    return _Survey(refs, deepest, patterns)


def _spell(chain: Any) -> tuple[Any, ...]:
    keys = []
    while chain is not None:
        chain, key = chain
        keys.append(key)
    return tuple(reversed(keys))


def _schema_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    survey = _survey(schema)
    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for path, ref in survey.refs:
        if not ref.startswith("#"):
            problems.append((path, "schema-remote-ref",
                             f"$ref '{ref}' points outside this schema (remote and file references are refused)"))
    if problems:
        return problems
    if survey.deepest > MAX_SCHEMA_DEPTH:
        # jsonschema checks a schema recursively: a deep one would exhaust Python's stack.
        return [((), "schema-too-deep", f"the schema is nested more than {MAX_SCHEMA_DEPTH} levels deep")]
    if not _surely_valid(schema, survey.patterns):
        invalid = _meta_schema_problem(schema)
        if invalid is not None:
            return [invalid]
    problems += _local_ref_problems(schema, survey.refs)
    if problems:
        return problems
    if isinstance(schema, dict) and schema.get("type", "object") != "object":
        problems.append(((), "schema-root-type", f"a tool's schema must describe an object (type: object), "
                                                 f"not '{schema.get('type')}'"))
    return problems


def _meta_schema_problem(schema: Any) -> tuple[tuple[Any, ...], str, str] | None:
    """What `jsonschema` finds wrong with ``schema`` against the 2020-12 meta-schema, if anything.

    Imported only here (~50-100 ms with its format checkers): valid schemas, nearly all of them,
    are confirmed by the fast path and never need it.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = tuple(exc.path) if exc.path else tuple(exc.relative_path)
        return (where, "schema-invalid", f"not a valid JSON Schema: {exc.message}")
    except RecursionError:
        return ((), "schema-too-deep", "the schema is nested too deeply to be checked")
    return None


MAX_SCHEMA_DEPTH = 100  # nested objects/lists; real tool schemas stay under 20


def _surely_valid(schema: Any, patterns: list[Any] | None = None) -> bool:
    """Whether the schema is valid against the 2020-12 meta-schema, by a fast path that only
    ever answers "yes" when `jsonschema`'s own check would.

    `jsonschema` checks a schema against the meta-schema in pure Python (~5-20 ms for a real
    tool's schema: most of a cold `validate` of thousands of tools); jsonschema-rs does it in
    microseconds. It does not check the meta-schema's `format: regex`, which `jsonschema` does
    with Python's `re`, so every string that could be a pattern is compiled here. On any doubt
    (invalid, a pattern that does not compile, jsonschema-rs missing) the answer is "check it the
    slow way", whose message users see. tests/test_schema_check_fast_path.py holds the two to the
    same verdicts.
    """
    try:
        import jsonschema_rs
    except ImportError:  # a platform without its wheel: the slow path is still right
        return False
    try:
        if not jsonschema_rs.meta.is_valid(schema):
            return False
    except Exception:  # noqa: BLE001 - a value it cannot read (not JSON): let jsonschema decide
        return False
    return all(_compiles(p) for p in (_patterns(schema) if patterns is None else patterns))


def _patterns(schema: Any) -> Iterator[Any]:
    """Every value that may be a regular expression to the meta-schema (over-inclusive)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "pattern" in node and isinstance(node["pattern"], str):
                yield node["pattern"]
            if isinstance(node.get("patternProperties"), dict):
                yield from node["patternProperties"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _compiles(pattern: Any) -> bool:
    try:
        re.compile(pattern)
    except (re.error, TypeError, ValueError, RecursionError, OverflowError):
        return False
    return True

# Keywords that apply a subschema to the same value (they do not descend into it): a cycle of
# these through `$ref` makes every validator recurse forever.
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")


def _resolve_local(schema: Any, ref: str) -> tuple[bool, Any]:
    """(found, target) for ``#``, ``#/json/pointer`` or ``#anchor`` inside ``schema``."""
    from urllib.parse import unquote

    fragment = ref[1:]
    if not fragment:
        return True, schema
    if not fragment.startswith("/"):
        stack = [schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if fragment in (node.get("$anchor"), node.get("$dynamicAnchor")):
                    return True, node
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return False, None
    node = schema
    for raw in fragment[1:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _pointer(path: tuple[Any, ...]) -> str:
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _local_ref_problems(schema: Any, refs: list[tuple[tuple[Any, ...], str]]) -> list[tuple[tuple[Any, ...], str, str]]:
    """A local `$ref` must point at something, and must not loop back without consuming input.

    ``refs`` are the schema's, as :func:`iter_refs` yields them."""
    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for path, ref in refs:
        if not _resolve_local(schema, ref)[0]:
            problems.append((path, "schema-invalid", f"$ref '{ref}' points at nothing in this schema"))
    if problems:
        return problems

    def in_place(node: Any) -> list[Any]:
        if not isinstance(node, dict):
            return []
        out = [node[k] for k in _IN_PLACE_ONE if k in node]
        out += [item for k in _IN_PLACE_MANY if isinstance(node.get(k), list) for item in node[k]]
        out += [_resolve_local(schema, node[k])[1] for k in ("$ref", "$dynamicRef", "$recursiveRef")
                if isinstance(node.get(k), str)]
        return out

    for path, ref in refs:
        origin = _resolve_local(schema, _pointer(path[:-1]))[1]  # the subschema holding this $ref
        seen: set[int] = set()
        stack = [_resolve_local(schema, ref)[1]]
        while stack:
            node = stack.pop()
            if node is origin:
                message = (f"$ref '{ref}' leads back to itself without matching any part of the value "
                           "(a validator would recurse forever)")
                return [(path, "schema-ref-loop", message)]
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(in_place(node))
    return problems


def check(loaded: Loaded) -> None:
    assert loaded.manifest is not None
    for name, tool in loaded.manifest.tools.items():
        aid = f"tools/{name}"
        if aid in loaded.settled:
            continue
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
        if tool.handler is not None and not HANDLER.match(tool.handler):
            loaded.finding("tool-handler", f"handler '{tool.handler}' is not of the form 'package.module:function'",
                           ("tools", name, "handler"), artefact=aid,
                           hint="name an importable module and a function in it, e.g. support_tools:issue_refund")
        if tool.description is None or not tool.description.strip():
            loaded.finding("tool-description", "the tool has no description; models choose tools by it",
                           ("tools", name), artefact=aid, severity="warning")
