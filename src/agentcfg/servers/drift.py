"""Served tool definitions against reviewed ones, with the diff engine's rules and risk levels.

A served tool is read exactly as ``agentcfg import tools --from mcp`` reads it (same
normalisation, same oddity report), then compared with the declared definition field by field
by the diff engine's tool comparer: a changed description is ``tool-description`` (medium),
``destructiveHint`` false → true is ``tool-gains-destructive`` (critical), a new required input
property is ``tool-input-breaking`` (high), as in a pull request's diff. Only the MCP fields
take part: ``approval``, ``code`` and ``server`` are agentcfg's own, a server never sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agentcfg.semdiff.result import Change
from agentcfg.semdiff.risk import rule

MCP_TOOL_KEYS = ("title", "description", "inputSchema", "outputSchema", "annotations")
"""The fields of a tool a server defines (the tool's name is the key it is matched by)."""

UNDECLARED = "server-tool-undeclared"
MISSING = "server-tool-missing"


@dataclass
class ServerDrift:
    """How one server's live tools differ from the declared ones."""

    server: str
    changes: list[Change] = field(default_factory=list)
    import_warnings: list[dict[str, str]] = field(default_factory=list)  # oddities met reading the served tools

    @property
    def declared_changes(self) -> list[Change]:
        """Changes of tools the config declares (drifted or missing): what a reviewer signed off."""
        return [c for c in self.changes if c.rule != UNDECLARED]


def mcp_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a tool definition that a server serves."""
    return {k: definition[k] for k in MCP_TOOL_KEYS if k in definition and definition[k] is not None}


def declared_tools(config: Mapping[str, Any], server: str) -> dict[str, dict[str, Any]]:
    """The tools of a rendered config that name ``server``, by name."""
    tools = config.get("tools")
    if not isinstance(tools, Mapping):
        return {}
    return {name: dict(t) for name, t in tools.items() if isinstance(t, Mapping) and t.get("server") == server}


def compare_served(server: str, config: Mapping[str, Any], served: list[dict[str, Any]]) -> ServerDrift:
    """Compare what ``server`` served with the tools ``config`` declares for it."""
    from agentcfg.semdiff.engine import diff_configs
    from agentcfg.semdiff.impact import ImpactGraph
    from agentcfg.toolformats.importing import import_tools

    declared = declared_tools(config, server)
    imported = import_tools({"tools": served}, "mcp")
    drift = ServerDrift(server, import_warnings=[i.to_dict() for i in imported.issues])
    # The importer renames tools whose served name is not a valid agentcfg name: compare them
    # under the name the server uses, which is the name a client calls.
    live = {imported.renamed.get(name, name): tool for name, tool in imported.tools.items()}
    context = {k: config.get(k) for k in ("agents", "orchestration") if isinstance(config.get(k), Mapping)}
    graph = ImpactGraph(dict(config))
    for name in sorted(declared.keys() | live.keys()):
        aid = f"tools/{name}"
        if name not in live:
            drift.changes.append(_whole(aid, "removed", declared[name], None, MISSING, graph))
        elif name not in declared:
            drift.changes.append(_whole(aid, "added", None, live[name], UNDECLARED, graph))
        else:
            old = {**context, "tools": {name: mcp_fields(declared[name])}}
            new = {**context, "tools": {name: mcp_fields(live[name])}}
            drift.changes += diff_configs(old, new).changes
    return drift


def _whole(aid: str, kind: str, old: Any, new: Any, rule_id: str, graph: Any) -> Change:
    from agentcfg.semdiff.redaction import display

    found = rule(rule_id)
    impact = list(graph.impact(aid)) if rule_id == MISSING else []
    return Change(artefact=aid, kind=kind, path="", old=display(old), new=display(new), risk=found.level,
                  reason=found.reason, rule=found.id, impact=impact)
