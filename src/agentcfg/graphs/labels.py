"""What each node and edge says, as plain lines of text, before any format escapes them.

User strings (node names, conditions, approvers, model ids) are made safe to *read* here:
secret-looking literals redacted (escaping would hide them from the redactor later), control
characters replaced, whitespace and newlines collapsed, long text cut. Making them safe for a
format's syntax is each writer's job (:mod:`agentcfg.graphs.escape`).
"""

from __future__ import annotations

import re

from agentcfg.graphs.model import Graph, GraphEdge, GraphNode

NAME_LIMIT = 60
CONDITION_LIMIT = 80  # the full condition stays in `diff` and `graph --format json`
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACE = re.compile(r"\s+")


def clean(text: str, limit: int = NAME_LIMIT) -> str:
    """``text`` redacted, on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    from agentcfg.secrets import redact_text

    text = _SPACE.sub(" ", _CONTROL.sub("\ufffd", redact_text(text))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _list(items: tuple[str, ...], limit: int = 3) -> str:
    shown = ", ".join(clean(x, 40) for x in items[:limit])
    return shown + (f" +{len(items) - limit} more" if len(items) > limit else "")


def node_lines(node: GraphNode) -> list[str]:
    """The label of a node, line by line; the first line is its name."""
    lines = [clean(node.name) or "(unnamed)"]
    if node.kind == "agent":
        lines.append(f"agent: {clean(node.target or '')}")
        lines.append(f"model: {clean(node.model) if node.model else 'unknown'}")
        if node.gated_tools:
            lines.append(f"tools needing approval: {_list(node.gated_tools)}")
    elif node.kind == "tool":
        lines.append(f"tool: {clean(node.target or '')}")
        lines.append(" · ".join(node.hints))
        if node.approval:
            lines.append(f"needs approval: {_list(node.approval, 2)}")
    elif node.kind == "human":
        lines.append("human approval")
        lines.append(f"approvers: {_list(node.approvers) if node.approvers else 'none named'}")
        if node.timeout:
            lines.append(f"timeout: {clean(node.timeout, 20)}")
    else:
        lines.append("not a node of this graph")
    if node.status is not None:
        lines.append(f"({node.status})")
    return lines


def edge_label(edge: GraphEdge) -> str | None:
    """An edge's condition as shown on the arrow, or None for an unconditional edge."""
    if edge.when is None:
        return None
    return clean(edge.when, CONDITION_LIMIT) or "(blank condition)"


def title(graph: Graph) -> str:
    """The graph's name, and its loop bound when it has one."""
    bound = f" (max_steps {graph.max_steps})" if graph.max_steps is not None else ""
    return (clean(graph.name) or "(unnamed)") + bound


__all__ = ["CONDITION_LIMIT", "NAME_LIMIT", "clean", "edge_label", "node_lines", "title"]
