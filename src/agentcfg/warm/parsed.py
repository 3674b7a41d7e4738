"""A parse cache under `.agentcfg/cache/`: YAML of the working tree is parsed only when its bytes change.

ruamel.yaml parses pure Python at well under 1 MB/s, while JSON loads at ~190 MB/s, so a large
project's `validate` after a one-file edit reads one JSON file of already-parsed documents keyed
by the sha256 of their bytes. An entry holds a document's data only: its positions are
recomputed from the file's text when a finding needs one (few runs do), so a hit costs no per-value
work and the file stays small. Documents the JSON fast path reads are not kept: reading them
back would cost what parsing them does. Content is the key, so no timestamp is trusted; the code digest
is part of the key, so another parser's results are never reused. `diff` reads it (and never
writes it) for the blobs of the commits it compares: in a CI job, the files `validate` just
parsed are the blobs of HEAD. What decides a promotion (the revision being promoted, HEAD's
policies) never goes through it. Entries not used by a run are dropped when it saves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcfg.warm.rule import code_digest

CACHE_FORMAT = 3  # 3: data only (2 also held positions and raw texts; never read as 3)


class FileParseCache:
    durable = True  # on disk: documents the JSON fast path reads are not worth keeping (yamlio.load)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] | None = None
        self._used: set[str] = set()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                blob = json.loads(self.path.read_bytes())
                # Other code may parse more strictly: never reuse its results.
                ok = (isinstance(blob, dict) and blob.get("format_version") == CACHE_FORMAT
                      and blob.get("code") == code_digest())
                self._entries = blob.get("entries", {}) if ok else {}
            except (OSError, ValueError):
                self._entries = {}
        return self._entries

    def get(self, key: str) -> Any | None:
        hit = self._load().get(key)
        if hit is not None:
            self._used.add(key)
        return hit

    def put(self, key: str, value: Any) -> None:
        self._load()[key] = value
        self._used.add(key)
        self._dirty = True

    def save(self) -> None:
        """Write used entries back if anything was added (best effort, atomic)."""
        entries = self._load()
        if not self._dirty and len(self._used) == len(entries):
            return
        from agentcfg.canonical import atomic_write
        from agentcfg.jsonwrite import compact_json
        from agentcfg.project import ensure_state_dir

        keep = {k: entries[k] for k in self._used if k in entries}
        try:
            ensure_state_dir(self.path.parent.parent)
            atomic_write(self.path, compact_json({"format_version": CACHE_FORMAT, "code": code_digest(),
                                                  "entries": keep}), cache=True)
        except OSError:
            pass  # a read-only checkout still works, just slower
