"""The example's tools, rendered by the CLI for each provider, are what the official SDKs'
own types accept: MCP's `mcp.types.Tool`, OpenAI's Chat `ChatCompletionToolParam` and Responses
`FunctionToolParam` (TypedDicts, checked through pydantic), Anthropic's `ToolParam`. And
`--strict` converts schemas to OpenAI strict mode, or names what strict mode cannot express."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit_all
from pydantic import TypeAdapter, ValidationError

from agentcfg.toolformats.strict import to_strict

mcp_types = pytest.importorskip("mcp.types")
openai_chat = pytest.importorskip("openai.types.chat")
openai_responses = pytest.importorskip("openai.types.responses")
anthropic_types = pytest.importorskip("anthropic.types")


def _render(cli: Any, fmt: str, *extra: str) -> Any:
    r = cli("render", "production", "--tools-format", fmt, "--format", "json", *extra)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def _check(adapter: TypeAdapter[Any], tools: list[dict[str, Any]]) -> None:
    assert len(tools) == 6
    for tool in tools:
        adapter.validate_python(tool, strict=True)
        json.dumps(tool)


def test_mcp_tool(example_repo: Path, cli: Any) -> None:
    for tool in _render(cli, "mcp"):
        mcp_types.Tool.model_validate(tool, strict=True)


def test_openai_chat(example_repo: Path, cli: Any) -> None:
    _check(TypeAdapter(openai_chat.ChatCompletionToolParam), _render(cli, "openai"))


def test_openai_responses(example_repo: Path, cli: Any) -> None:
    tools = _render(cli, "openai-responses")
    _check(TypeAdapter(openai_responses.FunctionToolParam), tools)
    assert all(isinstance(t["strict"], bool) for t in tools)  # required by the type


def test_anthropic(example_repo: Path, cli: Any) -> None:
    _check(TypeAdapter(anthropic_types.ToolParam), _render(cli, "anthropic"))


def test_a_tool_without_strict_fails_the_responses_type() -> None:
    # the check above can fail: this is what the example's tools looked like before
    with pytest.raises(ValidationError, match="strict"):
        TypeAdapter(openai_responses.FunctionToolParam).validate_python(
            {"type": "function", "name": "x", "parameters": {"type": "object"}}, strict=True)


def test_strict_names_what_openai_cannot_express(example_repo: Path, cli: Any) -> None:
    r = cli("render", "production", "--tools-format", "openai-responses", "--strict", "--format", "json")
    assert r.exit_code == 1 and r.stdout == ""
    assert "tools/send_email: properties.subject: strict mode does not support `maxLength`" in r.stderr
    assert "tools/search_faq: properties.query: strict mode does not support `minLength`" in r.stderr
    r = cli("render", "production", "--tools-format", "anthropic", "--strict")
    assert r.exit_code == 2 and "--strict" in r.stderr


def test_strict_converts_optional_properties(example_repo: Path, cli: Any) -> None:
    tool = example_repo / "tools" / "lookup_order.yaml"
    tool.write_text(
        "name: lookup_order\ndescription: Find an order.\ninputSchema:\n  type: object\n  properties:\n"
        "    order_id: {type: string}\n    include: {type: string, enum: [items, tracking]}\n"
        "    filter:\n      type: object\n      properties:\n        since: {type: string, format: date}\n"
        "  required: [order_id]\nannotations: {readOnlyHint: true}\n")
    for name in ("create_ticket", "issue_refund", "search_faq", "send_email"):
        path = example_repo / "tools" / f"{name}.yaml"
        path.write_text("\n".join(line for line in path.read_text().splitlines()
                                  if "maxLength" not in line and "minLength" not in line) + "\n")
    commit_all(example_repo, "strict-friendly")
    for fmt, adapter in (("openai-responses", TypeAdapter(openai_responses.FunctionToolParam)),
                         ("openai", TypeAdapter(openai_chat.ChatCompletionToolParam))):
        tools = _render(cli, fmt, "--strict")
        _check(adapter, tools)
        fns = [t.get("function", t) for t in tools]
        assert all(fn["strict"] is True for fn in fns)
        lookup = next(fn for fn in fns if fn["name"] == "lookup_order")["parameters"]
        assert lookup == {
            "type": "object", "additionalProperties": False, "required": ["order_id", "include", "filter"],
            "properties": {
                "order_id": {"type": "string"},
                "include": {"type": ["string", "null"], "enum": ["items", "tracking", None]},
                "filter": {"type": ["object", "null"], "additionalProperties": False, "required": ["since"],
                           "properties": {"since": {"type": ["string", "null"], "format": "date"}}}}}


@pytest.mark.parametrize("schema, problem", [
    ({"type": "object", "properties": {"tags": {"type": "object", "additionalProperties": {"type": "string"}}}},
     "properties.tags: `additionalProperties` is a schema"),
    ({"type": "object", "properties": {"x": {"allOf": [{"type": "string"}]}}, "required": ["x"]},
     "properties.x: strict mode does not support `allOf`"),
    ({"type": "object", "properties": {"meta": {"type": "object"}}, "required": ["meta"]},
     "properties.meta: an object without `properties`"),
    ({"type": "object", "properties": {"x": {"description": "anything"}}},
     "properties.x: an optional property without a `type`"),
    ({"type": "array"}, "strict mode needs an object at the root"),
])
def test_to_strict_refuses_precisely(schema: dict[str, Any], problem: str) -> None:
    before = json.dumps(schema, sort_keys=True)
    _, problems = to_strict(schema)
    assert any(problem in p for p in problems), problems
    assert json.dumps(schema, sort_keys=True) == before  # the input is never modified
