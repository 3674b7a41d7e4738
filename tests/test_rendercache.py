"""Rendered configs of locked commits are cached by git tree id (agentcfg.warm.renders): a hit equals a
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


# --- the way to the cache without GitPython (gitio.commit_folder) -------------------------------

def test_a_cached_diff_does_not_import_gitpython(locked: Path, cli: Callable[..., Any]) -> None:
    """`diff A B` of two locked commits seen before reads only the render cache: GitPython
    (~70 ms to import) is never loaded."""
    import subprocess
    import sys

    (locked / "prompts").mkdir(exist_ok=True)
    assert cli("diff", "HEAD", "HEAD").exit_code == 0  # renders HEAD once: now it is cached
    code = ("import sys\nfrom agentcfg.semdiff import diff\nr = diff('HEAD', 'HEAD')\n"
            "print(r.empty, 'git' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=locked, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_commit_folder_sees_what_gittree_sees(locked: Path) -> None:
    from conftest import git

    (locked / "sub").mkdir()
    (locked / "sub" / "agentcfg.yaml").symlink_to("../agentcfg.yaml")  # a link is not the manifest
    (locked / "sub" / "notes.md").write_text("x")
    (locked / "sub" / "inner").mkdir()
    (locked / "sub" / "inner" / "f").write_text("y")
    commit_all(locked, "a folder with a symlinked manifest")
    project = Project.find(locked)
    top = project.commit_folder("HEAD")
    assert top.commit_sha == git(locked, "rev-parse", "HEAD").strip()
    assert top.tree_sha == git(locked, "rev-parse", "HEAD^{tree}").strip()
    assert top.subdir == "" and top.has_file("agentcfg.yaml") and top.has_file("agentcfg.lock")
    tree = project.tree_at("HEAD")
    assert top.tree_sha == tree.tree_sha
    sub = Project(locked / "sub").commit_folder("HEAD")
    assert sub.subdir == "sub" and sub.files == {"notes.md"}  # not the symlink, not the folder
    (locked / "new").mkdir()  # on disk, not in the commit
    assert Project(locked / "new").commit_folder("HEAD").files == frozenset()


def test_commit_folder_names_a_missing_revision(locked: Path) -> None:
    from agentcfg.errors import GitError

    with pytest.raises(GitError, match="git revision 'no-such-branch' not found"):
        Project.find(locked).commit_folder("no-such-branch")
    with pytest.raises(Exception, match="not"):
        Project.find(locked).commit_folder("--output=/tmp/x")  # never a git option (safe_rev)
