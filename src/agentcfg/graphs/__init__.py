"""Pictures of orchestration graphs: Mermaid for pull requests and docs, DOT for Graphviz.

* :func:`graph` reads a rendered config (working tree, revision or release) and returns its
  graphs as :class:`~agentcfg.graphs.model.Graph` data (``agentcfg graph``);
* :func:`to_mermaid` and :func:`to_dot` draw one graph; every user string is escaped for the
  format (``agentcfg.graphs.escape``);
* :func:`graph_changes` merges two versions of the graphs into pictures of what changed, which
  ``diff --format markdown`` embeds.

Nothing here prints: the CLI chooses the format and writes the text.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "graph": "agentcfg.graphs.report",
    "GraphReport": "agentcfg.graphs.report",
    "Graph": "agentcfg.graphs.model",
    "GraphNode": "agentcfg.graphs.model",
    "GraphEdge": "agentcfg.graphs.model",
    "graphs_of": "agentcfg.graphs.model",
    "to_mermaid": "agentcfg.graphs.mermaid",
    "to_dot": "agentcfg.graphs.dot",
    "graph_changes": "agentcfg.graphs.changes",
    "GraphChange": "agentcfg.graphs.changes",
}

__all__ = list(_API)


def __getattr__(name: str) -> Any:
    # Lazy, like agentcfg's own API: the diff formatter imports a submodule of this package,
    # and `agentcfg.graphs.report` needs the diff package back.
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'agentcfg.graphs' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
