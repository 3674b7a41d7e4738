"""``Toolbox.mcp_server(name)``: the guarded tools served by the official MCP SDK's low-level ``Server``.

``tools/list`` answers with exactly the agent's tools as released: name, title, description,
inputSchema, outputSchema and annotations are copied from the release file, nothing derived.
``tools/call`` goes through :meth:`Toolbox.acall`. A refusal or a handler failure is a result
with ``isError: true`` and text the model can read (MCP's rule: errors of the tool go in the
result, so the model can self-correct; protocol errors are for the protocol). A result comes back
as JSON text plus ``structuredContent`` when the tool declares an ``outputSchema``.

Approval happens in the server's process, through the toolbox's ``approve``; without one the
client reads that the call waits for a person (and the approval request's id).

Run it over stdio with ``mcp.server.stdio.stdio_server`` and ``server.run(...)``, over HTTP with
``server.streamable_http_app()``, or in-process in tests with ``mcp.Client(server)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.runtime.adapters import failure_text, refusal_text, result_text
from agentcfg.runtime.tool_errors import ToolboxError, ToolCallError
from agentcfg.runtime.values import thaw

if TYPE_CHECKING:
    from agentcfg.runtime.toolbox import Toolbox

MCP_FIELDS = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")


def released_tools(box: Toolbox) -> list[dict[str, Any]]:
    """The agent's tools in MCP's wire shape, taken from the release as they are."""
    tools = []
    for name, definition in box.tools.items():
        raw = thaw(definition.raw)
        tool = {key: raw[key] for key in MCP_FIELDS if raw.get(key) is not None}
        tool["name"] = name
        tools.append(tool)
    return tools


def guarded_server(box: Toolbox, name: str) -> Any:
    from mcp import types
    from mcp.server import Server

    listed = types.ListToolsResult(tools=[types.Tool.model_validate(t) for t in released_tools(box)])
    structured = {n for n, d in box.tools.items() if d.output_schema is not None}

    async def list_tools(_ctx: Any, _params: Any) -> types.ListToolsResult:
        return listed

    async def call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        def error(text: str) -> types.CallToolResult:
            return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)

        try:
            result = await box.acall(params.name, params.arguments or {})
        except ToolCallError as exc:
            return error(refusal_text(exc))
        except ToolboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - the handler's own failure goes to the model, as MCP asks
            return error(failure_text(params.name, exc))
        return types.CallToolResult(content=[types.TextContent(text=result_text(result))],
                                    structured_content=result if params.name in structured else None)

    return Server(name, version=_version(), title=f"{box.agent} ({box.environment} {box.digest[:19]})",
                  on_list_tools=list_tools, on_call_tool=call_tool)


def _version() -> str:
    from agentcfg import __version__

    return __version__
