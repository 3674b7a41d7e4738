"""Run time: refuse an MCP server whose tools are not the ones the release was reviewed with.

A server can change a tool (its description, its schema, its side-effect hints) after the tool
was reviewed: the "rug pull". An agent that calls :meth:`Config.verify_server` with the client
session it is about to use learns it before the first tool call, by the same rules and risk
levels as ``agentcfg diff`` and ``agentcfg check servers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError, ExitCode

if TYPE_CHECKING:  # the diff engine loads only when a server is verified, not with every `load`
    from agentcfg.semdiff.result import Change
    from agentcfg.semdiff.risk import RiskLevel
    from agentcfg.runtime.loading import Config
    from agentcfg.servers.drift import ServerDrift

SHOWN = 5  # changes spelled out in the message; all of them are on `.changes`


class ToolDrift(AgentcfgError):
    """A live MCP server serves tools differently from the release.

    ``changes`` lists every difference (a :class:`~agentcfg.semdiff.result.Change` each, with its
    field, old → new and risk); ``max_risk`` is the highest. The message names the server, the
    environment and the release digest.
    """

    exit_code = ExitCode.FOUND

    def __init__(self, server: str, environment: str, digest: str, changes: list[Change]) -> None:
        self.server, self.environment, self.digest = server, environment, digest
        self.changes = list(changes)
        self.max_risk: RiskLevel = max(c.risk for c in changes)
        shown = "; ".join(_one(c) for c in changes[:SHOWN])
        more = f"; and {len(changes) - SHOWN} more" if len(changes) > SHOWN else ""
        super().__init__(
            f"MCP server '{server}' serves its tools differently from release {environment} {digest} "
            f"(max risk {self.max_risk.name}): {shown}{more}",
            artefact=f"mcp_servers/{server}",
            hint="do not call its tools until someone reviews the change: `agentcfg check servers --env "
                 f"{environment}` shows it, `agentcfg import tools --server {server} --force` snapshots it for review")


def _one(change: Change) -> str:
    from agentcfg.semdiff.formats.values import change_text

    where = f"{change.artefact} {change.path}".strip()
    return f"{where}: {change_text(change)} ({change.risk.name})"


async def verify_server(config: Config, name: str, session: Any, *,
                        fail_on: RiskLevel | str | None = None) -> ServerDrift:
    """Compare what ``session`` (an initialised ``mcp.ClientSession``) lists with the tools
    ``config`` declares for server ``name``; raise :class:`ToolDrift` on a difference.

    Without ``fail_on`` any change of a declared tool (drifted or no longer served) raises; a
    served tool nobody declared does not (the agent cannot call it through the release). With
    ``fail_on``, every change at or above that level raises. Returns the comparison otherwise.
    """
    from agentcfg.semdiff.risk import RiskLevel
    from agentcfg.errors import did_you_mean
    from agentcfg.mcpio import list_all_tools
    from agentcfg.servers.drift import compare_served

    data = config.to_dict()
    servers = data.get("mcp_servers") or {}
    if name not in servers:
        raise AgentcfgError(f"release {config.environment} declares no MCP server '{name}'"
                            f"{did_you_mean(name, list(servers))}", artefact=f"mcp_servers/{name}")
    drift = compare_served(name, data, await list_all_tools(session))
    if fail_on is None:
        failing = drift.declared_changes
    else:
        threshold = RiskLevel.parse(fail_on)
        failing = [c for c in drift.changes if c.risk >= threshold]
    if failing:
        raise ToolDrift(name, config.environment, config.digest, failing)
    return drift
