"""Resolvers: pin what a manifest only names (data content, code commits).

Two implementations of :class:`agentcfg.rendering.Resolver`:

* :class:`LiveResolver` looks at the world now: hashes data on disk (through the stat cache),
  asks git which commit a ref names (``git ls-remote`` for other repositories: no clone).
* :class:`LockResolver` answers from a lock's recorded entries, so a commit's config can be
  rendered later without the data or the network, and refuses when the lock is stale.

Both return exactly the same keys for the same inputs (:data:`RESOLVED_KEYS`), so rendering
from a fresh lock gives the same root digest as rendering live.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError, CheckFailed, GitError, Location
from agentcfg.hashing import Progress, hash_data

if TYPE_CHECKING:  # resolvers only read attributes: no pydantic on lock's warm-manifest path
    from agentcfg.artefacts.code import CodeRef
    from agentcfg.artefacts.data import DataSet
    from agentcfg.project import Project
    from agentcfg.warm.digests import StatCache
    from agentcfg.warm.lockinputs import InputRecorder

RESOLVED_KEYS: dict[str, tuple[str, ...]] = {
    "code": ("commit", "tree"),
    "data": ("digest", "size", "files", "md5"),
}
"""What a resolver adds to an artefact's rendered entry (the rest comes from the manifest)."""

SOURCE_KEYS: dict[str, tuple[str, ...]] = {
    "code": ("repo", "ref", "path"),
    "data": ("path", "dvc", "uri", "version", "etag"),
}
"""What the manifest asks for; a lock entry whose source differs is stale."""


def is_local_repo(repo: str) -> bool:
    """`.`, a relative path, or a file:// URL: reachable without the network."""
    # `ext::cmd` has no "://" and no "@" but is a remote helper: it must reach safe_url (refused).
    return repo == "." or repo.startswith("file://") or ("://" not in repo and "@" not in repo and "::" not in repo)


