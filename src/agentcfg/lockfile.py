"""`agentcfg.lock`: every artefact resolved and hashed, plus each environment's root digest.

The lock is JSON, deterministic (``format_version`` first, every other key sorted, 2-space
indent, final newline) and written atomically under the repository's writer mutex. Its format
and the digest algorithm are documented in docs/lock-format.md.

:func:`lock` writes it (or, with ``check``, only reports what is stale); :func:`verify` checks
that the working tree still matches it, or that a release file matches its own digest. What goes
into it is built by :mod:`agentcfg.lockbuild`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.canonical import atomic_write, pretty_json
from agentcfg.errors import AgentcfgError, Location
from agentcfg.hashing import Progress
from agentcfg.lockcheck import (  # noqa: F401 - re-exported: lockfile.StaleEntry is public API
    ADDED,
    CONTENT,
    LOCK_FILE,
    MISSING,
    OLD_FORMAT,
    REF_MOVED,
    REFORMATTED,
    REMOVED,
    SOURCE_MOVED,
    TAMPERED,
    WRONG_ENV,
    StaleEntry,
    compare,
)

__all__ = [
    "LOCK_FILE", "LOCK_FORMAT", "FIX_COMMAND", "LockResult", "StaleEntry", "lock",
    "compare", "dumps", "parse_lock", "read_lock",
    "ADDED", "REMOVED", "CONTENT", "REF_MOVED", "SOURCE_MOVED", "MISSING", "REFORMATTED", "TAMPERED", "WRONG_ENV",
    "OLD_FORMAT", "OldLockFormat",
]

# The manifest model, pydantic and GitPython are imported inside the functions that need them:
# a warm `lock` (nothing changed, see agentcfg.warm.lockinputs) must not pay for them.
if TYPE_CHECKING:
    from agentcfg.warm.lockinputs import InputRecorder
    from agentcfg.project import Project
    from agentcfg.resolve import LiveResolver


LOCK_FORMAT = 2
"""2: every digest over RFC 8785 (JCS) bytes. 1: over Python's compact sorted ``json.dumps``."""
LEGACY_LOCK_FORMAT = 1
OUTPUT_FORMAT = 1
"""`lock`/`verify --format json`'s own version (schemas/lock-result.schema.json, verify.schema.json), not the lock file's."""
FIX_COMMAND = "agentcfg lock"

@dataclass
class LockResult:
    """What :func:`lock` did: the lock it computed, whether it wrote it, and what was stale."""

    lock: dict[str, Any]
    written: bool
    stale: list[StaleEntry] = field(default_factory=list)
    path: Path | None = None
    checked: bool = False

    @property
    def fresh(self) -> bool:
        return not self.stale

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": OUTPUT_FORMAT,
            "path": LOCK_FILE,
            "checked": self.checked,
            "fresh": self.fresh,
            "written": self.written,
            "stale": [s.to_dict() for s in self.stale],
            "fix": FIX_COMMAND if self.stale and self.checked else None,
            "digest": self.lock.get("digest"),
            "environments": {e: v.get("digest") for e, v in sorted(self.lock.get("environments", {}).items())},
            "artefacts": len(self.lock.get("artefacts", {})),
        }


# --- reading and writing ----------------------------------------------------------------------

def dumps(lock: dict[str, Any]) -> str:
    """The lock's exact bytes: ``format_version`` as the first key, everything else sorted."""
    rest = {k: v for k, v in lock.items() if k != "format_version"}
    body = pretty_json(rest, plain=True)  # digests, names, sizes: built, or read back strictly
    head = '{\n  "format_version": ' + json.dumps(lock.get("format_version", LOCK_FORMAT))
    return head + ("\n}\n" if not rest else ",\n" + body[2:])


class OldLockFormat(AgentcfgError):
    """A lock written by an older agentcfg, whose digests this version does not compute."""


def parse_lock(data: bytes, origin: str, *, legacy: bool = False) -> dict[str, Any]:
    """A lock file's content, refusing anything that is not a lock agentcfg can read.

    ``legacy``: accept a format 1 lock for what stays true in it, the resolutions (code commits
    and data content digests, whose hashed forms hold only strings and small integers, so RFC
    8785 gives the same bytes): an old commit still renders for `diff`. Its root digests are not
    this version's and are never compared.
    """
    from agentcfg.canonical import load_json

    fix = f"restore it from git, or re-create it with `{FIX_COMMAND}`"
    obj = load_json(data, origin, "the lock", fix)
    if not isinstance(obj, dict) or not isinstance(obj.get("artefacts"), dict):
        raise AgentcfgError("not an agentcfg lock (no `artefacts`)", location=Location(origin),
                            hint=f"re-create it with `{FIX_COMMAND}`")
    version = obj.get("format_version")
    if version == LEGACY_LOCK_FORMAT and not legacy:
        raise OldLockFormat("the lock was written by an older agentcfg (lock format 1, digests over Python's JSON)",
                            location=Location(origin), hint=f"run `{FIX_COMMAND}` again and commit the lock")
    if type(version) is not int or version not in (LOCK_FORMAT, LEGACY_LOCK_FORMAT):
        raise AgentcfgError(f"unsupported lock format_version {version!r}", location=Location(origin),
                            hint="upgrade agentcfg, or re-create the lock with this version")
    problem = _shape_problem(obj)
    if problem:
        # Everything downstream (check, verify, render --rev, diff) trusts these shapes.
        raise AgentcfgError(f"the lock is malformed: {problem}", location=Location(origin), hint=fix)
    return obj


