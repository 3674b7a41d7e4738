"""`data`: retrieval corpora, eval sets, indexes (locked as content digest, size, file count)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from agentcfg.artefacts.base import Strict


class DataSet(Strict):
    """Exactly one of a local `path` (file or folder), a DVC `.dvc` file, or a versioned `uri`."""

    path: str | None = None
    dvc: str | None = None
    uri: str | None = None
    version: str | None = None
    etag: str | None = None
    role: Literal["corpus", "eval", "index", "other"] | None = None
    migration: str | None = None  # a declared data migration: rollbacks across it warn
    description: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "DataSet":
        given = [k for k in ("path", "dvc", "uri") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'path', 'dvc' or 'uri'")
        if self.uri is not None and self.version is None and self.etag is None:
            raise ValueError("a 'uri' needs a declared 'version' or 'etag' so the lock can pin it")
        return self
