"""User strings never become git options or transports.

Every revision a user types (diff sides, `render --rev`, promote's SRC, `rollback --to`, `show`)
and every repository URL and ref in a manifest's `code:` section is refused before git sees it
when it could be read as an option (`--output=pwned.txt`, `--upload-pack=touch pwned`), a range
(`main..HEAD`) or a remote helper (`ext::sh -c touch% pwned`). Each case names its input, the
message and the exit code, and checks that nothing was written (no `pwned*` file, every byte
and git ref as before).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, run_agentcfg

from hardening.helpers import assert_untouched, isolated_git, make_project, snapshot

NOT_A_REV = "is not a git revision"  # a leading '-'
BAD_REV = "is not a valid git revision"  # ranges, control characters, other ref-format violations

# (id, argv, exit code, words of the message)
HOSTILE_REVISIONS: list[tuple[str, tuple[str, ...], int, str]] = [
    ("diff-output", ("diff", "--", "--output=pwned.txt"), 2, NOT_A_REV),
    ("diff-upload-pack-new-side", ("diff", "HEAD", "--", "--upload-pack=touch pwned"), 2, NOT_A_REV),
    ("diff-range", ("diff", "main..HEAD"), 2, BAD_REV),
    ("diff-symmetric-range", ("diff", "HEAD...main", "."), 2, BAD_REV),
    ("diff-newline", ("diff", "HEAD\n--output=pwned.txt"), 2, BAD_REV),
    ("diff-escape-sequence", ("diff", "HEAD\x1b[2J"), 2, BAD_REV),
    ("diff-nul", ("diff", "HEAD\x00--output=pwned.txt"), 2, BAD_REV),
    ("render-rev-output", ("render", "staging", "--rev=--output=pwned.txt"), 2, NOT_A_REV),
    ("render-rev-upload-pack", ("render", "staging", "--rev", "--upload-pack=touch pwned"), 2, NOT_A_REV),
    ("render-rev-range", ("render", "staging", "--rev", "HEAD~1..HEAD"), 2, BAD_REV),
    ("render-rev-tab", ("render", "staging", "--rev", "ma\tin"), 2, BAD_REV),
    ("promote-src-output", ("promote", "--", "--output=pwned.txt", "staging"), 2, NOT_A_REV),
    ("promote-src-upload-pack", ("promote", "--", "--upload-pack=touch pwned", "staging"), 2, NOT_A_REV),
    ("promote-src-range", ("promote", "main..HEAD", "staging"), 2, BAD_REV),
    ("promote-src-newline", ("promote", "HEAD\nAgentcfg-Digest: x", "staging"), 2, BAD_REV),
    ("rollback-to-output", ("rollback", "staging", "--to=--output=pwned.txt"), 2, NOT_A_REV),
    ("rollback-to-upload-pack", ("rollback", "staging", "--to", "--upload-pack=touch pwned"), 2, NOT_A_REV),
    ("rollback-to-range", ("rollback", "staging", "--to", "HEAD~2..HEAD"), 2, BAD_REV),
    ("rollback-to-control", ("rollback", "staging", "--to", "HEAD\x7f"), 2, BAD_REV),
    ("show-output", ("show", "--", "--output=pwned.txt"), 2, "is not a digest"),
    ("show-range", ("show", "abcdef1..HEAD"), 2, "is not a digest"),
    ("history-env-option", ("history", "--", "--output=pwned.txt"), 2, "not a valid environment name"),
    ("diff-env-option", ("diff", "env:--output=pwned.txt"), 2, "not a valid environment name"),
    ("promote-dst-option", ("promote", "HEAD", "--", "--output=pwned.txt"), 2, "not a valid environment name"),
]


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project for the whole module: every test below asserts it left it untouched."""
    from agentcfg.promotion import promote

    with isolated_git(tmp_path_factory.mktemp("home")) as mp:
        r = make_project(tmp_path_factory.mktemp("args") / "repo")
        mp.chdir(r)
        promote("HEAD", "staging")
    return r


