"""The one rule every cache under ``.agentcfg/cache/`` follows to call an input unchanged.

It is git's index rule (Documentation/technical/racy-git.txt):

* a file is *unchanged* only when its stamp — (size, mtime_ns, ctime_ns, inode, device) of the
  real file, symlinks resolved — equals the recorded one. ctime is in the stamp because nobody
  can set it: an in-place edit that puts the old mtime back (``touch -r``, ``os.utime``) still
  moves ctime, and a hard link or a rename moves the inode or the device;
* a stamp whose mtime lies within :data:`RACY_NS` of the moment it was recorded is *racy*: an
  edit in the same clock tick could keep every field, so the file is re-read (and compared by
  content) or the entry is not trusted at all;
* every key includes :func:`code_digest`, a sha256 of agentcfg's own source files, so an
  answer computed by other code (an upgrade, a git checkout, an editable install being edited)
  is never replayed. ``__version__`` does not change between commits; the code does.

This module imports nothing heavy: the warm paths of `lock` and `validate` start here.
"""

from __future__ import annotations

import hashlib
import os
import time
from functools import lru_cache
from pathlib import Path

RACY_NS = 2_000_000_000  # 2 s: covers coarse filesystem clocks (and FAT's 2 s mtimes)

Stamp = tuple[int, int, int, int, int]  # (size, mtime_ns, ctime_ns, inode, device)


def now_ns() -> int:
    return time.time_ns()


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def stamp(path: str | Path) -> Stamp | None:
    """The stamp of the file ``path`` names (symlinks followed), or None when it cannot be stat()ed."""
    try:
        return stamp_of(os.stat(path))
    except (OSError, ValueError):
        return None


def racy(recorded: Stamp | list[int], recorded_at: int) -> bool:
    """Whether a stamp taken at ``recorded_at`` is too fresh to vouch for the file's bytes."""
    return int(recorded[1]) >= recorded_at - RACY_NS


def unchanged(recorded: object, current: Stamp | None, recorded_at: int) -> bool:
    """The rule: the same stamp, recorded long enough after the file's last modification."""
    if current is None or not isinstance(recorded, (list, tuple)) or len(recorded) != 5:
        return False
    return tuple(recorded) == current and not racy(current, recorded_at)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the path and bytes of every ``.py`` file of the installed agentcfg package.

    Computed once per process (~600 KB of source: a few milliseconds). Any change to the code
    that computed a cached answer changes every cache key.
    """
    return digest_of_sources(Path(__file__).resolve().parent.parent)


def digest_of_sources(package: Path) -> str:
    """sha256 over the relative path and bytes of every ``.py`` file below ``package``."""
    h = hashlib.sha256()
    for rel, path in sorted(_sources(str(package), "")):
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(path, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
        except OSError:
            h.update(b"unreadable")
    return h.hexdigest()


def _sources(folder: str, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return found
    for entry in entries:
        if entry.name == "__pycache__":
            continue
        if entry.is_dir(follow_symlinks=False):
            found += _sources(entry.path, prefix + entry.name + "/")
        elif entry.name.endswith(".py"):
            found.append((prefix + entry.name, entry.path))
    return found
