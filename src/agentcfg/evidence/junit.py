"""JUnit XML, as pytest, DeepEval (a pytest plugin) and most CI test runners write it.

Parsed with defusedxml: a JUnit file never needs a DTD or an entity, so any declaration of one
is refused before expansion (billion laughs) or a fetch (XXE, `SYSTEM "file:///etc/passwd"`).
Counts come from the `<testcase>` elements themselves (the suites' `tests=`/`failures=`
attributes are summaries that some writers get wrong); a file with no test case at all falls
back to those attributes. Numeric `<property>` values of a `<testsuite>` (pytest's
`record_testsuite_property`) become metrics.
"""

from __future__ import annotations

import math
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from agentcfg.errors import AgentcfgError, Location
from agentcfg.evidence.results import MAX_LISTED_FAILURES, METRIC_NAME_RE, EvalResults, Summary

_HINT = "give the JUnit XML file your test runner wrote (pytest: --junit-xml FILE)"


def parse_junit(data: bytes, origin: str) -> EvalResults:
    """Test counts, suites, failing test names and suite-level numeric properties of a JUnit file."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    where = Location(origin)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise AgentcfgError(
            f"refused: the file declares a DTD or an XML entity ({type(exc).__name__}); a JUnit file never "
            "needs one, and expanding it could exhaust memory (billion laughs) or read other files (XXE)",
            location=where, hint=_HINT) from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise AgentcfgError(f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}",
                            location=Location(origin, line, col + 1 if line else 0), hint=_HINT) from None
    tag = _local(root.tag)
    if tag not in ("testsuites", "testsuite"):
        raise AgentcfgError(f"not a JUnit file: its root element is <{tag}>, not <testsuites> or <testsuite>",
                            location=where, hint=_HINT)
    suites = [root] if tag == "testsuite" else [e for e in root if _local(e.tag) == "testsuite"]
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    failures: list[str] = []
    rows: list[dict[str, Any]] = []
    metrics: dict[str, float] = {}
    for suite in suites:
        own = _count_cases(suite, failures)
        rows.append({"name": suite.get("name") or "", **own, "tests": sum(own.values())})
        for key, n in own.items():
            counts[key] += n
        metrics.update(_suite_metrics(suite))
    if sum(counts.values()) == 0:  # a summary-only file: no <testcase>, only attributes
        counts = _attribute_counts(suites or [root])
    summary = Summary(sum(counts.values()), counts["passed"], counts["failed"], counts["errors"], counts["skipped"])
    return EvalResults("junit", summary, dict(sorted(metrics.items())), rows, failures[:MAX_LISTED_FAILURES])


def _local(tag: Any) -> str:
    text = str(tag)
    return text.rpartition("}")[2] if text.startswith("{") else text


def _count_cases(suite: Element, failures: list[str]) -> dict[str, int]:
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for case in suite.iter():
        if _local(case.tag) != "testcase":
            continue
        kinds = {_local(child.tag) for child in case}
        if "failure" in kinds:
            outcome = "failed"
        elif "error" in kinds:
            outcome = "errors"
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        counts[outcome] += 1
        if outcome in ("failed", "errors") and len(failures) < MAX_LISTED_FAILURES:
            cls, name = case.get("classname") or "", case.get("name") or "?"
            failures.append((f"{cls}::{name}" if cls else name)[:300])
    return counts


def _attribute_counts(suites: list[Element]) -> dict[str, int]:
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        tests = _int(suite.get("tests"))
        failed, errors = _int(suite.get("failures")), _int(suite.get("errors"))
        skipped = _int(suite.get("skipped")) or _int(suite.get("disabled"))
        counts["failed"] += failed
        counts["errors"] += errors
        counts["skipped"] += skipped
        counts["passed"] += max(tests - failed - errors - skipped, 0)
    return counts


def _int(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0


def _suite_metrics(suite: Element) -> dict[str, float]:
    out: dict[str, float] = {}
    for props in suite:
        if _local(props.tag) != "properties":
            continue
        for prop in props:
            name, value = prop.get("name") or "", prop.get("value")
            if not METRIC_NAME_RE.fullmatch(name) or value is None:
                continue
            try:
                number = float(value)
            except ValueError:
                continue  # a text property (hostname, a git sha) is not a metric
            if math.isfinite(number):
                out[name] = int(number) if number.is_integer() and "." not in value else number
    return out
