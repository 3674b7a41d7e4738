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

from agentcfg.render import Rendered
from agentcfg.warm.rule import code_digest

CACHE_FORMAT = 2
KEEP = 32


def _path(state_dir: Path, tree_sha: str, subdir: str, env: str | None) -> Path:
    key = "\0".join((str(CACHE_FORMAT), code_digest(), tree_sha, subdir, env or ""))
    return state_dir / "cache" / "renders" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def get(state_dir: Path, tree_sha: str, subdir: str, env: str | None, locked: str | None) -> Rendered | None:
    """The cached rendering when it hashes to ``locked`` (the digest the commit's lock records
    for ``env``), else None (absent, foreign, damaged, rewritten)."""
    if locked is None:
        return None
    path = _path(state_dir, tree_sha, subdir, env)
    try:
        head_line, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(head_line)
        # The body is the config's canonical JSON, so its sha256 *is* the root digest: compared
        # with the digest in git, not the one in the entry, an edited entry is never served.
        if head["tree"] != tree_sha or head["subdir"] != subdir or head["environment"] != env:
            return None
        if head["digest"] != locked or "sha256:" + hashlib.sha256(body).hexdigest() != locked:
            return None
        rendered = Rendered(env, json.loads(body), head["digest"], head["artefacts"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.utime(path)  # recently used: kept by the pruning below
    except OSError:
        pass
    return rendered


def put(state_dir: Path, tree_sha: str, subdir: str, rendered: Rendered) -> None:
    """Store ``rendered`` (best effort: a read-only checkout only loses speed)."""
    from agentcfg.canonical import atomic_write, canonical_json
    from agentcfg.project import ensure_state_dir

    path = _path(state_dir, tree_sha, subdir, rendered.environment)
    head = {"format_version": CACHE_FORMAT, "tree": tree_sha, "subdir": subdir, "environment": rendered.environment,
            "digest": rendered.digest, "artefacts": rendered.artefacts}
    body = canonical_json(rendered.config)
    try:
        ensure_state_dir(state_dir)
        atomic_write(path, json.dumps(head, separators=(",", ":")) + "\n" + body, cache=True)
        _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