class LiveResolver:
    """Resolves against the working tree and live git refs (implements ``render.Resolver``)."""

    def __init__(self, project: "Project", *, progress: Progress | None = None,
                 use_cache: bool = True) -> None:
        self.project = project
        self.progress = progress
        self._stat_cache: StatCache | None = None
        self._use_cache = use_cache
        self._memo: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.recorder: InputRecorder | None = None  # set by `lock` to remember its inputs
        self._pending: dict[tuple[Any, ...], Future[dict[str, Any]]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._cancel = threading.Event()

    @property
    def stat_cache(self) -> "StatCache":
        if self._stat_cache is None:
            from agentcfg.warm.digests import CACHE_NAME, StatCache

            path = self.project.state_dir / "cache" / CACHE_NAME if self._use_cache else None
            self._stat_cache = StatCache(path)
        return self._stat_cache

    def prefetch(self, datasets: dict[str, DataSet]) -> None:
        """Start hashing local data in the background while the caller loads and checks the rest.

        hashlib and file reads release the GIL, so the hashing overlaps the (pure Python)
        manifest work; :meth:`data` then waits for the result. Errors surface there, in order.
        """
        from concurrent.futures import ThreadPoolExecutor

        todo = {n: ds for n, ds in datasets.items() if ds.path is not None}
        if not todo:
            return
        _ = self.project.repo_root, self.stat_cache  # created here, not raced for in the pool
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentcfg-prefetch")
        for name, ds in sorted(todo.items()):
            key = self._data_key(ds)
            if key not in self._memo and key not in self._pending:
                self._pending[key] = self._pool.submit(self._resolve_data, f"data/{name}", ds)

    def close(self) -> None:
        """Stop background hashing that nobody will wait for (call in a ``finally``)."""
        self._cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def save_cache(self) -> None:
        """Persist the stat cache (best effort; call once after resolving)."""
        if self._stat_cache is not None:
            self._stat_cache.save()

    # --- code --------------------------------------------------------------------------------

    def code(self, name: str, ref: CodeRef, *, at: str = "HEAD") -> dict[str, Any]:
        """Pin ``ref``; ``at`` is the commit being locked, which `repo: .` without a ref names."""
        key = ("code", ref.repo, ref.ref, ref.path, at if ref.ref is None else None)
        if key not in self._memo:
            self._memo[key] = self._resolve_code(f"code/{name}", ref, at)
        return dict(self._memo[key])

    def _resolve_code(self, aid: str, ref: CodeRef, at: str) -> dict[str, Any]:
        from agentcfg import gitio

        wanted = ref.ref if ref.ref is not None else at
        try:
            gitio.safe_rev(wanted)
        except AgentcfgError as exc:
            raise AgentcfgError(exc.message, artefact=aid, hint=exc.hint) from None
        if is_local_repo(ref.repo):
            repo, subdir = self._local_repo(aid, ref.repo)
            commit = gitio.resolve_local_ref(repo, wanted)
            if commit is None:
                raise _missing_ref(aid, ref, gitio.is_shallow(repo))
            if self.recorder is not None:
                self.recorder.add_ref(str(gitio.toplevel(repo)), wanted, commit)
            path = "/".join(p for p in (subdir, (ref.path or "").strip("/")) if p) if ref.path else None
            if ref.repo == ".":
                commit = self._last_code_commit(aid, repo, commit, path, subdir) or commit
            out: dict[str, Any] = {"commit": commit}
            if path is not None:
                tree = gitio.object_id(repo, commit, path)
                if tree is None:
                    raise AgentcfgError(f"path '{ref.path}' does not exist at {wanted} ({commit[:12]})",
                                        artefact=aid, hint="fix `path:` or the ref")
                out["tree"] = tree
            return out
        if self.recorder is not None:
            self.recorder.usable = False  # a remote ref can move without anything local changing
        try:
            commit = gitio.ls_remote(ref.repo, wanted)
        except GitError as exc:
            raise GitError(exc.message, artefact=aid, hint=exc.hint) from None
        if commit is None:
            raise _missing_ref(aid, ref, False)
        # A remote's tree would need a fetch; the commit pins it (see docs/lock-format.md).
        return {"commit": commit}

    def _last_code_commit(self, aid: str, repo: Any, tip: str, path: str | None, subdir: str) -> str | None:
        """For `repo: .`: the newest commit on the ref that changed the code.

        Committing the lock (or a release file) moves the branch that holds the manifest; if
        the lock pinned the branch tip, it would be stale the moment it is committed. So the
        code is pinned to the last commit that changed ``path`` (without a path: anything but
        agentcfg's own machine-written files). See docs/lock-format.md.
        """
        from agentcfg import gitio
        from agentcfg.release import RELEASES_DIR

        own = tuple("/".join(p for p in (subdir, name) if p) for name in ("agentcfg.lock", RELEASES_DIR))
        try:
            return gitio.last_commit_touching(repo, tip, path, () if path else own)
        except GitError as exc:
            raise GitError(exc.message, artefact=aid, hint=exc.hint) from None

    def _local_repo(self, aid: str, repo: str) -> tuple[Any, str]:
        """(git.Repo, manifest subdir inside it) for `.`, a relative path or a file:// URL."""
        from agentcfg import gitio

        if repo == ".":
            # The top folder, not a GitPython Repo: gitio's code-ref functions run git directly on it.
            if self.project.located is None:
                raise GitError("`repo: .` needs the manifest to be inside a git repository", artefact=aid,
                               hint="run `git init` and commit, or name the repository by URL")
            return self.project.located.top, self.project.subdir
        if repo.startswith("file://"):
            gitio.safe_url(repo)
            path = Path(repo.removeprefix("file://"))
        else:
            path = (self.project.root / repo).resolve()
        other = gitio.open_repo(path) if path.is_dir() else None
        if other is None:
            raise GitError(f"repository '{repo}' not found (no git repository at {path})", artefact=aid,
                           hint="paths are relative to the manifest's folder")
        if gitio.toplevel(other) != path.resolve():
            # open_repo searches upwards: a plain folder would silently resolve in the enclosing repo.
            raise GitError(f"'{repo}' is a folder, not the top of a git repository", artefact=aid,
                           hint="for code in this repository write `repo: .` with `path:`")
        return other, ""

    # --- data --------------------------------------------------------------------------------

    @staticmethod
    def _data_key(ds: DataSet) -> tuple[Any, ...]:
        return ("data", ds.path, ds.dvc, ds.uri, ds.version, ds.etag)

    def data(self, name: str, ds: DataSet) -> dict[str, Any]:
        key = self._data_key(ds)
        if key not in self._memo:
            pending = self._pending.pop(key, None)
            self._memo[key] = pending.result() if pending is not None else self._resolve_data(f"data/{name}", ds)
        return dict(self._memo[key])

    def _resolve_data(self, aid: str, ds: DataSet) -> dict[str, Any]:
        if ds.uri is not None:
            from agentcfg.canonical import digest_value

            # Nothing to hash locally: the declared version/etag is the pin.
            pin = {k: v for k, v in (("uri", ds.uri), ("version", ds.version), ("etag", ds.etag)) if v is not None}
            return {"digest": digest_value(pin)}
        rel = ds.path if ds.path is not None else ds.dvc
        assert rel is not None
        real, why = self.project.worktree().resolve(rel)
        if real is None:
            raise AgentcfgError(f"'{rel}': {why}", artefact=aid,
                                hint="paths are relative to the manifest's folder and must stay inside the repository")
        if ds.dvc is not None or real.is_file():
            if self.recorder is not None:
                self.recorder.note_file(rel, real)  # stamped before it is read
            if ds.dvc is not None:
                return dvc_resolution(real, ds.dvc, aid)
        result = hash_data(real, boundary=self.project.repo_root, artefact=aid, cache=self.stat_cache,
                           progress=self.progress, cancel=self._cancel)
        if self.recorder is not None and not real.is_file():
            self.recorder.add_listing(rel, real, result.listing)
        return {"digest": result.digest, "size": result.size, "files": result.files}


def _missing_ref(aid: str, ref: CodeRef, shallow: bool) -> GitError:
    from agentcfg.gitio import SHALLOW_HINT

    if ref.ref is None:
        return GitError("`repo: .` is locked at the current commit, and this repository has no commit yet",
                        artefact=aid, hint="commit your work (`git add -A && git commit`), then run agentcfg again")
    return GitError(f"ref '{ref.ref}' does not exist in {ref.repo if ref.repo != '.' else 'this repository'}",
                    artefact=aid, hint=SHALLOW_HINT if shallow else missing_ref_hint(ref.repo))


def missing_ref_hint(repo: str) -> str:
    """How to see the refs that do exist, for the repository the manifest names."""
    if repo == ".":
        return ("list this repository's branches and tags (`git branch -a`, `git tag`), "
                "or drop `ref:` to lock the code at the commit being locked")
    if is_local_repo(repo):
        return f"list that repository's branches and tags (`git -C {repo.removeprefix('file://')} branch -a`)"
    return f"list the refs that exist with `git ls-remote {repo}`"


_MD5 = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


def dvc_resolution(real: Path, rel: str, aid: str) -> dict[str, Any]:
    """Copy DVC's recorded hash, size and file count from a ``.dvc`` file (no data is read).

    The sha256 digest is over ``{"md5", "size", "nfiles"}`` of every output, so it changes
    exactly when DVC's own record does.
    """
    from agentcfg.trees import read_regular_file

    data = read_regular_file(real)
    if data is None:
        raise AgentcfgError(f"cannot read '{rel}'", artefact=aid)
    return dvc_record(data, rel, aid)


def dvc_record(data: bytes, rel: str, aid: str) -> dict[str, Any]:
    """:func:`dvc_resolution` of a ``.dvc`` file's bytes (from disk, or from a commit's blob)."""
    from agentcfg.canonical import digest_value
    from agentcfg.yamlio import load

    doc = load(data, rel)
    outs = doc.data.get("outs") if isinstance(doc.data, dict) else None
    if not isinstance(outs, list) or not outs:
        raise AgentcfgError("not a DVC file: it has no `outs:` list", location=Location(rel), artefact=aid,
                            hint="point `dvc:` at the .dvc file `dvc add` wrote")
    records = []
    for i, out in enumerate(outs):
        md5 = out.get("md5") if isinstance(out, dict) else None
        if not isinstance(md5, str) or not _MD5.match(md5):
            raise AgentcfgError(f"output {i + 1} has no md5 (run `dvc add` or `dvc commit` first)",
                                location=doc.location(("outs", i)), artefact=aid)
        size, nfiles = out.get("size"), out.get("nfiles", 1)
        if not isinstance(size, int) or not isinstance(nfiles, int) or isinstance(size, bool):
            raise AgentcfgError(f"output {i + 1} has no integer `size`/`nfiles`", location=doc.location(("outs", i)),
                                artefact=aid)
        records.append({"md5": md5, "size": size, "nfiles": nfiles})
    md5s = [str(r["md5"]) for r in records]
    return {
        "digest": digest_value(records[0] if len(records) == 1 else records),
        "size": sum(r["size"] for r in records),
        "files": sum(r["nfiles"] for r in records),
        "md5": md5s[0] if len(md5s) == 1 else ",".join(md5s),
    }


class LockResolver:
    """Answers from a lock's entries (implements ``render.Resolver``); refuses a stale lock.

    ``env`` selects the environment's overriding entries, ``origin`` names the lock in errors
    (e.g. ``HEAD~1:agentcfg.lock``).
    """

    def __init__(self, lock: dict[str, Any], env: str | None, origin: str) -> None:
        self.lock = lock
        self.env = env
        self.origin = origin

    def entry(self, aid: str) -> dict[str, Any] | None:
        """The lock entry for ``aid`` as seen by this resolver's environment."""
        if self.env is not None:
            over = ((self.lock.get("environments") or {}).get(self.env) or {}).get("artefacts") or {}
            if aid in over:
                hit = over[aid]
                return hit if isinstance(hit, dict) else None
        hit = (self.lock.get("artefacts") or {}).get(aid)
        return hit if isinstance(hit, dict) else None

    def _resolve(self, section: str, name: str, model: Any) -> dict[str, Any]:
        aid = f"{section}/{name}"
        entry = self.entry(aid)
        asked = {k: getattr(model, k) for k in SOURCE_KEYS[section]}
        if entry is None or any(entry.get(k) != v for k, v in asked.items()):
            raise CheckFailed(
                f"the lock at {self.origin} is stale for {aid}; run `agentcfg lock` and commit",
                artefact=aid, hint="the manifest was changed without re-locking",
            )
        return {k: entry[k] for k in RESOLVED_KEYS[section] if k in entry}

    def code(self, name: str, ref: CodeRef) -> dict[str, Any]:
        return self._resolve("code", name, ref)

    def data(self, name: str, ds: DataSet) -> dict[str, Any]:
        return self._resolve("data", name, ds)
