"""A manifest or overlay that is there but is not a readable file is an error naming it, never
"absent": a folder, a FIFO (never opened: it would block), a symlink to /dev/zero, a file the
user cannot read. A FIFO inside a data folder is reported by validate, not first by lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Result, run_agentcfg

from hardening.helpers import make_project

# Each makes ``path`` something other than a regular readable file; returns the words the
# error must use.
MAKERS: dict[str, Callable[[Path], str]] = {
    "folder": lambda p: (p.mkdir(), "is a folder")[1],
    "fifo": lambda p: (os.mkfifo(p), "is a FIFO")[1],
    "dev-zero": lambda p: (p.symlink_to("/dev/zero"), "outside the repository")[1],
    "dangling-symlink": lambda p: (p.symlink_to("nowhere.yaml"), "symlink to nothing")[1],
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = make_project(tmp_path / "repo")
    monkeypatch.chdir(r)
    return r


def _replace(path: Path, kind: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    return MAKERS[kind](path)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_unusable_overlay_is_an_error_naming_it(repo: Path, kind: str) -> None:
    lock_before = (repo / "agentcfg.lock").read_bytes()
    words = _replace(repo / "environments/staging.yaml", kind)
    for argv in (("validate",), ("validate", "--env", "staging"), ("render", "staging"), ("lock",),
                 ("lock", "--check")):
        # A child process with a timeout: a FIFO that were opened would block forever.
        p = run_agentcfg(*argv, cwd=repo, timeout=60)
        assert p.returncode == 2, (argv, p.stdout, p.stderr)
        assert "environments/staging.yaml" in p.stderr and words in p.stderr, (argv, p.stderr)
        assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    assert (repo / "agentcfg.lock").read_bytes() == lock_before  # never rewritten without the overlay


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_an_unusable_manifest_is_not_a_missing_one(repo: Path, kind: str) -> None:
    manifest = repo / "agentcfg.yaml"
    manifest.rename(repo / "real.yaml")
    words = _replace(manifest, kind)
    for argv in (("validate",), ("lock",), ("render", "staging"), ("diff", "HEAD")):
        p = run_agentcfg(*argv, cwd=repo, timeout=60)
        assert p.returncode == 2, (argv, p.stderr)
        assert "agentcfg.yaml" in p.stderr and words in p.stderr and "no agentcfg.yaml" not in p.stderr, (argv, p.stderr)


def test_warm_validate_sees_an_overlay_turn_into_a_fifo(repo: Path, cli: Callable[..., Result]) -> None:
    overlay = repo / "environments/staging.yaml"
    overlay.parent.mkdir(exist_ok=True)
    overlay.write_text("models:\n  chat: {parameters: {temperature: 0.2}}\n")
    assert cli("validate").exit_code == 0
    assert cli("validate").exit_code == 0  # warm
    overlay.unlink()
    os.mkfifo(overlay)
    r = cli("validate")
    assert r.exit_code == 2 and "environments/staging.yaml is a FIFO" in r.stderr, r


def test_a_fifo_in_a_data_folder_is_reported_by_validate(repo: Path) -> None:
    os.mkfifo(repo / "data/corpus/sub/queue")
    p = run_agentcfg("validate", cwd=repo, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "data/corpus" in p.stdout + p.stderr and "'data/corpus/sub/queue' is a FIFO (named pipe)" in p.stdout + p.stderr
    assert "[special-file]" in p.stdout + p.stderr
    p = run_agentcfg("lock", cwd=repo, timeout=60)
    assert p.returncode in (1, 2) and "queue" in p.stderr  # lock refuses too, and never blocks


# --- files another user owns ----------------------------------------------------------------

SETPRIV = shutil.which("setpriv")


@pytest.fixture
def nobody_repo(tmp_path: Path) -> Iterator[Path]:
    """The project in a world-traversable folder owned by `nobody`, for commands run as nobody."""
    if os.geteuid() != 0 or SETPRIV is None:
        pytest.skip("needs root and setpriv(1) to run a command as another user")
    base = Path(tempfile.mkdtemp(prefix="agentcfg-nobody-"))
    try:
        base.chmod(0o755)
        repo = make_project(base / "repo")
        subprocess.run(["chown", "-R", "nobody:nogroup", str(base)], check=True)
        yield repo
    finally:
        shutil.rmtree(base, ignore_errors=True)


def as_nobody(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = repo.parent / "home"
    home.mkdir(exist_ok=True)
    os.chown(home, 65534, 65534)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "N", "GIT_AUTHOR_EMAIL": "n@example.com", "GIT_COMMITTER_NAME": "N",
           "GIT_COMMITTER_EMAIL": "n@example.com", "PYTHONDONTWRITEBYTECODE": "1"}
    assert SETPRIV is not None
    return subprocess.run([SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-m",
                           "agentcfg", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_an_unreadable_overlay_names_the_file_and_the_fix(nobody_repo: Path) -> None:
    overlay = nobody_repo / "environments/staging.yaml"
    overlay.parent.mkdir(exist_ok=True)
    overlay.write_text("models:\n  chat: {parameters: {temperature: 0.2}}\n")
    os.chown(overlay.parent, 65534, 65534)
    os.chown(overlay, 0, 0)
    overlay.chmod(0o600)  # root's, unreadable to nobody
    p = as_nobody(nobody_repo, "validate", "--env", "staging")
    assert p.returncode == 2, p.stderr
    assert "environments/staging.yaml cannot be read: permission denied" in p.stderr, p.stderr
    assert "internal error" not in p.stderr


def test_a_symlinked_overlay_in_a_commit_is_an_error_not_absent(repo: Path) -> None:
    """From git objects a symlink is never followed; the overlay must not silently vanish from
    `render --rev` or a promotion (which renders the commit) either."""
    from conftest import commit_all

    overlay = repo / "environments/real-staging.yaml"
    overlay.parent.mkdir(exist_ok=True)
    overlay.write_text("models:\n  chat: {parameters: {temperature: 0.2}}\n")
    (repo / "environments/staging.yaml").symlink_to("real-staging.yaml")
    commit_all(repo, "overlay through a symlink")
    for argv in (("render", "staging", "--rev", "HEAD"), ("promote", "HEAD", "staging", "--dry-run")):
        p = run_agentcfg(*argv, cwd=repo, timeout=60)
        assert p.returncode == 2, (argv, p.stdout, p.stderr)
        assert "environments/staging.yaml is a symlink in the commit" in p.stderr, (argv, p.stderr)
