"""Shell completion of values, the way bash asks for them on <TAB>: the installed `agentcfg`
run with the completion variables click's machinery reads (`_AGENTCFG_COMPLETE=complete_bash`,
COMP_WORDS, COMP_CWORD). Environment names, source revisions, tool formats, risk levels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import commit_all


def complete(*words: str, incomplete: str = "") -> list[str]:
    line = " ".join(["agentcfg", *words, incomplete])
    env = {**os.environ, "_AGENTCFG_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) + 1)}
    r = subprocess.run([sys.executable, "-m", "agentcfg"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, r
    return r.stdout.split()


@pytest.fixture
def project(example_repo: Path) -> Path:
    # an environment that is not declared but has a release file still completes
    (example_repo / "releases").mkdir()
    (example_repo / "releases" / "canary.json").write_text("{}")
    commit_all(example_repo, "canary")
    return example_repo


@pytest.mark.parametrize("words, incomplete, expected", [
    (["promote", "HEAD"], "", ["staging", "production", "canary"]),
    (["promote"], "", ["staging", "production", "canary", "HEAD"]),
    (["promote"], "st", ["staging"]),
    (["history"], "", ["staging", "production", "canary"]),
    (["history"], "p", ["production"]),
    (["rollback"], "", ["staging", "production", "canary"]),
    (["unhold"], "pro", ["production"]),
    (["render"], "", ["staging", "production", "canary"]),
    (["verify"], "", ["staging", "production", "canary"]),
    (["validate", "--env"], "", ["staging", "production", "canary"]),
    (["diff", "--env"], "s", ["staging"]),
    (["render", "production", "--tools-format"], "", ["mcp", "openai", "openai-responses", "anthropic"]),
    (["render", "production", "--tools-format"], "openai-", ["openai-responses"]),
    (["diff", "--fail-on"], "", ["none", "low", "medium", "high", "critical"]),
    (["diff", "--fail-on"], "h", ["high"]),
])
def test_values_complete(project: Path, words: list[str], incomplete: str, expected: list[str]) -> None:
    assert complete(*words, incomplete=incomplete) == expected


def test_dash_c_names_the_project(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert complete("history") == []
    assert complete("-C", str(project), "history") == ["staging", "production", "canary"]


def test_a_broken_manifest_completes_nothing_and_raises_nothing(in_git_dir: Path) -> None:
    (in_git_dir / "agentcfg.yaml").write_text("environments: [staging\n  bad: {")
    assert complete("promote", "HEAD") == []
