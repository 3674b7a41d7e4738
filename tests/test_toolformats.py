"""Tool import/export over real-world-shaped definitions (tests/fixtures/tools/<format>.json).

Each fixture case holds one provider input and its expected outcome, written by hand: the
tools kept (by final name, in order), the exact multiset of issue codes, and where it matters
the exact repaired schema or tool. Every case is also round-tripped: import → export in the
same format → import again gives the same tools, and a clean input comes back byte-for-byte.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg.errors import AgentcfgError
from agentcfg.toolformats import FORMATS, export_tools, import_tools
from agentcfg.toolformats.schemas import TYPE_ALIASES, fix_schema

FIXTURES = Path(__file__).parent / "fixtures" / "tools"
# Issues that describe the tool as it still is (import keeps it) rather than a change it made;
# a second import of exported tools may only report these.
PERSISTENT = {"missing-description", "required-unknown", "enum-type-mismatch", "remote-ref", "invalid-schema"}
KNOWN_CODES = PERSISTENT | {
    "nonstandard-type", "unknown-type", "duplicate-type", "property-shorthand", "tuple-items", "openapi-keyword",
    "required-misplaced", "required-invalid", "root-not-object", "root-type-added", "name-sanitised",
    "duplicate-name", "missing-name", "not-a-tool", "not-a-function", "not-a-custom-tool", "unknown-key",
    "missing-schema", "missing-type", "legacy-function", "invalid-annotations", "invalid-value", "strict-incompatible",
    "strict-inferred", "strict-dropped", "paginated", "ignored-keys",
}


def load_cases(fmt: str) -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / f"{fmt}.json").read_text(encoding="utf-8"))
    assert data["format"] == fmt
    return list(data["cases"])


ALL = [(fmt, case) for fmt in FORMATS for case in load_cases(fmt)]
IDS = [f"{fmt}-{case['id']}" for fmt, case in ALL]


def items_of(data: Any) -> list[Any]:
    if isinstance(data, dict):
        data = data.get("result", data)
        return list(data["tools"]) if "tools" in data else list(data.get("functions", [data]))
    return list(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_at_least_50_varied_cases_per_format(fmt: str) -> None:
    cases = load_cases(fmt)
    assert len(cases) >= 50
    codes = Counter(code for case in cases for code in case["expect"]["codes"])
    assert set(codes) <= KNOWN_CODES, set(codes) - KNOWN_CODES
    for required in ("nonstandard-type", "missing-description", "name-sanitised", "unknown-key", "root-not-object",
                     "openapi-keyword", "required-misplaced", "remote-ref"):
        assert codes[required], f"{fmt}: no case reports {required}"
    assert sum(not c["expect"]["codes"] for c in cases) >= 15, "too few clean cases"


@pytest.mark.parametrize("fmt,case", ALL, ids=IDS)
def test_import(fmt: str, case: dict[str, Any]) -> None:
    expect = case["expect"]
    result = import_tools(case["input"], fmt)
    assert list(result.tools) == expect["tools"], result.warnings
    assert sorted(i.code for i in result.issues) == expect["codes"], "\n".join(result.warnings)
    assert result.skipped == sum(i.code in ("missing-name", "not-a-tool", "not-a-function", "not-a-custom-tool")
                                 for i in result.issues)
    for issue, text in zip(result.issues, result.warnings):
        assert text == f"{issue.tool}: {issue.message} [{issue.code}]"
        assert issue.tool == "(input)" or issue.tool.startswith(("tools/", "tool #"))
    for name in expect["tools"]:
        tool = result.tools[name]
        assert tool["name"] == name and tool["inputSchema"].get("type", "object") == "object"
        assert set(tool) <= {"name", "title", "description", "annotations", "inputSchema", "outputSchema"}
        kept_issues = [i for i in result.issues if i.tool == f"tools/{name}"]
        assert all(name in i.tool for i in kept_issues)
    if "inputSchema" in expect:
        assert result.tools[expect["tools"][0]]["inputSchema"] == expect["inputSchema"]
    if "tool" in expect:
        assert result.tools[expect["tools"][0]] == expect["tool"]


def _unset_strict_dropped(exported: list[Any], inputs: list[Any]) -> list[Any]:
    """OpenAI exports always say `strict` (the Responses SDK type requires it); an input that
    left it out meant `strict: false`, so an added `false` is still an exact round trip."""
    out = []
    for got, given in zip(exported, inputs):
        got = json.loads(json.dumps(got))
        for fn, orig in ((got, given), (got.get("function"), (given or {}).get("function"))):
            if isinstance(fn, dict) and fn.get("strict") is False and "strict" not in (orig or {}):
                del fn["strict"]
        out.append(got)
    return out + exported[len(inputs):]


@pytest.mark.parametrize("fmt,case", ALL, ids=IDS)
def test_round_trip_preserves_meaning(fmt: str, case: dict[str, Any]) -> None:
    expect = case["expect"]
    first = import_tools(case["input"], fmt)
    out_fmt = expect.get("export_format", fmt)
    exported = export_tools(first.tools, out_fmt)
    json.dumps(exported)  # plain JSON for the SDK
    if expect["roundtrip"] == "exact":
        assert _unset_strict_dropped(exported, items_of(case["input"])) == items_of(case["input"])
    second = import_tools(exported, fmt)
    assert second.tools == first.tools
    codes = {i.code for i in second.issues}
    assert codes <= PERSISTENT and codes <= {i.code for i in first.issues}, second.warnings


@pytest.mark.parametrize("fmt,case", ALL, ids=IDS)
def test_conversion_between_formats_keeps_name_description_and_schema(fmt: str, case: dict[str, Any]) -> None:
    first = import_tools(case["input"], fmt)
    for other, out_fmt in (("mcp", "mcp"), ("openai", "openai"), ("openai", "openai-responses"),
                           ("anthropic", "anthropic")):
        again = import_tools(export_tools(first.tools, out_fmt), other)
        assert list(again.tools) == list(first.tools)
        for name, tool in first.tools.items():
            core = {k: v for k, v in tool.items() if k in ("name", "description", "inputSchema")}
            assert {k: v for k, v in again.tools[name].items() if k in core} == core
            if other == "mcp":
                assert again.tools[name] == tool  # MCP keeps title, annotations and outputSchema too


def test_export_shapes() -> None:
    tools = {
        "lookup": {"name": "lookup", "title": "Lookup", "description": "Find.", "approval": "required", "code": "app",
                   "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"],
                                   "additionalProperties": False},
                   "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}},
        "noargs": {"approval": "never"},
    }
    assert export_tools(tools, "mcp") == [
        {"name": "lookup", "title": "Lookup", "description": "Find.", "inputSchema": tools["lookup"]["inputSchema"],
         "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": True}},
        {"name": "noargs", "inputSchema": {"type": "object"}},
    ]
    assert export_tools(tools, "openai") == [
        {"type": "function", "function": {"name": "lookup", "description": "Find.", "strict": True,
                                          "parameters": tools["lookup"]["inputSchema"]}},
        {"type": "function", "function": {"name": "noargs", "strict": False}},
    ]
    assert export_tools(tools, "openai-responses") == [
        {"type": "function", "name": "lookup", "description": "Find.", "strict": True,
         "parameters": tools["lookup"]["inputSchema"]},
        {"type": "function", "name": "noargs", "parameters": None, "strict": False},  # both keys required there
    ]
    assert export_tools(tools, "anthropic") == [
        {"name": "lookup", "description": "Find.", "input_schema": tools["lookup"]["inputSchema"]},
        {"name": "noargs", "input_schema": {"type": "object"}},
    ]


def test_export_refuses_names_a_provider_rejects() -> None:
    tools = {"fs.read": {"inputSchema": {"type": "object"}}}
    assert export_tools(tools, "mcp")[0]["name"] == "fs.read"  # MCP allows dots
    for fmt in ("openai", "openai-responses", "anthropic"):
        with pytest.raises(AgentcfgError, match="'fs.read' is refused by") as exc:
            export_tools(tools, fmt)
        assert exc.value.artefact == "tools/fs.read"
    with pytest.raises(AgentcfgError, match="unknown tool format 'gemini'"):
        export_tools(tools, "gemini")


@pytest.mark.parametrize("data", [42, "tools", {"foo": 1}, {"tools": "x"}, None])
def test_input_that_is_not_a_tool_list_is_an_error(data: Any) -> None:
    with pytest.raises(AgentcfgError, match="not a list of mcp tools"):
        import_tools(data, "mcp")


def test_unknown_import_format() -> None:
    with pytest.raises(AgentcfgError, match="unknown tool format 'opneai' \\(did you mean 'openai'\\?\\)"):
        import_tools([], "opneai")


# --- schema repair is idempotent: a repaired schema needs no further repair -------------------

_TYPES = st.sampled_from(["object", "array", "string", "number", "integer", "boolean", "null", *TYPE_ALIASES,
                          "STRING", "Integer", "any"])
_LEAF = st.fixed_dictionaries({"type": _TYPES}, optional={
    "nullable": st.booleans(), "required": st.booleans(), "example": st.integers(), "description": st.text(max_size=5),
    "enum": st.lists(st.one_of(st.integers(), st.text(max_size=3)), max_size=3)})
_SCHEMA = st.recursive(
    _LEAF | st.sampled_from(["string", "int"]),
    lambda inner: st.fixed_dictionaries({"type": _TYPES}, optional={
        "properties": st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), inner, max_size=4),
        "items": inner | st.lists(inner, max_size=2),
        "anyOf": st.lists(inner, min_size=1, max_size=3),
        "required": st.one_of(st.lists(st.text("abcxyz", min_size=1, max_size=4), max_size=3),
                              st.text("abc", max_size=3)),
        "$defs": st.dictionaries(st.text("AB", min_size=1, max_size=2), inner, max_size=2)}),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_SCHEMA)
def test_schema_repair_is_idempotent(schema: Any) -> None:
    first: list[str] = []
    fixed = fix_schema(schema, "s", lambda code, msg: first.append(code))
    second: list[str] = []
    again = fix_schema(fixed, "s", lambda code, msg: second.append(code))
    assert again == fixed
    assert set(second) <= PERSISTENT
