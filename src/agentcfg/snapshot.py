"""A config as of a revision: the working tree (resolved live) or a commit (resolved from its lock).

``diff`` and ``promote`` compare and move configs between revisions; they get them here. A
commit is read straight from git objects (no checkout), and its data and code are pinned by
the ``agentcfg.lock`` committed with it, so an old config renders without its data or network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError
from agentcfg.lockfile import LOCK_FILE, parse_lock
from agentcfg.names import MANIFEST_FILE, OVERLAY_DIR
from agentcfg.project import Project
from agentcfg.rendering import Encodings, Rendered

if TYPE_CHECKING:
    from agentcfg.gitio import CommitFolder, GitTree
    from agentcfg.gitio.batch import BlobReader
    from agentcfg.manifest.loader import Loaded
    from agentcfg.yamlio import ParseCache


SHARING = True
"""Whether renders share reads and parses; the differential tests turn it off to get the
reference answer."""


class Parses:
    """Documents parsed during one run, keyed by the sha256 of their bytes (yamlio.ParseCache).

    Both sides of a diff hold mostly the same files: each distinct content is parsed once. It
    lives as long as one command, in memory only; nothing is remembered between runs, so it is
    no cache in the trust rule's sense (what is read from git is still read from git). The
    parsed data is shared between the documents built from it: the loader and the checks only
    read it (tests/test_snapshot_sharing.py holds them to that).

    ``consult``: the working tree's parse cache (agentcfg.warm.parsed), read but never written,
    for commands whose answer decides nothing (`diff`, `render --rev`). Its entries are keyed by
    the sha256 of the bytes and the code digest, so an entry is the parse of exactly these bytes:
    in a CI job, `diff` reads the parses `validate` just made of the same files. What decides a
    promotion never consults it.
    """

    def __init__(self, consult: ParseCache | None = None) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._consult = consult

    def get(self, key: str) -> dict[str, Any] | None:
        hit = self._docs.get(key)
        if hit is None and self._consult is not None:
            hit = self._consult.get(key)
            if hit is not None:
                self._docs[key] = hit
        return hit

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._docs[key] = value


@dataclass
class Shared:
    """What the renders of one command share: blobs read from git and documents parsed, each
    distinct object once. ``enabled`` False renders every side on its own (the reference path
    the differential tests compare with)."""

    enabled: bool = field(default_factory=lambda: SHARING)
    blobs: dict[Any, BlobReader] = field(default_factory=dict)  # repository top -> its reader
    parses: Parses = field(default_factory=Parses)
    # artefact id -> its loaded entry, for the artefacts of a render that passed every check:
    # a later render holding the very same entry need not run the checks of one artefact again.
    checked: dict[str, Any] = field(default_factory=dict)
    # artefact id -> (its loaded entry, its type-checked model), from this run's loads: a later
    # load holding the very same entry takes that model (see load_manifest's `same_model`), and
    # a model is normalised and encoded once (``encodings``).
    models: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    encodings: Encodings = field(default_factory=Encodings)
    _alike: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # aid -> (entry, earlier entry) found alike

    def load(self, tree: Any, env: str | None) -> Loaded:
        """``load_manifest`` of ``tree`` with what this run parsed and type-checked already."""
        from agentcfg.manifest.loader import load_manifest

        if not self.enabled:
            return load_manifest(tree, env=env)
        # This run's parses (and, for diff, the parse cache read-only: see Parses).
        loaded = load_manifest(tree, env=env, cache=self.parses, same_model=self._same_model)
        if loaded.manifest is not None:
            for aid, entry in _entries(loaded):
                section, name = aid.split("/", 1)
                model = (getattr(loaded.manifest, section, None) or {}).get(name)
                if model is not None:
                    self.models.setdefault(aid, (entry, model))
        self.settle(loaded)
        return loaded

    def _same_model(self, aid: str, entry: Any) -> Any:
        hit = self.models.get(aid)
        if hit is None or not _same(hit[0], entry):
            return None
        self._alike[aid] = (entry, hit[0])  # settle() asks the same question of the same pair
        return hit[1]

    def encoded(self) -> Encodings | None:
        return self.encodings if self.enabled else None

    def settle(self, loaded: Loaded) -> None:
        """Mark as settled what ``loaded`` holds exactly as an earlier render of this run did.

        A per-artefact check is a function of the artefact's loaded entry (the manifest entry
        with its file inlined and the overlay applied); positions only place what it finds.
        That render found no error in it, so this one would find none either, and a render
        only ever refuses on errors: skipping those checks cannot change what it answers.
        """
        if not self.enabled or not self.checked:
            return
        loaded.settled = frozenset(aid for aid, entry in _entries(loaded) if aid in self.checked
                                   and self._alike_entries(aid, entry))

    def _alike_entries(self, aid: str, entry: Any) -> bool:
        earlier = self.checked[aid]
        known = self._alike.get(aid)
        if known is not None and known[0] is entry and known[1] is earlier:
            return True  # compared a moment ago, while type-checking (both objects are held)
        return _same(earlier, entry)

    def passed(self, loaded: Loaded) -> None:
        """``loaded`` rendered: none of its artefacts had an error."""
        if self.enabled:
            self.checked.update(_entries(loaded))

    def reader(self, project: Project) -> BlobReader | None:
        if not self.enabled:
            return None
        from agentcfg.gitio.batch import BlobReader

        top = project.paths.top
        if top not in self.blobs:
            self.blobs[top] = BlobReader(top)
        return self.blobs[top]


def read_lock_at(project: Project, rev: str | None) -> dict[str, Any] | None:
    """The lock in the working tree (``rev`` None) or at commit ``rev``; None when there is none."""
    if rev is None:
        path = project.root / LOCK_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AgentcfgError(f"cannot read {LOCK_FILE}: {exc.strerror}") from None
        return parse_lock(data, LOCK_FILE)
    blob = project.tree_at(rev).read(LOCK_FILE)
    return None if blob is None else parse_lock(blob, f"{rev}:{LOCK_FILE}")


def render_at(project: Project, *, env: str | None = None, rev: str | None = None,
              pinned: bool = True, folder: CommitFolder | None = None, shared: Shared | None = None) -> Rendered:
    """Render ``env`` (None: the base manifest) from the working tree or from commit ``rev``.

    The working tree is resolved live (data hashed through the stat cache, refs asked of git);
    a commit is resolved from the lock committed with it, and a lock that is stale for an
    artefact is an error naming it. A commit without a lock is an error when ``pinned`` (what is
    promoted must be locked); otherwise (diff, render) it is resolved from git objects.
    ``folder``: what :meth:`Project.commit_folder` said of ``rev``, when the caller asked already.
    ``shared``: what renders of the same command share (both sides of a diff).
    """
    if rev is None:
        from agentcfg.manifest.loader import load_manifest
        from agentcfg.rendering import render_loaded
        from agentcfg.resolve import LiveResolver

        resolver = LiveResolver(project)
        loaded = load_manifest(project.worktree(), env=env, cache=project.parse_cache)
        try:
            return render_loaded(loaded, resolver)
        finally:
            resolver.save_cache()
            project.save_caches()
    # A locked commit seen before is in the render cache: look there before opening the
    # repository with GitPython (see gitio.CommitFolder). A hit is served only when its body
    # hashes to the digest the commit's own lock (a git object) records for ``env``.
    folder = folder or project.commit_folder(rev)
    asked: tuple[bytes, dict[str, Any]] | None = None  # the lock, when the render cache was asked with it
    if folder.has_file(LOCK_FILE):
        from agentcfg import gitio
        from agentcfg.warm import renders

        lock_path = f"{folder.subdir}/{LOCK_FILE}" if folder.subdir else LOCK_FILE
        lock_bytes = gitio.read_blob(project.paths.top, folder.commit_sha, lock_path)
        if lock_bytes is not None:
            lock = parse_lock(lock_bytes, f"{rev}:{LOCK_FILE}", legacy=True)  # an old lock: never a hit
            hit = renders.get(project.state_dir, folder.tree_sha, folder.subdir, env, lock)
            if hit is not None:
                return hit
            asked = (lock_bytes, lock)
    shared = shared or Shared()
    tree = open_tree(project, folder.commit_sha, env, shared)
    data = tree.read(LOCK_FILE)
    if data is not None:
        return _render_locked(project, tree, data, env, rev, shared, asked)
    if not pinned:
        from agentcfg.rendering import render_loaded
        from agentcfg.resolve import LiveResolver
        from agentcfg.resolve_git import GitObjectResolver

        live = LiveResolver(project)
        loaded = shared.load(tree, env)
        rendered = render_loaded(loaded, GitObjectResolver(tree, live), shared.encoded())
        shared.passed(loaded)
        return rendered
    raise AgentcfgError(
        f"there is no {LOCK_FILE} at {rev} ({tree.commit_sha[:12]})",
        hint="a commit's config is pinned by its lock: run `agentcfg lock` and commit it",
    )


def _render_locked(project: Project, tree: GitTree, data: bytes, env: str | None, rev: str,
                   shared: Shared, asked: tuple[bytes, dict[str, Any]] | None = None) -> Rendered:
    """A locked commit renders from its own files only: cached by its tree id (agentcfg.warm.renders),
    and only when the render is what the lock records (a stale lock's render is never cached).
    ``asked``: these very lock bytes, parsed, with which the render cache was asked already."""
    from agentcfg.warm import renders

    origin = f"{rev}:{LOCK_FILE}"
    if asked is not None and asked[0] == data:
        lock = asked[1]
    else:
        lock = parse_lock(data, origin, legacy=True)  # only its resolutions are read; they outlive format 1
        hit = renders.get(project.state_dir, tree.tree_sha, tree.subdir, env, lock)
        if hit is not None:
            return hit

    from agentcfg.rendering import render_loaded
    from agentcfg.resolve import LockResolver

    loaded = shared.load(tree, env)
    rendered = render_loaded(loaded, LockResolver(lock, env, origin), shared.encoded())
    shared.passed(loaded)
    renders.put(project.state_dir, tree.tree_sha, tree.subdir, rendered, lock)
    return rendered


def open_tree(project: Project, commit: str, env: str | None, shared: Shared) -> GitTree:
    """``commit``'s files with what rendering ``env`` reads already fetched from git, in two
    conversations: the manifest, overlay and lock, then every file they reference."""
    tree = project.tree_at(commit, blobs=shared.reader(project))
    if not shared.enabled:
        return tree
    overlay = f"{OVERLAY_DIR}/{env}.yaml" if env is not None else None
    tree.prefetch([MANIFEST_FILE, LOCK_FILE] + ([overlay] if overlay else []))
    wanted: list[str] = []
    for name in (MANIFEST_FILE, overlay):
        data = tree.read(name) if name else None
        if data is not None:
            wanted += _referenced(data, name, shared.parses)  # type: ignore[arg-type]
    tree.prefetch(wanted)
    return tree


def _referenced(data: bytes, origin: str, parses: Parses) -> list[str]:
    """The `file:` paths a manifest or overlay names (none when it does not load: loading it
    again says why)."""
    from agentcfg.manifest.model import FILE_SECTIONS
    from agentcfg.yamlio import YamlError, load

    try:
        raw = load(data, origin, cache=parses).data
    except YamlError:
        return []
    if not isinstance(raw, dict):
        return []
    return [entry["file"] for section in FILE_SECTIONS if isinstance(raw.get(section), dict)
            for entry in raw[section].values() if isinstance(entry, dict) and isinstance(entry.get("file"), str)]


def _entries(loaded: Loaded) -> list[tuple[str, Any]]:
    from agentcfg.names import SECTIONS, artefact_id

    return [(artefact_id(section, name), entry) for section in (*SECTIONS, "policies")
            if isinstance(loaded.raw.get(section), dict) for name, entry in loaded.raw[section].items()]


def _same(a: Any, b: Any) -> bool:
    """Equal data of equal types all the way down (1, 1.0 and True are three different values
    to a check); shared documents make most of it one identity test."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)
