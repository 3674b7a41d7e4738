"""Metric deltas between two configs that both have evidence of the same name (for `diff`).

Only the newest committed attestation of each name counts on each side, as for promotions;
names attested on one side only are left out (there is nothing to compare them with).
"""

from __future__ import annotations

from typing import Any

from agentcfg.evidence import store
from agentcfg.project import Project


def evidence_deltas(project: Project, old_digest: str | None, new_digest: str | None) -> list[dict[str, Any]]:
    """One entry per shared evidence name: both sides' verdicts and each metric old → new."""
    if not old_digest or not new_digest or old_digest == new_digest:
        return []
    attested = store.by_digest(project)
    if not attested:
        return []
    old = store.newest_by_name(attested.get(old_digest, []))
    new = store.newest_by_name(attested.get(new_digest, []))
    out = []
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        values_a = {"pass_rate": a.summary.get("pass_rate"), **a.metrics}
        values_b = {"pass_rate": b.summary.get("pass_rate"), **b.metrics}
        metrics = []
        for metric in sorted(set(values_a) | set(values_b), key=lambda m: (m != "pass_rate", m)):
            x, y = values_a.get(metric), values_b.get(metric)
            if x is None and y is None:
                continue
            delta = round(y - x, 6) if x is not None and y is not None else None
            metrics.append({"metric": metric, "old": x, "new": y, "delta": delta})
        out.append({"name": name, "old": {"verdict": a.verdict, "created": a.created, "path": a.path},
                    "new": {"verdict": b.verdict, "created": b.created, "path": b.path}, "metrics": metrics})
    return out
