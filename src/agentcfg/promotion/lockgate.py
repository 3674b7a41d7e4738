"""What a promotion releases, rendered from git objects, and whether the commit's lock agrees.

A promotion decides what runs in an environment, so its config is rendered from the commit's
git objects every time: no render cache, no parse cache. Data and code are pinned by the
commit's ``agentcfg.lock``, except that a data set git tracks at that commit is hashed from its
blobs, and a ``.dvc`` file is read from the commit: the commit is the truth, and a lock that
no longer matches it is stale. Promoting a
commit whose lock is stale would release a config that the commit and its lock disagree on (a
data change under the old data digest, a prompt change the lock never saw), so it is refused,
naming every stale artefact and the fix — like ``uv --locked``.

Data that git does not track (ignored folders, remote URIs) cannot be checked at a commit: for
those the lock is the only record, which is why it is committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError
from agentcfg.gitio import GitTree
from agentcfg.lockcheck import ADDED, CONTENT, LOCK_FILE, REMOVED, StaleEntry
from agentcfg.project import Project
from agentcfg.rendering import Rendered
from agentcfg.resolve import LockResolver

if TYPE_CHECKING:
    from agentcfg.artefacts.code import CodeRef
    from agentcfg.artefacts.data import DataSet
    from agentcfg.manifest.loader import Loaded
    from agentcfg.snapshot import Shared


class CommitResolver:
    """The lock's pins, except data git tracks at the commit: hashed from its blobs."""

    def __init__(self, tree: GitTree, lock: dict[str, Any], env: str | None, origin: str) -> None:
        self.tree = tree
        self.locked = LockResolver(lock, env, origin)

    def code(self, name: str, ref: CodeRef) -> dict[str, Any]:
        return self.locked.code(name, ref)

    def data(self, name: str, ds: DataSet) -> dict[str, Any]:
        pinned = self.locked.data(name, ds)  # refuses a lock whose source is not the manifest's
        if ds.dvc is not None and self.tree.kind(ds.dvc) == "blob":
            from agentcfg.resolve import dvc_record

            blob = self.tree.read(ds.dvc)
            return {**pinned, **dvc_record(blob, ds.dvc, f"data/{name}")} if blob is not None else pinned
        if ds.path is None or self.tree.kind(ds.path) not in ("blob", "tree"):
            return pinned  # not in git at this commit: the lock is the record
        from agentcfg.resolve_git import GitObjectResolver

        try:
            found = GitObjectResolver(self.tree, None).data(name, ds)  # type: ignore[arg-type]
        except AgentcfgError:
            return pinned  # symlinks or submodules in git hash differently: the lock is the record
        return {**pinned, **found}


def render_commit(project: Project, env: str, commit: str, *, shared: Shared | None = None,
                  loaded: Loaded | None = None) -> tuple[Rendered, list[StaleEntry]]:
    """``env`` rendered from ``commit``'s git objects, and how the commit's lock is stale (if it is).

    ``shared``: what the reads of one promotion share; ``loaded``: ``env`` already loaded from
    this very commit in this run (HEAD's manifest, when HEAD is promoted), not loaded again.
    """
    from agentcfg.lockfile import FIX_COMMAND, parse_lock
    from agentcfg.rendering import render_loaded
    from agentcfg.snapshot import Shared, open_tree

    shared = shared or Shared()
    tree = open_tree(project, commit, env, shared)
    data = tree.read(LOCK_FILE)
    if data is None:
        raise AgentcfgError(f"there is no {LOCK_FILE} at {commit[:12]}",
                            hint=f"a commit's config is pinned by its lock: run `{FIX_COMMAND}` and commit it")
    origin = f"{commit[:12]}:{LOCK_FILE}"
    lock = parse_lock(data, origin)
    if loaded is None or loaded.tree.commit_sha != tree.commit_sha or loaded.env != env:  # type: ignore[attr-defined]
        # From git objects, never from the parse cache on disk (this run's parses are no cache).
        loaded = shared.load(tree, env)
    rendered = render_loaded(loaded, CommitResolver(tree, lock, env, origin), shared.encoded())
    return rendered, stale_entries(lock, env, rendered)


def stale_entries(lock: dict[str, Any], env: str | None, rendered: Rendered) -> list[StaleEntry]:
    """Every artefact whose rendered digest is not the one ``lock`` records for ``env``."""
    from agentcfg.warm.renders import attested

    expected, locked = attested(lock, env)
    if env is not None and expected is None:
        return [StaleEntry(f"environments/{env}", ADDED, env)]
    found = {aid: d for aid, d in rendered.artefacts.items() if not aid.startswith("policies/")}
    stale: list[StaleEntry] = []
    for aid in sorted(set(locked) | set(found)):
        old, new = locked.get(aid), found.get(aid)
        if old == new:
            continue
        change = ADDED if old is None else REMOVED if new is None else CONTENT
        stale.append(StaleEntry(aid, change, env, old, new))
    if not stale and expected != rendered.digest:
        where = f"environments/{env}" if env is not None else "manifest"
        stale.append(StaleEntry(where, CONTENT, env, expected, rendered.digest))
    return stale
