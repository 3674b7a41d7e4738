"""The warm path of `lock`: skip all work when none of the lock's inputs changed.

A lock is a pure function of agentcfg's code, what the working tree answered while the
manifest was loaded (the manifest, overlays present or absent, every referenced file: see
:mod:`agentcfg.warm.answers`), the listing of every data folder, the stamps of single data
files and ``.dvc`` files, and the commits the code refs point at. After a successful ``lock``
(or a fresh ``lock --check``) :class:`InputRecorder` saves those next to the sha256 of the
lock's bytes in ``.agentcfg/cache/lock-inputs.json``; the next run asks them again first and,
when every answer is the same, the lock on disk is exactly what locking would write.

Imported before anything heavy (no pydantic, ruamel or GitPython). Any doubt — a remote code
ref (the network can move it), a data file or listing entry modified within the racy window,
an unreadable memo, other code — means the full lock runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.warm.answers import AnsweringTree, Answers
from agentcfg.warm.rule import RACY_NS, code_digest, now_ns, racy, stamp

MEMO_FORMAT = 2
MEMO_NAME = "lock-inputs.json"
_MANIFEST = "agentcfg.yaml"  # = names.MANIFEST_FILE, not imported: it pulls in more than this path needs
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


def listing_fingerprint(entries: list[tuple[str, int, int, int, int, int]]) -> str:
    """A digest of a data folder's listing: (relative path, size, mtime, ctime, inode, device) per file.

    Any one-to-one encoding will do: it is only compared with what this function gave when the
    memo was written (by this very code: the code digest is in the memo's key). orjson writes
    10,000 entries ~5x faster; a name that is no valid UTF-8 (kept by surrogate escapes) takes
    the json module, every time for that listing."""
    from agentcfg.jsonwrite import compact_json

    return hashlib.sha256(compact_json(sorted(entries))).hexdigest()


def shallow_marker(repo_dir: str) -> str:
    """A digest of the repository's shallow boundary (``$GIT_DIR/shallow``), "" when it has none.

    A ref's tip alone does not say what history git can see: `git fetch --unshallow` keeps every
    tip and changes which commit last touched a path."""
    try:
        out = subprocess.run(["git", "rev-parse", "--git-path", "shallow"], cwd=repo_dir, capture_output=True,
                             text=True, timeout=30, check=False, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        if out.returncode != 0:
            return "?"
        data = (Path(repo_dir) / out.stdout.strip()).read_bytes()
    except FileNotFoundError:
        return ""
    except (OSError, subprocess.SubprocessError):
        return "?"
    return hashlib.sha256(data).hexdigest()


def git_tip(repo_dir: str, ref: str) -> str | None:
    """The commit ``ref`` names in ``repo_dir`` (same fallback as gitio.resolve_local_ref)."""
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        try:
            out = subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"],
                cwd=repo_dir, capture_output=True, text=True, timeout=30, check=False,
                env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode == 0:
            return out.stdout.strip()
    return None


@dataclass
class InputRecorder:
    """Collects the inputs of one lock run (fed by the answering tree and the resolver)."""

    root: Path  # the manifest folder
    boundary: Path  # the repository root (symlinks may not leave it)
    tree: AnsweringTree | None = None  # what the manifest loader asked
    notes: Answers = field(init=False)  # files the resolver read itself (single data files, .dvc)
    data: dict[str, tuple[str, int]] = field(default_factory=dict)  # data folder -> (fingerprint, max mtime)
    refs: list[tuple[str, str, str, str]] = field(default_factory=list)  # (repo dir, ref, tip, shallow marker)
    usable: bool = True  # False when an input cannot be re-checked offline (a remote code ref)
    started: int = field(default_factory=now_ns)  # before any input was looked at

    def __post_init__(self) -> None:
        self.notes = Answers(str(self.root.resolve()))

    def answering(self, inner: Any) -> AnsweringTree:
        self.tree = AnsweringTree(inner, started=self.started)
        return self.tree

    def add_ref(self, repo_dir: str, ref: str, tip: str) -> None:
        """A local code ref: its tip, and the repository's shallow boundary (what `git log` can see)."""
        marker = shallow_marker(repo_dir)
        self.usable = self.usable and marker != "?"
        self.refs.append((repo_dir, ref, tip, marker))

    def note_file(self, rel: str, real: Path) -> None:
        """A file the resolver reads or hashes itself: stamped now, before it is read."""
        self.notes.note_stamp(rel, str(real), stamp(real))

    def add_listing(self, rel: str, real: Path, listing: list[tuple[str, int, int, int, int, int]]) -> None:
        """A data folder: where it resolved to (a swap for a link is a change) and its listing."""
        self.notes.where[rel] = str(real)
        self.data[rel] = (listing_fingerprint(listing), max((e[2] for e in listing), default=0))

    def save(self, state_dir: Path, lock_bytes: bytes) -> None:
        """Write the memo (best effort) unless an input is too fresh to be trusted."""
        if not self.usable or self.tree is None:
            return
        if any(racy(s, self.started) for s in self.notes.stamps.values()):
            return  # stamp-only inputs cannot be re-read cheaply: a racy one is never trusted
        if any(newest >= self.started - RACY_NS for _, newest in self.data.values()):
            return
        memo = {
            "format_version": MEMO_FORMAT,
            "code": code_digest(),
            "root": str(self.root),
            "boundary": str(self.boundary),
            "lock_sha256": hashlib.sha256(lock_bytes).hexdigest(),
            "answers": self.tree.answers.to_json(),
            "notes": self.notes.to_json() | {"created": self.started},
            "data": {rel: fp for rel, (fp, _) in sorted(self.data.items())},
            "refs": sorted(self.refs),
        }
        from agentcfg.canonical import atomic_write
        from agentcfg.jsonwrite import compact_json

        try:
            atomic_write(state_dir / "cache" / MEMO_NAME, compact_json(memo), cache=True)
        except OSError:
            pass


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
    if memo.get("code") != code_digest() or memo.get("root") != str(root):
        return None
    if memo.get("lock_sha256") != hashlib.sha256(lock_bytes).hexdigest():
        return None
    boundary = str(memo.get("boundary"))
    answers, notes = Answers.from_json(memo.get("answers")), Answers.from_json(memo.get("notes"))
    if answers is None or notes is None or {answers.root, notes.root} != {str(root)}:
        return None  # recorded in another copy of the repository
    if not answers.holds(boundary) or not notes.holds(boundary):
        return None
    data = memo.get("data")
    if not isinstance(data, dict) or any(_listing(root / rel, Path(boundary)) != fp for rel, fp in data.items()):
        return None
    refs = memo.get("refs")
    if not isinstance(refs, list) or any(
            git_tip(repo, ref) != tip or shallow_marker(repo) != marker for repo, ref, tip, marker in refs):
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
