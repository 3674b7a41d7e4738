"""Evidence where people read releases: status, history, show, and metric deltas in diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from jsonschema import Draft202012Validator

from conftest import ROOT
from evidence_helpers import evidence_json, junit, released

Cli = Callable[..., Any]


def _rows(payload: Any, key: str) -> list[dict[str, Any]]:
    """A list output, or (once it is an object with format_version) its list under ``key``."""
    return payload if isinstance(payload, list) else payload[key]


def _two_attested_releases(repo: Path, cli: Cli) -> None:
    released(repo, cli)
    assert cli("attest", "staging", "--name", "support_evals", "--junit",
               junit(repo, 19, 1, metrics={"route_coverage": 0.95})).exit_code == 0
    assert cli("promote", "staging", "production").exit_code == 0
    assert cli("attest", "production", "--name", "support_evals", "--json",
               evidence_json(repo, {"passed": 20, "metrics": {"route_coverage": 1.0}})).exit_code == 0
    assert cli("attest", "production", "--name", "latency", "--json",
               evidence_json(repo, {"metrics": {"p95_ms": 840}}, "reports/latency.json")).exit_code == 0


def test_status_and_history_show_each_release_evidence(example_repo: Path, cli: Cli) -> None:
    _two_attested_releases(example_repo, cli)
    r = cli("status")
    assert r.exit_code == 0
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("production"))
    assert "latency passed, support_evals passed" in line
    rows = _rows(json.loads(cli("status", "--format", "json").stdout), "environments")
    staging = next(row for row in rows if row["env"] == "staging")
    assert [(e["name"], e["verdict"], e["pass_rate"]) for e in staging["evidence"]] == [
        ("support_evals", "failed", 0.95)]
    assert staging["behind_head"] == 0  # attestation commits change no config
    history = _rows(json.loads(cli("history", "production", "--format", "json").stdout), "releases")
    assert [e["name"] for e in history[0]["evidence"]] == ["latency", "support_evals"]
    assert "support_evals failed" in cli("history", "staging").stdout


def test_show_lists_the_attestations_of_a_digest(example_repo: Path, cli: Cli) -> None:
    _two_attested_releases(example_repo, cli)
    digest = json.loads((example_repo / "releases" / "production.json").read_text())["digest"]
    r = cli("show", digest[7:17], "--format", "json")
    assert r.exit_code == 0
    names = [(a["name"], a["verdict"]) for a in json.loads(r.stdout)["attestations"]]
    assert names == [("support_evals", "passed"), ("latency", "passed")]
    r = cli("show", digest[7:17])
    assert "attested support_evals: passed, 20 passed, 0 failed" in r.stderr


def test_diff_between_releases_shows_metric_deltas(example_repo: Path, cli: Cli) -> None:
    _two_attested_releases(example_repo, cli)
    r = cli("diff", "env:staging", "env:production", "--format", "json")
    out = json.loads(r.stdout)
    Draft202012Validator(json.loads((ROOT / "schemas" / "diff.schema.json").read_text())).validate(out)
    [evidence] = out["evidence"]  # latency is on production only: nothing to compare
    assert evidence["name"] == "support_evals"
    assert (evidence["old"]["verdict"], evidence["new"]["verdict"]) == ("failed", "passed")
    assert evidence["metrics"] == [{"metric": "pass_rate", "old": 0.95, "new": 1.0, "delta": 0.05},
                                   {"metric": "route_coverage", "old": 0.95, "new": 1.0, "delta": 0.05}]
    text = cli("diff", "env:staging", "env:production").stdout
    assert "support_evals  failed → passed; pass_rate 0.95 → 1.0 (+0.05); route_coverage 0.95 → 1.0 (+0.05)" in text
    markdown = cli("diff", "env:staging", "env:production", "--format", "markdown").stdout
    assert "| `support_evals` | `pass_rate` | 0.95 | 1.0 | +0.05 |" in markdown
    # no shared evidence: an empty list
    assert json.loads(cli("diff", "HEAD", ".", "--format", "json").stdout)["evidence"] == []
