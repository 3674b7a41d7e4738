"""Where a project's files are read from: the working tree, or a commit (no checkout).

Both trees answer the same questions, so loading, validating and rendering a manifest works the
same at ``HEAD~3`` as on disk. Every path a manifest names goes through :func:`check_relpath`:
no absolute paths, and on disk the *real* path (symlinks resolved) must stay inside the
repository.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Protocol

from agentcfg.errors import AgentcfgError
from agentcfg.gitio import GitTree
from agentcfg.warm.rule import Stamp, stamp


class Tree(Protocol):
    label: str

    def read(self, relpath: str) -> bytes | None: ...

    def kind(self, relpath: str) -> str | None: ...


def check_relpath(relpath: str) -> str | None:
    """A reason the path string is unacceptable on its own, or None."""
    if not relpath or "\x00" in relpath:
        return "empty or invalid path"
    if relpath.startswith(("/", "\\")) or (len(relpath) > 1 and relpath[1] == ":"):
        return "absolute paths are not allowed"
    return None


class WorkTree:
    """The files on disk under ``root`` (the manifest folder), confined to ``boundary``.

    Answers are memoised for the tree's lifetime (one command): `validate` loads the manifest
    once per environment and asks about the same few thousand files each time. Path
    work is done on strings; pathlib costs ~50 µs a path, which is most of a warm run at scale.
    """

    def __init__(self, root: Path, boundary: Path | None = None) -> None:
        self.root = root.resolve()
        self.boundary = (boundary or root).resolve()
        self.label = "working tree"
        self._root = str(self.root)
        self._boundary = str(self.boundary)
        self._resolved: dict[str, tuple[str | None, str | None]] = {}
        self._read: dict[str, bytes | None] = {}
        self._folders: dict[str, str] = {}  # lexical folder -> its real path
        self._stamps: dict[str, Stamp | None] = {}  # relpath -> stamp taken just before reading it

    def resolve(self, relpath: str) -> tuple[Path | None, str | None]:
        """(real path, None) when readable and inside the boundary, else (None, reason)."""
        real, why = self.where(relpath)
        return (None if real is None else Path(real)), why

    def where(self, relpath: str) -> tuple[str | None, str | None]:
        """:meth:`resolve` with the real path as a string (what reading needs, and cheaper)."""
        hit = self._resolved.get(relpath)
        if hit is None:
            hit = self._resolved[relpath] = self._resolve(relpath)
        return hit

    def _resolve(self, relpath: str) -> tuple[str | None, str | None]:
        why = check_relpath(relpath)
        if why:
            return None, why
        lexical = os.path.normpath(os.path.join(self._root, relpath))
        if not _inside(lexical, self._boundary):
            return None, "the path leaves the repository"
        try:
            real = self._realpath(lexical)
        except FileNotFoundError:
            return None, "no such file or folder"
        except (OSError, RuntimeError):  # a symlink loop (ELOOP), or RuntimeError on older Pythons
            return None, "cannot resolve the path (symlink loop?)"
        if not _inside(real, self._boundary):
            return None, "the path resolves (through a symlink) outside the repository"
        return real, None

    def _realpath(self, lexical: str) -> str:
        """``os.path.realpath(lexical, strict=True)``, with each folder's real path worked out once.

        realpath walks and lstat()s every component of every path; thousands of files in a few
        folders repeat the same walk. realpath(folder/name) is realpath(folder)/name unless name
        is itself a symlink, which one lstat() tells. (``lexical`` is normalised: no `..`.)
        """
        folder, name = os.path.split(lexical)
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = os.path.realpath(folder, strict=True)
        candidate = os.path.join(real_folder, name)
        if stat.S_ISLNK(os.lstat(candidate).st_mode):
            return os.path.realpath(candidate, strict=True)
        return candidate

    def read(self, relpath: str) -> bytes | None:
        if relpath not in self._read:
            real, _ = self.where(relpath)
            # Stamped before reading: an edit racing with the read leaves a stamp that no longer
            # matches, so warm state can never pair these bytes with a later stamp.
            self._stamps[relpath] = None if real is None else stamp(real)
            self._read[relpath] = None if real is None else read_regular_file(real)
        return self._read[relpath]

    def stamp_before_read(self, relpath: str) -> Stamp | None:
        """The stamp (agentcfg.warm.rule) of ``relpath`` taken before it was read, if it was."""
        return self._stamps.get(relpath)

    def kind(self, relpath: str) -> str | None:
        real, _ = self.where(relpath)
        if real is None:
            return None
        if os.path.isdir(real):
            return "tree"
        if os.path.isfile(real):
            return "blob"
        return "special"


MAX_READ = 10 * 1024 * 1024 + 1  # one byte past yamlio.MAX_BYTES, so oversize is detected, not loaded


def unreadable_reason(tree: Tree, relpath: str) -> str | None:
    """Why ``relpath`` exists but cannot be read as a file; None when it is absent (or readable).

    ``read`` answers None for both "absent" and "a folder, a FIFO, a device, unreadable"; a
    required or optional file (the manifest, an overlay) must never be taken as absent when it
    is there but unusable, or its content would be silently dropped.
    """
    resolve = getattr(tree, "resolve", None)
    root = getattr(tree, "root", None)
    if resolve is None or root is None:  # a commit: a folder, a symlink or a submodule can stand there
        kind = tree.kind(relpath)
        return {"tree": "is a folder, not a file", "link": "is a symlink in the commit; agentcfg reads no symlink "
                "from git objects", "commit": "is a submodule, not a file"}.get(kind or "")
    if check_relpath(relpath) is None and not os.path.lexists(os.path.join(root, relpath)):
        return None
    real, why = resolve(relpath)
    if real is None:
        return "is a symlink to nothing" if why == "no such file or folder" else why
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file; agentcfg never opens one (it would block)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    try:
        with open(real, "rb"):
            pass
    except PermissionError:
        return "cannot be read: permission denied (check the file's owner and mode)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    return None


def read_if_present(tree: Tree, relpath: str) -> bytes | None:
    """The bytes of ``relpath``; None when it does not exist; an error (exit 2) naming it when it
    exists but is a folder, a FIFO, a device, a symlink out of the repository or unreadable."""
    data = tree.read(relpath)
    if data is None:
        why = unreadable_reason(tree, relpath)
        if why:
            raise AgentcfgError(f"{relpath} {why}" if why.startswith(("is ", "cannot ")) else f"{relpath}: {why}",
                                hint=f"make {relpath} a regular, readable file inside the repository, "
                                     "or remove it")
    return data


def read_regular_file(path: str | Path, limit: int = MAX_READ) -> bytes | None:
    """Read a regular file (at most ``limit`` bytes); FIFOs, devices and sockets are never opened
    (a FIFO would block)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    try:
        with open(path, "rb") as fh:
            # Ask for the size stat() saw plus one byte: read(limit) would allocate the whole
            # limit (10 MiB) for every small file. A file that grew since is read on, to the limit.
            data = fh.read(min(limit, st.st_size + 1))
            if len(data) > st.st_size and len(data) < limit:
                data += fh.read(limit - len(data))
    except OSError:
        return None
    if len(data) >= limit:
        from agentcfg.sizes import Head

        return Head(data, max(st.st_size, len(data)))  # the refusal says the real size
    return data


def _inside(path: str, boundary: str) -> bool:
    """Whether absolute, normalised ``path`` is ``boundary`` or below it (string prefix test)."""
    return path == boundary or path.startswith(boundary.rstrip(os.sep) + os.sep)


__all__ = ["GitTree", "Tree", "WorkTree", "check_relpath", "read_if_present", "read_regular_file",
           "unreadable_reason"]
