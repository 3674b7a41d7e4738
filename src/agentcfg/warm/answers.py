"""What the working tree answered while a command ran, and whether it would answer the same now.

Loading and checking a manifest asks a tree three questions per path: where does it really
lead (or why is it refused), what kind of thing is it, and what are its bytes. An
:class:`AnsweringTree` records each answer; :meth:`Answers.holds` asks again, cheaply:

* *where*: the real path (symlinks resolved) must be the recorded one, so a file swapped for a
  symlink, or a folder for a link to somewhere else, is a different answer even when the file
  it reaches has the same stamp; the repository-boundary verdict is a function of that path;
* *kind*: asked again (one ``stat``);
* *bytes*: skipped when the file is unchanged by :mod:`agentcfg.warm.rule`, otherwise read and
  compared by sha256 (a touched but identical file is still the same answer).

Stamps are taken by the working tree *before* it reads a file, so an edit racing with the read
leaves a stamp that no longer matches. Files read by other means (a single data file, a
``.dvc`` file) are recorded with :meth:`Answers.note_stamp` and count as the same only while
their stamp does.
"""

from __future__ import annotations

import hashlib
import os
import stat as stat_mod
from dataclasses import dataclass, field
from typing import Any

from agentcfg.warm.rule import Stamp, now_ns, stamp, stamp_of, unchanged

REFUSED = "!"  # the prefix of a refused resolution's recorded answer


@dataclass
class Answers:
    """The recorded answers of one run (JSON-ready: see :meth:`to_json`)."""

    root: str  # the manifest folder (real path)
    where: dict[str, str] = field(default_factory=dict)  # relpath -> real path, or "!" + reason
    kinds: dict[str, str | None] = field(default_factory=dict)
    reads: dict[str, str | None] = field(default_factory=dict)  # relpath -> sha256 of the bytes, or None
    stamps: dict[str, list[int]] = field(default_factory=dict)  # relpath -> stamp before reading
    created: int = 0

    def note_stamp(self, relpath: str, real: str, taken: Stamp | None) -> None:
        """Record a file read outside the tree (it then counts as the same only by its stamp)."""
        self.where[relpath] = real
        if taken is None:
            self.reads[relpath] = None
            return
        self.stamps[relpath] = list(taken)
        self.reads.setdefault(relpath, "")  # "": no content digest, the stamp alone decides

    def absorb(self, other: Answers) -> None:
        """Take in answers confirmed to hold just now (by :meth:`holds`), keeping our own where both
        have one. Judged later against our (later) :attr:`created`, they are judged no less strictly."""
        for key, where in other.where.items():
            self.where.setdefault(key, where)
        for key, kind in other.kinds.items():
            self.kinds.setdefault(key, kind)
        for key, digest in other.reads.items():
            self.reads.setdefault(key, digest)
        for key, taken in other.stamps.items():
            self.stamps.setdefault(key, taken)

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "where": self.where, "kinds": self.kinds, "reads": self.reads,
                "stamps": self.stamps, "created": self.created}

    @classmethod
    def from_json(cls, blob: Any) -> Answers | None:
        try:
            answers = cls(str(blob["root"]), dict(blob["where"]), dict(blob["kinds"]), dict(blob["reads"]),
                          dict(blob["stamps"]), int(blob["created"]))
        except (KeyError, TypeError, ValueError):
            return None
        return answers

    def holds(self, boundary: str, confirmed: Confirmed | None = None) -> bool:
        """Whether the working tree under ``root`` would give every recorded answer again.

        ``confirmed``: answers this command found to hold already (another memo's, recorded on
        the same tree); they are not asked again, and those found to hold now are added.
        """
        resolver = _Resolver(self.root, boundary)
        if confirmed is None:  # the common case, on every warm run: no bookkeeping
            where = resolver.where
            return (all(where(relpath) == recorded for relpath, recorded in self.where.items())
                    and all(_kind(where(relpath)) == kind for relpath, kind in self.kinds.items())
                    and all(self._same_bytes(where(relpath), relpath, digest, resolver.stamp)
                            for relpath, digest in self.reads.items()))
        seen = confirmed.facts
        at = (self.root, boundary)
        for relpath, recorded in self.where.items():
            fact = (at, "where", relpath, recorded)
            if fact not in seen:
                if resolver.where(relpath) != recorded:
                    return False
                seen.add(fact)
        for relpath, kind in self.kinds.items():
            fact = (at, "kind", relpath, kind)
            if fact not in seen:
                if _kind(resolver.where(relpath)) != kind:
                    return False
                seen.add(fact)
        for relpath, digest in self.reads.items():
            # Only a content comparison is a fact about the file alone; a stamp is judged
            # against the moment its own memo was recorded.
            fact = (at, "bytes", relpath, digest) if digest else None
            if fact is None or fact not in seen:
                if not self._same_bytes(resolver.where(relpath), relpath, digest, resolver.stamp):
                    return False
                if fact is not None:
                    seen.add(fact)
        return True

    def _same_bytes(self, real: str, relpath: str, digest: str | None, stamps: Any = None) -> bool:
        if real.startswith(REFUSED):
            return digest is None
        if unchanged(self.stamps.get(relpath), stamp(real) if stamps is None else stamps(real), self.created):
            return True
        if not digest:
            return False  # recorded by stamp only, or unreadable then and maybe readable now
        from pathlib import Path

        from agentcfg.trees import read_regular_file

        data = read_regular_file(Path(real))  # the same reader the tree uses: the same limits
        return data is not None and hashlib.sha256(data).hexdigest() == digest


