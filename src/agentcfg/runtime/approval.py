"""Human approval of a tool call: the request a person sees and the decision they make.

A call needs approval when its tool says ``approval: required``, or when the tool's effective
side-effect hints fall under the environment's ``require_approval_for`` policy (the same table
promotion applies). The request is plain JSON, so a UI or a queue can hold it while a person
decides; its ``id`` is derived from the release and the exact arguments, so the retried call
(``box.call(..., approval=decision)``) finds its decision again, even in another process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, TypedDict

from agentcfg.artefacts.hints import effective_hints
from agentcfg.policy import SIDE_EFFECT_HINTS
from agentcfg.runtime.tool_errors import CallSite
from agentcfg.secrets import redact


class ApprovalRequest(TypedDict):
    """What a person is asked to approve (a plain dict: ``json.dumps`` it as it is)."""

    id: str  # "apr-" + 32 hex digits, from the release, agent, tool and arguments
    digest: str
    environment: str
    agent: str
    tool: str
    title: str | None
    arguments: dict[str, Any]  # secrets redacted
    hints: dict[str, bool]  # effective MCP hints (defaults filled in)
    reasons: list[str]  # why this call needs approval


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Decision:
    """A person's answer to an :class:`ApprovalRequest`: who decided, when and why.

    An approver may return a plain ``bool``; it becomes a Decision without ``by``/``reason``.
    A decision passed back with ``approval=`` must carry the ``request_id`` it answers.
    """

    approved: bool
    by: str | None = None
    reason: str | None = None
    request_id: str | None = None
    at: str = field(default_factory=_now)  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """A decision from its JSON form (as a UI or a queue sends it back)."""
        return cls(approved=data.get("approved") is True, by=data.get("by"), reason=data.get("reason"),
                   request_id=data.get("request_id"), at=str(data.get("at") or _now()))


def approval_reasons(tool: Mapping[str, Any], policy: Mapping[str, Any] | None, environment: str) -> list[str]:
    """Why a call of ``tool`` (its release definition) needs a person, under ``policy``; [] when it does not."""
    reasons = []
    if tool.get("approval") == "required":
        reasons.append("the tool says `approval: required`")
    hints = effective_hints(dict(tool.get("annotations") or {}))
    for kind in (policy or {}).get("require_approval_for") or ():
        hint, bad = SIDE_EFFECT_HINTS.get(kind, (None, None))
        if hint is not None and hints[hint] == bad:
            reasons.append(f"{environment}'s policy requires approval for {kind} tools "
                           f"({hint}={str(bad).lower()})")
    return reasons


def make_request(site: CallSite, tool: Mapping[str, Any], arguments: Mapping[str, Any],
                 reasons: list[str]) -> ApprovalRequest:
    """The request for this exact call. Arguments are JSON already (the input rule checked them)."""
    identity = json.dumps([site.environment, site.digest, site.agent, site.tool, arguments],
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ApprovalRequest(
        id="apr-" + hashlib.sha256(identity.encode()).hexdigest()[:32],
        digest=site.digest, environment=site.environment, agent=site.agent, tool=site.tool,
        title=tool.get("title"), arguments=redact(json.loads(json.dumps(arguments))),
        hints=effective_hints(dict(tool.get("annotations") or {})), reasons=list(reasons),
    )
