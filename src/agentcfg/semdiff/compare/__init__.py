"""Per-kind comparers: what makes a change of each artefact kind risky, one module per kind.

Each module's ``compare(pair)`` returns rows naming rules of ``agentcfg.semdiff.risk``.
"""

from __future__ import annotations

from collections.abc import Callable

from agentcfg.semdiff.compare import (
    agents,
    code,
    data,
    memory,
    models,
    orchestration,
    policies,
    prompts,
    servers,
    tools,
)
from agentcfg.semdiff.compare.base import Pair, Row

COMPARERS: dict[str, Callable[[Pair], list[Row]]] = {
    "code": code.compare,
    "data": data.compare,
    "models": models.compare,
    "prompts": prompts.compare,
    "tools": tools.compare,
    "memory": memory.compare,
    "orchestration": orchestration.compare,
    "agents": agents.compare,
    "policies": policies.compare,
    "mcp_servers": servers.compare,
}
