"""One picture of what changed in a graph: the new graph, with removed parts kept (dashed),
and every node and edge marked added, removed or changed.

A node is *changed* when anything its label shows changed, including what it reaches through
other artefacts: its agent's model id, its tool's side effects, who must approve. A reviewer
sees the steps a pull request really alters, not only the lines it edits in `orchestration:`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from agentcfg.graphs.model import END, Graph, GraphEdge, GraphNode, graphs_of

FOCUS_LIMIT = 40  # above this many nodes, a picture shows the changed part and its neighbours
DRAW_LIMIT = 120  # nodes a pull-request picture may hold at all (GitHub caps a diagram's text)


@dataclass(frozen=True)
class GraphChange:
    """A graph whose picture changed between two configs."""

    name: str
    kind: str  # "added" | "removed" | "changed"
    picture: Graph  # the merged graph, statuses set
    total_nodes: int  # nodes in the merged graph before any cut
    shown: Graph | None  # what to draw: the picture, its changed part, or None when too large
    scope: str = "whole"  # which part `shown` is (see :func:`focus`)

    @property
    def counts(self) -> dict[str, int]:
        """Nodes and edges per status (``added nodes`` …), for the line above the picture."""
        out: dict[str, int] = {}
        for label, items in (("node", self.picture.nodes), ("edge", self.picture.edges)):
            for item in items:
                if item.status is not None:
                    key = f"{item.status} {label}"
                    out[key] = out.get(key, 0) + 1
        return out


def _edge_keys(edges: tuple[GraphEdge, ...]) -> dict[tuple[str, str, int], GraphEdge]:
    # Matched by (from, to) and rank among edges between the same pair, as `diff` matches them.
    out: dict[tuple[str, str, int], GraphEdge] = {}
    for edge in edges:
        n = 1
        while (edge.source, edge.target, n) in out:
            n += 1
        out[(edge.source, edge.target, n)] = edge
    return out


def merge(old: Graph, new: Graph) -> Graph:
    """``new`` with ``old``'s removed nodes and edges added back, everything marked."""
    before = {n.name: n for n in old.nodes}
    after = {n.name for n in new.nodes}
    nodes: list[GraphNode] = []
    for node in new.nodes:
        was = before.get(node.name)
        status = "added" if was is None else "changed" if was.drawn() != node.drawn() else None
        nodes.append(replace(node, status=status))
    nodes += [replace(n, status="removed") for n in old.nodes if n.name not in after]
    a, b = _edge_keys(old.edges), _edge_keys(new.edges)
    edges: list[GraphEdge] = []
    for key, edge in b.items():
        was_edge = a.get(key)
        status = "added" if was_edge is None else "changed" if was_edge.when != edge.when else None
        edges.append(replace(edge, status=status))
    edges += [replace(e, status="removed") for k, e in a.items() if k not in b]
    notes: list[str] = []
    if old.entry != new.entry:
        notes.append(f"entry: {old.entry} → {new.entry}")
    if old.max_steps != new.max_steps:
        notes.append(f"max_steps: {old.max_steps} → {new.max_steps}")
    return replace(new, nodes=tuple(nodes), edges=tuple(edges), notes=tuple(notes),
                   entry_status="changed" if old.entry != new.entry else None)


def changed(picture: Graph) -> bool:
    """Whether a merged picture shows any change at all."""
    return (bool(picture.notes) or any(n.status for n in picture.nodes)
            or any(e.status for e in picture.edges))


def focus(picture: Graph, limit: int = FOCUS_LIMIT, most: int = DRAW_LIMIT) -> tuple[Graph | None, str]:
    """What to draw of ``picture``, and which part that is.

    ``"whole"``: the picture itself, when it has at most ``limit`` nodes. Else ``"neighbourhood"``:
    its changed nodes (and the ends of changed edges) with their direct neighbours; or
    ``"changed"``: without the neighbours, when those would be more than ``most`` nodes; or
    ``(None, "none")`` when even the changed nodes alone are more than ``most``.
    """
    if len(picture.nodes) <= limit:
        return picture, "whole"
    core = {n.name for n in picture.nodes if n.status}
    for edge in picture.edges:
        if edge.status:
            core |= {edge.source, edge.target} - {END}
    if picture.entry_status:
        core.add(picture.entry)
    near = set(core)
    for edge in picture.edges:
        if edge.source in core or edge.target in core:
            near |= {edge.source, edge.target} - {END}
    if len(near) <= most:
        keep, scope = near, "neighbourhood"
    elif len(core) <= most:
        keep, scope = core, "changed"
    else:
        return None, "none"
    names = {n.name for n in picture.nodes}
    edges = tuple(e for e in picture.edges
                  if e.source in keep and (e.target in keep or (e.target == END and END not in names)))
    return replace(picture, nodes=tuple(n for n in picture.nodes if n.name in keep), edges=edges,
                   entry=picture.entry if picture.entry in keep else ""), scope


def graph_changes(old_config: dict[str, Any] | None, new_config: dict[str, Any] | None,
                  env: str | None = None, renamed: dict[str, str] | None = None) -> list[GraphChange]:
    """Every graph whose picture differs between two rendered configs, by name.

    ``renamed`` ({old name: new name}, as ``diff`` found them) pairs a renamed graph with its
    old self instead of showing one removed and one added graph.
    """
    renamed = renamed or {}
    old = {g.name: g for g in graphs_of(old_config or {}, env)}
    new = {g.name: g for g in graphs_of(new_config or {}, env)}
    back = {v: k for k, v in renamed.items() if k in old and v in new}
    out: list[GraphChange] = []
    for name in sorted(new.keys() | (old.keys() - set(back.values()))):
        if name in new and (name in old or name in back):
            picture = merge(old[back.get(name, name)], new[name])
            if not changed(picture):
                continue
            kind = "changed"
        elif name in new:
            picture, kind = new[name].with_status("added"), "added"
        else:
            picture, kind = old[name].with_status("removed"), "removed"
        shown, scope = focus(picture)
        out.append(GraphChange(name, kind, picture, len(picture.nodes), shown, scope))
    return out


__all__ = ["DRAW_LIMIT", "FOCUS_LIMIT", "GraphChange", "changed", "focus", "graph_changes", "merge"]
