"""A drawable orchestration graph, read from a rendered config.

Nodes and edges carry what a reviewer needs to see (an agent's model, a tool's side effects,
a human step's approvers, an edge's condition, who needs approval and why) as plain data; the
Mermaid and DOT writers only decide how it looks. A rendered config from a release file is
trusted for its digest, not its shape, so odd entries are drawn as well as they can be and
never raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from agentcfg.artefacts.hints import effective_hints
from agentcfg.policy import SIDE_EFFECT_HINTS

END = "END"  # the edge target that ends a run (unless a node is named so)

KINDS = ("agent", "tool", "human", "unknown")
STATUSES = ("added", "removed", "changed")


@dataclass(frozen=True)
class GraphNode:
    """One step of a graph: an agent, a tool, a human-approval step, or (``unknown``) an edge end
    that is not a node, drawn so that a broken edge is seen."""

    name: str
    kind: str  # one of KINDS; "unknown" for an edge end that is not a node
    target: str | None = None  # the agent or tool it runs
    model: str | None = None  # an agent's model id
    hints: tuple[str, ...] = ()  # a tool's side effects, in words
    approvers: tuple[str, ...] = ()
    timeout: str | None = None
    approval: tuple[str, ...] = ()  # why a tool node needs approval (empty: it does not)
    gated_tools: tuple[str, ...] = ()  # an agent's tools that need approval
    status: str | None = None  # in a diff picture: one of STATUSES

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval)

    def drawn(self) -> tuple[Any, ...]:
        """Everything the picture shows of the node: equal tuples draw the same."""
        return (self.kind, self.target, self.model, self.hints, self.approvers, self.timeout, self.approval,
                self.gated_tools)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "target": self.target, "model": self.model,
                "hints": list(self.hints), "approvers": list(self.approvers), "timeout": self.timeout,
                "approval": list(self.approval), "needs_approval": self.needs_approval,
                "tools_needing_approval": list(self.gated_tools)}


@dataclass(frozen=True)
class GraphEdge:
    """``source`` → ``target`` (``END`` ends the run), taken when ``when`` holds (None: always)."""

    source: str
    target: str
    when: str | None = None
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "when": self.when}


@dataclass(frozen=True)
class Graph:
    """One orchestration graph, ready to draw."""

    name: str
    entry: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    max_steps: int | None = None
    entry_status: str | None = None  # "changed" when a diff moved the entry
    notes: tuple[str, ...] = field(default=())  # shown under a diff picture (entry moved, bound changed)

    @property
    def ends(self) -> bool:
        """Whether some edge ends the run (an END marker is drawn)."""
        names = {n.name for n in self.nodes}
        return any(e.target == END and END not in names for e in self.edges)

    def node(self, name: str) -> GraphNode | None:
        return next((n for n in self.nodes if n.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "entry": self.entry, "max_steps": self.max_steps,
                "nodes": [n.to_dict() for n in self.nodes], "edges": [e.to_dict() for e in self.edges]}

    def with_status(self, status: str) -> Graph:
        """The same graph with every node and edge marked ``status`` (an added or removed graph)."""
        return replace(self, nodes=tuple(replace(n, status=status) for n in self.nodes),
                       edges=tuple(replace(e, status=status) for e in self.edges))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _words(hints: dict[str, bool]) -> tuple[str, ...]:
    words = ["read-only" if hints["readOnlyHint"] else "writes"]
    if hints["destructiveHint"]:
        words.append("destructive")
    if hints["idempotentHint"]:
        words.append("idempotent")
    if hints["openWorldHint"]:
        words.append("open world")
    return tuple(words)


def approval_reasons(tool: dict[str, Any], policies: dict[str, Any], env: str | None) -> tuple[str, ...]:
    """Why ``tool`` needs approval: ``approval: required``, or a side effect an environment's
    ``require_approval_for`` names (``env`` alone when given, else every environment's policy)."""
    reasons: list[str] = []
    if tool.get("approval") == "required":
        reasons.append("required by the tool")
    hints = effective_hints(_dict(tool.get("annotations")))
    chosen = [env] if env is not None else sorted(policies)
    for name in chosen:
        required = _dict(policies.get(name)).get("require_approval_for")
        for side_effect in required if isinstance(required, list) else ():
            key, bad = SIDE_EFFECT_HINTS.get(side_effect, (None, None))
            if key is not None and hints[key] == bad:
                reasons.append(f"{side_effect.replace('_', ' ')} in {name}")
    return tuple(dict.fromkeys(reasons))


class _Lookup:
    """The sections of one rendered config a node's label needs."""

    def __init__(self, config: dict[str, Any], env: str | None) -> None:
        self.agents = _dict(config.get("agents"))
        self.tools = _dict(config.get("tools"))
        self.models = _dict(config.get("models"))
        self.policies = _dict(config.get("policies"))
        self.env = env
        self._approval: dict[str, tuple[str, ...]] = {}

    def tool_approval(self, name: str) -> tuple[str, ...]:
        if name not in self._approval:
            self._approval[name] = approval_reasons(_dict(self.tools.get(name)), self.policies, self.env)
        return self._approval[name]

    def node(self, name: str, spec: Any) -> GraphNode:
        spec = _dict(spec)
        if spec.get("agent") is not None:
            agent_name = _text(spec["agent"]) or ""
            agent = _dict(self.agents.get(agent_name))
            model_key = _text(agent.get("model"))
            model = _dict(self.models.get(model_key)) if model_key is not None else {}
            tools = agent.get("tools")
            names = [_text(x) or "" for x in tools] if isinstance(tools, list) else []
            gated = tuple(t for t in names if self.tool_approval(t))
            return GraphNode(name, "agent", agent_name, _text(model.get("id")) or model_key, gated_tools=gated)
        if spec.get("tool") is not None:
            tool_name = _text(spec["tool"]) or ""
            tool = _dict(self.tools.get(tool_name))
            hints = _words(effective_hints(_dict(tool.get("annotations"))))
            return GraphNode(name, "tool", tool_name, hints=hints, approval=self.tool_approval(tool_name))
        human = spec.get("human")
        if isinstance(human, dict):
            approvers = human.get("approvers")
            people = tuple(_text(a) or "" for a in approvers) if isinstance(approvers, list) else ()
            return GraphNode(name, "human", approvers=people,
                             timeout=_text(human.get("timeout")))
        return GraphNode(name, "unknown")


def graph_of(name: str, spec: Any, config: dict[str, Any], env: str | None) -> Graph:
    """The drawable form of graph ``name`` (its ``spec`` from ``config['orchestration']``)."""
    spec = _dict(spec)
    lookup = _Lookup(config, env)
    nodes = [lookup.node(_text(n) or "", s) for n, s in _dict(spec.get("nodes")).items()]
    known = {n.name for n in nodes}
    edges: list[GraphEdge] = []
    raw_edges = spec.get("edges")
    for raw in raw_edges if isinstance(raw_edges, list) else []:
        item = _dict(raw)
        source, target = _text(item.get("from")) or "", _text(item.get("to")) or ""
        edges.append(GraphEdge(source, target, _text(item.get("when"))))
        for end in (source, target):
            if end not in known and not (end == target == END):
                nodes.append(GraphNode(end, "unknown"))  # drawn, so a broken edge is seen
                known.add(end)
    entry = _text(spec.get("entry")) or ""
    if entry and entry not in known:
        nodes.append(GraphNode(entry, "unknown"))
    steps = spec.get("max_steps")
    return Graph(name, entry, tuple(nodes), tuple(edges),
                 steps if isinstance(steps, int) and not isinstance(steps, bool) else None)


def graphs_of(config: dict[str, Any], env: str | None = None) -> list[Graph]:
    """Every orchestration graph of a rendered config, by name.

    ``env`` chooses whose ``require_approval_for`` marks tools; without it every environment's
    policy does, and each reason names its environment.
    """
    section = _dict(config.get("orchestration"))
    return [graph_of(name, section[name], config, env) for name in sorted(section)]


__all__ = ["END", "Graph", "GraphEdge", "GraphNode", "approval_reasons", "graph_of", "graphs_of"]
