"""`history` keeps the parsed log of a release file between runs (agentcfg.warm.releaselog): the
rows are always what a full `git log` gives, after promotions, rollbacks, rewrites and merges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import commit_all, git

from agentcfg import gitio
from agentcfg.warm import releaselog

CACHE = Path(".agentcfg/cache/history/staging.json")


def _rows(cli: Callable[..., Any]) -> list[dict[str, Any]]:
    r = cli("history", "staging", "--format", "json")
    assert r.exit_code == 0, r
    return [{k: row[k] for k in ("commit", "action", "digest", "reason")} for row in json.loads(r.stdout)["releases"]]


def _full(repo: Path) -> list[str]:
    return [pc.commit for pc in gitio.log_path(repo, "releases/staging.json")]


@pytest.fixture
def promoted(example_repo: Path, cli: Callable[..., Any]) -> Path:
    assert cli("lock").exit_code == 0
    commit_all(example_repo, "lock")
    assert cli("promote", "HEAD", "staging").exit_code == 0
    return example_repo


def test_same_head_reads_no_log(promoted: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    first = _rows(cli)
    assert (promoted / CACHE).is_file()

    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("git log ran although HEAD did not move")

    monkeypatch.setattr(gitio, "log_path", boom)
    assert _rows(cli) == first


def test_new_commits_are_added_in_front(promoted: Path, cli: Callable[..., Any]) -> None:
    _rows(cli)
    prompt = promoted / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    assert cli("lock").exit_code == 0
    commit_all(promoted, "edit")
    assert cli("promote", "HEAD", "staging", "--approve", "test").exit_code == 0
    assert cli("rollback", "staging", "--reason", "test").exit_code == 0
    rows = _rows(cli)
    assert [r["action"] for r in rows] == ["rollback", "promote", "promote"]
    assert [r["commit"] for r in rows] == _full(promoted)


def test_rewritten_history_is_read_again(promoted: Path, cli: Callable[..., Any]) -> None:
    _rows(cli)
    git(promoted, "reset", "-q", "--hard", "HEAD~1")  # the promotion is gone from history
    git(promoted, "commit", "-q", "--allow-empty", "-m", "something else")
    r = cli("history", "staging")
    assert r.exit_code == 2 and "has no releases" in r.stderr  # a fresh log, not the cached rows


def test_a_merge_takes_the_full_log(promoted: Path, cli: Callable[..., Any]) -> None:
    _rows(cli)
    git(promoted, "checkout", "-q", "-b", "side")
    git(promoted, "commit", "-q", "--allow-empty", "-m", "side work")
    git(promoted, "checkout", "-q", "main")
    git(promoted, "commit", "-q", "--allow-empty", "-m", "main work")
    git(promoted, "merge", "-q", "--no-edit", "side")
    assert not releaselog._linear_extension(promoted, json.loads((promoted / CACHE).read_text())["head"],
                                          git(promoted, "rev-parse", "HEAD").strip())
    assert [r["commit"] for r in _rows(cli)] == _full(promoted)
