"""MCP servers against the reviewed config: drift rules, `check servers`, and import from a server.

Reaching a server is ``agentcfg.mcpio``'s job; this package decides what the answers mean.
"""

from agentcfg.servers.check import FORMAT_VERSION, ServerCheck, ServerReport, check_servers, reviewed_config
from agentcfg.servers.drift import MCP_TOOL_KEYS, ServerDrift, compare_served, declared_tools, mcp_fields

__all__ = [
    "FORMAT_VERSION",
    "MCP_TOOL_KEYS",
    "ServerCheck",
    "ServerReport",
    "ServerDrift",
    "check_servers",
    "compare_served",
    "declared_tools",
    "mcp_fields",
    "reviewed_config",
]
