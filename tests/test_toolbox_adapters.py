"""The toolbox's adapters, each driven by the real framework: OpenAI Agents SDK (its own Runner with
its ScriptedModel test double, no network), LangChain's StructuredTool, and the official MCP SDK's
server and client session. Plus the OpenTelemetry span of every guarded call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
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
    box = make_box(cfg, events, approve=lambda request: Decision(approved=False, by="lead", reason="no"))
    model = ScriptedModel([
        [function_call("lookup_order", {"order_id": "ORD-000123"}, call_id="c1")],
        [function_call("lookup_order", {"order_id": "123"}, call_id="c2")],
        [function_call("lookup_order", "{not json", call_id="c3")],
        [function_call("issue_refund", REFUND, call_id="c4")],
        [assistant_message("The refund was not approved.")],
    ])
    tools = box.openai_agents()
    assert not any(t.needs_approval for t in tools)  # the toolbox's approver decides
    agent = agents.Agent(name="refunds", model=model, tools=tools,
                         instructions=box.system_prompt(company_name="Acme", refund_limit=50, order_id="ORD-000123"))
    result = asyncio.run(agents.Runner.run(agent, "Refund ORD-000123, it came late",
                                           run_config=agents.RunConfig(tracing_disabled=True)))
    assert result.final_output == "The refund was not approved."
    outputs = _tool_outputs(model)
    assert json.loads(outputs["c1"])["status"] == "delivered"
    assert "invalid ($.order_id: '123' does not match" in outputs["c2"] and "Nothing was done" in outputs["c2"]
    assert "not valid JSON" in outputs["c3"]
    assert outputs["c4"].startswith("Not done: the call to 'issue_refund' was not approved")
    assert [e.outcome for e in events] == ["ok", "input_invalid", "denied"]
    assert model.first_call is not None and "Acme" in (model.first_call.system_instructions or "")


def _tool_outputs(model: Any) -> dict[str, str]:
    return {item["call_id"]: item["output"] for item in model.calls[-1].input
            if isinstance(item, dict) and item.get("type") == "function_call_output"}


def test_openai_agents_without_an_approver_uses_the_sdks_run_interruptions(cfg: Config) -> None:
    agents = pytest.importorskip("agents")
    from agents.testing import ScriptedModel, assistant_message, function_call

    events: list[ToolCallEvent] = []
    box = make_box(cfg, events)
    tools = box.openai_agents()
    assert [t.needs_approval for t in tools] == [False, True]
    model = ScriptedModel([
        [function_call("issue_refund", REFUND, call_id="r1")],
        [assistant_message("Refund RF-000123 is pending.")],
    ])
    agent = agents.Agent(name="refunds", model=model, tools=tools, instructions="Handle refunds.")
    config = agents.RunConfig(tracing_disabled=True)
    paused = asyncio.run(agents.Runner.run(agent, "Refund ORD-000123", run_config=config))
    assert [item.tool_name for item in paused.interruptions] == ["issue_refund"] and events == []  # nothing ran
    state = paused.to_state()
    state.approve(paused.interruptions[0])
    resumed = asyncio.run(agents.Runner.run(agent, state, run_config=config))
    assert resumed.final_output == "Refund RF-000123 is pending."
    assert json.loads(_tool_outputs(model)["r1"]) == {"refund_id": "RF-000123", "status": "pending"}
    (event,) = events
    assert event.outcome == "ok" and event.approval is not None and "run state (tool call r1)" in event.approval["reason"]
    assert event.request_id == box.approval_request("issue_refund", REFUND)["id"]  # type: ignore[index]


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


SERVE_OVER_STDIO = '''
import sys

import anyio
from mcp.server.stdio import stdio_server

import agentcfg

sys.path.insert(0, "src")
cfg = agentcfg.load("production", environ={"QDRANT_URL": "http://localhost:6333"})
box = cfg.toolbox("refunds")  # handlers named in the release (src/support_tools.py)
server = box.mcp_server("refunds", elicit_approval="--elicit" in sys.argv)


async def main() -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())

anyio.run(main)
'''


def test_mcp_server_over_stdio_as_the_docs_show(cfg: Config, tmp_path: Path) -> None:
    mcp = pytest.importorskip("mcp")
    import sys

    from mcp.client.stdio import stdio_client

    repo = Path(cfg.origin).parent.parent
    script = tmp_path / "serve.py"
    script.write_text(SERVE_OVER_STDIO)
    params = mcp.StdioServerParameters(command=sys.executable, args=[str(script)], cwd=str(repo))

    async def session() -> tuple[list[str], Any, Any]:
        async with stdio_client(params) as (read, write), mcp.ClientSession(read, write) as client:
            await client.initialize()
            listed = await client.list_tools()
            ok = await client.call_tool("lookup_order", {"order_id": "ORD-000123"})
            waiting = await client.call_tool("issue_refund", REFUND)
            return [t.name for t in listed.tools], ok, waiting

    names, ok, waiting = asyncio.run(session())
    assert names == ["lookup_order", "issue_refund"]
    assert not ok.is_error and ok.structured_content["delivered_at"] == "2026-11-28T14:05:00Z"  # support_tools
    assert waiting.is_error and "needs a person's approval" in waiting.content[0].text


def test_langchain_tools_bind_with_the_release_schemas(cfg: Config) -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.utils.function_calling import convert_to_openai_tool

    shapes = [convert_to_openai_tool(t) for t in make_box(cfg, []).langchain()]  # what bind_tools sends
    assert [s["function"]["name"] for s in shapes] == ["lookup_order", "issue_refund"]
    assert shapes[1]["function"]["parameters"]["properties"] == cfg.tools["issue_refund"].input_schema["properties"]
    assert shapes[1]["function"]["parameters"]["required"] == ["order_id", "amount", "reason"]


def _answer(approve: bool | None) -> Any:
    from mcp import types

    async def answer(_context: Any, params: Any) -> Any:
        asked.append(params.message)
        if approve is None:
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content={"approve": approve, "reason": "checked the parcel"})

    asked: list[str] = []
    answer.asked = asked  # type: ignore[attr-defined]
    return answer


def test_mcp_server_asks_the_clients_user_through_elicitation(cfg: Config) -> None:
    mcp = pytest.importorskip("mcp")
    events: list[ToolCallEvent] = []
    server = make_box(cfg, events).mcp_server("refunds", elicit_approval=True)

    async def call(callback: Any, amount: float) -> Any:
        async with mcp.Client(server, elicitation_callback=callback) as client:
            return await client.call_tool("issue_refund", {**REFUND, "amount": amount})

    yes, no, declined = _answer(True), _answer(False), _answer(None)
    approved = asyncio.run(call(yes, 12.5))
    assert not approved.is_error and approved.structured_content["status"] == "pending"
    assert yes.asked[0].startswith('Approve issue_refund {"order_id": "ORD-000123", "amount": 12.5')
    assert cfg.digest in yes.asked[0]
    assert asyncio.run(call(no, 13)).is_error and asyncio.run(call(declined, 14)).is_error
    assert asyncio.run(call(None, 15)).content[0].text.startswith("Not done: 'issue_refund' needs a person's")
    assert [e.outcome for e in events] == ["ok", "denied", "denied", "approval_required"]
    assert events[0].approval is not None and events[0].approval["reason"] == "checked the parcel"
    assert events[2].approval is not None and events[2].approval["reason"] == "declined"
    lookups: list[str] = []
    assert not asyncio.run(_lookup(mcp, server, lookups)).is_error and lookups == []  # no approval: nobody asked


async def _lookup(mcp: Any, server: Any, asked: list[str]) -> Any:
    async def never(_context: Any, params: Any) -> Any:
        asked.append(params.message)
        raise AssertionError("a read-only lookup needs no approval")

    async with mcp.Client(server, elicitation_callback=never) as client:
        return await client.call_tool("lookup_order", {"order_id": "ORD-000123"})


def test_mcp_elicitation_over_stdio_asks_during_the_call(cfg: Config, tmp_path: Path) -> None:
    mcp = pytest.importorskip("mcp")
    import sys

    from mcp.client.stdio import stdio_client

    script = tmp_path / "serve.py"
    script.write_text(SERVE_OVER_STDIO)
    params = mcp.StdioServerParameters(command=sys.executable, args=[str(script), "--elicit"],
                                       cwd=str(Path(cfg.origin).parent.parent))
    yes = _answer(True)

    async def session() -> Any:
        async with stdio_client(params) as (read, write), \
                mcp.ClientSession(read, write, elicitation_callback=yes) as client:
            await client.initialize()
            return await client.call_tool("issue_refund", REFUND)

    result = asyncio.run(session())
    assert not result.is_error, result.content[0].text
    assert result.structured_content["refund_id"].startswith("RF-000123") and len(yes.asked) == 1
