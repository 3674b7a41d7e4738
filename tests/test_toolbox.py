"""Config.toolbox(): the five rules of a guarded call, on call and acall, against a real release."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from released import ENVIRON, release, released_example

import agentcfg
from agentcfg.runtime import (
    ApprovalDenied,
    ApprovalRequired,
    Config,
    Decision,
    ToolboxError,
    ToolCallEvent,
    ToolInputInvalid,
    ToolNotAllowed,
    ToolOutputInvalid,
)
from agentcfg.runtime.toolbox import Toolbox

MODES = ["call", "acall"]
REFUND = {"order_id": "ORD-000123", "amount": 12.5, "reason": "late"}


class Desk:
    """Handlers that record what ran; `issue_refund` returns `result` (valid by default)."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []
        self.result: Any = {"refund_id": "RF-1", "status": "pending"}

    def lookup_order(self, **kwargs: Any) -> dict[str, Any]:
        self.ran.append(("lookup_order", kwargs))
        return {"order_id": kwargs["order_id"], "status": "delivered", "total": 42.5, "currency": "EUR",
                "delivered_at": None}

    async def issue_refund(self, **kwargs: Any) -> Any:  # async: acall awaits it, call refuses it
        self.ran.append(("issue_refund", kwargs))
        return self.result

    def issue_refund_sync(self, **kwargs: Any) -> Any:
        self.ran.append(("issue_refund", kwargs))
        return self.result

    def handlers(self, mode: str) -> dict[str, Callable[..., Any]]:
        refund = self.issue_refund if mode == "acall" else self.issue_refund_sync
        return {"lookup_order": self.lookup_order, "issue_refund": refund}


