"""Mermaid flowcharts: what GitHub and GitLab draw from a ```mermaid block in a comment."""

from __future__ import annotations

from agentcfg.graphs import labels
from agentcfg.graphs.escape import MERMAID_PLAIN as _PLAIN
from agentcfg.graphs.escape import ids_for, mermaid_text
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

START_ID, END_ID = "startnode", "endnode"  # never clash with n0, n1…; `end` alone is Mermaid syntax
_SHAPE = {"agent": ('("', '")'), "tool": ('[["', '"]]'), "human": ('{{"', '"}}'), "unknown": ('["', '"]')}
_ARROW = {None: "-->", "changed": "-->", "added": "==>", "removed": "-.->"}


def title_text(graph: Graph) -> str:
    """The front-matter title: Mermaid reads it as YAML before any escaping applies, and
    scans the whole text for `%%{…}%%` directives, so only plain characters are kept."""
    return "".join(c if _PLAIN.fullmatch(c) or c in "()" else "?" for c in labels.title(graph))


def _class_defs() -> list[str]:
    out = [f"classDef {kind} fill:{KIND_FILL[kind]},stroke:{KIND_STROKE[kind]},color:#212529" for kind in KIND_FILL]
    out.append(f"classDef terminal fill:{TERMINAL_FILL},stroke:{TERMINAL_FILL},color:{TERMINAL_TEXT}")
    for status, fill in STATUS_FILL.items():
        dash = ",stroke-dasharray:6 4" if status == "removed" else ""
        out.append(f"classDef {status} fill:{fill},stroke:{STATUS_STROKE[status]},stroke-width:2px{dash}")
    # Defined last so that its border wins over a diff colour: approval is never hidden.
    out.append(f"classDef gated stroke:{APPROVAL_STROKE},stroke-width:2px")
    out.append(f"classDef approval stroke:{APPROVAL_STROKE},stroke-width:4px")
    return out


def _node(node_id: str, node: GraphNode) -> list[str]:
    opening, closing = _SHAPE[node.kind]
    label = "<br>".join(mermaid_text(line) for line in labels.node_lines(node))
    out = [f"{node_id}{opening}{label}{closing}:::{node.kind}"]
    if node.status is not None:
        out.append(f"class {node_id} {node.status}")
    if node.needs_approval:
        out.append(f"class {node_id} approval")
    elif node.gated_tools:
        out.append(f"class {node_id} gated")
    return out


def _edge(source: str, target: str, edge: GraphEdge) -> str:
    arrow = _ARROW.get(edge.status, "-->")
    text = labels.edge_label(edge)
    return f"{source} {arrow}|\"{mermaid_text(text)}\"| {target}" if text is not None else f"{source} {arrow} {target}"


def _link_style(index: int, status: str | None) -> str | None:
    if status is None:
        return None
    width = "2px" if status == "removed" else "3px"
    return f"linkStyle {index} stroke:{STATUS_STROKE[status]},stroke-width:{width}"


def to_mermaid(graph: Graph, *, titled: bool = True, direction: str = "TD") -> str:
    """One Mermaid flowchart of ``graph`` (with a front-matter title unless ``titled`` is False).

    Nodes in a diff picture carry a ``status`` (added, removed, changed): their fill, border and
    arrows show it, and their label says it in words too.
    """
    ids = ids_for([n.name for n in graph.nodes])
    out: list[str] = []
    if titled:
        out += ["---", f'title: "{title_text(graph)}"', "---"]
    out.append(f"flowchart {direction}")
    # No start marker when the entry is outside the drawing (a cut of a large graph).
    body = [f'{START_ID}(["start"]):::terminal'] if graph.entry in ids else []
    for node in graph.nodes:
        body += _node(ids[node.name], node)
    names = {n.name for n in graph.nodes}
    if graph.ends:
        body.append(f'{END_ID}(["END"]):::terminal')
    styles: list[str] = []
    links: list[str] = []
    if graph.entry in ids:
        links.append(f"{START_ID} --> {ids[graph.entry]}")
        styles.append(_link_style(0, graph.entry_status) or "")
    for edge in graph.edges:
        target = END_ID if edge.target == END and END not in names else ids.get(edge.target)
        source = ids.get(edge.source)
        if source is None or target is None:
            continue
        styles.append(_link_style(len(links), edge.status) or "")
        links.append(_edge(source, target, edge))
    out += ["  " + line for line in body + links + _class_defs() + [s for s in styles if s]]
    return "\n".join(out) + "\n"


__all__ = ["END_ID", "START_ID", "to_mermaid"]
