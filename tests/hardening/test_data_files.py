"""Data folders given to `agentcfg lock`: symlinks out of the repository,
symlink loops, FIFOs, files vanishing mid-hash, absolute and `..` paths.

`validate` already refuses bad paths named in the manifest (tests/hardening/test_paths_validate.py,
tests/fixtures/invalid/file-*); these cases are about what `lock` finds *inside* a data folder,
where only hashing sees it. Each refusal names the artefact and the offending path, exits 2 (or
1 for a manifest finding), leaves the committed lock byte for byte, and never prints the content
of a file outside the repository. Unit-level twins live in tests/test_hashing.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, run_agentcfg

from hardening.helpers import assert_untouched, make_project, snapshot, writer_is_free

OUTSIDE = "OUTSIDE-THE-REPOSITORY-CONTENT\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = make_project(tmp_path / "repo")
    (tmp_path / "outside.md").write_text(OUTSIDE)
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir/x.md").write_text(OUTSIDE)
    monkeypatch.chdir(r)
    return r


def _symlink_out(repo: Path) -> None:
    os.symlink("../../../../outside.md", repo / "data/corpus/sub/leak.md")


def _symlink_dir_out(repo: Path) -> None:
    os.symlink(str(repo.parent / "outside-dir"), repo / "data/corpus/more")


def _symlink_loop(repo: Path) -> None:
    os.symlink("..", repo / "data/corpus/sub/up")


def _self_loop(repo: Path) -> None:
    os.symlink("self", repo / "data/corpus/self")


def _dangling(repo: Path) -> None:
    os.symlink("nowhere.md", repo / "data/corpus/ghost.md")


def _fifo(repo: Path) -> None:
    os.mkfifo(repo / "data/corpus/pipe")


# (id, how to break the data folder, words of the message)
BROKEN_FOLDERS: list[tuple[str, Callable[[Path], None], str]] = [
    ("symlink-file-out", _symlink_out, "symlink 'data/corpus/sub/leak.md' resolves outside the repository"),
    ("symlink-dir-out", _symlink_dir_out, "symlink 'data/corpus/more' resolves outside the repository"),
    ("symlink-loop", _symlink_loop, "symlink loop at 'data/corpus/sub/up'"),
    ("symlink-self-loop", _self_loop, "symlink loop at 'data/corpus/self'"),
    ("dangling-symlink", _dangling, "symlink 'data/corpus/ghost.md' points at nothing"),
    ("fifo", _fifo, "'data/corpus/pipe' is a FIFO"),
]


@pytest.mark.parametrize("case,breaker,words", BROKEN_FOLDERS, ids=[c[0] for c in BROKEN_FOLDERS])
def test_lock_refuses_a_hostile_data_folder(repo: Path, cli: Callable[..., Result], case: str,
                                            breaker: Callable[[Path], None], words: str) -> None:
    breaker(repo)
    (repo / "prompts/greet.md").write_text("Hello {{user}}, changed.\n")  # so a lock would be written
    before = snapshot(repo)
    for argv in (("lock",), ("lock", "--check"), ("verify",)):
        r = cli(*argv)
        # A FIFO is already a validation finding (exit 1, like any invalid manifest lock is given);
        # the others are found while hashing (exit 2).
        assert r.exit_code == (1 if case == "fifo" else 2), (argv, r)
        assert words in r.stderr and "data/corpus" in r.stderr and "hint:" in r.stderr, (argv, r)
        assert OUTSIDE.strip() not in r.stdout + r.stderr
    assert_untouched(before, repo)
    assert writer_is_free(repo)  # released on the error path


def test_fifo_never_blocks_a_real_process(repo: Path) -> None:
    """A FIFO nobody writes to would block `open()` forever: lock, verify and validate finish."""
    _fifo(repo)
    os.mkfifo(repo / "data/pipe-as-path")
    (repo / "agentcfg.yaml").write_text((repo / "agentcfg.yaml").read_text().replace(
        "corpus: {path: data/corpus, role: corpus}",
        "corpus: {path: data/corpus, role: corpus}\n  piped: {path: data/pipe-as-path}"))
    before = snapshot(repo)
    for argv in (("lock",), ("verify",), ("validate",)):
        p = run_agentcfg(*argv, cwd=repo, timeout=30)  # a hang fails here with TimeoutExpired
        assert "Traceback" not in p.stderr
        assert p.returncode in (1, 2) and "is a FIFO" in p.stdout + p.stderr, (argv, p.stderr)
    assert_untouched(before, repo)


@pytest.mark.parametrize("when", ["after-listing", "before-open"])
def test_file_vanishing_while_hashing(repo: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
                                      when: str) -> None:
    """Input: `data/corpus/sub/b.md` deleted after the folder was listed (or just before it is
    opened). Expect exit 2, "vanished while hashing" naming the file, the old lock untouched."""
    from agentcfg import hashing

    (repo / "prompts/greet.md").write_text("Hello {{user}}, changed.\n")
    victim = repo / "data/corpus/sub/b.md"
    if when == "after-listing":
        real_walk = hashing._walk

        def walk_then_delete(*args: Any) -> Any:
            files = list(real_walk(*args))
            victim.unlink(missing_ok=True)
            return iter(files)

        monkeypatch.setattr(hashing, "_walk", walk_then_delete)
    else:
        real_digest = hashing.file_digest

        def delete_then_digest(path: str, **kwargs: Any) -> Any:
            if path.endswith("b.md"):
                victim.unlink(missing_ok=True)
            return real_digest(path, **kwargs)

        monkeypatch.setattr(hashing, "file_digest", delete_then_digest)
    old_lock = (repo / "agentcfg.lock").read_bytes()
    r = cli("lock", "--format", "json")
    assert r.exit_code == 2, r
    assert "'data/corpus/sub/b.md' vanished while hashing" in r.stderr and "data/corpus" in r.stderr, r
    assert r.stdout == ""  # no half result printed as if it were one
    assert (repo / "agentcfg.lock").read_bytes() == old_lock
    assert not list(repo.glob(".agentcfg.lock.*.tmp"))


# (id, data entry, finding code, words): refused by the manifest checks before any hashing (exit 1).
BAD_PATHS: list[tuple[str, str, str, str]] = [
    ("absolute", "{path: /etc}", "file-outside-repo", "absolute paths are not allowed"),
    ("dotdot", "{path: ../outside-dir}", "file-outside-repo", "the path leaves the repository"),
    ("dotdot-inside-first", "{path: data/../../outside.md}", "file-outside-repo", "the path leaves the repository"),
    ("symlinked-folder", "{path: data/link}", "file-outside-repo", "resolves (through a symlink) outside"),
    ("dvc-outside", "{dvc: ../outside.md.dvc}", "file-outside-repo", "the path leaves the repository"),
]


@pytest.mark.parametrize("case,entry,code,words", BAD_PATHS, ids=[c[0] for c in BAD_PATHS])
def test_lock_refuses_data_paths_leaving_the_repository(repo: Path, cli: Callable[..., Result], case: str,
                                                        entry: str, code: str, words: str) -> None:
    os.symlink(str(repo.parent / "outside-dir"), repo / "data/link")
    manifest = (repo / "agentcfg.yaml").read_text().replace(
        "corpus: {path: data/corpus, role: corpus}", f"corpus: {entry}")
    (repo / "agentcfg.yaml").write_text(manifest)
    before = snapshot(repo)
    r = cli("lock")
    assert r.exit_code == 1, r
    assert f"[{code}]" in r.stderr and words in r.stderr and "data/corpus" in r.stderr, r
    assert "agentcfg.yaml:7:" in r.stderr  # the line of the data entry
    assert OUTSIDE.strip() not in r.stdout + r.stderr
    assert_untouched(before, repo)
