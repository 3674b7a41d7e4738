"""One agentcfg writer at a time per repository.

Deterministic: the first promotion is held *inside* its commit by a pre-commit hook that waits
for a go-file, so the second process is guaranteed to start while the first holds the writer
mutex. Exactly one succeeds; the other exits 2 with "another agentcfg is running (pid, command,
since)" and touches nothing; history stays linear. The mutex is a kernel flock: a SIGKILLed
holder releases it, a leftover file blocks nobody, and `--wait` queues behind a live holder.
"""

from __future__ import annotations

import json
import os
import signal
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
    snapshot,
    staging_with_a_pending_change,
    status,
    writer_is_free,
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
            assert expected in p.stderr and "hint:" in p.stderr and "--wait" in p.stderr, p.stderr
            assert "Traceback" not in p.stderr
        assert_untouched(before, repo)
    finally:
        go.touch()
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "promoted" in err, err
    assert int(git(repo, "rev-list", "--count", "HEAD")) == int(commits_before) + 1
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["releases/staging.json"]
    assert writer_is_free(repo) and status(repo) == ""
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


def test_a_held_writer_mutex_blocks_every_writer(repo: Path) -> None:
    """The mutex held in this process (pid known): lock, promote and unhold in a child say who."""
    from agentcfg.writer import exclusive_writer

    edit(repo, "prompts/greet.md", "Hello", "Hi")  # so `lock` has something to write
    before = snapshot(repo)
    with exclusive_writer(repo / ".agentcfg", "agentcfg promote staging production --reason drill"):
        for argv in (("lock",), ("promote", "HEAD", "staging"), ("unhold", "staging"),
                     ("rollback", "staging")):
            p = run_agentcfg(*argv, cwd=repo, timeout=60)
            assert p.returncode == 2, (argv, p.stderr)
            assert (f"{BUSY} (pid {os.getpid()} on {socket.gethostname()}, "
                    "`agentcfg promote staging production --reason drill`, since ") in p.stderr, p.stderr
        # Readers do not need the writer mutex.
        assert run_agentcfg("lock", "--check", cwd=repo).returncode == 1
        assert run_agentcfg("promote", "HEAD", "staging", "--dry-run", cwd=repo).returncode == 0
    assert_untouched(before, repo)
    assert writer_is_free(repo)


@pytest.mark.parametrize("leftover", [
    b"",
    b"not json at all",
    json.dumps({"pid": 1, "host": "build-agent-7", "command": "agentcfg lock", "since": "2026-01-01"}).encode(),
    b"OWN-PID",  # the test process's own (live) pid, on this host
], ids=["empty", "garbage", "other-host", "live-pid"])
def test_a_leftover_mutex_file_blocks_nobody(repo: Path, cli: Callable[..., Result], leftover: bytes) -> None:
    """Whatever a dead writer left in the file (nothing, garbage, another host's details, even
    a live pid's): only a process holding the flock blocks, so the next writer goes ahead."""
    state = repo / ".agentcfg"
    state.mkdir(exist_ok=True)
    if leftover == b"OWN-PID":
        leftover = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": "agentcfg lock"}).encode()
    (state / "writer.json").write_bytes(leftover)
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0 and "promoted" in r.stderr, r
    assert (state / "writer.json").read_bytes() == b""


_HOLDER = """
import sys, time, pathlib
from agentcfg.writer import exclusive_writer
state, ready, hold = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), float(sys.argv[3])
with exclusive_writer(state, "agentcfg rollback staging --reason holder"):
    ready.touch()
    time.sleep(hold)
"""


def _holder(repo: Path, seconds: float) -> tuple[subprocess.Popen[str], Path]:
    """A real process holding the mutex for ``seconds``, once its ready-file exists."""
    ready = repo / ".git/holder-ready"
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(repo / ".agentcfg"), str(ready), str(seconds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(ready, proc)
    return proc, ready


def test_a_sigkilled_holder_releases_the_mutex(repo: Path, cli: Callable[..., Result]) -> None:
    holder, _ = _holder(repo, 600)
    try:
        r = cli("promote", "HEAD", "staging")
        assert r.exit_code == 2 and f"{BUSY} (pid {holder.pid} " in r.stderr, r
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert holder.returncode == -signal.SIGKILL
    # The dead holder's details are still in the file; the kernel dropped its hold.
    assert json.loads((repo / ".agentcfg/writer.json").read_text())["pid"] == holder.pid
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0 and "promoted" in r.stderr, r


def test_wait_queues_behind_a_live_holder(repo: Path) -> None:
    holder, _ = _holder(repo, 2)
    try:
        queued = run_agentcfg("promote", "HEAD", "staging", "--wait", "120", cwd=repo, timeout=180)
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0, holder.stderr
    assert queued.returncode == 0 and "promoted" in queued.stderr, queued.stderr


def test_wait_gives_up_after_its_seconds_naming_the_holder(repo: Path) -> None:
    holder, _ = _holder(repo, 600)
    try:
        before = snapshot(repo)
        p = run_agentcfg("unhold", "staging", "--wait", "0.3", cwd=repo, timeout=60)
        assert p.returncode == 2 and f"{BUSY} (pid {holder.pid} " in p.stderr and "waited 0.3 s" in p.stderr, p.stderr
        assert_untouched(before, repo)
    finally:
        holder.kill()
        holder.wait(timeout=60)


_COUNTER = """
import sys, time, pathlib
from agentcfg.writer import exclusive_writer
state, counter = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for _ in range(5):
    with exclusive_writer(state, "agentcfg counter", wait=120):
        n = int(counter.read_text())
        time.sleep(0.01)  # widen the window a second writer would need
        counter.write_text(str(n + 1))
"""


def test_concurrent_writers_never_overlap(repo: Path) -> None:
    """Four real processes, five turns each, read-sleep-write a counter under the mutex: every
    increment survives, which two writers inside at once would break."""
    counter = repo / ".git/counter"
    counter.write_text("0")
    procs = [subprocess.Popen([sys.executable, "-c", _COUNTER, str(repo / ".agentcfg"), str(counter)],
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert counter.read_text() == "20"
