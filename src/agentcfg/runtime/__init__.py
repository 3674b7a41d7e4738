"""The runtime API: load an environment's deployed config in an agent process (SPEC §8).

    import agentcfg

    cfg = agentcfg.load("production")            # releases/production.json, digest verified
    log.info("config", digest=cfg.digest)          # tag traces with the root digest
    system = cfg.prompts["triage"].render(customer_name="Ada")
    tools = cfg.tools_for("triage", "openai")      # ready for the OpenAI SDK
"""

from __future__ import annotations

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
from agentcfg.runtime.templates import TemplateError, render_mustache

__all__ = [
    "Agent", "Artefact", "Code", "Config", "Data", "Edge", "Graph", "Memory", "Model", "Node", "Prompt",
    "Section", "TemplateError", "Tool", "UnknownArtefact", "load", "render_mustache", "resolve_env_refs",
    "ToolDrift",
]
