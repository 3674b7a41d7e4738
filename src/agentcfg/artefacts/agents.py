"""`agents`: an agent is a model + a prompt + tools + memory."""

from __future__ import annotations

from pydantic import Field

from agentcfg.artefacts.base import Strict


class Agent(Strict):
    file: str | None = None
    model: str
    prompt: str
    tools: list[str] = Field(default_factory=list)
    memory: str | None = None
    code: str | None = None
    description: str | None = None
