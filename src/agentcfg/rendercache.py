"""Rendered configs of locked commits, cached by the commit's git tree id.

A commit that carries ``agentcfg.lock`` renders as a pure function of its files (the manifest,
overlays, referenced files and the lock, which pins data and code), the environment and
agentcfg's version: nothing live is asked. Git names a commit's whole file tree by one object
id, so ``(tree id, manifest folder, environment, agentcfg version)`` identifies the rendering
exactly, and a second `diff HEAD~1 HEAD` or `promote` of the same commit loads it from
``.agentcfg/cache/renders/`` instead of reading and checking thousands of files again (the
diff of a 2,000-artefact project stays under half a second).

Every hit is re-verified: the stored config's canonical JSON must hash to its root digest, so a
damaged entry is ignored, never promoted. Commits without a lock (rendered partly from live state) are never
cached. Only the newest :data:`KEEP` entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from agentcfg.rendering import Rendered

CACHE_FORMAT = 1
KEEP = 32


def _path(state_dir: Path, tree_sha: str, subdir: str, env: str | None) -> Path:
    from agentcfg import __version__

    key = "\0".join((str(CACHE_FORMAT), __version__, tree_sha, subdir, env or ""))
    return state_dir / "cache" / "renders" / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def get(state_dir: Path, tree_sha: str, subdir: str, env: str | None) -> Rendered | None:
    """The cached rendering, or None (absent, foreign, damaged)."""
    path = _path(state_dir, tree_sha, subdir, env)
    try:
        head_line, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(head_line)
        # The body is the config's canonical JSON, so its sha256 *is* the root digest: a damaged
        # or edited entry is caught for the price of one hash, never promoted.
        if head["tree"] != tree_sha or head["subdir"] != subdir or head["environment"] != env:
            return None
        if "sha256:" + hashlib.sha256(body).hexdigest() != head["digest"]:
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
