"""Rendered configs of locked commits, cached by the commit's git tree id, verified against git.

A commit that carries ``agentcfg.lock`` renders as a pure function of its files (the manifest,
overlays, referenced files and the lock, which pins data and code), the environment and
agentcfg's code: nothing live is asked. Git names a commit's whole file tree by one object id,
so ``(tree id, manifest folder, environment, code digest)`` identifies the rendering, and a
second `diff HEAD~1 HEAD` or `render --rev` of the same commit loads it from
``.agentcfg/cache/renders/`` instead of reading and checking thousands of files again.

A hit is served only when the stored config's canonical JSON hashes to the root digest that
the commit's own lock — a git object, read by the caller — records for the environment. A
rewritten entry (even with a recomputed digest in its header) therefore never passes, and only
renders that equal what the lock records are stored, so a commit with a stale lock is always
rendered cold. `promote` does not read this cache at all (see promotion/lockgate.py). Only the
newest :data:`KEEP` entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from agentcfg.canonical import digest_value
from agentcfg.rendering import Rendered
from agentcfg.warm.rule import code_digest

CACHE_FORMAT = 3
KEEP = 32


def _path(state_dir: Path, tree_sha: str, subdir: str, env: str | None) -> Path:
    key = "\0".join((str(CACHE_FORMAT), code_digest(), tree_sha, subdir, env or ""))
    return state_dir / "cache" / "renders" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def attested(lock: dict[str, Any], env: str | None) -> tuple[str | None, dict[str, str]]:
    """What ``lock`` records for ``env``: its root digest (None when it records none) and the
    digest of every artefact in effect there (``policies/*`` aside: they are not artefacts of a
    rendered config)."""
    envs = lock.get("environments") or {}
    entry = envs.get(env) if env is not None else None
    if env is not None and not isinstance(entry, dict):
        return None, {}
    digest = (entry or {}).get("digest") if env is not None else lock.get("digest")
    merged = {**(lock.get("artefacts") or {}), **((entry or {}).get("artefacts") or {})}
    artefacts = {aid: e["digest"] for aid, e in merged.items()
                 if isinstance(e, dict) and isinstance(e.get("digest"), str) and not aid.startswith("policies/")}
    return (digest if isinstance(digest, str) else None), artefacts


def get(state_dir: Path, tree_sha: str, subdir: str, env: str | None, lock: dict[str, Any]) -> Rendered | None:
    """The cached rendering when it is what ``lock`` (the commit's own, read from git) records
    for ``env``, else None (absent, foreign, damaged, rewritten, or a lock that records none)."""
    digest, artefacts = attested(lock, env)
    if digest is None:
        return None
    path = _path(state_dir, tree_sha, subdir, env)
    try:
        head_line, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(head_line)
        if head["tree"] != tree_sha or head["subdir"] != subdir or head["environment"] != env:
            return None
        config = json.loads(body)
        # The root digest is the sha256 of the config's canonical JSON: recomputed here and
        # compared with the digest in git, not with the one in the entry, so an edited entry is
        # never served. The per-artefact digests come from the lock, not from the entry.
        if not isinstance(config, dict) or digest_value(config) != digest:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.utime(path)  # recently used: kept by the pruning below
    except OSError:
        pass
    return Rendered(env, config, digest, artefacts)


def put(state_dir: Path, tree_sha: str, subdir: str, rendered: Rendered, lock: dict[str, Any]) -> None:
    """Store ``rendered`` when it is exactly what ``lock`` records (best effort: a read-only
    checkout only loses speed). The body keeps the config's key order: a hit prints the same."""
    from agentcfg.canonical import atomic_write
    from agentcfg.jsonwrite import compact_json
    from agentcfg.project import ensure_state_dir

    if attested(lock, rendered.environment) != (rendered.digest, rendered.artefacts):
        return  # a stale lock: rendered cold every time, never cached
    path = _path(state_dir, tree_sha, subdir, rendered.environment)
    head = {"format_version": CACHE_FORMAT, "tree": tree_sha, "subdir": subdir, "environment": rendered.environment}
    body = compact_json(rendered.config)  # canonical (its digest is the lock's): no NaN, no infinity
    try:
        ensure_state_dir(state_dir)
        atomic_write(path, compact_json(head) + b"\n" + body, cache=True)
        _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
