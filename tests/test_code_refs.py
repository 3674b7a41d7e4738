"""Code in the manifest's own repository needs no branch name; a ref that names nothing is a
validation finding, with a hint that fits the repository it names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit_all, git

MANIFEST = """\
name: refs
environments: [dev]
code:
  tools_code:
    repo: .
    path: src
"""


def plain_repo(path: Path) -> Path:
    """`git init` as a new user runs it: whatever branch name git picks (here `master`)."""
    path.mkdir(parents=True)
    git(path, "-c", "init.defaultBranch=master", "init", "-q")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "test@example.com")
    git(path, "config", "commit.gpgsign", "false")
    return path


@pytest.fixture
def master_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = plain_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    commit_all(repo, "example")
    monkeypatch.chdir(repo)
    return repo


def test_the_example_locks_on_a_master_branch(master_example: Path, cli: Any) -> None:
    assert git(master_example, "branch", "--show-current").strip() == "master"
    assert cli("validate").exit_code == 0
    r = cli("lock")
    assert r.exit_code == 0, r
    lock = json.loads((master_example / "agentcfg.lock").read_text())
    entry = lock["artefacts"]["code/support_tools"]
    assert entry["commit"] == git(master_example, "rev-parse", "HEAD").strip()
    assert "ref" not in entry
    commit_all(master_example, "lock")
    assert cli("lock", "--check").exit_code == 0  # committing the lock does not stale it
    assert cli("promote", "HEAD", "staging").exit_code == 0


def test_render_rev_pins_the_code_of_that_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   cli: Any) -> None:
    repo = plain_repo(tmp_path / "repo")
    (repo / "agentcfg.yaml").write_text(MANIFEST)
    (repo / "src").mkdir()
    (repo / "src" / "tool.py").write_text("v = 1\n")
    first = commit_all(repo, "first")
    (repo / "src" / "tool.py").write_text("v = 2\n")
    second = commit_all(repo, "second")
    monkeypatch.chdir(repo)
    old = json.loads(cli("render", "dev", "--rev", first, "--format", "json").stdout)
    new = json.loads(cli("render", "dev", "--rev", second, "--format", "json").stdout)
    assert old["config"]["code"]["tools_code"]["commit"] == first
    assert new["config"]["code"]["tools_code"]["commit"] == second


def test_validate_reports_a_ref_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    cli: Any) -> None:
    repo = plain_repo(tmp_path / "repo")
    (repo / "agentcfg.yaml").write_text(MANIFEST.replace("    repo: .\n", "    repo: .\n    ref: main\n"))
    (repo / "src").mkdir()
    (repo / "src" / "tool.py").write_text("v = 1\n")
    commit_all(repo, "first")
    monkeypatch.chdir(repo)
    r = cli("validate")
    assert r.exit_code == 1
    assert "agentcfg.yaml:6:5: code/tools_code: ref 'main' does not exist in this repository [unresolved-ref]" \
        in r.output
    assert "git branch -a" in r.output and "drop `ref:`" in r.output
    assert "ls-remote" not in r.output
    git(repo, "branch", "main")  # the ref appears: the saved report must not be reused
    assert cli("validate").exit_code == 0


def test_a_ref_of_another_local_repository_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      cli: Any) -> None:
    other = plain_repo(tmp_path / "other")
    (other / "x.py").write_text("x = 1\n")
    commit_all(other, "x")
    repo = plain_repo(tmp_path / "repo")
    (repo / "agentcfg.yaml").write_text(f"name: refs\ncode:\n  lib:\n    repo: file://{other}\n    ref: v9\n")
    commit_all(repo, "first")
    monkeypatch.chdir(repo)
    r = cli("validate")
    assert r.exit_code == 1
    assert f"ref 'v9' does not exist in file://{other}" in r.output
    assert f"git -C {other} branch -a" in r.output


def test_another_repository_needs_a_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    repo = plain_repo(tmp_path / "repo")
    (repo / "agentcfg.yaml").write_text("name: refs\ncode:\n  lib:\n    repo: https://example.com/lib.git\n")
    commit_all(repo, "first")
    monkeypatch.chdir(repo)
    r = cli("validate")
    assert r.exit_code == 1
    assert "`ref` is required for a repository other than `repo: .`" in r.output


def test_before_the_first_commit_validate_warns_and_lock_says_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    repo = plain_repo(tmp_path / "repo")
    (repo / "agentcfg.yaml").write_text(MANIFEST)
    (repo / "src").mkdir()
    (repo / "src" / "tool.py").write_text("v = 1\n")
    monkeypatch.chdir(repo)
    r = cli("validate")
    assert r.exit_code == 0 and "has no commit yet" in r.output
    r = cli("lock")
    assert r.exit_code == 2
    assert "no commit yet" in r.stderr and "git commit" in r.stderr
