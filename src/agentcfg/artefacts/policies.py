"""`policies`: per-environment rules checked by `validate --env` and on promotion."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentcfg.artefacts.base import Strict

SideEffect = Literal["write", "destructive", "open_world"]
RiskName = Literal["none", "low", "medium", "high", "critical"]


class Policy(Strict):
    require_pinned_models: bool = False
    require_approval_for: list[SideEffect] = Field(default_factory=list)
    max_risk: RiskName | None = None
    frozen: bool = False
    description: str | None = None