@pytest.fixture
def repo(shared_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(shared_repo)
    return shared_repo


@pytest.mark.parametrize("case,argv,code,words", HOSTILE_REVISIONS, ids=[c[0] for c in HOSTILE_REVISIONS])
def test_hostile_revision_is_refused_before_git(repo: Path, cli: Callable[..., Result], case: str,
                                                argv: tuple[str, ...], code: int, words: str) -> None:
    before = snapshot(repo)
    r = cli(*argv)
    assert r.exit_code == code, r
    assert words in r.stderr, r
    assert "hint:" in r.stderr  # every refusal says how to fix it
    assert not list(repo.rglob("pwned*")) and not list(repo.parent.rglob("pwned*"))
    assert_untouched(before, repo)


def test_option_like_revision_through_a_real_process(repo: Path) -> None:
    """The same refusals hold outside the test process: argv as a shell passes it, no `pwned.txt`."""
    before = snapshot(repo)
    for argv in (("diff", "--", "--output=pwned.txt"), ("render", "staging", "--rev", "--output=pwned.txt"),
                 ("promote", "--", "--upload-pack=touch pwned", "staging")):
        p = run_agentcfg(*argv, cwd=repo)
        assert p.returncode == 2 and NOT_A_REV in p.stderr, (argv, p.stderr)
        assert "Traceback" not in p.stderr
    assert not list(repo.rglob("pwned*"))
    assert_untouched(before, repo)


CODE = """name: refs
code:
  app: {{repo: "{repo}", ref: "{ref}"}}
"""

# (id, repo, ref, finding code, words): `lock` refuses each with exit 1 before any git command runs.
HOSTILE_CODE_REFS: list[tuple[str, str, str, str, str]] = [
    ("ext-transport", "ext::sh -c touch% pwned", "main", "unsafe-url", "uses a transport agentcfg refuses"),
    ("fd-transport", "fd::17", "main", "unsafe-url", "uses a transport agentcfg refuses"),
    ("http", "http://example.com/agents.git", "main", "unsafe-url", "uses a transport agentcfg refuses"),
    ("git-protocol", "git://example.com/agents.git", "main", "unsafe-url", "uses a transport agentcfg refuses"),
    ("ssh-host-option", "ssh://-oProxyCommand=touch%20pwned/x", "main", "unsafe-url", "starts with '-'"),
    ("ssh-user-option", "ssh://-oProxyCommand=x@example.com/x", "main", "unsafe-url", "starts with '-'"),
    ("scp-path-option", "git@example.com:--upload-pack=touch pwned", "main", "unsafe-url", "starts with '-'"),
    ("ref-upload-pack", ".", "--upload-pack=touch pwned", "unsafe-ref", "is not a git revision"),
    ("ref-output", ".", "--output=pwned.txt", "unsafe-ref", "is not a git revision"),
    ("ref-range", ".", "main..HEAD", "unsafe-ref", "is not a valid git revision"),
    ("ref-newline", ".", "main\\n--output=pwned.txt", "unsafe-ref", "is not a valid git revision"),
    ("ref-control-char", ".", "main\\x1b", "unsafe-ref", "is not a valid git revision"),
    ("ref-reflog", ".", "main@{1}", "unsafe-ref", "is not a valid git revision"),
]


@pytest.mark.parametrize("case,repo_url,ref,code,words", HOSTILE_CODE_REFS, ids=[c[0] for c in HOSTILE_CODE_REFS])
def test_hostile_code_ref_is_refused_by_lock(in_git_dir: Path, cli: Callable[..., Result],
                                             monkeypatch: pytest.MonkeyPatch, case: str, repo_url: str,
                                             ref: str, code: str, words: str) -> None:
    from agentcfg import gitio

    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"git was asked about a hostile code ref: {args}")

    monkeypatch.setattr(gitio, "ls_remote", no_git)
    monkeypatch.setattr(gitio, "resolve_local_ref", no_git)
    (in_git_dir / "agentcfg.yaml").write_text(CODE.format(repo=repo_url, ref=ref), encoding="utf-8")
    before = snapshot(in_git_dir)
    r = cli("lock")
    assert r.exit_code == 1, r
    assert f"[{code}]" in r.stderr and words in r.stderr and "code/app" in r.stderr, r
    assert "agentcfg.yaml:3:" in r.stderr  # file:line of the offending value
    assert not (in_git_dir / "agentcfg.lock").exists()
    assert not list(in_git_dir.rglob("pwned*"))
    assert_untouched(before, in_git_dir)


def test_allowed_transports_pass_validation(in_git_dir: Path, cli: Callable[..., Result]) -> None:
    """The refusals above are specific: https, ssh (both forms) and file URLs are fine."""
    for url in ("https://github.com/org/agents.git", "ssh://git@github.com/org/agents.git",
                "git@github.com:org/agents.git", "file:///srv/git/agents.git"):
        (in_git_dir / "agentcfg.yaml").write_text(CODE.format(repo=url, ref="v1.2.0"), encoding="utf-8")
        r = cli("validate")
        assert r.exit_code == 0, (url, r)
