"""``Toolbox.openai_agents()``: the guarded tools as OpenAI Agents SDK ``FunctionTool``\\ s.

``params_json_schema`` is the release's ``inputSchema``, exactly. ``strict_json_schema`` is set
only when the SDK's strict conversion leaves the schema unchanged: the conversion marks every
property required and closes every object, so applying it to a schema with an optional argument
would silently change the contract that was reviewed.

Failures come back as the tool's output text (the SDK's documented way for a tool to report an
error the model can act on); only a misconfigured toolbox raises and stops the run.

Approval: when the toolbox has an ``approve`` callable, it decides, inside the call. Without one,
a tool that needs a person is marked ``needs_approval`` and the SDK's own human-in-the-loop takes
over: the run stops with an interruption, the application approves or rejects it on the run
state (``state.approve(item)`` / ``state.reject(item)``) and resumes; an approved call reaches the
guard with a :class:`Decision` for exactly that call, so the guard's rules and event still apply.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from agentcfg.runtime.adapters import failure_text, refusal_text, result_text
from agentcfg.runtime.approval import Decision
from agentcfg.runtime.tool_errors import ToolboxError, ToolCallError
from agentcfg.runtime.values import thaw

if TYPE_CHECKING:
    from agentcfg.runtime.toolbox import Toolbox


def strict_compatible(schema: Any) -> bool:
    """Whether the SDK's strict mode would accept ``schema`` as it is (same required set, closed objects)."""
    from agents.exceptions import UserError
    from agents.strict_schema import ensure_strict_json_schema

    original = thaw(schema)
    try:
        converted = ensure_strict_json_schema(copy.deepcopy(original))
    except (UserError, TypeError, ValueError):
        return False
    return bool(_canonical(converted) == _canonical(original))


def _canonical(value: Any) -> Any:
    """``required`` compared as a set: the SDK rewrites it in property order."""
    if isinstance(value, dict):
        return {k: sorted(v) if k == "required" and isinstance(v, list) else _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def function_tools(box: Toolbox) -> list[Any]:
    from agents import FunctionTool

    tools = []
    for name, definition in box.tools.items():
        schema = thaw(definition.input_schema)
        tools.append(FunctionTool(
            name=name,
            description=definition.description or definition.title or name,
            params_json_schema=schema,
            on_invoke_tool=_invoker(box, name),
            strict_json_schema=strict_compatible(schema),
            needs_approval=not box.has_approver and box.needs_approval(name),
        ))
    return tools


def _invoker(box: Toolbox, name: str) -> Any:
    async def invoke(ctx: Any, raw_arguments: str) -> str:
        try:
            arguments = json.loads(raw_arguments) if raw_arguments.strip() else {}
        except ValueError as exc:
            return f"Error: the arguments for '{name}' are not valid JSON ({exc}). Nothing was done."
        try:
            result = await box.acall(name, arguments, approval=_sdk_approval(box, name, arguments, ctx))
        except ToolCallError as exc:
            return refusal_text(exc)
        except ToolboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - the handler's failure: the model reads it, as with the SDK's tools
            return failure_text(name, exc)
        return result_text(result)

    return invoke


def _sdk_approval(box: Toolbox, name: str, arguments: Any, ctx: Any) -> Decision | None:
    """The decision the SDK's run state holds for this very call, if a person approved it there."""
    if box.has_approver or not box.needs_approval(name):
        return None
    approved = getattr(ctx, "is_tool_approved", None)
    call_id = getattr(ctx, "tool_call_id", None)
    if approved is None or call_id is None or approved(name, call_id) is not True:
        return None  # the guard raises ApprovalRequired, which the model reads as "not done"
    try:
        request = box.approval_request(name, arguments)
    except ToolCallError:
        return None  # the call itself reports the refusal
    if request is None:
        return None
    return Decision(approved=True, request_id=request["id"],
                    reason=f"approved on the OpenAI Agents SDK run state (tool call {call_id})")
