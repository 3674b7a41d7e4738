"""What makes a memory change risky: anything that makes stored vectors or state unreadable
(embedder, dims, schema_version), orphans them (store, collection, namespace), or deletes them
(a shorter ttl)."""

from __future__ import annotations

import math
import re
from typing import Any

from agentcfg.semdiff.compare.base import MISSING, Pair, Row, generic, newly_declared, row, same

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_TTL_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdwy])")
_UNLIMITED = {"forever", "never", "none", "infinite", "unlimited", ""}
UNREADABLE = ("embedder", "dims", "schema_version")


def ttl_seconds(ttl: Any) -> float | None:
    """``"90d"`` → 7776000.0, ``"1d12h"`` → 129600.0; absent or ``forever`` → inf; None if unreadable."""
    if ttl is None or ttl is MISSING:
        return math.inf
    if isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        return float(ttl)
    if not isinstance(ttl, str):
        return None
    text = ttl.strip().lower()
    if text in _UNLIMITED:
        return math.inf
    parts = _TTL_PART.findall(text)
    if not parts or _TTL_PART.sub("", text).strip():
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _model_identity(pair: Pair, side: str, ref: Any) -> Any:
    model = pair.ctx.entries(side, "models").get(ref) if isinstance(ref, str) else None
    if not isinstance(model, dict):
        return None
    return {k: model.get(k) for k in ("provider", "id", "kind", "dims")}


def _unreadable(pair: Pair, key: str, old: Any, new: Any) -> Row | None:
    if same(old, new):
        return None
    if key == "embedder":
        before, after = _model_identity(pair, "old", old), _model_identity(pair, "new", new)
        if pair.ctx.same_content("models", old, new) or (before is not None and before == after):
            return row(key, old, new, "reference-same-content")
    rule = "memory-migrated" if newly_declared(pair) else "memory-embedder"
    return row(key, old, new, rule, irreversible=True,
               details={"migration": pair.new.get("migration")} if newly_declared(pair) else {})


def _ttl(old: Any, new: Any) -> Row | None:
    if same(old, new):
        return None
    a, b = ttl_seconds(old), ttl_seconds(new)
    if a is None or b is None:
        return row("ttl", old, new, "unclassified", details={"note": "ttl not understood"})
    if a == b:
        return row("ttl", old, new, "metadata", details={"note": "the same duration, written differently"})
    return row("ttl", old, new, "memory-ttl-shrinks" if b < a else "memory-ttl-grows")


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key in UNREADABLE:
            hit = _unreadable(pair, key, old, new)
            rows += [hit] if hit else []
        elif key == "store":
            rows += generic(pair, key, lambda sub: "memory-orphaned" if sub and sub[0] in (
                "provider", "collection", "url") or not sub else "unclassified")
        elif key == "namespace":
            rows += generic(pair, key, lambda _: "memory-orphaned")
        elif key == "ttl":
            hit = _ttl(old, new)
            rows += [hit] if hit else []
        elif key in ("description", "migration"):
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
