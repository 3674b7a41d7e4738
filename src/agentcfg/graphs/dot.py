"""Graphviz DOT: `agentcfg graph --format dot | dot -Tsvg > graph.svg` for docs and wikis."""

from __future__ import annotations

from agentcfg.graphs import labels
from agentcfg.graphs.escape import dot_text, ids_for
from agentcfg.graphs.model import END, Graph, GraphEdge, GraphNode
from agentcfg.graphs.style import (
    APPROVAL_STROKE,
    KIND_FILL,
    KIND_STROKE,
    STATUS_FILL,
    STATUS_STROKE,
    TERMINAL_FILL,
    TERMINAL_TEXT,
)

START_ID, END_ID = "start", "end"  # DOT keywords are graph/node/edge/digraph/subgraph/strict only
_SHAPE = {"agent": ("box", "rounded,filled"), "tool": ("component", "filled"), "human": ("hexagon", "filled"),
          "unknown": ("box", "dashed")}
FONT = "Helvetica"


def _attrs(pairs: dict[str, str]) -> str:
    return "[" + ", ".join(f'{k}="{v}"' for k, v in pairs.items()) + "]"


def _node(node_id: str, node: GraphNode) -> str:
    shape, style = _SHAPE[node.kind]
    fill, stroke, width = KIND_FILL[node.kind], KIND_STROKE[node.kind], "1"
    if node.status is not None:
        fill, stroke, width = STATUS_FILL[node.status], STATUS_STROKE[node.status], "2"
        if node.status == "removed":
            style += ",dashed"
    if node.needs_approval:
        stroke, width = APPROVAL_STROKE, "3"
    elif node.gated_tools:
        stroke, width = APPROVAL_STROKE, "1.5"
    label = "\\n".join(dot_text(line) for line in labels.node_lines(node))
    return f"  {node_id} " + _attrs({"label": label, "shape": shape, "style": style, "fillcolor": fill,
                                      "color": stroke, "penwidth": width})


def _edge(source: str, target: str, edge: GraphEdge) -> str:
    attrs: dict[str, str] = {}
    text = labels.edge_label(edge)
    if text is not None:
        attrs["label"] = dot_text(text)
    if edge.status is not None:
        attrs.update(color=STATUS_STROKE[edge.status], fontcolor=STATUS_STROKE[edge.status],
                     penwidth="1.5" if edge.status == "removed" else "2.5")
        if edge.status == "removed":
            attrs["style"] = "dashed"
    return f"  {source} -> {target}" + (f" {_attrs(attrs)}" if attrs else "") + ";"


def to_dot(graph: Graph) -> str:
    """One ``digraph`` of ``graph``; diff statuses, when present, colour nodes and edges."""
    ids = ids_for([n.name for n in graph.nodes])
    terminal = {"shape": "oval", "style": "filled", "fillcolor": TERMINAL_FILL, "fontcolor": TERMINAL_TEXT,
                "color": TERMINAL_FILL}
    out = [f'digraph "{dot_text(graph.name)}" {{',
           f'  graph [label="{dot_text(labels.title(graph))}", labelloc="t", fontname="{FONT}", rankdir="TB"];',
           f'  node [fontname="{FONT}", fontsize="11"];',
           f'  edge [fontname="{FONT}", fontsize="10"];']
    if graph.entry in ids:  # not when the entry is outside the drawing
        out.append(f"  {START_ID} " + _attrs({"label": "start", **terminal}) + ";")
    out += [_node(ids[n.name], n) + ";" for n in graph.nodes]
    names = {n.name for n in graph.nodes}
    if graph.ends:
        out.append(f"  {END_ID} " + _attrs({"label": "END", **terminal}) + ";")
    if graph.entry in ids:
        start = GraphEdge("", graph.entry, None, graph.entry_status)
        out.append(_edge(START_ID, ids[graph.entry], start))
    for edge in graph.edges:
        target = END_ID if edge.target == END and END not in names else ids.get(edge.target)
        source = ids.get(edge.source)
        if source is not None and target is not None:
            out.append(_edge(source, target, edge))
    out.append("}")
    return "\n".join(out) + "\n"


__all__ = ["to_dot"]
