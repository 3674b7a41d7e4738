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
    "validate": "agentcfg.validate",
    "ValidationReport": "agentcfg.validate",
    "json_schema": "agentcfg.manifest.model",
    "init": "agentcfg.scaffold",
    "load": "agentcfg.runtime",
    "Config": "agentcfg.runtime",
    "import_tools": "agentcfg.toolformats",
    "export_tools": "agentcfg.toolformats",
    # diff (issue 4); `agentcfg.diff` itself is the package: call `agentcfg.diff.diff(a, b)`
    "diff_configs": "agentcfg.diff",
    "DiffResult": "agentcfg.diff",
    "RiskLevel": "agentcfg.diff",
    # environments (issue 5); `render` stays `agentcfg.promotion.render`: `agentcfg.render` is a module
    "promote": "agentcfg.promotion",
    "rollback": "agentcfg.promotion",
    "unhold": "agentcfg.promotion",
    "history": "agentcfg.promotion",
    "status": "agentcfg.promotion",
    "show": "agentcfg.promotion",
    "PromoteResult": "agentcfg.promotion",
    "RollbackResult": "agentcfg.promotion",
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
