"""Blast radius: which agents and graphs use an artefact, transitively.

The reverse dependency graph has an edge from every artefact to each artefact that uses it:

* model → agents running it, models listing it as a fallback, memory stores embedding with it;
* prompt, tool, memory store, code → the agents naming them; code → the tools it implements;
* MCP server → the tools it serves;
* agent and tool → the graphs with a node running them.

An artefact's impact is every agent and graph reachable from it (itself included when it is
one). A diff builds one graph over *both* configs, so removing a tool still names the agents
that used it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

IMPACT_SECTIONS = ("agents", "orchestration")


def _named(config: dict[str, Any], section: str) -> dict[str, Any]:
    entries = config.get(section)
    return entries if isinstance(entries, dict) else {}


def _strings(value: Any) -> list[str]:
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def dependencies(config: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(used artefact id, user artefact id) for every reference in one rendered config."""
    for name, agent in _named(config, "agents").items():
        if not isinstance(agent, dict):
            continue
        user = f"agents/{name}"
        for key, section in (("model", "models"), ("prompt", "prompts"), ("memory", "memory"), ("code", "code")):
            if isinstance(agent.get(key), str):
                yield f"{section}/{agent[key]}", user
        for tool in _strings(agent.get("tools")):
            yield f"tools/{tool}", user
    for name, model in _named(config, "models").items():
        for fallback in _strings(model.get("fallbacks")) if isinstance(model, dict) else ():
            yield f"models/{fallback}", f"models/{name}"
    for name, mem in _named(config, "memory").items():
        if isinstance(mem, dict) and isinstance(mem.get("embedder"), str):
            yield f"models/{mem['embedder']}", f"memory/{name}"
    for name, tool in _named(config, "tools").items():
        if isinstance(tool, dict) and isinstance(tool.get("code"), str):
            yield f"code/{tool['code']}", f"tools/{name}"
        if isinstance(tool, dict) and isinstance(tool.get("server"), str):
            yield f"mcp_servers/{tool['server']}", f"tools/{name}"
    for name, graph in _named(config, "orchestration").items():
        nodes = graph.get("nodes") if isinstance(graph, dict) else None
        for node in (nodes or {}).values() if isinstance(nodes, dict) else ():
            if not isinstance(node, dict):
                continue
            if isinstance(node.get("agent"), str):
                yield f"agents/{node['agent']}", f"orchestration/{name}"
            if isinstance(node.get("tool"), str):
                yield f"tools/{node['tool']}", f"orchestration/{name}"


class ImpactGraph:
    """Reverse dependencies of one or more configs, with memoised transitive impact."""

    def __init__(self, *configs: dict[str, Any] | None) -> None:
        self._users: dict[str, set[str]] = defaultdict(set)
        for config in configs:
            if config:
                for used, user in dependencies(config):
                    if used != user:
                        self._users[used].add(user)
        self._memo: dict[str, tuple[str, ...]] = {}

    def users(self, artefact: str) -> set[str]:
        """Artefacts that reference ``artefact`` directly."""
        return set(self._users.get(artefact, ()))

    def impact(self, artefact: str, *also: str) -> tuple[str, ...]:
        """Agents and graphs affected by a change of ``artefact`` (and of ``also``: both names of a
        renamed artefact): agents first, then graphs, each sorted."""
        if also:
            return tuple(sorted(set(self.impact(artefact)).union(*(self.impact(a) for a in also)),
                                key=lambda a: (IMPACT_SECTIONS.index(a.split("/", 1)[0]), a)))
        hit = self._memo.get(artefact)
        if hit is not None:
            return hit
        seen = {artefact}
        todo = [artefact]
        while todo:  # iterative: fallback chains and big graphs must not hit the recursion limit
            for user in self._users.get(todo.pop(), ()):
                if user not in seen:
                    seen.add(user)
                    todo.append(user)
        found = sorted(
            (a for a in seen if a.split("/", 1)[0] in IMPACT_SECTIONS),
            key=lambda a: (IMPACT_SECTIONS.index(a.split("/", 1)[0]), a),
        )
        self._memo[artefact] = tuple(found)
        return self._memo[artefact]


__all__ = ["ImpactGraph", "dependencies"]
