"""Big data is usually git-ignored (or in DVC): a locked commit whose data folder is not in git
still diffs, renders and promotes, pinned by its lock; a commit without a lock says what to do.
(Found by the L-scale bench: `diff HEAD~1 HEAD` failed with "no such file or folder".)"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import build_tree, commit_all, init_repo

MANIFEST = """format_version: 1
name: ignored-data
environments: [staging]
data:
  corpus:
    path: data/corpus
prompts:
  greet:
    template: "Hello {{name}}"
    variables: [name]
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = build_tree(init_repo(tmp_path / "repo"), {
        ".gitignore": "data/corpus/\n.agentcfg/\n",
        "agentcfg.yaml": MANIFEST,
        "data/corpus/a.txt": "alpha\n",
    })
    monkeypatch.chdir(root)
    return root


def test_locked_commits_with_ignored_data_diff_and_promote(repo: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    commit_all(repo, "lock")
    (repo / "data/corpus/a.txt").write_text("alpha, revised\n")
    (repo / "agentcfg.yaml").write_text(MANIFEST.replace("Hello", "Hi"))
    assert cli("lock").exit_code == 0
    commit_all(repo, "new data and prompt")
    r = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert r.exit_code == 0, r
    assert "data/corpus" in r.stdout and "prompts/greet" in r.stdout
    assert cli("promote", "HEAD", "staging").exit_code == 0


def test_a_commit_without_a_lock_says_to_lock(repo: Path, cli: Callable[..., Any]) -> None:
    commit_all(repo, "no lock")
    r = cli("render", "staging", "--rev", "HEAD")
    assert r.exit_code == 2
    assert "data/corpus" in r.stderr and "agentcfg lock" in r.stderr
