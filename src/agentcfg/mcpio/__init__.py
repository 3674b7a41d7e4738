"""The one home of the official ``mcp`` SDK: connect to a declared server and list its tools.

Everything here speaks in plain data (a server entry as rendered, tool definitions as dicts);
the SDK's types and errors stay inside this package. The SDK is an optional dependency
(``pip install 'agentcfg-gitops[mcp]'``): only the commands that reach a server need it.

Servers are reached in one way for every caller:

* a ``command`` server is started from its argv directly (never through a shell) in the
  manifest's folder, in its own process group, with only the SDK's minimal inherited
  environment plus its ``env``. The SDK stops it on every way out (done, error, timeout,
  cancellation, SIGINT): stdin closed, then SIGTERM and SIGKILL to the whole group;
* a ``url`` server is called over streamable HTTP with its ``headers``;
* ``${env:NAME}`` references in ``env`` and ``headers`` are resolved in memory only, and every
  resolved value is blanked out of any error message.
"""

from agentcfg.mcpio.connect import (
    DEFAULT_TIMEOUT,
    ServerTools,
    ServerUnreachable,
    list_all_tools,
    list_server_tools,
    require_sdk,
    tool_as_data,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "ServerTools",
    "ServerUnreachable",
    "list_all_tools",
    "list_server_tools",
    "require_sdk",
    "tool_as_data",
]
