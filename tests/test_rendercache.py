"""Rendered configs of locked commits are cached by git tree id (rendercache.py): a hit equals a
fresh render, a damaged entry is never used, and commits without a lock are never cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import commit_all

from agentcfg.manifest import loader
from agentcfg.project import Project
from agentcfg.snapshot import render_at

RENDERS = Path(".agentcfg/cache/renders")


@pytest.fixture
def locked(example_repo: Path, cli: Callable[..., Any]) -> Path:
    assert cli("lock").exit_code == 0
    commit_all(example_repo, "lock")
    return example_repo


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("the commit was rendered again instead of read from the cache")

    monkeypatch.setattr(loader, "load_manifest", boom)


@pytest.mark.parametrize("env", [None, "production"])
def test_a_hit_equals_the_fresh_render(locked: Path, monkeypatch: pytest.MonkeyPatch, env: str | None) -> None:
    fresh = render_at(Project.find(locked), env=env, rev="HEAD")
    assert len(list((locked / RENDERS).glob("*.json"))) == 1
    _forbid_loading(monkeypatch)
    cached = render_at(Project.find(locked), env=env, rev="HEAD")
    assert (cached.digest, cached.config, cached.artefacts) == (fresh.digest, fresh.config, fresh.artefacts)


def test_environments_are_cached_apart(locked: Path) -> None:
    base = render_at(Project.find(locked), rev="HEAD")
    prod = render_at(Project.find(locked), env="production", rev="HEAD")
    assert base.digest != prod.digest
    assert len(list((locked / RENDERS).glob("*.json"))) == 2
    assert render_at(Project.find(locked), env="production", rev="HEAD").digest == prod.digest


def test_a_damaged_entry_is_ignored(locked: Path) -> None:
    fresh = render_at(Project.find(locked), rev="HEAD")
    entry = next((locked / RENDERS).glob("*.json"))
    entry.write_bytes(entry.read_bytes().replace(b'"format_version":1', b'"format_version":2', 1))
    again = render_at(Project.find(locked), rev="HEAD")
    assert again.digest == fresh.digest and again.config == fresh.config  # rendered anew, not the edited copy


def test_commits_without_a_lock_are_not_cached(example_repo: Path) -> None:
    render_at(Project.find(example_repo), rev="HEAD", pinned=False)
    assert not list((example_repo / RENDERS).glob("*.json"))


def test_diff_of_cached_commits_shows_the_same_changes(locked: Path, cli: Callable[..., Any]) -> None:
    prompt = locked / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    assert cli("lock").exit_code == 0
    commit_all(locked, "edit a prompt")
    first = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    second = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout and "prompts/triage" in first.stdout
