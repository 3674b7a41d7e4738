"""The toolbox's adapters, each driven by the real framework: OpenAI Agents SDK (its own Runner with
its ScriptedModel test double, no network), LangChain's StructuredTool, and the official MCP SDK's
server and client session. Plus the OpenTelemetry span of every guarded call."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from released import ENVIRON, released_example

import agentcfg
from agentcfg.runtime import Config, Decision, ToolCallEvent
from agentcfg.runtime.toolbox import Toolbox

REFUND = {"order_id": "ORD-000123", "amount": 12.5, "reason": "late"}


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> Config:
    repo = released_example(tmp_path_factory.mktemp("adapters") / "repo")
    return agentcfg.load("production", root=repo, environ=ENVIRON)


def lookup_order(order_id: str) -> dict[str, Any]:
    return {"order_id": order_id, "status": "delivered", "total": 42.5, "currency": "EUR", "delivered_at": None}


async def issue_refund(order_id: str, amount: float, reason: str, note: str = "") -> dict[str, Any]:
    return {"refund_id": f"RF-{order_id[4:]}", "status": "pending"}


def make_box(cfg: Config, events: list[ToolCallEvent], approve: Any = None) -> Toolbox:
    return cfg.toolbox("refunds", handlers={"lookup_order": lookup_order, "issue_refund": issue_refund},
                       approve=approve, on_call=events.append)


# --- OpenAI Agents SDK -----------------------------------------------------------------------------

def test_openai_agents_tools_carry_the_exact_schema_and_strict_only_when_compatible(cfg: Config) -> None:
    pytest.importorskip("agents")
    from agentcfg.runtime.adapters.openai_agents import strict_compatible

    tools = make_box(cfg, []).openai_agents()
    assert [t.name for t in tools] == ["lookup_order", "issue_refund"]
    for tool in tools:
        assert tool.params_json_schema == cfg.tools[tool.name].input_schema
        assert tool.description == cfg.tools[tool.name].description
    # lookup_order: every property required, closed; issue_refund: `note` is optional
    assert [t.strict_json_schema for t in tools] == [True, False]
    assert not strict_compatible({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]})
    assert strict_compatible({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
                              "additionalProperties": False})


def test_openai_agents_runner_calls_go_through_the_guard(cfg: Config) -> None:
    agents = pytest.importorskip("agents")
    from agents.testing import ScriptedModel, assistant_message, function_call

    events: list[ToolCallEvent] = []
    box = make_box(cfg, events)
    model = ScriptedModel([
        [function_call("lookup_order", {"order_id": "ORD-000123"}, call_id="c1")],
        [function_call("issue_refund", {"order_id": "123", "amount": 5, "reason": "late"}, call_id="c2")],
        [function_call("issue_refund", REFUND, call_id="c3")],
        [function_call("issue_refund", "{not json", call_id="c4")],
        [assistant_message("A person has to approve the refund.")],
    ])
    agent = agents.Agent(name="refunds", model=model, tools=box.openai_agents(),
                         instructions=box.system_prompt(company_name="Acme", refund_limit=50, order_id="ORD-000123"))
    result = asyncio.run(agents.Runner.run(agent, "Refund ORD-000123, it came late",
                                           run_config=agents.RunConfig(tracing_disabled=True)))
    assert result.final_output == "A person has to approve the refund."
    outputs = {item["call_id"]: item["output"] for item in model.calls[-1].input
               if isinstance(item, dict) and item.get("type") == "function_call_output"}
    assert json.loads(outputs["c1"])["status"] == "delivered"
    assert "invalid ($.order_id: '123' does not match" in outputs["c2"] and "Nothing was done" in outputs["c2"]
    assert outputs["c3"].startswith("Not done: 'issue_refund' needs a person's approval")
    assert "not valid JSON" in outputs["c4"]
    assert [e.outcome for e in events] == ["ok", "input_invalid", "approval_required"]
    assert model.first_call is not None and "Acme" in (model.first_call.system_instructions or "")


# --- LangChain ---------------------------------------------------------------------------------------

def test_langchain_structured_tools_answer_tool_calls_through_the_guard(cfg: Config) -> None:
    pytest.importorskip("langchain_core")
    events: list[ToolCallEvent] = []
    tools = {t.name: t for t in make_box(cfg, events, approve=lambda r: Decision(True, by="lead")).langchain()}
    assert list(tools) == ["lookup_order", "issue_refund"]
    assert tools["issue_refund"].args_schema == cfg.tools["issue_refund"].input_schema

    def tool_call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
        return {"type": "tool_call", "name": name, "args": args, "id": call_id}

    ok = tools["lookup_order"].invoke(tool_call("lookup_order", {"order_id": "ORD-000123"}, "1"))
    assert ok.status == "success" and json.loads(ok.content)["status"] == "delivered"
    assert ok.artifact["order_id"] == "ORD-000123"
    bad = tools["lookup_order"].invoke(tool_call("lookup_order", {"order_id": "ORD-000123", "x": 1}, "2"))
    assert bad.status == "error" and "'x' was unexpected" in bad.content
    refund = asyncio.run(tools["issue_refund"].ainvoke(tool_call("issue_refund", REFUND, "3")))
    assert refund.status == "success" and refund.artifact == {"refund_id": "RF-000123", "status": "pending"}
    assert [e.outcome for e in events] == ["ok", "input_invalid", "ok"] and events[2].approval["by"] == "lead"


def test_langchain_reports_a_missing_approval_as_an_error_message(cfg: Config) -> None:
    pytest.importorskip("langchain_core")
    tools = {t.name: t for t in make_box(cfg, []).langchain()}
    msg = asyncio.run(tools["issue_refund"].ainvoke({"type": "tool_call", "name": "issue_refund", "args": REFUND,
                                                     "id": "9"}))
    assert msg.status == "error" and "needs a person's approval" in msg.content


# --- MCP --------------------------------------------------------------------------------------------

def test_mcp_server_lists_exactly_the_released_tools_and_guards_calls(cfg: Config) -> None:
    mcp = pytest.importorskip("mcp")
    events: list[ToolCallEvent] = []
    approvals: list[dict[str, Any]] = []

    def approve(request: Any) -> Decision:
        approvals.append(request)
        return Decision(approved=request["arguments"]["amount"] <= 20, by="lead@acme.example", reason="limit 20")

    server = make_box(cfg, events, approve=approve).mcp_server("refunds")

    async def session() -> dict[str, Any]:
        async with mcp.Client(server) as client:
            assert isinstance(client.session, mcp.ClientSession)
            listed = await client.session.list_tools()
            return {
                "tools": [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in listed.tools],
                "ok": await client.call_tool("lookup_order", {"order_id": "ORD-000123"}),
                "invalid": await client.call_tool("lookup_order", {"order_id": "123"}),
                "foreign": await client.call_tool("send_email", {"ticket_id": "T", "subject": "s", "body": "b"}),
                "approved": await client.call_tool("issue_refund", REFUND),
                "denied": await client.call_tool("issue_refund", {**REFUND, "amount": 30}),
            }

    got = asyncio.run(session())
    release = json.loads(json.dumps(cfg.raw["tools"]))
    expected = [{k: release[n][k] for k in ("name", "title", "description", "inputSchema", "outputSchema",
                                             "annotations") if k in release[n]} for n in ("lookup_order", "issue_refund")]
    assert got["tools"] == expected
    assert not got["ok"].is_error and got["ok"].structured_content["status"] == "delivered"
    assert got["invalid"].is_error and "$.order_id: '123' does not match" in got["invalid"].content[0].text
    assert got["foreign"].is_error and "'send_email' is not one of your tools" in got["foreign"].content[0].text
    assert not got["approved"].is_error and got["approved"].structured_content == {"refund_id": "RF-000123",
                                                                                   "status": "pending"}
    assert got["denied"].is_error and "not approved" in got["denied"].content[0].text
    assert [e.outcome for e in events] == ["ok", "input_invalid", "not_allowed", "ok", "denied"]
    assert events[3].approval is not None and events[3].approval["by"] == "lead@acme.example"
    assert [a["arguments"]["amount"] for a in approvals] == [12.5, 30]


def test_mcp_server_without_an_approver_says_the_call_waits(cfg: Config) -> None:
    mcp = pytest.importorskip("mcp")
    server = make_box(cfg, []).mcp_server()

    async def call() -> Any:
        async with mcp.Client(server) as client:
            return await client.call_tool("issue_refund", REFUND)

    result = asyncio.run(call())
    assert result.is_error and "Approval request apr-" in result.content[0].text


# --- OpenTelemetry -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spans() -> Any:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.mark.parametrize("mode", ["call", "acall"])
def test_every_call_records_a_gen_ai_span_naming_the_release(cfg: Config, spans: Any, mode: str) -> None:
    from opentelemetry.trace import StatusCode

    spans.clear()
    box = cfg.toolbox("refunds", handlers={"lookup_order": lookup_order, "issue_refund": lambda **kw: {}})
    if mode == "call":
        box.call("lookup_order", {"order_id": "ORD-000123"})
        with pytest.raises(agentcfg.ToolInputInvalid):
            box.call("lookup_order", {"order_id": 1})
    else:
        asyncio.run(box.acall("lookup_order", {"order_id": "ORD-000123"}))
        with pytest.raises(agentcfg.ToolInputInvalid):
            asyncio.run(box.acall("lookup_order", {"order_id": 1}))
    ok, refused = spans.get_finished_spans()
    assert ok.name == "execute_tool lookup_order"
    for span in (ok, refused):
        assert span.attributes["gen_ai.tool.name"] == "lookup_order"
        assert span.attributes["gen_ai.operation.name"] == "execute_tool"
        assert span.attributes["agentcfg.digest"] == cfg.digest
        assert span.attributes["agentcfg.environment"] == "production"
        assert span.attributes["agentcfg.agent"] == "refunds"
    assert ok.attributes["agentcfg.outcome"] == "ok" and ok.status.status_code != StatusCode.ERROR
    assert refused.attributes["agentcfg.outcome"] == "input_invalid"
    assert refused.status.status_code == StatusCode.ERROR and refused.attributes["error.type"] == "ToolInputInvalid"
