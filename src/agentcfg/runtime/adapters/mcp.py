"""``Toolbox.mcp_server(name)``: the guarded tools served by the official MCP SDK's low-level ``Server``.

``tools/list`` answers with exactly the agent's tools as released: name, title, description,
inputSchema, outputSchema and annotations are copied from the release file, nothing derived.
``tools/call`` goes through :meth:`Toolbox.acall`. A refusal or a handler failure is a result
with ``isError: true`` and text the model can read (MCP's rule: errors of the tool go in the
result, so the model can self-correct; protocol errors are for the protocol). A result comes back
as JSON text plus ``structuredContent`` when the tool declares an ``outputSchema``.

Approval happens in the server's process, through the toolbox's ``approve``. Without one, and
with ``elicit_approval=True``, the server asks the person at the client through MCP elicitation
(a form: approve yes/no and a reason): on 2026-07-28 connections as an ``InputRequiredResult``
the client answers and retries, on older ones as an ``elicitation/create`` request during the
call. The answer becomes a :class:`Decision` for exactly that call. Otherwise, or when the client
cannot be asked, the client reads that the call waits for a person (and the request's id).

Run it over stdio with ``mcp.server.stdio.stdio_server`` and ``server.run(...)``, over HTTP with
``server.streamable_http_app()``, or in-process in tests with ``mcp.Client(server)``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from agentcfg.runtime.adapters import failure_text, refusal_text, result_text
from agentcfg.runtime.approval import ApprovalRequest, Decision
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


APPROVAL_KEY = "agentcfg-approval"
APPROVAL_FORM = {
    "type": "object",
    "properties": {
        "approve": {"type": "boolean", "title": "Approve this call"},
        "reason": {"type": "string", "title": "Why"},
    },
    "required": ["approve"],
}


def guarded_server(box: Toolbox, name: str, *, elicit_approval: bool = False) -> Any:
    from mcp import types
    from mcp.server import Server
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    listed = types.ListToolsResult(tools=[types.Tool.model_validate(t) for t in released_tools(box)])
    structured = {n for n, d in box.tools.items() if d.output_schema is not None}

    async def list_tools(_ctx: Any, _params: Any) -> types.ListToolsResult:
        return listed

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> Any:
        def error(text: str) -> types.CallToolResult:
            return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)

        decision = None
        if elicit_approval and not box.has_approver:
            try:
                request = box.approval_request(params.name, params.arguments or {})
            except ToolCallError:
                request = None  # the call below reports the refusal and records it
            if request is not None and _client_can_elicit(ctx):
                form = types.ElicitRequestFormParams(message=_question(request), requested_schema=APPROVAL_FORM)
                if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                    answer = (params.input_responses or {}).get(APPROVAL_KEY)
                    if answer is None:  # ask: the client answers and sends the call again
                        return types.InputRequiredResult(
                            input_requests={APPROVAL_KEY: types.ElicitRequest(params=form)},
                            request_state=request["id"])
                else:
                    answer = await _elicit_in_session(ctx, form)
                decision = _decision(answer, request["id"])
        try:
            result = await box.acall(params.name, params.arguments or {}, approval=decision)
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


def _question(request: ApprovalRequest) -> str:
    arguments = json.dumps(request["arguments"], ensure_ascii=False)
    return (f"Approve {request['tool']} {arguments}? {'; '.join(request['reasons'])}. "
            f"(agentcfg {request['environment']} {request['digest']}, request {request['id']})")


def _client_can_elicit(ctx: Any) -> bool:
    from mcp import types

    wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
    return bool(ctx.session.check_client_capability(wanted))


async def _elicit_in_session(ctx: Any, form: Any) -> Any:
    """Ask during the call (connections before 2026-07-28); None when the client cannot be asked."""
    from mcp.shared.exceptions import MCPError

    try:
        return await ctx.session.elicit_form(form.message, form.requested_schema)
    except MCPError:
        return None  # no back-channel, or a client without elicitation: the call reports it waits


def _decision(answer: Any, request_id: str) -> Decision | None:
    """The person's answer as a decision for this call; None when there was no usable answer."""
    action = getattr(answer, "action", None)
    content = getattr(answer, "content", None) or {}
    if action == "accept" and isinstance(content.get("approve"), bool):
        reason = content.get("reason")
        return Decision(approved=content["approve"], by="the MCP client's user", request_id=request_id,
                        reason=str(reason) if reason else "answered through MCP elicitation")
    if action in ("decline", "cancel"):
        return Decision(approved=False, by="the MCP client's user", request_id=request_id,
                        reason="declined" if action == "decline" else "cancelled without an answer")
    return None


def _version() -> str:
    from agentcfg import __version__

    return __version__
