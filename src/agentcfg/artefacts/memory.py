"""`memory`: store, embedder (a `models` entry), dims, namespace, ttl, schema version."""

from __future__ import annotations

from pydantic import Field

from agentcfg.artefacts.base import Strict


class MemoryStore(Strict):
    provider: str
    collection: str
    url: str | None = None  # use ${env:NAME}: connection strings carry credentials


class Memory(Strict):
    file: str | None = None
    store: MemoryStore
    embedder: str
    dims: int = Field(gt=0)
    namespace: str | None = None
    ttl: str | None = None  # e.g. "90d", "12h", "forever"
    schema_version: str
    migration: str | None = None  # declared migration that makes an embedder/dims/schema change safe
    description: str | None = None
