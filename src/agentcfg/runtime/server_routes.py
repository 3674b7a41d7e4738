"""``toolbox(..., servers={"github": session})``: tools answered by live MCP servers, checked first.

A tool whose release definition names ``server: github`` is routed to the ``mcp.ClientSession``
given for ``github``: the toolbox's rules still apply (the agent's tools only, arguments against
the released ``inputSchema``, approval, the result against ``outputSchema``, an event per call),
and before the first call that reaches a server, the server is verified against the release
(:func:`~agentcfg.runtime.server_check.verify_server`): a server that serves its tools
differently raises :class:`~agentcfg.runtime.server_check.ToolDrift` and no call reaches it.

Precedence for a tool: a handler passed to ``toolbox()``, then a session for its server, then
the ``handler:`` its definition names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError, did_you_mean
from agentcfg.runtime.tool_errors import ToolboxError

if TYPE_CHECKING:
    from agentcfg.runtime.handlers import Handler
    from agentcfg.runtime.loading import Config


class ToolServerError(AgentcfgError):
    """An MCP server answered a tool call with an error result (``isError``)."""


class ServerRoutes:
    """Which of an agent's tools go to which session, and which servers were verified."""

    def __init__(self, config: Config, agent: str, tools: Sequence[str], servers: Mapping[str, Any] | None,
                 given: Mapping[str, Any] | None) -> None:
        self._config = config
        self._sessions = dict(servers or {})
        declared = config.raw.get("mcp_servers") or {}
        for name in self._sessions:
            if name not in declared:
                raise ToolboxError(f"a session is given for MCP server '{name}', which release "
                                   f"{config.environment} does not declare{did_you_mean(name, list(declared))}",
                                   artefact=f"agents/{agent}",
                                   hint=f"declared servers: {', '.join(declared) or 'none'}")
        self.routed: dict[str, str] = {}  # tool -> server
        for tool in tools:
            server = config.tools[tool].raw.get("server")
            if isinstance(server, str) and server in self._sessions and tool not in (given or {}):
                self.routed[tool] = server
        self._verified: set[str] = set()

    def handlers(self) -> dict[str, Handler]:
        """An async handler per routed tool, calling it on its server's session."""
        return {tool: self._handler(tool, server) for tool, server in self.routed.items()}

    async def before_call(self, tool: str) -> None:
        """Verify the server of ``tool`` once, before the first call that would reach it."""
        server = self.routed.get(tool)
        if server is None or server in self._verified:
            return
        from agentcfg.runtime.server_check import verify_server

        await verify_server(self._config, server, self._sessions[server])
        self._verified.add(server)

    async def verify_all(self) -> None:
        """Verify every server a routed tool uses (what the first calls would do)."""
        for tool in dict.fromkeys(self.routed):
            await self.before_call(tool)

    def _handler(self, tool: str, server: str) -> Handler:
        session = self._sessions[server]

        async def call_on_server(**arguments: Any) -> Any:
            result = await session.call_tool(tool, arguments)
            return _value(server, tool, result)

        call_on_server.__name__ = f"mcp_{server}_{tool}".replace("-", "_").replace(".", "_")
        return call_on_server


def _value(server: str, tool: str, result: Any) -> Any:
    """What the toolbox returns for a server's answer: its structured content, else its text."""
    texts = [getattr(block, "text", None) for block in getattr(result, "content", None) or []]
    text = "\n".join(t for t in texts if isinstance(t, str))
    if getattr(result, "is_error", False):
        raise ToolServerError(f"MCP server '{server}' answered tool '{tool}' with an error: "
                              f"{text[:500] or '(no text)'}",
                              artefact=f"tools/{tool}")
    structured = getattr(result, "structured_content", None)
    return structured if structured is not None else text
