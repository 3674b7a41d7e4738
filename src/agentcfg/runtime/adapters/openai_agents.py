"""``Toolbox.openai_agents()``: the guarded tools as OpenAI Agents SDK ``FunctionTool``\\ s.

``params_json_schema`` is the release's ``inputSchema``, exactly. ``strict_json_schema`` is set
only when the SDK's strict conversion leaves the schema unchanged: the conversion marks every
property required and closes every object, so applying it to a schema with an optional argument
would silently change the contract that was reviewed.

Failures come back as the tool's output text (the SDK's documented way for a tool to report an
error the model can act on); only a misconfigured toolbox raises and stops the run.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from agentcfg.runtime.adapters import failure_text, refusal_text, result_text
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
        ))
    return tools


def _invoker(box: Toolbox, name: str) -> Any:
    async def invoke(_ctx: Any, raw_arguments: str) -> str:
        try:
            arguments = json.loads(raw_arguments) if raw_arguments.strip() else {}
        except ValueError as exc:
            return f"Error: the arguments for '{name}' are not valid JSON ({exc}). Nothing was done."
        try:
            result = await box.acall(name, arguments)
        except ToolCallError as exc:
            return refusal_text(exc)
        except ToolboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - the handler's failure: the model reads it, as with the SDK's tools
            return failure_text(name, exc)
        return result_text(result)

    return invoke
