"""Digests of data files, remembered by stamp: (path, stamp) → sha256 of the file's bytes.

Re-locking a large unchanged data set must read no file contents, so the digest of every
hashed file is remembered in ``.agentcfg/cache/stat.json`` (git-ignored) with the file's stamp
(:mod:`agentcfg.warm.rule`: size, mtime, ctime, inode, device). A file whose stamp is unchanged
and was not racy when it was hashed (modified within :data:`RACY_NS` of the moment hashing
started) is not read again; a racy entry is stored but the file is hashed again next time.

The cache is an optimisation only: an unreadable or foreign cache is ignored, and a failure to
write it (read-only checkout) only costs speed.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from agentcfg.warm.rule import RACY_NS, Stamp, code_digest, now_ns, stamp_of

CACHE_FORMAT = 2
CACHE_NAME = "stat.json"

Signature = Stamp


class StatCache:
    """Digests of files keyed by their path (relative to the repository) and stat signature."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, list[int | str]] | None = None
        self._seen: set[str] = set()
        self._roots: set[str] = set()
        self._dirty = False
        self._lock = threading.Lock()  # hashing runs in a thread pool
        self.hits = 0
        self.misses = 0

    def _load(self) -> dict[str, list[int | str]]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                try:
                    blob = json.loads(self.path.read_bytes())
                    if (isinstance(blob, dict) and blob.get("format_version") == CACHE_FORMAT
                            and blob.get("code") == code_digest()):
                        entries = blob.get("entries")
                        self._entries = entries if isinstance(entries, dict) else {}
                except (OSError, ValueError):
                    pass
        return self._entries

    def add_root(self, rel: str) -> None:
        """Mark a walked folder: on save, entries below it that were not seen are dropped."""
        self._roots.add(rel.rstrip("/") + "/")

    def get(self, rel: str, sig: Signature) -> str | None:
        """The cached digest when ``rel`` still has signature ``sig`` and the entry is not racy."""
        entries = self._load()
        with self._lock:
            self._seen.add(rel)
            hit = entries.get(rel)
        if (
            isinstance(hit, list)
            and len(hit) == 7
            and tuple(hit[:5]) == sig
            and isinstance(hit[6], int)
            and sig[1] < hit[6] - RACY_NS
            and isinstance(hit[5], str)
        ):
            self.hits += 1
            return hit[5]
        self.misses += 1
        return None

    def put(self, rel: str, sig: Signature, digest: str, hashed_at_ns: int) -> None:
        """Remember ``digest`` for ``rel``; ``hashed_at_ns`` is when reading it started."""
        entries = self._load()
        with self._lock:
            entries[rel] = [*sig, digest, hashed_at_ns]
            self._seen.add(rel)
            self._dirty = True

    def save(self) -> None:
        """Write the cache back (atomically, best effort) when anything changed."""
        if self.path is None:
            return
        entries = self._load()
        stale = [k for k in entries if k not in self._seen and any(k.startswith(r) for r in self._roots)]
        if not self._dirty and not stale:
            return
        for key in stale:
            del entries[key]
        from agentcfg.canonical import atomic_write
        from agentcfg.jsonwrite import compact_json

        try:
            blob = compact_json({"format_version": CACHE_FORMAT, "code": code_digest(), "entries": entries})
            atomic_write(self.path, blob, cache=True)
        except OSError:
            pass
        self._dirty = False


def signature(st: os.stat_result) -> Signature:
    return stamp_of(st)


__all__ = ["CACHE_NAME", "RACY_NS", "Signature", "StatCache", "now_ns", "signature"]
