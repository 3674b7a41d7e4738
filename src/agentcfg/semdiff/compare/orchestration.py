"""What makes a graph change risky: entry, nodes (matched by name), edges (matched by
from → to, not by position), the max_steps bound, and the state schema of checkpointed runs."""

from __future__ import annotations

from typing import Any

from agentcfg.semdiff.compare.base import (
    MISSING,
    Pair,
    Row,
    generic,
    leaves,
    newly_declared,
    row,
    same,
)

REFERENCES = {"agent": "agents", "tool": "tools"}


def _nodes(pair: Pair) -> list[Row]:
    old, new = pair.get("nodes")
    rows: list[Row] = []
    for sub, a, b in leaves(old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}):
        path = ".".join(("nodes",) + sub)
        field = sub[-1] if len(sub) > 1 else None
        if field == "description":
            rule = "metadata"
        elif len(sub) == 2 and field in REFERENCES and pair.ctx.same_content(REFERENCES[field], a, b):
            rule = "reference-same-content"
        else:
            rule = "graph-nodes"
        rows.append(row(path, a, b, rule))
    return rows


def edge_keys(edges: Any) -> dict[str, dict[str, Any]]:
    """Edges by ``from->to`` (``#2``, ``#3`` for further edges between the same two nodes)."""
    out: dict[str, dict[str, Any]] = {}
    for edge in edges if isinstance(edges, list) else ():
        if not isinstance(edge, dict):
            continue
        base = f"{edge.get('from')}->{edge.get('to')}"
        key, n = base, 1
        while key in out:
            n += 1
            key = f"{base}#{n}"
        out[key] = edge
    return out


def _edges(pair: Pair) -> list[Row]:
    old, new = pair.get("edges")
    a, b = edge_keys(old), edge_keys(new)
    rows: list[Row] = []
    for key in sorted(set(a) | set(b)):
        ea, eb = a.get(key, MISSING), b.get(key, MISSING)
        if ea is MISSING or eb is MISSING:
            rows.append(row(f"edges[{key}]", ea, eb, "graph-edges"))
            continue
        for sub, x, y in leaves(ea, eb):
            rows.append(row(f"edges[{key}]." + ".".join(sub), x, y, "graph-edges"))
    if not rows and list(a) != list(b):
        rows.append(row("edges", list(a), list(b), "list-reordered"))
    return rows


def _max_steps(old: Any, new: Any) -> Row | None:
    if same(old, new):
        return None
    a = old if isinstance(old, int) else None
    b = new if isinstance(new, int) else None
    grows = b is None or (a is not None and b > a)
    return row("max_steps", old, new, "graph-max-steps-grows" if grows else "graph-max-steps-shrinks")


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key == "nodes":
            rows += _nodes(pair)
        elif key == "edges":
            rows += _edges(pair)
        elif key == "entry":
            rows += generic(pair, key, lambda _: "graph-entry")
        elif key == "max_steps":
            hit = _max_steps(old, new)
            rows += [hit] if hit else []
        elif key == "state_schema_version":
            if not same(old, new):
                rule = "graph-state-migrated" if newly_declared(pair) else "graph-state-schema"
                rows.append(row(key, old, new, rule, irreversible=True))
        elif key in ("description", "migration"):
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
