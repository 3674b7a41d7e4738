"""A read-only view of one commit's files (no checkout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import git


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the tree's base folder
    kind: str  # "blob", "tree", "link" (symlink), "commit" (submodule)
    size: int


class GitTree:
    """Read-only view of the files of one commit, under ``subdir`` (the manifest's folder)."""

    def __init__(self, repo: "git.Repo", commit: str, subdir: str = "") -> None:
        self.repo = repo
        self.commit_sha = commit
        self.subdir = subdir.strip("/")
        self.label = commit[:12]
        self._tree = repo.commit(commit).tree
        self._folders: dict[str, dict[str, Any] | None] = {}  # folder -> {entry name: object}, or None

    @property
    def tree_sha(self) -> str:
        """The id of the commit's whole file tree: equal ids mean byte-identical files."""
        return str(self._tree.hexsha)

    def _object(self, relpath: str):  # type: ignore[no-untyped-def]
        full = "/".join(p for p in (self.subdir, relpath.strip("/")) if p)
        if not full or full == ".":
            return self._tree
        # `tree / "a/b"` re-parses every folder on the way on each call: reading 2,000 files of
        # one folder that way is quadratic (minutes). Each folder is indexed once instead.
        parent, _, name = full.rpartition("/")
        entries = self._folder(parent)
        return entries.get(name) if entries is not None else None

    def _folder(self, path: str) -> dict[str, Any] | None:
        if path in self._folders:
            return self._folders[path]
        if not path:
            obj: Any = self._tree
        else:
            parent, _, name = path.rpartition("/")
            up = self._folder(parent)
            obj = up.get(name) if up is not None else None
        entries = {item.name: item for item in obj} if obj is not None and obj.type == "tree" else None
        self._folders[path] = entries
        return entries

    def read(self, relpath: str, limit: int = 10 * 1024 * 1024 + 1) -> bytes | None:
        obj = self._object(relpath)
        if obj is None or obj.type != "blob":
            return None
        if obj.mode == 0o120000:  # a symlink's blob is its target, never the target's content
            return None
        # By default one byte past yamlio's size limit at most: an oversized blob is refused, not
        # loaded. The stream carries the size: asking `obj.size` first costs a second round trip.
        stream = self.repo.odb.stream(obj.binsha)
        return bytes(stream.read(min(stream.size, limit)))

    def kind(self, relpath: str) -> str | None:
        obj = self._object(relpath)
        if obj is None:
            return None
        if obj.type == "blob":
            return "link" if obj.mode == 0o120000 else "blob"
        return str(obj.type)

    def walk(self, relpath: str) -> Iterator[TreeEntry]:
        obj = self._object(relpath)
        if obj is None or obj.type != "tree":
            return
        base = obj.path
        for item in obj.traverse():
            rel = item.path[len(base) + 1 :]
            kind = "link" if item.type == "blob" and item.mode == 0o120000 else item.type
            yield TreeEntry(rel, kind, item.size if item.type == "blob" else 0)
