"""A tool schema's checks read what one walk gathered (its refs with their paths, its depth, the
strings that may be patterns) and are remembered by the schema's JSON text. The separate walks
they replace are kept here as they were: the problems (paths, codes, messages, order) must be
the same, first time and remembered."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg.checks import tools

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import realistic


def ref_iter_refs(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(v, str):
                yield path + (k,), v
            else:
                yield from ref_iter_refs(v, path + (k,))
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from ref_iter_refs(v, path + (i,))


def ref_depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def ref_patterns(schema: Any) -> Iterator[Any]:
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


def ref_surely_valid(schema: Any) -> bool:
    import jsonschema_rs

    try:
        if not jsonschema_rs.meta.is_valid(schema):
            return False
    except Exception:  # noqa: BLE001
        return False
    return all(tools._compiles(p) for p in ref_patterns(schema))


def ref_local_ref_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for path, ref in ref_iter_refs(schema):
        if not tools._resolve_local(schema, ref)[0]:
            problems.append((path, "schema-invalid", f"$ref '{ref}' points at nothing in this schema"))
    if problems:
        return problems

    def in_place(node: Any) -> list[Any]:
        if not isinstance(node, dict):
            return []
        out = [node[k] for k in tools._IN_PLACE_ONE if k in node]
        out += [item for k in tools._IN_PLACE_MANY if isinstance(node.get(k), list) for item in node[k]]
        out += [tools._resolve_local(schema, node[k])[1] for k in ("$ref", "$dynamicRef", "$recursiveRef")
                if isinstance(node.get(k), str)]
        return out

    for path, ref in ref_iter_refs(schema):
        origin = tools._resolve_local(schema, tools._pointer(path[:-1]))[1]
        seen: set[int] = set()
        stack = [tools._resolve_local(schema, ref)[1]]
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


def reference_schema_problems(schema: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """_schema_problems as it was, each check walking the schema on its own."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for path, ref in ref_iter_refs(schema):
        if not ref.startswith("#"):
            problems.append((path, "schema-remote-ref",
                             f"$ref '{ref}' points outside this schema (remote and file references are refused)"))
    if problems:
        return problems
    if ref_depth(schema) > tools.MAX_SCHEMA_DEPTH:
        return [((), "schema-too-deep", f"the schema is nested more than {tools.MAX_SCHEMA_DEPTH} levels deep")]
    try:
        if not ref_surely_valid(schema):
            Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = tuple(exc.path) if exc.path else tuple(exc.relative_path)
        problems.append((where, "schema-invalid", f"not a valid JSON Schema: {exc.message}"))
        return problems
    except RecursionError:
        return [((), "schema-too-deep", "the schema is nested too deeply to be checked")]
    problems += ref_local_ref_problems(schema)
    if problems:
        return problems
    if isinstance(schema, dict) and schema.get("type", "object") != "object":
        problems.append(((), "schema-root-type", f"a tool's schema must describe an object (type: object), "
                                                 f"not '{schema.get('type')}'"))
    return problems


KEYWORDS = ["type", "properties", "items", "required", "enum", "pattern", "patternProperties", "anyOf", "oneOf",
            "allOf", "not", "if", "then", "else", "$defs", "$ref", "$dynamicRef", "$recursiveRef", "$anchor",
            "$dynamicAnchor", "additionalProperties", "description", "minimum"]
REFS = ["#", "#/$defs/a", "#/$defs/b", "#/properties/a", "#a", "#/anyOf/0", "http://x/y", "other.json#/a",
        "#/$defs/missing", "#/items/0"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["object", "string", "array", "integer", "strin", "(", "^a+$", "[", "a", "b", "x"] + REFS))
KEYS = st.sampled_from(KEYWORDS + ["a", "b", "(("]) | st.integers(0, 2)
SCHEMAS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
                       max_leaves=20)


def _check_both(schema: Any) -> None:
    expected = reference_schema_problems(schema)
    assert tools._schema_problems(schema) == expected
    assert tools.schema_problems(schema) == expected


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHEMAS)
def test_one_walk_finds_what_the_separate_walks_found(schema: Any) -> None:
    _check_both(schema)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, SCHEMAS, max_size=4))
def test_object_roots_with_defs(defs: dict[Any, Any]) -> None:
    _check_both({"type": "object", "$defs": defs, "properties": {"a": {"$ref": "#/$defs/a"}}, "anyOf": [defs]})


@pytest.mark.parametrize("i", range(0, 3000, 151))
def test_realistic_schemas(i: int) -> None:
    _check_both(realistic.input_schema(i))


@pytest.mark.parametrize("schema", [
    {"a": {"$ref": "http://x"}, "$ref": "#/b", "b": [{"$ref": "file.json"}]},  # order of refs and siblings
    {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},  # a loop
    {"x": [[[[{"$ref": 1}]]]], "$ref": {"$ref": "x.json"}},  # non-string refs are walked into
    {"properties": {"a": {"type": "string", "pattern": "(("}}},
])
def test_shapes(schema: Any) -> None:
    _check_both(schema)


def test_deep_schema_is_too_deep_and_a_remote_ref_below_still_wins() -> None:
    deep: Any = {"type": "object"}
    for _ in range(150):
        deep = {"properties": {"a": deep}}
    _check_both(deep)
    deep["properties"]["$ref"] = "http://x"
    _check_both(deep)


def test_keys_json_writes_alike_are_each_checked_as_they_are() -> None:
    one = {"properties": {1: {"type": "strin"}}}
    text = {"properties": {"1": {"type": "strin"}}}
    assert tools.schema_problems(one) == reference_schema_problems(one)
    assert tools.schema_problems(text) == reference_schema_problems(text)
    assert tools.schema_problems(one) == reference_schema_problems(one)
    as_tuple = {"enum": ("a", "b")}
    as_list = {"enum": ["a", "b"]}
    for schema in (as_tuple, as_list, as_tuple):
        assert tools.schema_problems(schema) == reference_schema_problems(schema)


def test_patterns_match_the_old_walk() -> None:
    schema = {"patternProperties": {"^a": {"pattern": "b+"}}, "items": [{"pattern": "(("}], "pattern": 3}
    assert sorted(map(str, tools._survey(schema).patterns)) == sorted(map(str, ref_patterns(schema)))
    assert re.compile("b+")
