"""Policies (per environment): any change that lowers a guard rail is critical.

Weakening: ``frozen`` true → false, ``max_risk`` raised or removed, ``require_pinned_models``
true → false, a ``require_approval_for`` kind removed. The opposite moves are low.
"""

from __future__ import annotations

from typing import Any

from agentcfg.semdiff.compare.base import MISSING, Pair, Row, generic, row, same
from agentcfg.semdiff.risk import RiskLevel

WEAK, STRONG = "policy-weakened", "policy-strengthened"


def _risk(value: Any) -> RiskLevel:
    """A policy's ``max_risk``; absent means no limit (critical allowed)."""
    if isinstance(value, str) and value in RiskLevel.__members__:
        return RiskLevel[value]
    return RiskLevel.critical


def has_rules(policy: Any) -> bool:
    """Whether a policy restricts anything (removing it then weakens the environment)."""
    if not isinstance(policy, dict):
        return False
    return bool(policy.get("frozen") or policy.get("require_pinned_models") or policy.get("require_approval_for")
                or policy.get("max_risk") not in (None, "critical"))


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if same(old, new):
            continue
        if key in ("frozen", "require_pinned_models"):
            if old is True and new is not True:
                rule = WEAK
            elif new is True:
                rule = STRONG
            else:
                rule = "metadata"  # absent → false: the default written out
            rows.append(row(key, old, new, rule))
        elif key == "max_risk":
            before, after = _risk(old), _risk(new)
            rows.append(row(key, old, new, WEAK if after > before else STRONG if after < before else "metadata"))
        elif key == "require_approval_for":
            a = {k for k in old if isinstance(k, str)} if isinstance(old, list) else set()
            b = {k for k in new if isinstance(k, str)} if isinstance(new, list) else set()
            rows += [row(f"{key}[{k}]", k, MISSING, WEAK) for k in sorted(a - b)]
            rows += [row(f"{key}[{k}]", MISSING, k, STRONG) for k in sorted(b - a)]
            if a == b:
                only_order = isinstance(old, list) and isinstance(new, list) and all(
                    isinstance(x, str) for x in old + new)
                rows.append(row(key, old, new, "list-reordered" if only_order else "unclassified"))
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
