"""`require_evidence`: what a promotion needs to find on the digest it promotes.

For each required name, the newest committed attestation of that name on that digest counts
(a later one supersedes an earlier one, pass or fail). It fails the requirement when it is
missing (or only on other digests), failed its thresholds, came from an eval command that
failed, or is older than `max_age`. With neither `min_pass_rate` nor `max_failed`, every test
that ran must pass. Several policies (HEAD's and the promoted config's own) combine rule by
rule into the strictest, like the rest of the policy.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from agentcfg.canonical import short
from agentcfg.evidence import store
from agentcfg.evidence.statement import Attestation
from agentcfg.project import Project

_PART = re.compile(r"(\d+)([wdhms])")
_UNIT = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def duration_seconds(text: str) -> int:
    """``"7d"`` → 604800, ``"1d12h"`` → 129600 (the model's pattern has checked the shape)."""
    return sum(int(n) * _UNIT[u] for n, u in _PART.findall(text))


def describe_age(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class EvidenceCheck:
    """One required evidence name, judged on one digest."""

    name: str
    ok: bool
    why: str  # what was found, or why it does not count
    requirement: dict[str, Any]
    attestation: Attestation | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "why": self.why, "requirement": self.requirement,
                "attestation": self.attestation.path if self.attestation else None,
                "verdict": self.attestation.verdict if self.attestation else None}


def normalised(requirement: dict[str, Any] | None) -> dict[str, Any]:
    """A requirement with its implicit rule written out: no pass-rate rule means max_failed 0."""
    req = {k: v for k, v in (requirement or {}).items() if v is not None and k != "description"}
    if "min_pass_rate" not in req and "max_failed" not in req:
        req["max_failed"] = 0
    return req


def strictest(requirements: list[dict[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """Combine several `require_evidence` maps, keeping the strictest of each threshold."""
    out: dict[str, dict[str, Any]] = {}
    for block in requirements:
        for name, raw in sorted((block or {}).items()):
            req = normalised(raw)
            have = out.setdefault(name, {})
            for key, pick in (("min_pass_rate", max), ("max_failed", min)):
                if key in req:
                    have[key] = pick(have[key], req[key]) if key in have else req[key]
            if "max_age" in req:
                if "max_age" not in have or duration_seconds(req["max_age"]) < duration_seconds(have["max_age"]):
                    have["max_age"] = req["max_age"]
            for metric, bound in sorted((req.get("metrics") or {}).items()):
                mine = have.setdefault("metrics", {}).setdefault(metric, {})
                if bound.get("min") is not None:
                    mine["min"] = max(mine.get("min", bound["min"]), bound["min"])
                if bound.get("max") is not None:
                    mine["max"] = min(mine.get("max", bound["max"]), bound["max"])
    return dict(sorted(out.items()))


def evaluate(project: Project, requirements: dict[str, dict[str, Any]], digest: str, *,
             measured_in: str, now: float | None = None) -> list[EvidenceCheck]:
    """Judge each requirement on ``digest`` with the attestations committed on HEAD.

    ``measured_in`` names where the digest runs, for messages ("staging's release").
    """
    if not requirements:
        return []
    now = time.time() if now is None else now
    everything = store.committed(project)
    here = store.newest_by_name([a for a in everything if a.digest == digest])
    checks = []
    for name, req in sorted(requirements.items()):
        att = here.get(name)
        if att is None:
            checks.append(EvidenceCheck(name, False, _missing(name, digest, measured_in, everything), req))
            continue
        problems = judge(att, req, now)
        if problems:
            checks.append(EvidenceCheck(name, False, "; ".join(problems), req, att))
        else:
            checks.append(EvidenceCheck(name, True, _found(att, now), req, att))
    return checks


def judge(att: Attestation, req: dict[str, Any], now: float) -> list[str]:
    """Why ``att`` does not meet ``req`` (empty: it does)."""
    problems: list[str] = []
    s = att.summary
    executed = s["passed"] + s["failed"] + s["errors"]
    bad = s["failed"] + s["errors"]
    exit_code = (att.command or {}).get("exit_code")
    if exit_code not in (None, 0):
        problems.append(f"the eval command exited {exit_code}")
    if executed == 0 and not att.metrics:
        problems.append("it measured nothing (no test ran and no metric was reported)")
    if "min_pass_rate" in req and executed:
        if s["pass_rate"] is None or s["pass_rate"] < req["min_pass_rate"]:
            problems.append(f"pass rate {s['pass_rate']} ({s['passed']} of {executed}) is below "
                            f"min_pass_rate {req['min_pass_rate']}")
    elif "min_pass_rate" in req:
        problems.append(f"no test ran, so there is no pass rate to hold to min_pass_rate {req['min_pass_rate']}")
    if "max_failed" in req and bad > req["max_failed"]:
        first = f" (first: {att.failures[0]})" if att.failures else ""
        problems.append(f"{s['failed']} failed and {s['errors']} errored, max_failed is {req['max_failed']}{first}")
    for metric, bound in sorted((req.get("metrics") or {}).items()):
        value = att.metrics.get(metric)
        if value is None:
            problems.append(f"metric {metric} is not in the evidence")
        elif bound.get("min") is not None and value < bound["min"]:
            problems.append(f"metric {metric} = {value} is below its min {bound['min']}")
        elif bound.get("max") is not None and value > bound["max"]:
            problems.append(f"metric {metric} = {value} is above its max {bound['max']}")
    if "max_age" in req:
        age = now - att.timestamp
        if age > duration_seconds(req["max_age"]):
            problems.append(f"measured {describe_age(age)} ago ({att.created}), max_age is {req['max_age']}")
    return problems


def _found(att: Attestation, now: float) -> str:
    s = att.summary
    executed = s["passed"] + s["failed"] + s["errors"]
    tests = f"{s['passed']}/{executed} passed" if executed else "no tests"
    metrics = ", ".join(f"{k}={v}" for k, v in sorted(att.metrics.items()))
    return f"{tests}{', ' + metrics if metrics else ''}, measured {describe_age(now - att.timestamp)} ago"


def _missing(name: str, digest: str, measured_in: str, everything: list[Attestation]) -> str:
    elsewhere = [a for a in everything if a.name == name]
    if not elsewhere:
        return f"no attestation named {name} on {measured_in} ({short(digest)}), nor on any other digest"
    last = max(elsewhere, key=lambda a: (a.created, a.path))
    where = f" ({last.environment})" if last.environment else ""
    return (f"no attestation named {name} on {measured_in} ({short(digest)}); the newest is on another digest, "
            f"{short(last.digest)}{where}, measured {last.created}")
