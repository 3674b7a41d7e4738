"""Shared steps of the evidence tests: a released example project and small evidence files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from conftest import commit_all, git


def require(repo: Path, requirements: str, env: str = "production") -> None:
    """Add a `require_evidence:` block (YAML flow text, one entry per line) to ``env``'s policy."""
    manifest = repo / "agentcfg.yaml"
    text = manifest.read_text()
    anchor = {"production": "    max_risk: high\n", "staging": "    max_risk: critical\n"}[env]
    block = "".join(f"      {line}\n" for line in requirements.strip().splitlines())
    assert anchor in text
    if f"{anchor}    require_evidence:\n" in text:  # add to the block already there
        anchor += "    require_evidence:\n"
        manifest.write_text(text.replace(anchor, f"{anchor}{block}", 1))
    else:
        manifest.write_text(text.replace(anchor, f"{anchor}    require_evidence:\n{block}", 1))


def released(repo: Path, cli: Callable[..., Any], requirements: str | None = None) -> None:
    """Optionally require evidence in production, lock, commit, and promote HEAD to staging."""
    if requirements:
        require(repo, requirements)
    assert cli("lock").exit_code == 0
    commit_all(repo, "lock")
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0, r


def junit(repo: Path, passed: int, failed: int = 0, errors: int = 0, name: str = "reports/evals.xml",
          metrics: dict[str, float] | None = None) -> str:
    """A JUnit file as pytest writes it (one suite), in ``repo``; returns its relative path."""
    cases = [f'<testcase classname="evals" name="ok_{i}"/>' for i in range(passed)]
    cases += [f'<testcase classname="evals" name="bad_{i}"><failure message="wrong route"/></testcase>'
              for i in range(failed)]
    cases += [f'<testcase classname="evals" name="err_{i}"><error message="timeout"/></testcase>'
              for i in range(errors)]
    props = "".join(f'<property name="{k}" value="{v}"/>' for k, v in (metrics or {}).items())
    body = (f'<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
            f'<testsuite name="pytest" tests="{len(cases)}"><properties>{props}</properties>{"".join(cases)}'
            f'</testsuite></testsuites>')
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return name


def evidence_json(repo: Path, doc: dict[str, Any], name: str = "reports/red_team.json") -> str:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return name


def attestation_files(repo: Path) -> list[Path]:
    base = repo / "attestations"
    return sorted(base.rglob("*.json")) if base.is_dir() else []


def last_message(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%B")


def changed_in_last_commit(repo: Path) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", "HEAD").split()
