"""Eval results as attest reads them: JUnit XML from real pytest runs and hostile files, and the
evidence JSON format against its schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from agentcfg.errors import AgentcfgError
from agentcfg.evidence.junit import parse_junit
from agentcfg.evidence.results import parse_results_json
from conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "evidence"

EVAL_FILE = '''
import pytest

def test_passes():
    assert True

@pytest.mark.parametrize("case", ["refund", "question"])
def test_routes(case):
    assert case != "question", "routed to the wrong node"

@pytest.mark.skip(reason="no Spanish cases yet")
def test_spanish():
    pass

@pytest.mark.xfail(reason="known gap")
def test_known_gap():
    assert False

@pytest.fixture
def broken():
    raise RuntimeError("the eval harness could not start")

def test_needs_harness(broken):
    pass

def test_records_a_metric(record_testsuite_property):
    record_testsuite_property("faithfulness", 0.93)
    record_testsuite_property("judge_model", "gpt-4o-2024-08-06")
'''


def run_pytest(folder: Path, source: str) -> Path:
    """Run a real pytest on ``source`` and return the JUnit file it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_eval.py").write_text(source)
    report = folder / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                    f"--junit-xml={report}", "test_eval.py"], cwd=folder, capture_output=True, text=True,
                   check=False, timeout=120)
    assert report.is_file()
    return report


def test_a_real_pytest_run_with_failures_errors_and_skips(tmp_path: Path) -> None:
    report = run_pytest(tmp_path / "run", EVAL_FILE)
    results = parse_junit(report.read_bytes(), str(report))
    s = results.summary
    # passes, routes[refund], records_a_metric | routes[question] | needs_harness | spanish, known_gap (xfail)
    assert (s.tests, s.passed, s.failed, s.errors, s.skipped) == (7, 3, 1, 1, 2)
    assert s.pass_rate == pytest.approx(3 / 5, abs=1e-6)
    assert results.failures == ["test_eval::test_routes[question]", "test_eval::test_needs_harness"]
    assert results.metrics == {"faithfulness": 0.93}  # the text property is not a metric
    assert [suite["name"] for suite in results.suites] == ["pytest"]
    assert not results.passed


def test_a_real_pytest_run_that_passes(tmp_path: Path) -> None:
    report = run_pytest(tmp_path / "run", "def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    results = parse_junit(report.read_bytes(), str(report))
    assert (results.summary.tests, results.summary.passed, results.summary.pass_rate) == (2, 2, 1.0)
    assert results.passed


def test_several_suites_in_one_file_are_summed_and_listed() -> None:
    path = FIXTURES / "several_suites.xml"
    results = parse_junit(path.read_bytes(), "several_suites.xml")
    s = results.summary
    assert (s.tests, s.passed, s.failed, s.errors, s.skipped) == (7, 3, 2, 1, 1)
    assert [(x["name"], x["tests"], x["failed"], x["errors"]) for x in results.suites] == [
        ("routing", 4, 1, 0), ("answers", 3, 1, 1)]
    assert results.metrics == {"faithfulness": 0.91, "route_accuracy": 0.75}
    assert results.failures == ["routing::escalate", "answers::returns", "answers::sizing"]


def test_a_file_with_only_suite_attributes_counts_from_them() -> None:
    results = parse_junit((FIXTURES / "summary_only.xml").read_bytes(), "summary_only.xml")
    s = results.summary
    assert (s.tests, s.passed, s.failed, s.errors, s.skipped) == (10, 7, 1, 0, 2)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml", "external_dtd.xml"])
def test_dtds_and_entities_are_refused_before_expansion(name: str) -> None:
    with pytest.raises(AgentcfgError) as err:
        parse_junit((FIXTURES / name).read_bytes(), f"reports/{name}")
    text = str(err.value)
    assert text.startswith(f"reports/{name}: refused: the file declares a DTD or an XML entity")
    assert "root:" not in text  # nothing of /etc/passwd


@pytest.mark.parametrize(("name", "message"), [
    ("malformed.xml", "malformed.xml:3:"),
    ("not_junit.xml", "its root element is <html>"),
])
def test_broken_or_foreign_xml_is_named(name: str, message: str) -> None:
    with pytest.raises(AgentcfgError) as err:
        parse_junit((FIXTURES / name).read_bytes(), name)
    assert message in str(err.value)


def test_the_json_format_reads_counts_and_metrics() -> None:
    doc = {"format_version": 1, "passed": 48, "failed": 1, "errors": 0, "skipped": 2,
           "metrics": {"jailbreak_rate": 0.004, "faithfulness": 0.93}, "failures": ["refund over limit"]}
    Draft202012Validator(_schema()).validate(doc)
    results = parse_results_json(json.dumps(doc).encode(), "red_team.json")
    s = results.summary
    assert (s.tests, s.passed, s.failed, s.skipped, s.pass_rate) == (51, 48, 1, 2, round(48 / 49, 6))
    assert list(results.metrics) == ["faithfulness", "jailbreak_rate"]
    assert results.failures == ["refund over limit"]


@pytest.mark.parametrize(("doc", "message"), [
    ({"pased": 3}, "unknown key 'pased'"),
    ({"passed": -1}, "`passed` must be a whole number >= 0"),
    ({"passed": True}, "`passed` must be a whole number >= 0"),
    ({"passed": 2, "tests": 3}, "`tests` is 3 but passed + failed + errors + skipped is 2"),
    ({"metrics": {"x": "high"}}, "metric 'x' must be a finite number"),
    ({"metrics": {"bad name": 1}}, "metric name 'bad name' is not allowed"),
    ({"format_version": 2}, "format_version 2 is not supported"),
    ([], "must hold a JSON object"),
])
def test_the_json_format_refuses_what_its_schema_refuses(doc: object, message: str) -> None:
    with pytest.raises(AgentcfgError) as err:
        parse_results_json(json.dumps(doc).encode(), "evals.json")
    assert message in str(err.value)
    assert str(err.value).startswith("evals.json: ")
    if message != "`tests` is 3 but passed + failed + errors + skipped is 2":  # a sum: beyond JSON Schema
        assert not Draft202012Validator(_schema()).is_valid(doc)


def test_nan_in_json_evidence_is_refused() -> None:
    with pytest.raises(AgentcfgError, match="not valid JSON"):
        parse_results_json(b'{"metrics": {"x": NaN}}', "evals.json")


def _schema() -> dict[str, object]:
    schema = json.loads((ROOT / "schemas" / "evidence.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return schema  # type: ignore[no-any-return]
