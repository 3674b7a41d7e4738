"""examples/support-agent/run_agent.py: the bundled example's agent runs from its staging release."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from released import released_example


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return released_example(tmp_path_factory.mktemp("run-agent") / "repo")


def run(repo: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QDRANT_URL"}
    return subprocess.run([sys.executable, "run_agent.py", *args], cwd=repo, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_the_script_makes_guarded_calls_and_a_person_approves_the_refund(repo: Path) -> None:
    r = run(repo, "--approve-as", "Ada")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("staging sha256:") and "agent refunds, tools lookup_order, issue_refund" in out
    assert '"status": "delivered"' in out
    assert "refused (ToolNotAllowed): 'send_email' is not a tool of agent 'refunds'" in out
    assert "refused (ToolInputInvalid): arguments do not match the tool's inputSchema: $.amount" in out
    assert "(answered as Ada)" in out and '"refund_id": "RF-000123-1", "status": "pending"' in out
    assert '"by": "Ada"' in out and '"outcome": "ok"' in out
    assert not (repo / "src" / "__pycache__").exists()  # the working tree stays clean
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""


def test_a_person_who_says_no_stops_the_refund(repo: Path) -> None:
    r = run(repo, stdin="n\n")
    assert r.returncode == 0, r.stderr
    assert "approve? [y/N]" in r.stdout and "refused (ApprovalDenied): approval denied" in r.stdout
    assert "RF-000123" not in r.stdout


def test_an_environment_without_a_release_is_one_line_and_exit_2(repo: Path) -> None:
    r = run(repo, "--env", "qa")
    assert r.returncode == 2 and r.stderr.startswith("error: environment 'qa' has no release")
    assert "Traceback" not in r.stderr
