"""What makes a model change risky: identity (id, provider, kind, dims), pinning, parameters,
fallbacks, and, for an embedding model, the memory stores whose vectors it made."""

from __future__ import annotations

from typing import Any

from agentcfg.semdiff.compare.base import Pair, Row, generic, named_list, row, same
from agentcfg.pinning import is_pinned

IDENTITY = ("id", "provider", "kind", "dims")


def floats(model: Any) -> bool:
    """Whether a rendered model's id is a floating alias under its provider's rules."""
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        return False
    pinned, _ = is_pinned(str(model.get("provider", "")), model["id"], model.get("pinned"))
    return not pinned


def _memories_using(pair: Pair) -> tuple[list[str], bool]:
    """Memory stores (either side) embedding with this model, and whether all newly declare a migration."""
    names: list[str] = []
    migrated = True
    for side in ("old", "new"):
        for mem_name, mem in pair.ctx.entries(side, "memory").items():
            if isinstance(mem, dict) and mem.get("embedder") == pair.name and mem_name not in names:
                names.append(mem_name)
    for mem_name in names:
        old = pair.ctx.entries("old", "memory").get(mem_name) or {}
        new = pair.ctx.entries("new", "memory").get(mem_name) or {}
        declared = new.get("migration") if isinstance(new, dict) else None
        if not (isinstance(declared, str) and declared and declared != (old or {}).get("migration")):
            migrated = False
    return sorted(names), migrated


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    became_floating = floats(pair.new) and not floats(pair.old)
    memories, migrated = _memories_using(pair)
    for key in pair.keys:
        old, new = pair.get(key)
        if key in IDENTITY:
            if same(old, new):
                continue
            if memories and key != "kind":
                rule = "embedder-model-migrated" if migrated else "embedder-model-changed"
                rows.append(row(key, old, new, rule, irreversible=True,
                                details={"memory": [f"memory/{m}" for m in memories]}))
            else:
                # The more specific rule first: it wins the tie at "high" and names the real problem.
                rules = (["model-floating"] if became_floating and key == "id" else []) + ["model-identity"]
                rows.append(row(key, old, new, *rules))
        elif key == "pinned":
            if old != new:
                rows.append(row(key, old, new, "model-floating" if became_floating else "metadata"))
        elif key == "parameters":
            rows += generic(pair, key, lambda _: "model-parameters")
        elif key == "fallbacks":
            rows += named_list(old, new, "fallbacks", "model-fallback-added", "model-fallback-removed",
                               "model-fallback-order", pair.ctx, "models")
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    if became_floating and not any("model-floating" in r.rules for r in rows):
        # The id did not change, but the provider or `pinned:` did, and the id now floats.
        target = next((r for r in rows if r.path in IDENTITY or r.path == "pinned"), None)
        if target is not None:
            target.rules.insert(0, "model-floating")
        else:
            rows.append(Row("id", pair.old.get("id"), pair.new.get("id"), ["model-floating"]))
    return rows
