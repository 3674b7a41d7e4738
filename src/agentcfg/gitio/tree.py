"""A read-only view of one commit's files (no checkout)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import git


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the tree's base folder
    kind: str  # "blob", "tree", "link" (symlink), "commit" (submodule)
    size: int


@dataclass(frozen=True)
class CommitFolder:
    """One folder of a commit as listed by git itself: enough to find a cached render.

    ``diff`` and ``render --rev`` of locked commits usually hit the render cache (warm/renders.py),
    which needs only the commit's tree id and whether the manifest and lock are there;
    :func:`commit_folder` answers that with two `git` runs instead of importing GitPython and
    opening the repository (~70 ms). :class:`GitTree` does every other read.
    """

    commit_sha: str
    tree_sha: str
    subdir: str  # the folder, relative to the repository's top ('' at the top)
    files: frozenset[str]  # names of its regular files (not symlinks, folders, submodules); empty when it is absent

    def has_file(self, name: str) -> bool:
        return name in self.files


def commit_folder(top: Path, commit: str, subdir: str) -> CommitFolder:
    """The tree id of ``commit`` and the regular files directly in its folder ``subdir``."""
    from agentcfg.errors import GitError
    from agentcfg.gitio.paths import _run
    from agentcfg.gitio.repo import verify_rev

    subdir = subdir.strip("/")
    tree_sha = verify_rev(top, f"{commit}^{{tree}}")
    if tree_sha is None:
        raise GitError(f"commit {commit[:12]} has no tree")
    try:
        # `<commit>:<path>` names the folder literally (no pathspec globbing); -z: raw names.
        listing = str(_run(top, "ls-tree", "-z", "--end-of-options", f"{commit}:{subdir}"))
    except GitError:
        listing = ""  # the folder does not exist at that commit (or is not a folder)
    files = set()
    for record in listing.split("\0"):
        meta, tab, name = record.partition("\t")
        mode, _, kind = meta.partition(" ")
        if tab and kind.startswith("blob") and mode in ("100644", "100755"):
            files.add(name)
    return CommitFolder(commit, tree_sha, subdir, frozenset(files))


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
        data = bytes(stream.read(min(stream.size, limit)))
        if stream.size > len(data):
            from agentcfg.sizes import Head

            return Head(data, stream.size)  # the refusal says the real size
        return data

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
