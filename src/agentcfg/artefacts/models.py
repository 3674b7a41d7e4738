"""`models`: provider, exact id, parameters, fallbacks; embedding models with `dims`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from agentcfg.artefacts.base import Strict


class Model(Strict):
    file: str | None = None  # the definition may live in its own YAML/JSON file, like tools
    provider: str
    id: str
    kind: Literal["chat", "embedding", "completion", "rerank"] = "chat"
    dims: int | None = Field(default=None, gt=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    fallbacks: list[str] = Field(default_factory=list)
    pinned: bool | None = None  # assert pinning for an id the alias rules cannot judge
    description: str | None = None

    @model_validator(mode="after")
    def _dims_for_embeddings(self) -> "Model":
        if self.kind == "embedding" and self.dims is None:
            raise ValueError("an embedding model needs 'dims'")
        return self
