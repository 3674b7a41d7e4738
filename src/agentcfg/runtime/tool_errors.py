"""The exceptions of a guarded tool call, one per rule of :meth:`Toolbox.call`.

Each names the environment, the config's digest, the agent and the tool, so a log line or a
trace read later says which reviewed release refused what. All are :class:`AgentcfgError`\\ s:
code that already catches agentcfg's errors catches these too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError, ExitCode

if TYPE_CHECKING:
    from agentcfg.runtime.approval import ApprovalRequest, Decision


@dataclass(frozen=True)
class CallSite:
    """Which release, agent and tool a call was made against."""

    environment: str
    digest: str
    agent: str
    tool: str

    def __str__(self) -> str:
        return f"{self.environment} {self.digest} agent '{self.agent}' tool '{self.tool}'"

    def to_dict(self) -> dict[str, str]:
        return {"environment": self.environment, "digest": self.digest, "agent": self.agent, "tool": self.tool}


@dataclass(frozen=True)
class Violation:
    """One way a value breaks a JSON Schema: where (a JSON path such as ``$.amount``) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


class ToolboxError(AgentcfgError):
    """A toolbox cannot be built: an unknown agent, a missing or unknown handler, a handler that
    cannot be imported, a schema with a remote ``$ref``."""


class ToolCallError(AgentcfgError):
    """Base of the five guard errors: a call refused (or a result rejected) by the release."""

    exit_code = ExitCode.FOUND
    outcome = "error"  # the ToolCallEvent outcome this error stands for

    def __init__(self, site: CallSite, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{message} [{site}]", artefact=f"tools/{site.tool}", hint=hint)
        self.site = site
        self.environment, self.digest, self.agent, self.tool = site.environment, site.digest, site.agent, site.tool
        self.reason = message


class ToolNotAllowed(ToolCallError):
    """Rule 1: the tool is not one of this agent's tools in this release (the handler did not run)."""

    outcome = "not_allowed"


class _SchemaViolation(ToolCallError):
    def __init__(self, site: CallSite, what: str, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        listed = "; ".join(str(v) for v in self.violations[:10])
        more = f" (and {len(self.violations) - 10} more)" if len(self.violations) > 10 else ""
        super().__init__(site, f"{what}: {listed}{more}")


class ToolInputInvalid(_SchemaViolation):
    """Rule 2: the arguments do not validate against the tool's ``inputSchema``; ``.violations``
    lists each JSON path and reason. The handler did not run."""

    outcome = "input_invalid"

    def __init__(self, site: CallSite, violations: Sequence[Violation]) -> None:
        super().__init__(site, "arguments do not match the tool's inputSchema", violations)


class ApprovalRequired(ToolCallError):
    """Rule 3: a person must approve this call and no approver decided it.

    ``.request`` is a JSON-serialisable :class:`ApprovalRequest` (arguments redacted): show it to
    a person, then retry with ``box.call(tool, arguments, approval=decision)``.
    """

    outcome = "approval_required"

    def __init__(self, site: CallSite, request: ApprovalRequest, why: str = "this call needs a person's approval") -> None:
        self.request = request
        super().__init__(site, f"{why}: {'; '.join(request['reasons'])} (request {request['id']})",
                         hint="pass approve= to toolbox(), or retry with approval=Decision(approved=True, "
                              "request_id=..., by=..., reason=...)")


class ApprovalDenied(ToolCallError):
    """Rule 3: the approval was refused (or the approver failed: then ``__cause__`` says why)."""

    outcome = "denied"

    def __init__(self, site: CallSite, request: ApprovalRequest, decision: Decision | None, why: str) -> None:
        self.request, self.decision = request, decision
        super().__init__(site, why)


class ToolOutputInvalid(_SchemaViolation):
    """Rule 4: the handler ran, and its result does not validate against the tool's ``outputSchema``."""

    outcome = "output_invalid"

    def __init__(self, site: CallSite, violations: Sequence[Violation], result: Any = None) -> None:
        self.result = result
        super().__init__(site, "the handler's result does not match the tool's outputSchema", violations)
