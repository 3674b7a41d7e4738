"""`orchestration`: graphs of agent, tool and human-approval steps."""

from __future__ import annotations

from pydantic import Field, model_validator

from agentcfg.artefacts.base import Strict


class HumanStep(Strict):
    description: str | None = None
    approvers: list[str] = Field(default_factory=list)
    timeout: str | None = None


class Node(Strict):
    """Exactly one of `agent`, `tool` or `human` (a human-approval step)."""

    agent: str | None = None
    tool: str | None = None
    human: HumanStep | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Node":
        if sum(x is not None for x in (self.agent, self.tool, self.human)) != 1:
            raise ValueError("a node is exactly one of 'agent', 'tool' or 'human'")
        return self


class Edge(Strict):
    from_: str = Field(alias="from")
    to: str
    when: str | None = None


class Graph(Strict):
    file: str | None = None
    entry: str
    nodes: dict[str, Node]
    edges: list[Edge] = Field(default_factory=list)
    max_steps: int | None = Field(default=None, gt=0)
    state_schema_version: str | None = None
    migration: str | None = None
    description: str | None = None
