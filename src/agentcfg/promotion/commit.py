"""Write a release file and commit exactly that file: the one write path of promote/rollback/unhold.

The file is written atomically, then git itself commits it (`git commit --only -- FILE`), so
hooks run, signing follows the user's config, and nothing else in the index or working tree is
touched. If the commit does not happen (a pre-commit hook says no, signing fails, Ctrl-C), the
file is put back exactly as it was and the index entry with it: the repository is as before.
"""

from __future__ import annotations

from pathlib import Path

from agentcfg import failpoints, gitio
from agentcfg.canonical import atomic_write
from agentcfg.errors import GitError
from agentcfg.promotion.target import EnvTarget
from agentcfg.release import ReleaseFile


def write_release(target: EnvTarget, release: ReleaseFile, *, message: str, commit: bool = True,
                  text: str | None = None) -> str | None:
    """Write ``release`` to the environment's file and (unless ``commit`` is False) commit it.

    Returns the new commit's SHA, or None with ``commit=False``. The caller holds the writer
    lock and has checked that the file has no uncommitted changes. ``text`` is the release's
    serialisation when the caller already has it (see ``ReleaseFile.dumps_reusing``).
    """
    path = target.path
    previous = path.read_bytes() if path.exists() else None
    data = (text if text is not None else release.dumps()).encode("utf-8")
    _remove_orphaned_temp_files(path)
    atomic_write(path, data)
    if not commit:
        return None
    repo = target.paths.top  # git itself, not GitPython: see gitio.paths._git
    try:
        failpoints.hit("before-commit")
        sha = gitio.commit_path(repo, target.repo_path, message)
    except GitError as exc:
        _restore(target, previous)
        raise GitError(
            f"{exc.message}; {target.relpath} was restored, nothing changed",
            hint=exc.hint or "see git's message: often a hook (pre-commit, commit-msg) or commit signing; "
                             "fix that and run again, or use --no-commit and commit the file yourself",
        ) from None
    except BaseException:
        # Interrupted: keep the file only if git finished the commit before we were stopped.
        if gitio.read_blob(repo, "HEAD", target.repo_path) != data:
            _restore(target, previous)
        raise
    failpoints.hit("after-commit")
    return sha


def _restore(target: EnvTarget, previous: bytes | None) -> None:
    if previous is None:
        try:
            target.path.unlink()
        except FileNotFoundError:
            pass
        gitio.unstage_path(target.paths.top, target.repo_path)
    else:
        atomic_write(target.path, previous)


def _remove_orphaned_temp_files(path: Path) -> None:
    # A run killed between creating its temp file and the rename leaves `.ENV.json.<random>.tmp`
    # beside the release file (untracked, so `git add -A` would commit it). Only atomic_write
    # makes such names, and the caller holds the writer mutex: no live writer owns one.
    for orphan in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            orphan.unlink()
        except OSError:
            pass