def _shape_problem(obj: dict[str, Any]) -> str | None:
    def entries(where: str, table: Any, allow_null: bool) -> str | None:
        if not isinstance(table, dict):
            return f"`{where}` must be a mapping"
        for aid, entry in table.items():
            if entry is None and allow_null:
                continue  # an overlay removed this artefact
            if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
                return f"`{where}.{aid}` must be a mapping with a string `digest`"
            for key in ("commit", "ref", "repo", "path", "source", "tree"):
                if key in entry and entry[key] is not None and not isinstance(entry[key], str):
                    return f"`{where}.{aid}.{key}` must be a string"
        return None

    if "digest" in obj and obj["digest"] is not None and not isinstance(obj["digest"], str):
        return "`digest` must be a string"
    found = entries("artefacts", obj["artefacts"], False)
    if found:
        return found
    envs = obj.get("environments", {})
    if not isinstance(envs, dict):
        return "`environments` must be a mapping of environment name to its entry"
    for env, entry in envs.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
            return f"`environments.{env}` must be a mapping with a string `digest`"
        found = entries(f"environments.{env}.artefacts", entry.get("artefacts", {}), True)
        if found:
            return found
    return None


def read_lock(project: "Project") -> tuple[dict[str, Any] | None, bytes | None]:
    """(parsed lock, raw bytes) of the working tree's lock; (None, None) when there is none."""
    path = project.root / LOCK_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise AgentcfgError(f"cannot read {LOCK_FILE}: {exc.strerror}") from None
    return parse_lock(data, LOCK_FILE), data


# --- the public functions ---------------------------------------------------------------------

def lock(root: Path | str = ".", *, check: bool = False, progress: Progress | None = None,
         wait: float = 0.0) -> LockResult:
    """Resolve and hash everything into ``agentcfg.lock``.

    With ``check``, nothing is written (except git-ignored caches); the result lists every stale
    entry and the CLI exits 1 when there is any. Without it, the lock is rewritten only when
    its bytes change, atomically, while holding the repository's writer mutex. When none of the
    lock's inputs changed since the last run (agentcfg.warm.lockinputs), nothing is recomputed.
    ``wait``: seconds to queue behind another agentcfg writer (default: refuse at once).
    """
    from agentcfg.warm import lockinputs

    fast = lockinputs.fresh_lock(root)
    if fast is not None:
        return LockResult(fast[0], False, [], fast[1], checked=check)

    from agentcfg.project import Project
    from agentcfg.writer import exclusive_writer

    project = Project.find(root)
    path = project.root / LOCK_FILE
    recorder, resolver = _recording_resolver(project, progress)
    try:
        if check:
            new = _build_recorded(project, resolver, recorder)
            try:
                old, raw = read_lock(project)
                stale = compare(old, new)
            except OldLockFormat:
                return LockResult(new, False, [StaleEntry(LOCK_FILE, OLD_FORMAT)], path, checked=True)
            text = dumps(new).encode("utf-8")
            if not stale and raw != text:
                stale.append(StaleEntry(LOCK_FILE, REFORMATTED))
            if not stale:
                recorder.save(project.state_dir, text)
            return LockResult(new, False, stale, path, checked=True)
        with exclusive_writer(project.state_dir, "agentcfg lock", wait=wait):
            new = _build_recorded(project, resolver, recorder)
            try:
                old, raw = read_lock(project)
            except AgentcfgError:  # a corrupt lock is simply replaced
                old, raw = None, None
            text = dumps(new).encode("utf-8")
            written = raw != text
            if written:
                lockinputs.discard(project.state_dir)  # never let a memo vouch for a half-done write
                atomic_write(path, text)
            _remove_orphaned_temp_files(project.root)
            recorder.save(project.state_dir, text)
        return LockResult(new, written, compare(old, new) if old is not None else [], path)
    finally:
        # Caches are saved last: the lock itself is what must be durable first.
        resolver.save_cache()
        project.save_caches()


def _recording_resolver(project: "Project", progress: Progress | None) -> tuple["InputRecorder", "LiveResolver"]:
    from agentcfg.resolve import LiveResolver
    from agentcfg.warm.lockinputs import InputRecorder

    recorder = InputRecorder(project.root, project.repo_root)
    resolver = LiveResolver(project, progress=progress)
    resolver.recorder = recorder
    return recorder, resolver


def _build_recorded(project: "Project", resolver: "LiveResolver", recorder: "InputRecorder") -> dict[str, Any]:
    """Build the lock while recording its inputs (for the next run's warm path)."""
    from agentcfg.lockbuild import build_lock

    try:
        return build_lock(project, resolver, tree=recorder.answering(project.worktree()))
    finally:
        resolver.close()


def _remove_orphaned_temp_files(folder: Path) -> None:
    # A writer killed between creating its temp file and renaming it leaves
    # `.agentcfg.lock.<random>.tmp` behind; only we create such names, and we hold the writer mutex.
    for orphan in folder.glob(f".{LOCK_FILE}.*.tmp"):
        try:
            orphan.unlink()
        except OSError:
            pass
