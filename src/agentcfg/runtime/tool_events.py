"""What a guarded tool call leaves behind: a :class:`ToolCallEvent`, and a trace span.

The span follows OpenTelemetry's GenAI semantic conventions for tool execution
(``gen_ai.operation.name = execute_tool``, ``gen_ai.tool.name``) plus ``agentcfg.*`` attributes
naming the release, so a trace can be joined with ``agentcfg show <digest>``. OpenTelemetry is
optional: without ``opentelemetry-api`` installed no span is made and nothing is imported.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agentcfg.runtime.tool_errors import CallSite

OUTCOMES = ("ok", "not_allowed", "input_invalid", "approval_required", "denied", "output_invalid", "error")


@dataclass(frozen=True)
class ToolCallEvent:
    """One guarded call, whatever its outcome (one of :data:`OUTCOMES`).

    ``approval`` is the decision (approved, by, reason, at, request_id) when the call needed one;
    ``request_id`` is set whenever approval was asked for; ``error`` is the refusal's or the
    handler's message. Arguments and results are not in the event: they may hold personal data.
    """

    digest: str
    environment: str
    agent: str
    tool: str
    outcome: str
    duration_s: float
    started_at: str  # ISO 8601, UTC
    approval: dict[str, Any] | None = None
    request_id: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"digest": self.digest, "environment": self.environment, "agent": self.agent, "tool": self.tool,
                "outcome": self.outcome, "duration_s": self.duration_s, "started_at": self.started_at,
                "approval": self.approval, "request_id": self.request_id, "error": self.error}


@lru_cache(maxsize=1)
def _tracer() -> Any:
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    from agentcfg import __version__

    return trace.get_tracer("agentcfg", __version__)


class SpanRecord:
    """The open span of one call (or nothing, without OpenTelemetry)."""

    def __init__(self, span: Any) -> None:
        self._span = span

    def finish(self, outcome: str, error: BaseException | None, request_id: str | None) -> None:
        if self._span is None:
            return
        from opentelemetry.trace import Status, StatusCode

        self._span.set_attribute("agentcfg.outcome", outcome)
        if request_id:
            self._span.set_attribute("agentcfg.approval.request_id", request_id)
        if error is not None:
            self._span.set_attribute("error.type", type(error).__name__)
            self._span.set_status(Status(StatusCode.ERROR, str(getattr(error, "reason", error))[:500]))


@contextlib.contextmanager
def tool_span(site: CallSite) -> Iterator[SpanRecord]:
    """A span around one call, current while the handler runs (its own spans nest under it)."""
    tracer = _tracer()
    if tracer is None:
        yield SpanRecord(None)
        return
    attributes = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": site.tool,
        "gen_ai.tool.type": "function",
        "agentcfg.digest": site.digest,
        "agentcfg.environment": site.environment,
        "agentcfg.agent": site.agent,
    }
    # The guard records the failure itself (outcome, error.type, status) and re-raises.
    with tracer.start_as_current_span(f"execute_tool {site.tool}", attributes=attributes,
                                      record_exception=False, set_status_on_exception=False) as span:
        yield SpanRecord(span)
