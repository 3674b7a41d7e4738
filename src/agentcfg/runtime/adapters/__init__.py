"""Framework adapters of a :class:`~agentcfg.runtime.toolbox.Toolbox` (optional extras).

Each module imports its framework only when its ``Toolbox`` method is called, so the core
library never depends on them. All of them route every call through the toolbox's guard, and
turn a refusal into text the model can read (the call was not made, and why), the way each
framework expects a tool failure to come back: a crash of the agent loop would hide the reason
from the model and stop the conversation.
"""

from __future__ import annotations

import json
from typing import Any

from agentcfg.runtime.tool_errors import (
    ApprovalDenied,
    ApprovalRequired,
    ToolCallError,
    ToolInputInvalid,
    ToolNotAllowed,
    ToolOutputInvalid,
)


def refusal_text(exc: ToolCallError) -> str:
    """What the model reads when the guard stops a call (no digests or internals it cannot use)."""
    tool = exc.tool
    if isinstance(exc, ToolNotAllowed):
        return f"Error: '{tool}' is not one of your tools. Nothing was done."
    if isinstance(exc, ToolInputInvalid):
        listed = "; ".join(str(v) for v in exc.violations)
        return f"Error: the arguments for '{tool}' are invalid ({listed}). Nothing was done; fix them and call again."
    if isinstance(exc, ApprovalRequired):
        return (f"Not done: '{tool}' needs a person's approval ({'; '.join(exc.request['reasons'])}). "
                f"Approval request {exc.request['id']} is waiting; tell the user, do not retry it yourself.")
    if isinstance(exc, ApprovalDenied):
        return f"Not done: the call to '{tool}' was not approved ({exc.reason}). Do not retry it."
    if isinstance(exc, ToolOutputInvalid):
        return f"Error: '{tool}' returned a result that does not match its declared output; it cannot be used."
    return f"Error: '{tool}' failed: {exc.reason}"


def failure_text(tool: str, exc: Exception) -> str:
    """What the model reads when the handler itself raised."""
    return f"Error: '{tool}' failed: {type(exc).__name__}: {exc}"


def result_text(result: Any) -> str:
    """A handler's result as the text a model reads (JSON unless it is already text)."""
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)
