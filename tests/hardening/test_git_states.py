"""Repositories in awkward states: a stale index lock, a failing hook during rollback, a
shallow clone, a detached HEAD, no commits yet, no repository at all.

Covered elsewhere, not repeated here: a failing pre-commit/commit-msg hook during promote
(tests/test_promote.py::test_commit_respects_hooks_and_restores_on_failure and
::test_failed_first_commit_removes_the_new_file) and promote/rollback in a shallow clone
(tests/test_promote_refusals.py::test_shallow_clone_explains_fetch_depth).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, build_tree, commit_all, git, init_repo

from hardening.helpers import (
    assert_untouched,
    edit,
    head,
    lock_and_commit,
    release,
    snapshot,
    staging_with_a_pending_change,
    status,
)

FETCH_HINT = "fetch-depth: 0"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # restored after the test; the helper then chdirs into the repo
    return staging_with_a_pending_change(tmp_path / "repo")


def test_stale_index_lock_is_refused_up_front(repo: Path, cli: Callable[..., Result]) -> None:
    """Input: `.git/index.lock` left by a crashed git. Expect exit 2, "git's index is locked",
    a hint naming the file, and nothing written (the release file is not even touched)."""
    (repo / ".git/index.lock").write_bytes(b"")
    before = snapshot(repo)
    for argv in (("promote", "HEAD", "staging"), ("rollback", "staging"), ("unhold", "staging")):
        r = cli(*argv)
        assert r.exit_code == 2, r
        assert "git's index is locked" in r.stderr and "index.lock" in r.stderr and "delete" in r.stderr, r
        assert_untouched(before, repo)
    (repo / ".git/index.lock").unlink()
    assert cli("promote", "HEAD", "staging").exit_code == 0
    assert status(repo) == ""


def test_failing_hook_during_rollback_restores_the_release(repo: Path, cli: Callable[..., Result]) -> None:
    """Input: a pre-commit hook that exits 1. Expect exit 2, the hook's words and "restored" in
    the message, the release file byte for byte as before, HEAD unchanged, a clean status."""
    cli("promote", "HEAD", "staging")
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'change freeze: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(repo)
    r = cli("rollback", "staging", "--reason", "incident")
    assert r.exit_code == 2, r
    assert "change freeze: no commits today" in r.stderr and "was restored, nothing changed" in r.stderr, r
    assert "hint:" in r.stderr and "hook" in r.stderr
    assert_untouched(before, repo)


@pytest.fixture
def shallow(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A `--depth 1` clone, and a digest staging ran before (only in the history it lacks)."""
    from agentcfg.promotion import promote

    old_digest = release(repo, "staging")["digest"]
    promote("HEAD", "staging")
    for word in ("first", "second"):
        edit(repo, "prompts/greet.md", "Hello", f"Hello {word}")
        lock_and_commit(repo, word)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    return clone, old_digest


# (id, argv, exit code, words) in a `--depth 1` clone: each says what is missing and how to fetch it.
SHALLOW_CASES: list[tuple[str, tuple[str, ...], int, str]] = [
    ("lock", ("lock",), 2, "the history is cut off"),
    ("lock-check", ("lock", "--check"), 2, "the history is cut off"),
    ("diff-old-rev", ("diff", "HEAD~2", "HEAD"), 2, "git revision 'HEAD~2' not found"),
    ("render-old-rev", ("render", "staging", "--rev", "HEAD~1"), 2, "git revision 'HEAD~1' not found"),
    ("show-old-digest", ("show", "{old}"), 2, "no release with digest"),
    ("rollback-to-old-digest", ("rollback", "staging", "--to", "{old}"), 2, "in this shallow clone"),
]


@pytest.mark.parametrize("case,argv,code,words", SHALLOW_CASES, ids=[c[0] for c in SHALLOW_CASES])
def test_shallow_clone_says_what_is_missing(shallow: tuple[Path, str], cli: Callable[..., Result], case: str,
                                            argv: tuple[str, ...], code: int, words: str) -> None:
    clone, old_digest = shallow
    before = snapshot(clone)
    r = cli(*(a.replace("{old}", old_digest) for a in argv))
    assert r.exit_code == code, r
    assert words in r.stderr and FETCH_HINT in r.stderr, r
    assert_untouched(before, clone)


def test_shallow_clone_history_warns(shallow: tuple[Path, str], cli: Callable[..., Result]) -> None:
    r = cli("history", "staging")
    assert r.exit_code == 0 and "shallow clone" in r.stderr and FETCH_HINT in r.stderr, r


def test_detached_head_promotes_onto_the_detached_commit(repo: Path, cli: Callable[..., Result]) -> None:
    """A CI checkout is often a detached HEAD: promote commits there (as git would), only the
    release file, and the branch is untouched; history and diff read it. It warns, because that
    commit is lost unless pushed; refusing would break every CI that promotes from a checkout."""
    git(repo, "checkout", "-q", "--detach", "HEAD")
    main_before = git(repo, "rev-parse", "main").strip()
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0, r
    # ... and says so: the commit is on no branch until pushed.
    assert "warning: HEAD is detached" in r.stderr and "git push origin HEAD:<branch>" in r.stderr, r
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["releases/staging.json"]
    assert git(repo, "rev-parse", "main").strip() == main_before  # no branch moved
    assert git(repo, "rev-parse", "HEAD~1").strip() == main_before
    assert cli("history", "staging").exit_code == 0
    assert cli("diff", "HEAD~1", "HEAD").exit_code == 0
    assert cli("lock", "--check").exit_code == 0
    assert status(repo) == ""


