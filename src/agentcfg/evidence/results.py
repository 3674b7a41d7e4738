"""Eval results as agentcfg records them: test counts, a pass rate and named metrics.

Two inputs become the same :class:`EvalResults`: JUnit XML (:mod:`agentcfg.evidence.junit`)
and agentcfg's own small JSON format (:func:`parse_results_json`, schema in
`schemas/evidence.schema.json`), into which any eval framework's output converts in a few lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from agentcfg.errors import AgentcfgError, Location

MAX_EVIDENCE_BYTES = 50 * 1024 * 1024  # a JUnit file of a million test cases is ~100 MB; evals are far smaller
MAX_LISTED_FAILURES = 20  # failing test names kept in the attestation, so a refusal can name some
METRIC_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}\Z")
JSON_HINT = ('the format is {"format_version": 1, "passed": n, "failed": n, "errors": n, "skipped": n, '
             '"metrics": {"name": number}}; see docs/evidence.md and schemas/evidence.schema.json')


@dataclass(frozen=True)
class Summary:
    """Test counts. ``pass_rate`` is passed / (passed + failed + errors): skipped tests do not count."""

    tests: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0

    @property
    def executed(self) -> int:
        return self.passed + self.failed + self.errors

    @property
    def pass_rate(self) -> float | None:
        """None when no test ran: a rate over nothing proves nothing."""
        return round(self.passed / self.executed, 6) if self.executed else None

    def to_dict(self) -> dict[str, Any]:
        return {"tests": self.tests, "passed": self.passed, "failed": self.failed, "errors": self.errors,
                "skipped": self.skipped, "pass_rate": self.pass_rate}


@dataclass(frozen=True)
class EvalResults:
    """What one evidence file says."""

    format: str  # "junit" | "json"
    summary: Summary
    metrics: dict[str, float] = field(default_factory=dict)
    suites: list[dict[str, Any]] = field(default_factory=list)  # per JUnit <testsuite>: name and counts
    failures: list[str] = field(default_factory=list)  # the first failing/erroring test ids

    @property
    def passed(self) -> bool:
        """No failure, no error, and something measured (a test ran or a metric was reported)."""
        s = self.summary
        return s.failed == 0 and s.errors == 0 and (s.executed > 0 or bool(self.metrics))


def parse_results_json(data: bytes, origin: str) -> EvalResults:
    """agentcfg's evidence JSON: counts and metrics, strictly checked (unknown keys refused)."""
    from agentcfg.canonical import load_json

    doc = load_json(data, origin, "the evidence file", JSON_HINT)
    where = Location(origin)
    if not isinstance(doc, dict):
        raise AgentcfgError("the evidence file must hold a JSON object", location=where, hint=JSON_HINT)
    known = {"format_version", "passed", "failed", "errors", "skipped", "tests", "metrics", "failures"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise AgentcfgError(f"unknown key '{unknown[0]}' in the evidence file", location=where, hint=JSON_HINT)
    if doc.get("format_version", 1) != 1:
        raise AgentcfgError(f"evidence format_version {doc.get('format_version')!r} is not supported (1 is)",
                            location=where, hint=JSON_HINT)
    counts = {k: _count(doc, k, where) for k in ("passed", "failed", "errors", "skipped")}
    total = counts["passed"] + counts["failed"] + counts["errors"] + counts["skipped"]
    tests = _count(doc, "tests", where) if "tests" in doc else total
    if tests != total:
        raise AgentcfgError(f"`tests` is {tests} but passed + failed + errors + skipped is {total}",
                            location=where, hint=JSON_HINT)
    metrics = check_metrics(doc.get("metrics", {}), where)
    failures = doc.get("failures", [])
    if not isinstance(failures, list) or not all(isinstance(f, str) for f in failures):
        raise AgentcfgError("`failures` must be a list of test names", location=where, hint=JSON_HINT)
    summary = Summary(tests, counts["passed"], counts["failed"], counts["errors"], counts["skipped"])
    return EvalResults("json", summary, metrics, [], [f[:300] for f in failures[:MAX_LISTED_FAILURES]])


def _count(doc: dict[str, Any], key: str, where: Location) -> int:
    value = doc.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AgentcfgError(f"`{key}` must be a whole number >= 0, not {value!r}", location=where, hint=JSON_HINT)
    return value


def check_metrics(metrics: Any, where: Location) -> dict[str, float]:
    """Metrics: names in a conservative alphabet, finite numbers (no NaN, no booleans)."""
    if not isinstance(metrics, dict):
        raise AgentcfgError("`metrics` must be an object of name: number", location=where, hint=JSON_HINT)
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if not METRIC_NAME_RE.fullmatch(name):
            raise AgentcfgError(f"metric name {name!r} is not allowed (letters, digits, '_', '.', ':', '/', '-')",
                                location=where, hint=JSON_HINT)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise AgentcfgError(f"metric '{name}' must be a finite number, not {value!r}", location=where,
                                hint=JSON_HINT)
        out[name] = value
    return dict(sorted(out.items()))
