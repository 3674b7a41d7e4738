"""SIGKILL at the worst moments.

`AGENTCFG_FAILPOINT` makes a real `agentcfg` process kill itself right before or after the
rename of its temp file (canonical.atomic_write) and right before or after the commit
(promotion/commit.py). Afterwards: the lock or release file is the old or the new version,
parses and verifies; the killed writer's hold on `.agentcfg/writer.json` ended with its process and does
not block the next run; no temp file is left behind once agentcfg runs again; history stays
linear. Rollback killed around its commit is covered in
tests/test_rollback.py::test_crash_around_the_commit_leaves_old_or_new.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, git

from hardening.helpers import (
    assert_untouched,
    edit,
    head,
    lock_and_commit,
    make_project,
    snapshot,
    status,
    writer_is_free,
)


def _killed_at(point: str, *argv: str, cwd: Path) -> int:
    """Run agentcfg until it SIGKILLs itself at ``point``; returns the dead process's pid."""
    env = {**os.environ, "AGENTCFG_FAILPOINT": point}
    proc = subprocess.Popen([sys.executable, "-m", "agentcfg", *argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, (point, proc.returncode, out, err)
    return proc.pid


def _stale_writer_lock(repo: Path, pid: int) -> None:
    """The killed process left its details in the mutex file; the kernel released its hold."""
    owner = json.loads((repo / ".agentcfg/writer.json").read_text())
    assert owner["pid"] == pid and owner["command"].startswith("agentcfg ")
    assert writer_is_free(repo)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = make_project(tmp_path / "repo")
    monkeypatch.chdir(r)
    return r


@pytest.mark.parametrize("point", ["before-rename", "after-rename"])
def test_lock_killed_around_the_rename(repo: Path, cli: Callable[..., Result], point: str) -> None:
    from agentcfg.lockfile import parse_lock

    old = (repo / "agentcfg.lock").read_bytes()
    edit(repo, "prompts/greet.md", "how can I help?", "what do you need?")
    pid = _killed_at(point, "lock", cwd=repo)
    _stale_writer_lock(repo, pid)
    now = (repo / "agentcfg.lock").read_bytes()
    parse_lock(now, "agentcfg.lock")  # never torn
    orphans = list(repo.glob(".agentcfg.lock.*.tmp"))
    if point == "before-rename":
        assert now == old and orphans  # killed with the new lock still in its temp file
    else:
        assert now != old and not orphans
    r = cli("lock")
    assert r.exit_code == 0, r  # a dead holder never blocks: the kernel let go of its flock
    new = (repo / "agentcfg.lock").read_bytes()
    assert now in (old, new) and new != old
    assert cli("verify").exit_code == 0
    assert not list(repo.glob(".agentcfg.lock.*.tmp"))  # the orphan was removed
    assert (repo / ".agentcfg/writer.json").read_bytes() == b""  # no holder, no details
    assert status(repo) == " M agentcfg.lock\n M prompts/greet.md\n"


@pytest.fixture
def promoted(repo: Path) -> Path:
    """staging runs the first config; HEAD has a newer one, ready to promote; caches warm (so the
    first atomic write of the real run is the release file itself)."""
    from agentcfg.promotion import promote

    promote("HEAD", "staging")
    edit(repo, "prompts/greet.md", "how can I help?", "what do you need?")
    lock_and_commit(repo, "reword")
    assert promote("HEAD", "staging", dry_run=True).allowed
    return repo


# point -> what the re-run does: "promoted" at once, or "dirty" (refused until the half-written
# file is discarded, as any uncommitted release file must be), or "unchanged".
POINTS = {"before-rename": "promoted", "after-rename": "dirty", "before-commit": "dirty", "after-commit": "unchanged"}


@pytest.mark.parametrize("point", sorted(POINTS))
def test_promote_killed_around_the_write_and_the_commit(promoted: Path, cli: Callable[..., Result], point: str) -> None:
    from agentcfg.promotion import promote
    from agentcfg.release import parse_release

    repo = promoted
    path = repo / "releases/staging.json"
    old, old_head = path.read_bytes(), head(repo)
    new_digest = promote("HEAD", "staging", dry_run=True).digest
    pid = _killed_at(point, "promote", "HEAD", "staging", cwd=repo)
    _stale_writer_lock(repo, pid)
    now = path.read_bytes()
    rel = parse_release(now, "releases/staging.json")  # parses, and its config matches its digest
    assert rel.digest in (json.loads(old)["digest"], new_digest)  # the old release or the new one
    assert cli("verify", "staging").exit_code == 0
    orphans = list(path.parent.glob(".staging.json.*.tmp"))
    assert bool(orphans) == (point == "before-rename")
    assert (now == old) == (point == "before-rename")
    assert (head(repo) != old_head) == (point == "after-commit")

    outcome = POINTS[point]
    if outcome == "dirty":
        before = snapshot(repo)
        r = cli("promote", "HEAD", "staging")
        assert r.exit_code == 2, r
        assert "releases/staging.json has uncommitted changes; agentcfg will not overwrite it" in r.stderr
        assert "git checkout -- releases/staging.json" in r.stderr
        assert_untouched(before, repo)
        git(repo, "checkout", "--", "releases/staging.json")  # what the hint says
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0, r
    assert ("already runs" in r.stderr) == (outcome == "unchanged")
    final = path.read_bytes()
    assert json.loads(final)["digest"] == new_digest
    assert git(repo, "show", "HEAD:releases/staging.json").encode() == final
    assert not list(path.parent.glob(".staging.json.*.tmp"))  # the orphan is gone
    assert status(repo) == ""
    # Linear history: no merge, and exactly two releases of staging.
    assert all(len(line.split()) <= 2 for line in git(repo, "rev-list", "--parents", "HEAD").splitlines())
    assert len(git(repo, "log", "--format=%H", "--", "releases/staging.json").split()) == 2


@pytest.mark.parametrize("point", ["before-rename", "after-rename"])
def test_rollback_killed_around_the_rename(promoted: Path, cli: Callable[..., Result], point: str) -> None:
    from agentcfg.release import parse_release

    repo = promoted
    assert cli("promote", "HEAD", "staging").exit_code == 0
    path = repo / "releases/staging.json"
    old, old_head = path.read_bytes(), head(repo)
    _killed_at(point, "rollback", "staging", "--reason", "incident", cwd=repo)
    now = path.read_bytes()
    parse_release(now, "releases/staging.json")
    assert (now == old) == (point == "before-rename") and head(repo) == old_head
    if point == "after-rename":
        git(repo, "checkout", "--", "releases/staging.json")
    r = cli("rollback", "staging", "--reason", "incident")
    assert r.exit_code == 0, r
    assert json.loads(path.read_bytes())["hold"] is True and status(repo) == ""
    assert not list(path.parent.glob(".staging.json.*.tmp"))
