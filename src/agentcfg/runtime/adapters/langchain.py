"""``Toolbox.langchain()``: the guarded tools as LangChain ``StructuredTool``\\ s (LangGraph's ToolNode too).

``args_schema`` is the release's ``inputSchema`` as a JSON Schema dict, so LangChain passes the
model's arguments through untouched and the guard is the one that checks them. Refusals and
handler failures are raised as ``ToolException`` with ``handle_tool_error=True``: LangChain then
answers the tool call with a ``ToolMessage`` whose ``status`` is ``"error"`` and whose text says
why, and the graph goes on. Results are JSON text for the model, with the structured value as
the message's ``artifact``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.runtime.adapters import failure_text, refusal_text, result_text
from agentcfg.runtime.tool_errors import ToolboxError, ToolCallError
from agentcfg.runtime.values import thaw

if TYPE_CHECKING:
    from agentcfg.runtime.toolbox import Toolbox


def structured_tools(box: Toolbox) -> list[Any]:
    from langchain_core.tools import StructuredTool

    return [StructuredTool(
        name=name,
        description=definition.description or definition.title or name,
        args_schema=thaw(definition.input_schema),
        func=_sync(box, name),
        coroutine=_async(box, name),
        response_format="content_and_artifact",
        handle_tool_error=True,
    ) for name, definition in box.tools.items()]


def _sync(box: Toolbox, name: str) -> Any:
    def run(**arguments: Any) -> tuple[str, Any]:
        try:
            result = box.call(name, arguments)
        except Exception as exc:
            raise _tool_exception(name, exc) from exc
        return result_text(result), result

    return run


def _async(box: Toolbox, name: str) -> Any:
    async def run(**arguments: Any) -> tuple[str, Any]:
        try:
            result = await box.acall(name, arguments)
        except Exception as exc:
            raise _tool_exception(name, exc) from exc
        return result_text(result), result

    return run


def _tool_exception(name: str, exc: Exception) -> Exception:
    from langchain_core.tools import ToolException

    if isinstance(exc, ToolboxError) and not isinstance(exc, ToolCallError):
        return exc  # a misconfigured toolbox is the developer's to fix, not the model's
    text = refusal_text(exc) if isinstance(exc, ToolCallError) else failure_text(name, exc)
    return ToolException(text)
