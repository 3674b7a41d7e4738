"""Environment policies as a promotion applies them to a rendered config.

Which policy counts: `frozen` is read from HEAD only (a freeze is about now, and it also stops
promotions of older revisions). The other rules are the strictest combination of the target
environment's policy on HEAD and the one inside the config being promoted, so a commit cannot
loosen the rules it is judged by (a weakened policy is also a critical change in the diff).
`max_risk` is applied by :mod:`agentcfg.promotion.promote`, which has the diff, and
`require_evidence` by :mod:`agentcfg.evidence.requirements`, which reads the attestations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentcfg.artefacts.hints import effective_hints
from agentcfg.pinning import is_pinned
from agentcfg.policy import SIDE_EFFECT_HINTS
from agentcfg.promotion.safety import Refusal

RISK_ORDER = ("none", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class EffectivePolicy:
    """The rules a promotion into ``env`` is held to."""

    env: str
    require_pinned_models: bool = False
    require_approval_for: tuple[str, ...] = ()
    max_risk: str | None = None
    frozen: bool = False
    sources: tuple[str, ...] = field(default=())  # where the rules came from, for messages
    require_evidence: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> thresholds

    def to_dict(self) -> dict[str, Any]:
        return {"environment": self.env, "require_pinned_models": self.require_pinned_models,
                "require_approval_for": list(self.require_approval_for), "max_risk": self.max_risk,
                "frozen": self.frozen, "require_evidence": self.require_evidence, "from": list(self.sources)}


def strictest(env: str, policies: dict[str, dict[str, Any] | None]) -> EffectivePolicy:
    """Combine ``{origin: policy dict}`` rule by rule, keeping the strictest of each."""
    pinned, frozen = False, False
    approval: list[str] = []
    limits: list[str] = []
    origins: list[str] = []
    for origin, p in policies.items():
        if not p:
            continue
        origins.append(origin)
        pinned = pinned or bool(p.get("require_pinned_models"))
        frozen = frozen or bool(p.get("frozen"))
        approval += [k for k in p.get("require_approval_for") or [] if k not in approval]
        if p.get("max_risk") in RISK_ORDER:
            limits.append(p["max_risk"])
    max_risk = min(limits, key=RISK_ORDER.index) if limits else None
    from agentcfg.evidence.requirements import strictest as strictest_evidence

    evidence = strictest_evidence([p.get("require_evidence") for p in policies.values() if p])
    return EffectivePolicy(env, pinned, tuple(approval), max_risk, frozen, tuple(origins), evidence)


def check_config(config: dict[str, Any], policy: EffectivePolicy) -> list[Refusal]:
    """Refusals of `require_pinned_models` and `require_approval_for` for a rendered config."""
    refusals: list[Refusal] = []
    env = policy.env
    if policy.require_pinned_models:
        for name, model in sorted((config.get("models") or {}).items()):
            pinned, why = is_pinned(str(model.get("provider", "")), str(model.get("id", "")), model.get("pinned"))
            if not pinned:
                refusals.append(Refusal(
                    "require_pinned_models",
                    f"{env} requires pinned models, and '{model.get('id')}' is a floating alias ({why})",
                    artefact=f"models/{name}",
                    hint="pin a dated snapshot id (or declare `pinned: true` when the provider guarantees it), "
                         "commit, lock, and promote that commit"))
    for kind in policy.require_approval_for:
        hint_key, bad = SIDE_EFFECT_HINTS[kind]
        for name, tool in sorted((config.get("tools") or {}).items()):
            hints = effective_hints(tool.get("annotations"))
            if hints[hint_key] == bad and tool.get("approval") != "required":
                refusals.append(Refusal(
                    "require_approval_for",
                    f"{env} requires human approval for {kind} tools, and this tool has "
                    f"{hint_key}={str(bad).lower()} with `approval: {tool.get('approval', 'never')}`",
                    artefact=f"tools/{name}",
                    hint="set `approval: required` on the tool (or correct its annotations), commit, "
                         "and promote that commit"))
    return refusals
