"""Policies (per environment): any change that lowers a guard rail is critical.

Weakening: ``frozen`` true → false, ``max_risk`` raised or removed, ``require_pinned_models``
true → false, a ``require_approval_for`` kind removed, a ``require_evidence`` requirement
removed or loosened (lower ``min_pass_rate``, higher ``max_failed``, longer ``max_age``, a metric
bound loosened or dropped). The opposite moves are low.
"""

from __future__ import annotations

import math
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
                or policy.get("require_evidence") or policy.get("max_risk") not in (None, "critical"))


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
        elif key == "require_evidence":
            rows += _evidence(old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {})
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows


def _evidence(old: dict[str, Any], new: dict[str, Any]) -> list[Row]:
    """`require_evidence`, requirement by requirement and threshold by threshold."""
    from agentcfg.evidence.requirements import normalised

    rows: list[Row] = []
    for name in sorted(set(old) | set(new)):
        base = f"require_evidence[{name}]"
        if name not in new:
            rows.append(row(base, old[name], MISSING, WEAK))
            continue
        if name not in old:
            rows.append(row(base, MISSING, new[name], STRONG))
            continue
        a = normalised(old[name] if isinstance(old[name], dict) else {})
        b = normalised(new[name] if isinstance(new[name], dict) else {})
        for key in ("min_pass_rate", "max_failed", "max_age"):
            if same(a.get(key, MISSING), b.get(key, MISSING)):
                continue
            before, after = _looseness(key, a.get(key)), _looseness(key, b.get(key))
            rule = WEAK if after > before else STRONG if after < before else "metadata"
            rows.append(row(f"{base}.{key}", a.get(key, MISSING), b.get(key, MISSING), rule))
        rows += _metric_rows(base, a.get("metrics") or {}, b.get("metrics") or {})
        if not same(old[name].get("description", MISSING), new[name].get("description", MISSING)):
            rows.append(row(f"{base}.description", old[name].get("description", MISSING),
                            new[name].get("description", MISSING), "metadata"))
    return rows


def _looseness(key: str, value: Any) -> float:
    """How much a threshold lets through (higher is looser); an absent threshold lets all through."""
    from agentcfg.evidence.requirements import duration_seconds

    if key == "min_pass_rate":
        return -float(value) if isinstance(value, (int, float)) else 0.0
    if key == "max_age":
        return float(duration_seconds(value)) if isinstance(value, str) else math.inf
    return float(value) if isinstance(value, (int, float)) else math.inf


def _metric_rows(base: str, old: dict[str, Any], new: dict[str, Any]) -> list[Row]:
    rows = []
    for metric in sorted(set(old) | set(new)):
        for bound in ("min", "max"):
            a = (old.get(metric) or {}).get(bound)
            b = (new.get(metric) or {}).get(bound)
            if a == b:
                continue
            if b is None:
                rule = WEAK
            elif a is None:
                rule = STRONG
            else:
                rule = WEAK if (b < a if bound == "min" else b > a) else STRONG
            rows.append(row(f"{base}.metrics.{metric}.{bound}", MISSING if a is None else a,
                            MISSING if b is None else b, rule))
    return rows
