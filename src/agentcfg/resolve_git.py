"""Resolve data and code of a commit that has no committed lock, from git objects alone.

A commit's config is normally pinned by the `agentcfg.lock` committed with it (resolve.LockResolver).
Before a project's first lock — or for `diff HEAD` in a repository that never committed one — that
pin does not exist, so `diff` and `render --rev` fall back to this resolver: data files and folders
are hashed from their blobs exactly as the working tree would hash them (same digests),
and code refs are resolved the way `lock` resolves them today. Promotion never uses it: what is
promoted must be locked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.artefacts.code import CodeRef
from agentcfg.artefacts.data import DataSet
from agentcfg.canonical import digest_bytes
from agentcfg.errors import AgentcfgError
from agentcfg.hashing import folder_digest

if TYPE_CHECKING:
    from agentcfg.gitio import GitTree
    from agentcfg.resolve import LiveResolver

_LOCK_HINT = "commit a lock with the manifest (`agentcfg lock`) so this revision is pinned"


class GitObjectResolver:
    def __init__(self, tree: "GitTree", live: "LiveResolver") -> None:
        self.tree = tree
        self.live = live

    def code(self, name: str, ref: CodeRef) -> dict[str, Any]:
        # `repo: .` without a ref means this commit's code, not the working tree's HEAD.
        return self.live.code(name, ref, at=self.tree.commit_sha)

    def data(self, name: str, ds: DataSet) -> dict[str, Any]:
        aid = f"data/{name}"
        if ds.uri is not None:
            return self.live.data(name, ds)  # the declared version/etag is the pin; nothing to read
        if ds.dvc is not None:
            raise AgentcfgError(f"{self.tree.label} has no lock, and a DVC-tracked data set can only be resolved "
                                "from the working tree", artefact=aid, hint=_LOCK_HINT)
        rel = ds.path or ""
        kind = self.tree.kind(rel)
        if kind == "blob":
            blob = self._blob(rel, aid)
            return {"digest": digest_bytes(blob), "size": len(blob), "files": 1}
        if kind != "tree":
            raise AgentcfgError(f"'{rel}' is not a file or folder at {self.tree.label}", artefact=aid, hint=_LOCK_HINT)
        files: list[str] = []
        for entry in self.tree.walk(rel):
            if entry.kind == "tree":
                continue
            if entry.kind != "blob":
                # Symlinks and submodules hash differently from the working tree: refuse, not guess.
                raise AgentcfgError(f"'{rel}/{entry.path}' is a {entry.kind} in git; it can only be hashed from the "
                                    "working tree", artefact=aid, hint=_LOCK_HINT)
            files.append(entry.path)
        pairs: list[tuple[str, str]] = []
        size = 0
        folder = rel.rstrip("/")
        # One conversation with git for the whole folder, each blob hashed as it arrives and dropped.
        for path, blob in self.tree.read_files([f"{folder}/{p}" for p in files]):
            if blob is None:
                raise AgentcfgError(f"cannot read '{path}' at {self.tree.label}", artefact=aid, hint=_LOCK_HINT)
            pairs.append((path[len(folder) + 1:], digest_bytes(blob)))
            size += len(blob)
        return {"digest": folder_digest(pairs), "size": size, "files": len(pairs)}

    def _blob(self, rel: str, aid: str) -> bytes:
        data = self.tree.read(rel, limit=1 << 40)  # data blobs have no size limit
        if data is None:
            raise AgentcfgError(f"cannot read '{rel}' at {self.tree.label}", artefact=aid, hint=_LOCK_HINT)
        return data
