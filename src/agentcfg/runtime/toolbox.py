"""``Config.toolbox(agent)``: one agent's tools, guarded by the release they were reviewed in.

Every call goes through the same five rules, in this order, and stops at the first that fails:

1. the tool is one of the agent's tools in this release (:class:`ToolNotAllowed`);
2. the arguments are a JSON object valid against the tool's ``inputSchema`` (:class:`ToolInputInvalid`);
3. a tool that needs a person (``approval: required``, or hints under the environment's
   ``require_approval_for`` policy) is approved first (:class:`ApprovalRequired`, :class:`ApprovalDenied`);
4. the handler runs, and its result must be valid against ``outputSchema`` (:class:`ToolOutputInvalid`);
5. a :class:`ToolCallEvent` goes to ``on_call``, and a span to OpenTelemetry when it is installed.

The handler never runs when rule 1, 2 or 3 refuses. Rule 5 holds for every outcome, refusals
included: an audit log must show what was stopped as well as what ran.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from agentcfg.errors import did_you_mean
from agentcfg.runtime.approval import ApprovalRequest, Decision, approval_reasons, make_request
from agentcfg.runtime.handlers import Handler, resolve_handlers
from agentcfg.runtime.schema_guard import RemoteRef, SchemaGuard
from agentcfg.runtime.server_routes import ServerRoutes
from agentcfg.runtime.tool_errors import (
    ApprovalDenied,
    ApprovalRequired,
    CallSite,
    ToolboxError,
    ToolCallError,
    ToolInputInvalid,
    ToolNotAllowed,
    ToolOutputInvalid,
    Violation,
)
from agentcfg.runtime.tool_events import ToolCallEvent, tool_span

if TYPE_CHECKING:
    from agentcfg.runtime.loading import Config
    from agentcfg.runtime.model import Model, Tool

Answer = bool | Decision
Approver = Callable[[ApprovalRequest], Answer | Awaitable[Answer]]
EventSink = Callable[[ToolCallEvent], None]


@dataclasses.dataclass(frozen=True)
class _GuardedTool:
    definition: Tool
    handler: Handler
    inputs: SchemaGuard
    outputs: SchemaGuard | None
    approval_reasons: tuple[str, ...]


@dataclasses.dataclass
class _Record:
    site: CallSite
    request_id: str | None = None
    decision: Decision | None = None


class Toolbox:
    """The guarded tools of one agent in one loaded release. Build it with :meth:`Config.toolbox`."""

    def __init__(self, config: Config, agent: str, *, handlers: Mapping[str, Handler] | None = None,
                 approve: Approver | None = None, on_call: EventSink | None = None,
                 servers: Mapping[str, Any] | None = None) -> None:
        if agent not in config.agents:
            raise ToolboxError(f"no agent named '{agent}' in {config.environment} ({config.digest})"
                               f"{did_you_mean(agent, list(config.agents))}",
                               hint=f"agents in this release: {', '.join(config.agents) or 'none'}")
        self._config = config
        self._agent = config.agents[agent]
        self._approve = approve
        self._on_call = on_call
        self._used: set[str] = set()
        self._lock = threading.Lock()
        names = self._agent.tools
        declared = {name: config.tools[name].handler for name in names}
        # Tools of a server given a session are answered by it (server_routes.py).
        self._routes = ServerRoutes(config, agent, names, servers, handlers)
        local = [name for name in names if name not in self._routes.routed]
        functions = {**resolve_handlers(agent, local, declared, handlers), **self._routes.handlers()}
        policy = config.policies.get(config.environment)
        self._tools: dict[str, _GuardedTool] = {}
        for name in names:
            tool = config.tools[name]
            try:
                inputs = SchemaGuard(tool.input_schema)
                outputs = SchemaGuard(tool.output_schema) if tool.output_schema is not None else None
            except RemoteRef as exc:
                raise ToolboxError(str(exc), artefact=f"tools/{name}") from None
            reasons = approval_reasons(tool.raw, policy, config.environment)
            self._tools[name] = _GuardedTool(tool, functions[name], inputs, outputs, tuple(reasons))

    # --- what the agent is ---------------------------------------------------------------------

    @property
    def agent(self) -> str:
        return self._agent.name

    @property
    def names(self) -> tuple[str, ...]:
        """The agent's tool names, in manifest order."""
        return self._agent.tools

    @property
    def tools(self) -> dict[str, Tool]:
        """The agent's tool definitions as released (name → :class:`~agentcfg.runtime.Tool`)."""
        return {name: self._tools[name].definition for name in self.names}

    @property
    def digest(self) -> str:
        return self._config.digest

    @property
    def environment(self) -> str:
        return self._config.environment

    @property
    def model(self) -> Model:
        """The agent's model: provider, id, parameters, fallbacks."""
        return self._config.models[self._agent.model]

    async def verify_servers(self) -> None:
        """Verify now every MCP server this toolbox routes calls to (otherwise done before the
        first call of each); raises :class:`ToolDrift` for a server that drifted from the release."""
        await self._routes.verify_all()

    def needs_approval(self, tool: str) -> bool:
        """Whether every call of ``tool`` asks a person first (``approval: required`` or policy)."""
        return bool(self._guarded(self._site(tool)).approval_reasons)

    @property
    def has_approver(self) -> bool:
        """Whether calls that need a person are decided by an ``approve`` callable."""
        return self._approve is not None

    def approval_request(self, tool: str, arguments: Mapping[str, Any] | None = None) -> ApprovalRequest | None:
        """The request a call of ``tool`` with ``arguments`` would ask a person to decide (None: it needs
        no one), without calling or recording anything. Raises as rules 1 and 2 of :meth:`call` do."""
        rec = _Record(self._site(tool))
        guarded, args = self._admit(rec, arguments)
        return self._request(rec, guarded, args)

    def system_prompt(self, **variables: Any) -> str:
        """The agent's prompt rendered with ``variables`` (every declared variable, nothing else)."""
        return self._config.prompts[self._agent.prompt].render(**variables)

    # --- calls ---------------------------------------------------------------------------------

    def call(self, tool: str, arguments: Mapping[str, Any] | None = None, *,
             approval: Decision | Mapping[str, Any] | None = None) -> Any:
        """Call ``tool`` with ``arguments`` (passed to its handler as keyword arguments), guarded.

        ``approval`` answers an earlier :class:`ApprovalRequired` (its ``request.id``); it is used
        once. Returns the handler's result; raises one of the guard errors, or what the handler raised.
        """
        with self._recording(tool) as rec:
            guarded, args = self._admit(rec, arguments)
            request = self._request(rec, guarded, args)
            if request is not None:
                if approval is not None:
                    rec.decision = self._given(rec.site, request, approval)
                else:
                    rec.decision = self._settle(rec.site, request, self._ask(rec.site, request, sync=True))
            result = guarded.handler(**args)
            if inspect.isawaitable(result):
                _close(result)
                raise ToolboxError(f"the handler of '{tool}' is async: use `await box.acall(...)`",
                                   artefact=f"tools/{tool}")
            return self._checked(rec, guarded, result)

    async def acall(self, tool: str, arguments: Mapping[str, Any] | None = None, *,
                    approval: Decision | Mapping[str, Any] | None = None) -> Any:
        """As :meth:`call`, awaiting async handlers and async approvers (sync ones are called directly).

        A tool answered by an MCP server (``servers=`` of :meth:`Config.toolbox`) first has its
        server verified against the release, once (:class:`ToolDrift` when it drifted)."""
        with self._recording(tool) as rec:
            guarded, args = self._admit(rec, arguments)
            await self._routes.before_call(rec.site.tool)
            request = self._request(rec, guarded, args)
            if request is not None:
                if approval is not None:
                    rec.decision = self._given(rec.site, request, approval)
                else:
                    answer = self._ask(rec.site, request, sync=False)
                    if inspect.isawaitable(answer):
                        try:
                            answer = await answer
                        except Exception as exc:
                            raise _approver_failed(rec.site, request, exc) from exc
                    rec.decision = self._settle(rec.site, request, answer)
            result = guarded.handler(**args)
            if inspect.isawaitable(result):
                result = await result
            return self._checked(rec, guarded, result)

    # --- the rules -----------------------------------------------------------------------------

    def _site(self, tool: str) -> CallSite:
        return CallSite(self._config.environment, self._config.digest, self._agent.name, str(tool))

    def _guarded(self, site: CallSite) -> _GuardedTool:
        guarded = self._tools.get(site.tool)
        if guarded is None:
            known = list(self._tools)
            elsewhere = site.tool in self._config.tools
            raise ToolNotAllowed(site, f"'{site.tool}' is not a tool of agent '{site.agent}' in this release"
                                       f"{'' if elsewhere else did_you_mean(site.tool, known)}",
                                 hint=f"its tools: {', '.join(known) or 'none'}")
        return guarded

    def _admit(self, rec: _Record, arguments: Mapping[str, Any] | None) -> tuple[_GuardedTool, dict[str, Any]]:
        guarded = self._guarded(rec.site)
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, Mapping):
            raise ToolInputInvalid(rec.site, [Violation("$", f"arguments must be a JSON object, not "
                                                             f"{type(arguments).__name__}")])
        try:
            args = json.loads(json.dumps(dict(arguments), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise ToolInputInvalid(rec.site, [Violation("$", f"arguments are not JSON: {exc}")]) from None
        violations = guarded.inputs.violations(args)
        if violations:
            raise ToolInputInvalid(rec.site, violations)
        return guarded, args

    def _request(self, rec: _Record, guarded: _GuardedTool, args: dict[str, Any]) -> ApprovalRequest | None:
        if not guarded.approval_reasons:
            return None
        request = make_request(rec.site, guarded.definition.raw, args, list(guarded.approval_reasons))
        rec.request_id = request["id"]
        return request

    def _ask(self, site: CallSite, request: ApprovalRequest, *, sync: bool) -> Any:
        if self._approve is None:
            raise ApprovalRequired(site, request)
        try:
            answer = self._approve(request)
        except Exception as exc:
            raise _approver_failed(site, request, exc) from exc
        if sync and inspect.isawaitable(answer):
            _close(answer)
            raise ToolboxError("the approver is async: use `await box.acall(...)`", artefact=f"tools/{site.tool}")
        return answer

    def _settle(self, site: CallSite, request: ApprovalRequest, answer: Any) -> Decision:
        if isinstance(answer, bool):
            answer = Decision(approved=answer, request_id=request["id"])
        if not isinstance(answer, Decision):
            raise ApprovalDenied(site, request, None, f"the approver answered {type(answer).__name__}, not a bool "
                                                      "or a Decision; the call was not made")
        decision: Decision = answer
        if decision.request_id is None:
            decision = dataclasses.replace(decision, request_id=request["id"])
        if decision.request_id != request["id"]:
            raise ApprovalDenied(site, request, decision, f"the approver's decision answers request "
                                                          f"{decision.request_id}, not {request['id']}")
        if not decision.approved:
            raise ApprovalDenied(site, request, decision, _denied(decision))
        return decision

    def _given(self, site: CallSite, request: ApprovalRequest, given: Decision | Mapping[str, Any]) -> Decision:
        decision = given if isinstance(given, Decision) else Decision.from_dict(given)
        if decision.request_id != request["id"]:
            raise ApprovalRequired(site, request, f"the decision given answers request {decision.request_id}, "
                                                  "not this call")
        if not decision.approved:
            raise ApprovalDenied(site, request, decision, _denied(decision))
        with self._lock:
            if decision.request_id in self._used:
                raise ApprovalRequired(site, request, "this decision was already used for a call")
            self._used.add(request["id"])
        return decision

    def _checked(self, rec: _Record, guarded: _GuardedTool, result: Any) -> Any:
        if guarded.outputs is not None:
            try:
                candidate = json.loads(json.dumps(result, allow_nan=False))
            except (TypeError, ValueError) as exc:
                raise ToolOutputInvalid(rec.site, [Violation("$", f"the result is not JSON: {exc}")], result) from None
            violations = guarded.outputs.violations(candidate)
            if violations:
                raise ToolOutputInvalid(rec.site, violations, result)
        return result

    @contextlib.contextmanager
    def _recording(self, tool: str) -> Iterator[_Record]:
        rec = _Record(self._site(tool))
        started, clock = datetime.now(timezone.utc), time.perf_counter()
        outcome, error = "ok", None
        with tool_span(rec.site) as span:
            try:
                yield rec
            except BaseException as exc:
                outcome = exc.outcome if isinstance(exc, ToolCallError) else "error"
                error = exc
                if isinstance(exc, ApprovalDenied) and exc.decision is not None:
                    rec.decision = exc.decision  # a refusal is a decision too: who said no, and why
                raise
            finally:
                span.finish(outcome, error, rec.request_id)
                if self._on_call is not None:
                    message = (None if error is None else error.reason if isinstance(error, ToolCallError)
                               else f"{type(error).__name__}: {error}")
                    self._on_call(ToolCallEvent(
                        digest=rec.site.digest, environment=rec.site.environment, agent=rec.site.agent,
                        tool=rec.site.tool, outcome=outcome, duration_s=time.perf_counter() - clock,
                        started_at=started.isoformat(timespec="milliseconds"),
                        approval=rec.decision.to_dict() if rec.decision else None, request_id=rec.request_id,
                        error=message))

    # --- adapters (each imports its framework only when called) ---------------------------------

    def openai_agents(self) -> list[Any]:
        """The tools as ``agents.FunctionTool``\\ s (OpenAI Agents SDK), each call guarded."""
        from agentcfg.runtime.adapters.openai_agents import function_tools

        return function_tools(self)

    def langchain(self) -> list[Any]:
        """The tools as ``langchain_core.tools.StructuredTool``\\ s, each call guarded."""
        from agentcfg.runtime.adapters.langchain import structured_tools

        return structured_tools(self)

    def mcp_server(self, name: str | None = None, *, elicit_approval: bool = False) -> Any:
        """An MCP server (the official SDK's ``mcp.server.Server``) serving exactly these tools, guarded.

        ``elicit_approval``: without an ``approve`` callable, ask the person at the client through
        MCP elicitation instead of answering that the call waits for approval.
        """
        from agentcfg.runtime.adapters.mcp import guarded_server

        return guarded_server(self, name or f"agentcfg-{self.agent}", elicit_approval=elicit_approval)

    def __repr__(self) -> str:
        return f"<Toolbox {self.agent} in {self.environment} {self.digest}: {', '.join(self.names)}>"


def _denied(decision: Decision) -> str:
    who = f" by {decision.by}" if decision.by else ""
    why = f": {decision.reason}" if decision.reason else ""
    return f"approval denied{who}{why}; the call was not made"


def _approver_failed(site: CallSite, request: ApprovalRequest, exc: Exception) -> ApprovalDenied:
    return ApprovalDenied(site, request, None, f"the approver failed ({type(exc).__name__}: {exc}); "
                                               "the call was not made")


def _close(awaitable: Any) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()  # a coroutine never awaited would warn at garbage collection
