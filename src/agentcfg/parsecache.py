"""A parse cache under `.agentcfg/cache/`: YAML is parsed only when its bytes change.

ruamel.yaml parses pure Python at well under 1 MB/s, while JSON loads at ~190 MB/s, so a large
project's warm `validate` reads one JSON file of already-parsed documents keyed by the sha256 of
their bytes. The cache is an optimisation only: any problem reading or writing it is
ignored and the files are parsed again. Entries not used by a run are dropped when it saves,
so the cache never outgrows the project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcfg import __version__

CACHE_FORMAT = 1


class FileParseCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] | None = None
        self._used: set[str] = set()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                blob = json.loads(self.path.read_bytes())
                # A new agentcfg may parse more strictly: never reuse another version's results.
                ok = (isinstance(blob, dict) and blob.get("format_version") == CACHE_FORMAT
                      and blob.get("agentcfg") == __version__)
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
        from agentcfg.project import ensure_state_dir

        keep = {k: entries[k] for k in self._used if k in entries}
        try:
            ensure_state_dir(self.path.parent.parent)
            atomic_write(self.path, json.dumps({"format_version": CACHE_FORMAT, "agentcfg": __version__,
                                                "entries": keep},
                                               separators=(",", ":")), cache=True)
        except OSError:
            pass  # a read-only checkout still works, just slower
