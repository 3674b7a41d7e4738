"""`policies`: per-environment rules checked by `validate --env` and on promotion."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from agentcfg.artefacts.base import Strict

SideEffect = Literal["write", "destructive", "open_world"]
RiskName = Literal["none", "low", "medium", "high", "critical"]
# 30d, 12h, 90m, 1w, or combined (1d12h); see agentcfg.evidence.requirements.duration_seconds
Duration = Annotated[str, StringConstraints(pattern=r"^(\d+[wdhms])+$")]
EvidenceName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
MetricName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$")]


class MetricBound(Strict):
    """A metric the evidence must report, within [min, max] (either bound may be left out)."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> MetricBound:
        if self.min is None and self.max is None:
            raise ValueError("give `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class EvidenceRequirement(Strict):
    """Evidence a promotion into the environment needs on the digest it promotes (docs/evidence.md).

    With neither `min_pass_rate` nor `max_failed`, every executed test must pass.
    """

    min_pass_rate: float | None = Field(default=None, ge=0, le=1)
    max_failed: int | None = Field(default=None, ge=0)  # failures and errors together
    max_age: Duration | None = None
    metrics: dict[MetricName, MetricBound] | None = None
    description: str | None = None


class Policy(Strict):
    require_pinned_models: bool = False
    require_approval_for: list[SideEffect] = Field(default_factory=list)
    max_risk: RiskName | None = None
    frozen: bool = False
    # None, not {}: rendered configs leave out None, so configs without the rule keep their digests
    require_evidence: dict[EvidenceName, EvidenceRequirement] | None = None
    description: str | None = None
