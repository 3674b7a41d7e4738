"""Orchestration graphs: entry exists, nodes resolve, every node is reachable, cycles are bounded."""

from __future__ import annotations

from agentcfg.errors import did_you_mean
from agentcfg.manifest.loader import Loaded


def find_cycle(nodes: list[str], edges: dict[str, list[str]]) -> list[str] | None:
    """One cycle as a node list, or None (iterative DFS: graphs can be large)."""
    colour = {n: 0 for n in nodes}  # 0 new, 1 on stack, 2 done
    for start in nodes:
        if colour[start]:
            continue
        stack = [(start, iter(edges.get(start, [])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
            elif colour.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt) == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, []))))
                path.append(nxt)
    return None


def check(loaded: Loaded) -> None:
    m = loaded.manifest
    assert m is not None
    agents, tools = loaded.raw.get("agents") or {}, loaded.raw.get("tools") or {}
    for name, graph in m.orchestration.items():
        aid = f"orchestration/{name}"
        base = ("orchestration", name)
        for node_name, node in graph.nodes.items():
            if node.agent is not None and node.agent not in agents:
                loaded.finding("unresolved-reference", f"node '{node_name}' runs agent '{node.agent}', which is not "
                               f"defined{did_you_mean(node.agent, agents)}", base + ("nodes", node_name, "agent"),
                               artefact=aid)
            if node.tool is not None and node.tool not in tools:
                loaded.finding("unresolved-reference", f"node '{node_name}' calls tool '{node.tool}', which is not "
                               f"defined{did_you_mean(node.tool, tools)}", base + ("nodes", node_name, "tool"),
                               artefact=aid)
        if graph.entry not in graph.nodes:
            loaded.finding("graph-entry",
                           f"entry '{graph.entry}' is not a node{did_you_mean(graph.entry, graph.nodes)}",
                           base + ("entry",), artefact=aid)
        adjacency: dict[str, list[str]] = {n: [] for n in graph.nodes}
        seen_edges: set[tuple[str, str, str | None]] = set()
        for i, edge in enumerate(graph.edges):
            for end, key in ((edge.from_, "from"), (edge.to, "to")):
                if end not in graph.nodes and end != "END":
                    loaded.finding("graph-edge", f"edge {key} '{end}' is not a node{did_you_mean(end, graph.nodes)}",
                                   base + ("edges", i, key), artefact=aid, hint="'END' ends the run")
            ident = (edge.from_, edge.to, edge.when)
            if ident in seen_edges:
                loaded.finding("graph-edge", f"edge {edge.from_} → {edge.to} is listed twice", base + ("edges", i),
                               artefact=aid)
            seen_edges.add(ident)
            if edge.from_ in adjacency and edge.to in graph.nodes:
                adjacency[edge.from_].append(edge.to)
        if graph.entry in graph.nodes:
            reached, todo = {graph.entry}, [graph.entry]
            while todo:
                for nxt in adjacency[todo.pop()]:
                    if nxt not in reached:
                        reached.add(nxt)
                        todo.append(nxt)
            for node_name in graph.nodes:
                if node_name not in reached:
                    loaded.finding("graph-unreachable", f"node '{node_name}' cannot be reached from entry "
                                   f"'{graph.entry}'", base + ("nodes", node_name), artefact=aid,
                                   hint="add an edge to it or remove it")
        cycle = find_cycle(list(graph.nodes), adjacency)
        if cycle and graph.max_steps is None:
            loaded.finding("graph-unbounded-cycle", f"cycle {' → '.join(cycle)} has no `max_steps` bound",
                           base + ("edges",), artefact=aid, hint="set `max_steps:` so a loop cannot run forever")
