"""agentcfg: version AI-agent configurations the GitOps way.

The public API mirrors the CLI: every command is a function here, returning typed results and
raising :class:`AgentcfgError` (never printing). Names are imported lazily so that importing
``agentcfg`` (and running ``agentcfg --help``) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "AgentcfgError": "agentcfg.errors",
    "Finding": "agentcfg.errors",
    "validate": "agentcfg.validation",
    "ValidationReport": "agentcfg.validation",
    "json_schema": "agentcfg.manifest.model",
    "init": "agentcfg.scaffold",
    "load": "agentcfg.runtime",
    "Config": "agentcfg.runtime",
    "import_tools": "agentcfg.toolformats",
    "export_tools": "agentcfg.toolformats",
    # A function's name is never also a module's here (`import agentcfg.x` rebinds `agentcfg.x`
    # to the module): the modules are `validation`, `lockfile`, `semdiff` and `rendering`.
    "lock": "agentcfg.lockfile",
    "LockResult": "agentcfg.lockfile",
    "verify": "agentcfg.verification",
    "VerifyResult": "agentcfg.verification",
    "diff": "agentcfg.semdiff",
    "diff_configs": "agentcfg.semdiff",
    "DiffResult": "agentcfg.semdiff",
    "RiskLevel": "agentcfg.semdiff",
    "render": "agentcfg.promotion",
    "promote": "agentcfg.promotion",
    "rollback": "agentcfg.promotion",
    "unhold": "agentcfg.promotion",
    "history": "agentcfg.promotion",
    "status": "agentcfg.promotion",
    "show": "agentcfg.promotion",
    "PromoteResult": "agentcfg.promotion",
    "RollbackResult": "agentcfg.promotion",
    # the release enforced at run time: Config.toolbox() and what its guarded calls raise and record
    "Toolbox": "agentcfg.runtime",
    "ToolboxError": "agentcfg.runtime",
    "ToolCallError": "agentcfg.runtime",
    "ToolNotAllowed": "agentcfg.runtime",
    "ToolInputInvalid": "agentcfg.runtime",
    "ApprovalRequired": "agentcfg.runtime",
    "ApprovalDenied": "agentcfg.runtime",
    "ToolOutputInvalid": "agentcfg.runtime",
    "ApprovalRequest": "agentcfg.runtime",
    "Decision": "agentcfg.runtime",
    "ToolCallEvent": "agentcfg.runtime",
    # MCP servers: `check servers` and the run-time rug-pull check
    "check_servers": "agentcfg.servers",
    "ServerCheck": "agentcfg.servers",
    "ToolDrift": "agentcfg.runtime",
    # eval evidence bound to root digests (the module is `recording`, see the note above)
    "attest": "agentcfg.evidence",
    "AttestResult": "agentcfg.evidence",
    # pictures of the orchestration; the package is `agentcfg.graphs`, so no name clash
    "graph": "agentcfg.graphs",
    "GraphReport": "agentcfg.graphs",
    # OCI registries: `agentcfg publish`, and load("oci://...") falling back to the cache in an outage
    "publish": "agentcfg.ocio",
    "PublishResult": "agentcfg.ocio",
    "RegistryFallbackWarning": "agentcfg.runtime.loading",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'agentcfg' has no attribute '{name}'")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