class Confirmed:
    """Answers found to hold during one command, so each is asked of the tree once.

    `lock` checks the base manifest's memo and then each environment's; an environment's answers
    repeat the base's (its load read the same files through the same recording tree). A cold
    `lock` reads each file once; the warm one should not read it twice. Memory only, for one
    command: nothing of it outlives the process.
    """

    def __init__(self) -> None:
        self.facts: set[tuple[Any, ...]] = set()


class AnsweringTree:
    """Wraps a tree and records every answer it gives into :attr:`answers`."""

    def __init__(self, inner: Any, *, started: int | None = None) -> None:
        self.inner = inner
        self.label = inner.label
        self.root = inner.root
        self.boundary = inner.boundary
        # When recording started, before any stamp was taken: the racy window is measured from
        # here, so a stamp taken later in a long run is judged as if it were taken this early.
        self.answers = Answers(str(inner.root), created=started if started is not None else now_ns())

    def resolve(self, relpath: str) -> Any:
        real, why = answer = self.inner.resolve(relpath)
        self.answers.where[relpath] = str(real) if real is not None else REFUSED + str(why)
        return answer

    def where(self, relpath: str) -> tuple[str | None, str | None]:
        """:meth:`resolve` with the real path as a string, recorded the same way."""
        where = getattr(self.inner, "where", None)
        if where is None:
            real, why = self.resolve(relpath)
            return (None if real is None else str(real)), why
        real, why = answer = where(relpath)
        self.answers.where[relpath] = real if real is not None else REFUSED + str(why)
        return answer

    def read(self, relpath: str) -> bytes | None:
        self.where(relpath)
        data: bytes | None = self.inner.read(relpath)
        self.answers.reads[relpath] = None if data is None else hashlib.sha256(data).hexdigest()
        taken = self.stamp_before_read(relpath)
        if taken is not None:
            self.answers.stamps[relpath] = list(taken)
        return data

    def kind(self, relpath: str) -> str | None:
        self.where(relpath)
        kind: str | None = self.inner.kind(relpath)
        self.answers.kinds[relpath] = kind
        return kind

    def stamp_before_read(self, relpath: str) -> Stamp | None:
        """The stamp the working tree took before it read ``relpath`` (None when it did not read it)."""
        inner = getattr(self.inner, "stamp_before_read", None)
        return inner(relpath) if inner is not None else None


class _Resolver:
    """The working tree's resolution (``trees.WorkTree.resolve``) as a string, for a path that
    was resolved before: a real path, or ``"!"`` when it is refused now."""

    def __init__(self, root: str, boundary: str) -> None:
        self.root = root
        self.boundary = boundary
        self._folders: dict[str, str | None] = {}
        self._memo: dict[str, str] = {}
        self._stats: dict[str, os.stat_result] = {}  # real path -> its lstat, taken while resolving it

    def stamp(self, real: str) -> Stamp | None:
        """The stamp of ``real`` (a path :meth:`where` gave): the lstat taken while resolving it
        when it is no symlink (then it is the stat), else a stat now."""
        st = self._stats.get(real)
        return stamp_of(st) if st is not None else stamp(real)

    def where(self, relpath: str) -> str:
        hit = self._memo.get(relpath)
        if hit is None:
            hit = self._memo[relpath] = self._where(relpath)
        return hit

    def _where(self, relpath: str) -> str:
        lexical = os.path.normpath(os.path.join(self.root, relpath))
        if not _inside(lexical, self.boundary):
            return self._refused(relpath)
        folder, name = os.path.split(lexical)
        if folder not in self._folders:
            try:
                self._folders[folder] = os.path.realpath(folder, strict=True)
            except FileNotFoundError:
                self._folders[folder] = ""  # missing: as missing as the file
            except (OSError, RuntimeError, ValueError):
                self._folders[folder] = None
        real_folder = self._folders[folder]
        try:
            if real_folder is None:
                raise OSError
            if real_folder == "":
                raise FileNotFoundError
            candidate = os.path.join(real_folder, name)
            st = os.lstat(candidate)
            if stat_mod.S_ISLNK(st.st_mode):
                candidate = os.path.realpath(candidate, strict=True)
            else:
                self._stats[candidate] = st
        except FileNotFoundError:
            # The working tree's words for it (an absent overlay is asked about on every run). Were
            # the path refused for another reason, that reason was recorded: this one differs.
            return REFUSED + "no such file or folder"
        except (OSError, RuntimeError, ValueError):
            return self._refused(relpath)
        if not _inside(candidate, self.boundary):
            return self._refused(relpath)
        return candidate

    def _refused(self, relpath: str) -> str:
        # The exact reason matters (it is printed): ask the working tree itself. Rare on a warm path.
        from pathlib import Path

        from agentcfg.trees import WorkTree

        real, why = WorkTree(Path(self.root), Path(self.boundary)).resolve(relpath)
        return str(real) if real is not None else REFUSED + str(why)


def _kind(real: str) -> str | None:
    if real.startswith(REFUSED):
        return None
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return None
    return "tree" if stat_mod.S_ISDIR(mode) else "blob" if stat_mod.S_ISREG(mode) else "special"


def _inside(path: str, boundary: str) -> bool:
    return path == boundary or path.startswith(boundary.rstrip(os.sep) + os.sep)
