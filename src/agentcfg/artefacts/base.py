"""Shared pieces of the artefact models: strict pydantic base, name rules, reference fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from agentcfg.names import NAME_RE, SECTIONS, artefact_id  # noqa: F401 - re-exported for the models


class Strict(BaseModel):
    """No unknown keys, no silent coercion (a YAML 1.1 float is not a version string)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)
