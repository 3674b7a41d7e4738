"""One agentcfg writer at a time per repository.

Deterministic: the first promotion is held *inside* its commit by a pre-commit hook that waits
for a go-file, so the second process is guaranteed to start while the first holds the writer
lock. Exactly one succeeds; the other exits 2 with "another agentcfg is running (pid, command,
since)" and touches nothing; history stays linear.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, git, run_agentcfg

from hardening.helpers import (
    assert_untouched,
    edit,
    head,
    snapshot,
    staging_with_a_pending_change,
    status,
)

BUSY = "another agentcfg is running"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # restored after the test; the helper then chdirs into the repo
    return staging_with_a_pending_change(tmp_path / "repo")


def _gate_commits(repo: Path) -> tuple[Path, Path]:
    """A pre-commit hook that signals it started and waits (at most 30 s) for a go-file."""
    started, go = repo / ".git/hook-started", repo / ".git/hook-go"
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(f"#!/bin/sh\ntouch '{started}'\ni=0\n"
                    f"while [ ! -e '{go}' ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i+1)); done\n")
    hook.chmod(0o755)
    return started, go


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first promotion never reached its commit"
        time.sleep(0.02)


def test_second_writer_is_refused_while_the_first_commits(repo: Path, cli: Callable[..., Result]) -> None:
    started, go = _gate_commits(repo)
    commits_before = git(repo, "rev-list", "--count", "HEAD").strip()
    first = subprocess.Popen([sys.executable, "-m", "agentcfg", "promote", "HEAD", "staging"], cwd=repo,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(started, first)
        # The first process is inside `git commit`, holding the writer lock; its release file
        # is written but not committed. Each second writer must refuse and touch nothing.
        before = snapshot(repo)
        for argv in (("promote", "HEAD", "staging"), ("promote", "staging", "production"),
                     ("rollback", "staging"), ("unhold", "staging")):
            p = run_agentcfg(*argv, cwd=repo, timeout=60)
            assert p.returncode == 2, (argv, p.stderr)
            expected = f"{BUSY} (pid {first.pid} on {socket.gethostname()}, `agentcfg promote HEAD staging`, since "
            assert expected in p.stderr and "hint:" in p.stderr and "writer.lock" in p.stderr, p.stderr
            assert "Traceback" not in p.stderr
        assert_untouched(before, repo)
    finally:
        go.touch()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "promoted" in err, err
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(commits_before) + 1
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["releases/staging.json"]
    assert not (repo / ".agentcfg/writer.lock").exists() and status(repo) == ""
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0 and "already runs" in r.stderr  # the loser re-runs: a no-op
    rows = json.loads(cli("history", "staging", "--format", "json").stdout)["releases"]
    assert [row["action"] for row in rows] == ["promote", "promote"]


def test_two_promotions_started_together_leave_one_release(repo: Path) -> None:
    """No gate: whichever order the OS picks, one process promotes and the other is refused as
    busy or finds the work done; never two commits, never a merge, never a torn file."""
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-m", "agentcfg", "promote", "HEAD", "staging"], cwd=repo, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=60), p.communicate()[1]) for p in procs]
    assert sorted(code for code, _ in results) in ([0, 0], [0, 2]), results
    assert sum("promoted" in err and "→" in err for _, err in results) == 1, results
    assert all(BUSY in err for code, err in results if code == 2)
    assert len(git(repo, "log", "--format=%H", "--", "releases/staging.json").split()) == 2
    assert all(len(line.split()) <= 2 for line in git(repo, "rev-list", "--parents", "HEAD").splitlines())
    assert status(repo) == ""


def test_a_held_writer_lock_blocks_every_writer(repo: Path) -> None:
    """The lock held in this process (pid known): lock, promote and unhold in a child say who."""
    from agentcfg.writelock import writer_lock

    edit(repo, "prompts/greet.md", "Hello", "Hi")  # so `lock` has something to write
    before = snapshot(repo)
    with writer_lock(repo / ".agentcfg", "agentcfg promote staging production --reason drill"):
        for argv in (("lock",), ("promote", "HEAD", "staging"), ("unhold", "staging")):
            p = run_agentcfg(*argv, cwd=repo, timeout=60)
            assert p.returncode == 2, (argv, p.stderr)
            assert (f"{BUSY} (pid {os.getpid()} on {socket.gethostname()}, "
                    "`agentcfg promote staging production --reason drill`, since ") in p.stderr, p.stderr
        # Readers do not need the writer lock.
        assert run_agentcfg("lock", "--check", cwd=repo).returncode == 1
        assert run_agentcfg("promote", "HEAD", "staging", "--dry-run", cwd=repo).returncode == 0
    assert_untouched(before, repo)
    assert not (repo / ".agentcfg/writer.lock").exists()


@pytest.mark.parametrize("owner,words", [
    ({"pid": 1, "host": "build-agent-7", "command": "agentcfg lock", "since": "2026-01-01T00:00:00+0000"},
     "pid 1 on build-agent-7, `agentcfg lock`, since 2026-01-01T00:00:00+0000"),
    ("not json at all", "unknown owner"),
])
def test_a_lock_that_cannot_be_proven_stale_is_respected(repo: Path, cli: Callable[..., Result],
                                                         owner: object, words: str) -> None:
    """Another host's lock (its pid cannot be checked from here) or an unreadable one: refuse,
    say whose it is, and say how to clear it by hand."""
    state = repo / ".agentcfg"
    state.mkdir(exist_ok=True)
    (state / "writer.lock").write_text(owner if isinstance(owner, str) else json.dumps(owner))
    before = snapshot(repo)
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 2 and BUSY in r.stderr and words in r.stderr, r
    assert f"delete {state / 'writer.lock'}" in r.stderr
    assert_untouched(before, repo)
    assert head(repo) == before.head
