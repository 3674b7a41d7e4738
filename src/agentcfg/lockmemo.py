"""The warm path of `lock`: skip all work when none of the lock's inputs changed.

A lock is a pure function of agentcfg's version, the files the manifest loader read (the
manifest, overlays, referenced files, `.dvc` files), the listing and stat signatures of every
data folder, and the commits the code refs point at. After a successful ``lock`` (or a fresh
``lock --check``) :class:`InputRecorder` saves those inputs' signatures next to the digest of
the lock's bytes in ``.agentcfg/cache/lock-inputs.json``. The next run compares them first: if
nothing changed, the lock on disk is still exactly what locking would write, and nothing is
parsed, validated or hashed (warm lock on a large project ≤ 250 ms).

This module is imported before anything heavy (no pydantic, ruamel or GitPython). It is an
optimisation only: any doubt (a remote code ref, which needs the network; a file modified
within :data:`~agentcfg.statcache.RACY_NS` of being recorded; an unreadable memo) means the
full lock runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.statcache import RACY_NS, now_ns

MEMO_FORMAT = 1
MEMO_NAME = "lock-inputs.json"
_MANIFEST = "agentcfg.yaml"  # = manifest.model.MANIFEST_FILE, not imported: it pulls in pydantic
_LOCK = "agentcfg.lock"


def find_root(start: Path | str) -> Path | None:
    """The folder holding agentcfg.yaml, searched like ``Project.find`` (up to the git root)."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / _MANIFEST).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def file_signature(path: Path | str) -> list[int] | None:
    """[size, mtime_ns, inode, dev] following symlinks, or None when absent/unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev]


def trusted_signatures(root: Path, rels: set[str], created: int) -> dict[str, list[int] | None] | None:
    """The signature of each of ``rels`` (under ``root``), or None when one was modified within
    :data:`~agentcfg.statcache.RACY_NS` of ``created``: a same-tick edit could keep its signature."""
    signatures: dict[str, list[int] | None] = {}
    prefix = str(root) + os.sep  # string joins: thousands of Path objects cost tens of ms here
    for rel in sorted(rels):
        sig = file_signature(prefix + rel)
        if sig is not None and sig[1] >= created - RACY_NS:
            return None
        signatures[rel] = sig
    return signatures


def signatures_hold(root: Path, signatures: Any) -> bool:
    """Whether every recorded signature (from :func:`trusted_signatures`) is unchanged."""
    prefix = str(root) + os.sep
    return isinstance(signatures, dict) and all(file_signature(prefix + rel) == sig for rel, sig in signatures.items())


def listing_fingerprint(entries: list[tuple[str, int, int, int]]) -> str:
    """A digest of a data folder's (relative path, size, mtime_ns, inode) listing."""
    blob = json.dumps(sorted(entries), separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


def git_tip(repo_dir: str, ref: str) -> str | None:
    """The commit ``ref`` names in ``repo_dir`` (same fallback as gitio.resolve_local_ref)."""
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        try:
            out = subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"],
                cwd=repo_dir, capture_output=True, text=True, timeout=30,
                env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode == 0:
            return out.stdout.strip()
    return None


class RecordingTree:
    """A working tree that remembers every path asked about (and answers each only once).

    The loader asks for the manifest, overlays (present or not) and every referenced file;
    each becomes an input of the memo. Memoising also saves re-reading the same files when the
    base manifest and every environment are loaded in one run.
    """

    def __init__(self, inner: Any, recorder: "InputRecorder") -> None:
        self.inner = inner
        self.label = inner.label
        self.root = inner.root
        self.boundary = inner.boundary
        self._recorder = recorder
        self._memo: dict[tuple[str, str], Any] = {}

    def _ask(self, op: str, relpath: str) -> Any:
        key = (op, relpath)
        if key not in self._memo:
            self._recorder.files.add(relpath)
            self._memo[key] = getattr(self.inner, op)(relpath)
        return self._memo[key]

    def resolve(self, relpath: str) -> Any:
        return self._ask("resolve", relpath)

    def read(self, relpath: str) -> bytes | None:
        result: bytes | None = self._ask("read", relpath)
        return result

    def kind(self, relpath: str) -> str | None:
        result: str | None = self._ask("kind", relpath)
        return result


@dataclass
class InputRecorder:
    """Collects the inputs of one lock run (fed by the recording tree and the resolver)."""

    root: Path  # the manifest folder
    boundary: Path  # the repository root (symlinks may not leave it)
    files: set[str] = field(default_factory=set)  # paths relative to root
    data: dict[str, tuple[str, int]] = field(default_factory=dict)  # data folder -> (fingerprint, max mtime)
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # (repo dir, ref, tip commit)
    usable: bool = True  # False when an input cannot be re-checked offline (a remote code ref)

    def add_listing(self, rel: str, listing: list[tuple[str, int, int, int]]) -> None:
        self.data[rel] = (listing_fingerprint(listing), max((e[2] for e in listing), default=0))

    def save(self, state_dir: Path, lock_bytes: bytes) -> None:
        """Write the memo (best effort) unless an input is too fresh to be trusted."""
        if not self.usable:
            return
        created = now_ns()
        files = trusted_signatures(self.root, self.files, created)
        if files is None:
            return
        if any(newest >= created - RACY_NS for _, newest in self.data.values()):
            return
        memo = {
            "format_version": MEMO_FORMAT,
            "agentcfg": _version(),
            "root": str(self.root),
            "boundary": str(self.boundary),
            "lock_sha256": hashlib.sha256(lock_bytes).hexdigest(),
            "files": files,
            "data": {rel: fp for rel, (fp, _) in sorted(self.data.items())},
            "refs": sorted(self.refs),
        }
        from agentcfg.canonical import atomic_write

        try:
            atomic_write(state_dir / "cache" / MEMO_NAME, json.dumps(memo, separators=(",", ":")), cache=True)
        except OSError:
            pass


def _version() -> str:
    from agentcfg import __version__

    return __version__


def discard(state_dir: Path) -> None:
    try:
        (state_dir / "cache" / MEMO_NAME).unlink()
    except OSError:
        pass


def fresh_lock(start: Path | str) -> tuple[dict[str, Any], Path] | None:
    """(parsed lock, its path) when the memo proves the lock on disk is fresh, else None."""
    root = find_root(start)
    if root is None:
        return None
    try:
        memo = json.loads((root / ".agentcfg" / "cache" / MEMO_NAME).read_bytes())
        lock_bytes = (root / _LOCK).read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(memo, dict) or memo.get("format_version") != MEMO_FORMAT:
        return None
    if memo.get("agentcfg") != _version() or memo.get("root") != str(root):
        return None
    if memo.get("lock_sha256") != hashlib.sha256(lock_bytes).hexdigest():
        return None
    if not signatures_hold(root, memo.get("files")):
        return None
    data = memo.get("data")
    boundary = Path(str(memo.get("boundary")))
    if not isinstance(data, dict) or any(_listing(root / rel, boundary) != fp for rel, fp in data.items()):
        return None
    refs = memo.get("refs")
    if not isinstance(refs, list) or any(git_tip(repo, ref) != tip for repo, ref, tip in refs):
        return None
    try:
        lock = json.loads(lock_bytes)
    except ValueError:
        return None
    return (lock, root / _LOCK) if isinstance(lock, dict) else None


def _listing(folder: Path, boundary: Path) -> str | None:
    from agentcfg.errors import AgentcfgError
    from agentcfg.hashing import listing_of

    try:
        return listing_fingerprint(listing_of(folder, boundary))
    except (AgentcfgError, OSError):
        return None