NO_GIT_MANIFEST = """name: plain
environments: [staging]
models:
  m: {provider: openai, id: gpt-4o-2024-08-06}
prompts:
  p: {template: "Hi {{user}}", variables: [user]}
agents:
  a: {model: m, prompt: p}
"""

# (id, argv, words): commands that need git history, with the exit code 2 and the reason.
NEEDS_HISTORY: list[tuple[str, tuple[str, ...], str]] = [
    ("diff", ("diff",), "no commits yet"),
    ("diff-rev", ("diff", "HEAD", "."), "no commits yet"),
    ("render-rev", ("render", "staging", "--rev", "HEAD"), "no commits yet"),
    ("promote", ("promote", "HEAD", "staging"), "no commits yet"),
    ("rollback", ("rollback", "staging"), "no commits yet"),
    ("unhold", ("unhold", "staging"), "no commits yet"),
    ("history", ("history", "staging"), "has no releases"),
]


@pytest.mark.parametrize("case,argv,words", NEEDS_HISTORY, ids=[c[0] for c in NEEDS_HISTORY])
def test_repository_without_commits(in_git_dir: Path, cli: Callable[..., Result], case: str,
                                    argv: tuple[str, ...], words: str) -> None:
    build_tree(in_git_dir, {"agentcfg.yaml": NO_GIT_MANIFEST})
    before = snapshot(in_git_dir)
    r = cli(*argv)
    assert r.exit_code == 2, r
    assert words in r.stderr and "hint:" in r.stderr, r
    assert_untouched(before, in_git_dir)


def test_repository_without_commits_still_validates_and_locks(in_git_dir: Path, cli: Callable[..., Result]) -> None:
    build_tree(in_git_dir, {"agentcfg.yaml": NO_GIT_MANIFEST})
    assert cli("validate").exit_code == 0
    assert cli("lock").exit_code == 0
    assert cli("verify").exit_code == 0
    assert status(in_git_dir) == "?? agentcfg.lock\n?? agentcfg.yaml\n"  # nothing committed, nothing staged


GIT_NEEDED: list[tuple[str, ...]] = [
    ("diff",), ("diff", "HEAD", "."), ("render", "staging", "--rev", "HEAD"), ("promote", "HEAD", "staging"),
    ("rollback", "staging"), ("unhold", "staging"), ("history", "staging"), ("status",), ("show", "abcdef1"),
]


@pytest.fixture
def no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "plain"
    build_tree(folder, {"agentcfg.yaml": NO_GIT_MANIFEST})
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("argv", GIT_NEEDED, ids=[" ".join(a) for a in GIT_NEEDED])
def test_outside_git_commands_that_need_it_say_so(no_git: Path, cli: Callable[..., Result],
                                                  argv: tuple[str, ...]) -> None:
    """Input: a manifest in a plain folder. Expect exit 2: "is not inside a git repository",
    with the hint to `git init`; nothing written."""
    before = snapshot(no_git)
    r = cli(*argv)
    assert r.exit_code == 2, r
    assert "is not inside a git repository" in r.stderr and "git init" in r.stderr, r
    assert_untouched(before, no_git)


def test_outside_git_validate_lock_verify_render_work(no_git: Path, cli: Callable[..., Result]) -> None:
    assert cli("validate").exit_code == 0
    r = cli("lock")
    assert r.exit_code == 0, r
    lock = json.loads((no_git / "agentcfg.lock").read_text())
    assert set(lock["environments"]) == {"staging"}
    assert cli("lock", "--check").exit_code == 0
    assert cli("verify").exit_code == 0
    r = cli("render", "staging", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["digest"] == lock["environments"]["staging"]["digest"]


def test_code_ref_to_this_repository_needs_git(no_git: Path, cli: Callable[..., Result]) -> None:
    (no_git / "agentcfg.yaml").write_text(NO_GIT_MANIFEST + "code:\n  app: {repo: ., ref: main}\n")
    r = cli("lock")
    assert r.exit_code == 2 and "needs the manifest to be inside a git repository" in r.stderr, r
    assert not (no_git / "agentcfg.lock").exists()


def test_release_survives_when_git_refuses_the_commit_for_another_reason(repo: Path,
                                                                         cli: Callable[..., Result]) -> None:
    """Input: commit signing required but impossible (gpg.program is `false`). Expect exit 2
    naming git's failure, the release file restored byte for byte, HEAD unchanged."""
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", "false")
    before = snapshot(repo)
    old = release(repo, "staging")
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 2, r
    assert "git commit failed" in r.stderr and "was restored, nothing changed" in r.stderr, r
    assert release(repo, "staging") == old and head(repo) == before.head
    assert_untouched(before, repo)


def test_a_new_first_release_is_removed_when_the_commit_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              cli: Callable[..., Result]) -> None:
    r0 = init_repo(tmp_path / "r")
    build_tree(r0, {"agentcfg.yaml": NO_GIT_MANIFEST, ".gitignore": ".agentcfg/\n"})
    commit_all(r0, "init")
    monkeypatch.chdir(r0)
    assert cli("lock").exit_code == 0
    commit_all(r0, "lock")
    git(r0, "config", "commit.gpgsign", "true")
    git(r0, "config", "gpg.program", "false")
    before = snapshot(r0)
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 2 and "was restored" in r.stderr, r
    assert not (r0 / "releases/staging.json").exists()
    assert_untouched(before, r0)