def invoke(box: Toolbox, mode: str, tool: str, arguments: Any = None, **kwargs: Any) -> Any:
    if mode == "call":
        return box.call(tool, arguments, **kwargs)
    return asyncio.run(box.acall(tool, arguments, **kwargs))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Released once per module: a Config is read-only, so tests cannot disturb each other through it."""
    return released_example(tmp_path_factory.mktemp("toolbox") / "repo")


@pytest.fixture
def cfg(repo: Path) -> Config:
    return agentcfg.load("production", root=repo, environ=ENVIRON)


@pytest.fixture
def desk() -> Desk:
    return Desk()


@pytest.fixture
def events() -> list[ToolCallEvent]:
    return []


def _names_release(exc: Exception, cfg: Config, tool: str) -> None:
    text = str(exc)
    assert cfg.digest in text and "production" in text and "'refunds'" in text and f"'{tool}'" in text, text
    assert (exc.environment, exc.digest, exc.agent, exc.tool) == ("production", cfg.digest, "refunds", tool)  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
def test_a_valid_call_runs_the_handler_and_records_an_event(cfg: Config, desk: Desk, events: list[ToolCallEvent],
                                                            mode: str) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), on_call=events.append)
    assert box.names == ("lookup_order", "issue_refund")
    out = invoke(box, mode, "lookup_order", {"order_id": "ORD-000123"})
    assert out["status"] == "delivered" and desk.ran == [("lookup_order", {"order_id": "ORD-000123"})]
    (event,) = events
    assert (event.digest, event.environment, event.agent, event.tool, event.outcome, event.approval) == (
        cfg.digest, "production", "refunds", "lookup_order", "ok", None)
    assert event.duration_s >= 0 and json.dumps(event.to_dict())


@pytest.mark.parametrize("mode", MODES)
def test_rule_1_a_tool_of_another_agent_or_none_is_not_allowed(cfg: Config, desk: Desk,
                                                               events: list[ToolCallEvent], mode: str) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), on_call=events.append)
    with pytest.raises(ToolNotAllowed, match="'send_email' is not a tool of agent 'refunds'") as exc:
        invoke(box, mode, "send_email", {"ticket_id": "T-1", "subject": "hi", "body": "x"})
    _names_release(exc.value, cfg, "send_email")
    with pytest.raises(ToolNotAllowed, match="did you mean 'lookup_order'"):
        invoke(box, mode, "lookup_ordr", {"order_id": "ORD-000123"})
    assert desk.ran == [] and [e.outcome for e in events] == ["not_allowed", "not_allowed"]


@pytest.mark.parametrize("mode", MODES)
def test_rule_2_arguments_are_checked_against_the_input_schema(cfg: Config, desk: Desk,
                                                               events: list[ToolCallEvent], mode: str) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), on_call=events.append,
                      approve=lambda request: True)
    bad = {"order_id": "123", "amount": -4, "reason": "late", "coupon": "FREE"}
    with pytest.raises(ToolInputInvalid) as exc:
        invoke(box, mode, "issue_refund", bad)
    _names_release(exc.value, cfg, "issue_refund")
    got = {(v.path, v.reason) for v in exc.value.violations}
    assert ("$.amount", "-4 is less than or equal to the minimum of 0") in got
    assert ("$.order_id", "'123' does not match '^ORD-[0-9]{6}$'") in got
    assert any(path == "$" and "'coupon' was unexpected" in reason for path, reason in got), got
    with pytest.raises(ToolInputInvalid, match=r"\$: 'order_id' is a required property"):
        invoke(box, mode, "lookup_order", {})
    with pytest.raises(ToolInputInvalid, match="arguments must be a JSON object"):
        invoke(box, mode, "lookup_order", ["ORD-000123"])
    with pytest.raises(ToolInputInvalid, match="arguments are not JSON"):
        invoke(box, mode, "lookup_order", {"order_id": {1, 2}})
    assert desk.ran == [] and {e.outcome for e in events} == {"input_invalid"}


@pytest.mark.parametrize("mode", MODES)
def test_rule_3_without_an_approver_the_call_waits_for_a_person(cfg: Config, desk: Desk,
                                                                events: list[ToolCallEvent], mode: str) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), on_call=events.append)
    arguments = {**REFUND, "note": "customer pasted sk-proj-" + "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6"}
    with pytest.raises(ApprovalRequired) as exc:
        invoke(box, mode, "issue_refund", arguments)
    _names_release(exc.value, cfg, "issue_refund")
    request = json.loads(json.dumps(exc.value.request))  # JSON as it is, for a UI or a queue
    assert request["id"].startswith("apr-") and request["tool"] == "issue_refund"
    assert (request["digest"], request["environment"], request["agent"]) == (cfg.digest, "production", "refunds")
    assert request["arguments"]["amount"] == 12.5 and "A1b2C3d4" not in json.dumps(request)
    assert "<redacted" in request["arguments"]["note"]
    assert request["hints"]["destructiveHint"] is True
    assert request["reasons"] == ["the tool says `approval: required`",
                                  "production's policy requires approval for destructive tools (destructiveHint=true)"]
    assert desk.ran == []

    decision = Decision(approved=True, by="lead@acme.example", reason="late delivery confirmed",
                        request_id=request["id"])
    assert invoke(box, mode, "issue_refund", arguments, approval=decision) == {"refund_id": "RF-1", "status": "pending"}
    assert desk.ran == [("issue_refund", arguments)]
    with pytest.raises(ApprovalRequired, match="already used"):
        invoke(box, mode, "issue_refund", arguments, approval=decision)
    with pytest.raises(ApprovalRequired, match="answers request apr-other"):
        invoke(box, mode, "issue_refund", REFUND, approval=Decision(approved=True, request_id="apr-other"))
    assert [e.outcome for e in events] == ["approval_required", "ok", "approval_required", "approval_required"]
    assert events[1].approval is not None and events[1].approval["by"] == "lead@acme.example"
    assert events[1].approval["reason"] == "late delivery confirmed" and events[1].request_id == request["id"]
    assert len(desk.ran) == 1


@pytest.mark.parametrize("mode", MODES)
def test_rule_3_a_refusal_is_approval_denied(cfg: Config, desk: Desk, events: list[ToolCallEvent], mode: str) -> None:
    asked: list[dict[str, Any]] = []

    def no(request: Any) -> Decision:
        asked.append(request)
        return Decision(approved=False, by="lead@acme.example", reason="not eligible")

    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), approve=no, on_call=events.append)
    with pytest.raises(ApprovalDenied, match="approval denied by lead@acme.example: not eligible") as exc:
        invoke(box, mode, "issue_refund", REFUND)
    _names_release(exc.value, cfg, "issue_refund")
    assert exc.value.decision is not None and exc.value.decision.request_id == asked[0]["id"]
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), approve=lambda request: False, on_call=events.append)
    with pytest.raises(ApprovalDenied):
        invoke(box, mode, "issue_refund", REFUND)
    with pytest.raises(ApprovalDenied):
        invoke(box, mode, "issue_refund", REFUND, approval={"approved": False, "request_id": asked[0]["id"]})
    assert desk.ran == [] and [e.outcome for e in events] == ["denied"] * 3
    assert events[0].approval is not None and events[0].approval["approved"] is False  # who said no, and why
    assert (events[0].approval["by"], events[0].approval["reason"]) == ("lead@acme.example", "not eligible")
    assert events[0].request_id == asked[0]["id"]


@pytest.mark.parametrize("mode", MODES)
def test_rule_3_an_approver_that_raises_denies_the_call(cfg: Config, desk: Desk, events: list[ToolCallEvent],
                                                        mode: str) -> None:
    def broken(request: Any) -> bool:
        raise ConnectionError("approval service unreachable")

    async def broken_async(request: Any) -> bool:
        raise ConnectionError("approval service unreachable")

    for approver in ([broken, broken_async] if mode == "acall" else [broken]):
        box = cfg.toolbox("refunds", handlers=desk.handlers(mode), approve=approver, on_call=events.append)
        with pytest.raises(ApprovalDenied, match="the approver failed \\(ConnectionError") as exc:
            invoke(box, mode, "issue_refund", REFUND)
        assert isinstance(exc.value.__cause__, ConnectionError)
    assert desk.ran == [] and {e.outcome for e in events} == {"denied"}


@pytest.mark.parametrize("mode", MODES)
def test_rule_3_an_approver_that_says_yes_lets_the_call_run(cfg: Config, desk: Desk, events: list[ToolCallEvent],
                                                            mode: str) -> None:
    async def yes_async(request: Any) -> Decision:
        return Decision(approved=True, by="bot", reason="under limit")

    approver = yes_async if mode == "acall" else (lambda request: Decision(approved=True, by="bot", reason="under limit"))
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), approve=approver, on_call=events.append)
    assert invoke(box, mode, "issue_refund", REFUND)["status"] == "pending"
    assert events[0].outcome == "ok" and events[0].approval is not None and events[0].approval["by"] == "bot"
    assert box.needs_approval("issue_refund") and not box.needs_approval("lookup_order")


@pytest.mark.parametrize("mode", MODES)
def test_rule_4_a_result_that_breaks_the_output_schema_is_refused(cfg: Config, desk: Desk,
                                                                  events: list[ToolCallEvent], mode: str) -> None:
    desk.result = {"refund_id": 7, "status": "sent"}
    box = cfg.toolbox("refunds", handlers=desk.handlers(mode), approve=lambda request: True, on_call=events.append)
    with pytest.raises(ToolOutputInvalid) as exc:
        invoke(box, mode, "issue_refund", REFUND)
    _names_release(exc.value, cfg, "issue_refund")
    assert {(v.path, v.reason) for v in exc.value.violations} == {
        ("$.refund_id", "7 is not of type 'string'"),
        ("$.status", "'sent' is not one of ['pending', 'completed', 'failed']")}
    assert exc.value.result == {"refund_id": 7, "status": "sent"} and len(desk.ran) == 1
    assert events[0].outcome == "output_invalid" and events[0].approval is not None


@pytest.mark.parametrize("mode", MODES)
def test_a_handler_error_propagates_and_is_recorded(cfg: Config, events: list[ToolCallEvent], mode: str) -> None:
    def lookup_order(order_id: str) -> dict[str, Any]:
        raise LookupError(f"no order {order_id}")

    box = cfg.toolbox("refunds", handlers={"lookup_order": lookup_order, "issue_refund": lambda **kw: {}},
                      on_call=events.append)
    with pytest.raises(LookupError, match="no order ORD-999999"):
        invoke(box, mode, "lookup_order", {"order_id": "ORD-999999"})
    assert events[0].outcome == "error" and events[0].error == "LookupError: no order ORD-999999"


def test_call_refuses_an_async_handler(cfg: Config, desk: Desk) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers("acall"), approve=lambda request: True)
    with pytest.raises(ToolboxError, match="is async: use `await box.acall"):
        box.call("issue_refund", REFUND)


def test_toolbox_refuses_missing_foreign_and_unimportable_handlers(cfg: Config, desk: Desk,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "support_tools", raising=False)
    with pytest.raises(ToolboxError, match="no agent named 'refund' .*did you mean 'refunds'"):
        cfg.toolbox("refund")
    with pytest.raises(ToolboxError, match="agent 'triage' has tools without a handler: get_customer_profile, "
                                           "create_ticket"):
        cfg.toolbox("triage", handlers={"lookup_order": desk.lookup_order})
    with pytest.raises(ToolboxError, match="'send_email', which is not a tool of agent 'refunds'"):
        cfg.toolbox("refunds", handlers={**desk.handlers("call"), "send_email": print})
    # the release names support_tools:..., which is not importable until its folder is on the path
    with pytest.raises(ToolboxError, match="handler 'support_tools:issue_refund': cannot import module"):
        cfg.toolbox("refunds", handlers={"lookup_order": desk.lookup_order})


def test_handlers_named_in_the_release_are_imported(repo: Path, cfg: Config, monkeypatch: pytest.MonkeyPatch,
                                                    request: pytest.FixtureRequest) -> None:
    monkeypatch.syspath_prepend(str(repo / "src"))
    monkeypatch.delitem(sys.modules, "support_tools", raising=False)
    request.addfinalizer(lambda: sys.modules.pop("support_tools", None))  # the next test imports it afresh
    box = cfg.toolbox("refunds", approve=lambda request: Decision(approved=True, by="test"))
    assert box.call("lookup_order", {"order_id": "ORD-104233"})["status"] == "shipped"
    assert box.call("issue_refund", REFUND)["refund_id"].startswith("RF-000123")
    explicit = cfg.toolbox("refunds", handlers={"lookup_order": lambda order_id: {
        "order_id": order_id, "status": "lost", "total": 1, "currency": "EUR"}})
    assert explicit.call("lookup_order", {"order_id": "ORD-104233"})["status"] == "lost"  # given wins


def test_system_prompt_and_model(cfg: Config, desk: Desk) -> None:
    box = cfg.toolbox("refunds", handlers=desk.handlers("call"))
    text = box.system_prompt(company_name="Acme", refund_limit=50, order_id="ORD-000123")
    assert "Acme" in text and "ORD-000123" in text
    with pytest.raises(agentcfg.AgentcfgError, match="missing: order_id"):
        box.system_prompt(company_name="Acme", refund_limit=50)
    assert (box.model.provider, box.model.id, box.model.fallbacks) == ("anthropic", "claude-3-5-sonnet-20241022",
                                                                       ("router",))
    assert box.model.parameters["temperature"] == 0.1  # production's overlay
    assert repr(box).startswith("<Toolbox refunds in production sha256:")


def test_a_tool_that_gains_approval_between_two_releases(desk: Desk, tmp_path: Path) -> None:
    repo = released_example(tmp_path / "repo")
    older = tmp_path / "staging-older.json"
    older.write_bytes((repo / "releases" / "staging.json").read_bytes())
    manifest = repo / "agentcfg.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("lookup_order: {file: tools/lookup_order.yaml, server: support}",
                                     "lookup_order: {file: tools/lookup_order.yaml, server: support, approval: required}"))
    release(repo, "staging", message="lookup_order: a person approves every call")
    old = agentcfg.load(older, environ=ENVIRON).toolbox("refunds", handlers=desk.handlers("call"))
    new = agentcfg.load("staging", root=repo, environ=ENVIRON).toolbox("refunds", handlers=desk.handlers("call"))
    assert old.digest != new.digest
    assert old.call("lookup_order", {"order_id": "ORD-000123"})["status"] == "delivered"
    with pytest.raises(ApprovalRequired) as exc:
        new.call("lookup_order", {"order_id": "ORD-000123"})
    assert exc.value.request["digest"] == new.digest and exc.value.request["tool"] == "lookup_order"
    assert len(desk.ran) == 1


@pytest.mark.parametrize("ref", ["https://example.com/order.json", "file:///etc/passwd", "order.json#/x"])
def test_a_schema_that_refers_outside_itself_is_refused_before_any_call(ref: str) -> None:
    from agentcfg.runtime.schema_guard import RemoteRef, SchemaGuard

    with pytest.raises(RemoteRef, match="points outside the schema"):
        SchemaGuard({"type": "object", "properties": {"order": {"$ref": ref}}})
    local = SchemaGuard({"type": "object", "$defs": {"id": {"type": "string"}},
                         "properties": {"order_id": {"$ref": "#/$defs/id"}}})
    assert [str(v) for v in local.violations({"order_id": 5})] == ["$.order_id: 5 is not of type 'string'"]


def test_the_environment_policy_asks_for_approval_from_the_effective_hints() -> None:
    from agentcfg.runtime.approval import approval_reasons

    policy = {"require_approval_for": ["write", "open_world"]}
    assert approval_reasons({"annotations": {"readOnlyHint": True, "openWorldHint": False}}, policy, "prod") == []
    assert approval_reasons({}, policy, "prod") == [  # no hints: MCP's defaults assume the worst
        "prod's policy requires approval for write tools (readOnlyHint=false)",
        "prod's policy requires approval for open_world tools (openWorldHint=true)"]
    assert approval_reasons({"annotations": {"readOnlyHint": False, "openWorldHint": False}}, None, "dev") == []
    assert approval_reasons({"approval": "required", "annotations": {"readOnlyHint": True}}, None, "dev") == [
        "the tool says `approval: required`"]
