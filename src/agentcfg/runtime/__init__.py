"""The runtime API: load an environment's deployed config in an agent process.

    import agentcfg

    cfg = agentcfg.load("production")            # releases/production.json, digest verified
    log.info("config", digest=cfg.digest)          # tag traces with the root digest
    system = cfg.prompts["triage"].render(customer_name="Ada")
    tools = cfg.tools_for("triage", "openai")      # ready for the OpenAI SDK
    box = cfg.toolbox("refunds", approve=ask_a_person)   # the agent's tools, guarded by the release
    box.call("lookup_order", {"order_id": "ORD-104233"})
"""

from __future__ import annotations

from agentcfg.runtime.approval import ApprovalRequest, Decision
from agentcfg.runtime.loading import Config, load, resolve_env_refs
from agentcfg.runtime.model import (
    Agent,
    Artefact,
    Code,
    Data,
    Edge,
    Graph,
    Memory,
    Model,
    Node,
    Prompt,
    Section,
    Tool,
    UnknownArtefact,
)
from agentcfg.runtime.server_check import ToolDrift
from agentcfg.runtime.server_routes import ToolServerError
from agentcfg.runtime.templates import TemplateError, render_mustache
from agentcfg.runtime.tool_errors import (
    ApprovalDenied,
    ApprovalRequired,
    CallSite,
    ToolboxError,
    ToolCallError,
    ToolInputInvalid,
    ToolNotAllowed,
    ToolOutputInvalid,
    Violation,
)
from agentcfg.runtime.tool_events import ToolCallEvent
from agentcfg.runtime.toolbox import Toolbox

__all__ = [
    "Agent",
    "ApprovalDenied",
    "ApprovalRequest",
    "ApprovalRequired",
    "Artefact",
    "CallSite",
    "Code",
    "Config",
    "Data",
    "Decision",
    "Edge",
    "Graph",
    "Memory",
    "Model",
    "Node",
    "Prompt",
    "Section",
    "TemplateError",
    "Tool",
    "ToolCallError",
    "ToolCallEvent",
    "ToolDrift",
    "ToolServerError",
    "ToolInputInvalid",
    "ToolNotAllowed",
    "ToolOutputInvalid",
    "Toolbox",
    "ToolboxError",
    "UnknownArtefact",
    "Violation",
    "load",
    "render_mustache",
    "resolve_env_refs",
]
