"""Problems of the user's environment are told as such, naming the file or git state and the
fix: never "internal error ... a bug in agentcfg", never advice for a different problem.

Another user's repository is made with a real `chown` (git's own "dubious ownership" check
then refuses it, as for any user); files another user cannot write are tested by running a
real child process as `nobody` through setpriv(1), skipped where that is not possible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, git, run_agentcfg

from hardening.helpers import assert_untouched, edit, head, make_project, snapshot, staging_with_a_pending_change
from hardening.secret_corpus import tokens
from hardening.test_special_files import as_nobody, nobody_repo  # noqa: F401 - a fixture

INTERNAL = "internal error"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return staging_with_a_pending_change(tmp_path / "repo")


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
                                  "PYTHONIOENCODING": ""}], ids=["pythonioencoding", "lc-all-c"])
def test_output_degrades_on_a_non_utf8_stdout(repo: Path, env: dict[str, str]) -> None:
    edit(repo, "prompts/greet.md", "what do you need?", "qu'y a-t-il, Zoë → 日本?")
    for argv in (("diff", "HEAD"), ("diff", "HEAD", "--format", "markdown"), ("validate",), ("status",)):
        p = run_agentcfg(*argv, cwd=repo, env=env, timeout=120)
        assert p.returncode in (0, 1), (argv, p.stderr)
        assert INTERNAL not in p.stderr and "UnicodeEncodeError" not in p.stderr, (argv, p.stderr)
    p = run_agentcfg("diff", "HEAD", cwd=repo, env=env)
    assert "\\u2192" in p.stdout + p.stderr  # '→' as an escape, the rest of the line intact


def test_another_users_repository_names_git_safe_directory(repo: Path, cli: Callable[..., Result]) -> None:
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    if os.geteuid() == 0 and os.stat(repo).st_uid == os.geteuid():
        pytest.skip("chown had no effect here")
    for argv in (("status",), ("diff", "HEAD~1", "HEAD"), ("history", "staging"), ("promote", "HEAD", "staging"),
                 ("lock", "--check")):
        r = cli(*argv)
        assert r.exit_code == 2, (argv, r)
        assert "dubious ownership" in r.stderr and f"safe.directory {repo}" in r.stderr, (argv, r)
        assert "git init" not in r.stderr and INTERNAL not in r.stderr
    # git's own fix works, and then so does agentcfg.
    git(repo, "config", "--global", "--add", "safe.directory", str(repo))
    assert cli("status").exit_code == 0


def test_a_bare_repository_is_called_bare(repo: Path, tmp_path: Path, cli: Callable[..., Result],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    monkeypatch.chdir(bare)
    for argv in (("status",), ("history", "staging"), ("promote", "HEAD", "staging"), ("diff", "HEAD~1", "HEAD")):
        r = cli(*argv)
        assert r.exit_code == 2 and "is a bare repository" in r.stderr and "git clone" in r.stderr, (argv, r)


def test_a_merge_in_progress_is_not_called_staged_changes(repo: Path, cli: Callable[..., Result]) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "notes.txt").write_text("side\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-qm", "side")
    git(repo, "checkout", "-q", "main")
    (repo / "notes.txt").write_text("main\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-qm", "main")
    merge = subprocess.run(["git", "merge", "side"], cwd=repo, capture_output=True, check=False)
    assert merge.returncode != 0  # a conflict
    before = snapshot(repo)
    for argv in (("promote", "HEAD", "staging"), ("rollback", "staging"), ("unhold", "staging")):
        r = cli(*argv)
        assert r.exit_code == 2, (argv, r)
        assert "a merge is in progress" in r.stderr and "git merge --abort" in r.stderr, (argv, r)
        assert "staged changes" not in r.stderr
    assert_untouched(before, repo)


def test_a_huge_manifest_states_its_real_size(repo: Path, cli: Callable[..., Result]) -> None:
    manifest = repo / "agentcfg.yaml"
    manifest.write_text(manifest.read_text() + "description: " + "y" * (48 * 1024 * 1024) + "\n")
    r = cli("validate")
    assert r.exit_code == 1 and "file is 48.0 MiB; the limit is 10.0 MiB" in r.stdout + r.stderr, r
    git(repo, "commit", "-qam", "huge")
    r = cli("render", "staging", "--rev", "HEAD")
    assert r.exit_code in (1, 2) and "48.0 MiB" in r.stderr, r  # read from a commit, too


@pytest.mark.parametrize(("nesting", "position"), [
    ("metadata: " + "[" * 10_000 + "]" * 10_000, "agentcfg.yaml:2:211"),
    ("metadata: " + "{a: " * 10_000 + "}" * 10_000, "agentcfg.yaml:2:811"),
], ids=["flow-sequences", "flow-mappings"])
def test_deep_nesting_is_refused_at_its_position(tmp_path: Path, nesting: str, position: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "agentcfg.yaml").write_text(f"name: deep\n{nesting}\n")
    p = run_agentcfg("validate", cwd=project, timeout=60)
    assert p.returncode == 1, p.stderr
    assert f"{position}: YAML is nested more than 200 levels deep [yaml-too-deep]" in p.stdout + p.stderr


def test_a_secret_in_a_prompt_file_points_at_its_line_and_column(repo: Path, cli: Callable[..., Result]) -> None:
    token = dict(tokens())["Hugging Face token"]
    (repo / "prompts/greet.md").write_text(f"Hello {{{{user}}}}.\n\nline three\n  use {token} please\n")
    r = cli("validate")
    assert r.exit_code == 1 and "prompts/greet.md:4:7: prompts/greet: looks like a secret (Hugging Face token)" \
        in r.stdout + r.stderr, r
    assert token not in r.stdout + r.stderr


def test_a_missing_git_identity_shows_gits_message_and_the_fix(repo: Path, cli: Callable[..., Result],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")  # never guess user@hostname
    before = head(repo)
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 2, r
    assert "git does not know who you are" in r.stderr and "Please tell me who you are" in r.stderr, r
    assert 'git config user.email "you@example.com"' in r.stderr and "hook" not in r.stderr, r
    assert head(repo) == before and git(repo, "status", "--porcelain") == ""


def test_a_repository_the_user_cannot_write_names_the_path_and_its_owner() -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv(1) to run a command as another user")
    base = Path(tempfile.mkdtemp(prefix="agentcfg-readonly-"))  # pytest's own tmp is 0700
    try:
        base.chmod(0o755)
        project = make_project(base / "repo")  # root's: nobody may read it, not write it
        home = base / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {project}\n")
        os.chown(home, 65534, 65534)
        for argv in (("lock",), ("promote", "HEAD", "staging")):
            p = as_nobody(project, *argv)
            assert p.returncode == 2, (argv, p.stderr)
            assert "permission denied: " in p.stderr and "is owned by root; agentcfg runs as nobody" in p.stderr, \
                p.stderr
            assert INTERNAL not in p.stderr and "bug" not in p.stderr
        assert as_nobody(project, "validate").returncode == 0  # reading needs no write access
    finally:
        shutil.rmtree(base, ignore_errors=True)
