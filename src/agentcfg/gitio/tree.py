"""A read-only view of one commit's files (no checkout)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    import git

    from agentcfg.gitio.batch import BlobReader


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
    """Read-only view of the files of one commit, under ``subdir`` (the manifest's folder).

    The folder is listed once (one `git ls-tree -r`); blobs come from ``blobs``, a
    :class:`~agentcfg.gitio.batch.BlobReader` that trees of the same run share, so a blob both
    sides of a diff hold is read once. :meth:`prefetch` reads many files in one conversation.
    """

    def __init__(self, repo: "git.Repo | Path", commit: str, subdir: str = "", *,
                 blobs: "BlobReader | None" = None) -> None:
        from agentcfg.gitio.batch import BlobReader

        self.top = repo if isinstance(repo, Path) else Path(repo.working_tree_dir or ".")
        self.commit_sha = commit
        self.subdir = subdir.strip("/")
        self.label = commit[:12]
        self.blobs = blobs if blobs is not None and blobs.top == self.top else BlobReader(self.top)
        self._entries = _list(self.top, commit, self.subdir)
        self._tree_sha: str | None = None

    @property
    def tree_sha(self) -> str:
        """The id of the commit's whole file tree: equal ids mean byte-identical files."""
        if self._tree_sha is None:
            from agentcfg.errors import GitError
            from agentcfg.gitio.repo import verify_rev

            found = verify_rev(self.top, f"{self.commit_sha}^{{tree}}")
            if found is None:
                raise GitError(f"commit {self.commit_sha[:12]} has no tree")
            self._tree_sha = found
        return self._tree_sha

    def _entry(self, relpath: str) -> tuple[str, str, str] | None:
        """(mode, type, object id) of ``relpath``; paths are matched literally, as git names
        them ("a/./b" or "a//b" name nothing)."""
        return self._entries.get(relpath.strip("/"))

    def read(self, relpath: str, limit: int = 10 * 1024 * 1024 + 1) -> bytes | None:
        entry = self._entry(relpath)
        if entry is None or entry[1] != "blob" or entry[0] == "120000":
            return None  # a symlink's blob is its target, never the target's content
        # By default one byte past yamlio's size limit at most: an oversized blob is refused, not
        # loaded (a Head that still says the real size).
        return self.blobs.read(entry[2], limit)

    def prefetch(self, relpaths: Iterable[str]) -> None:
        """Read the blobs of ``relpaths`` (those that are files) in one conversation with git."""
        oids = []
        for rel in relpaths:
            entry = self._entry(rel) if isinstance(rel, str) else None
            if entry is not None and entry[1] == "blob" and entry[0] != "120000":
                oids.append(entry[2])
        self.blobs.prefetch(oids)

    def kind(self, relpath: str) -> str | None:
        entry = self._entry(relpath)
        if entry is None:
            return None
        if entry[1] == "blob":
            return "link" if entry[0] == "120000" else "blob"
        return "submodule" if entry[1] == "commit" else entry[1]  # the names GitPython gave them

    def walk(self, relpath: str) -> Iterator[TreeEntry]:
        base = relpath.strip("/")
        if self._entry(base) is None or self._entry(base)[1] != "tree":  # type: ignore[index]
            return
        prefix = f"{base}/" if base else ""
        below = [path for path in self._entries if path and path.startswith(prefix)]
        # Breadth first, as GitPython's traverse() listed them (the first symlink found is the
        # one an error names): git lists depth first, and a stable sort by depth keeps its order.
        below.sort(key=lambda path: path.count("/"))
        for path in below:
            mode, kind, _ = self._entries[path]
            shown = "link" if kind == "blob" and mode == "120000" else "submodule" if kind == "commit" else kind
            yield TreeEntry(path[len(prefix):], shown, 0)

    def read_files(self, relpaths: list[str]) -> Iterator[tuple[str, bytes | None]]:
        """Each file of ``relpaths`` whole (None when it is not a file), in order, in one
        conversation with git, none of them kept: for data sets, which may weigh gigabytes."""
        oids = []
        for rel in relpaths:
            entry = self._entry(rel)
            oids.append(entry[2] if entry is not None and entry[1] == "blob" and entry[0] != "120000" else "")
        wanted = [oid for oid in oids if oid]
        streamed = self.blobs.stream(wanted)
        for rel, oid in zip(relpaths, oids):
            yield rel, next(streamed)[1] if oid else None


def _list(top: Path, commit: str, subdir: str) -> dict[str, tuple[str, str, str]]:
    """path (relative to ``subdir``) -> (mode, type, object id) of everything below it; '' is
    ``subdir`` itself. Empty when ``subdir`` is not a folder at ``commit``."""
    from agentcfg.errors import GitError
    from agentcfg.gitio.paths import _run

    try:
        # `<commit>:<path>` names the folder literally (no pathspec globbing); -z: raw names.
        listing = bytes(_run(top, "ls-tree", "-r", "-t", "-z", "--end-of-options", f"{commit}:{subdir}",
                             binary=True))
    except GitError:
        return {}
    entries: dict[str, tuple[str, str, str]] = {"": ("040000", "tree", "")}
    for record in listing.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        if not tab:
            continue
        mode, kind, oid = meta.decode("ascii").split(" ")
        entries[name.decode("utf-8", "surrogateescape")] = (mode, kind, oid)
    return entries
