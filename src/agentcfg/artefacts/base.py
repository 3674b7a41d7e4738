"""Shared pieces of the artefact models: strict pydantic base, name rules, reference fields."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

# An artefact name becomes part of an id (`tools/<name>`), a file name for imports and a git
# trailer value, so it is kept to a conservative alphabet.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")  # \Z: "$" would accept a trailing newline

SECTIONS = ("code", "data", "models", "prompts", "tools", "memory", "orchestration", "agents")
"""The artefact sections, in the order they are reported."""


class Strict(BaseModel):
    """No unknown keys, no silent coercion (a YAML 1.1 float is not a version string)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def artefact_id(section: str, name: str) -> str:
    return f"{section}/{name}"
