"""Helpers for runtime tests: the bundled example, locked and released, in a real git repository."""

from __future__ import annotations

from pathlib import Path

from conftest import commit_all

import agentcfg
from agentcfg.lockfile import lock

# The example's memory store URL is a ${env:...} reference, resolved only at load time.
ENVIRON = {"QDRANT_URL": "https://qdrant.internal:6333"}


def release(repo: Path, *envs: str, message: str = "lock") -> None:
    """Lock the working tree of ``repo``, commit, and promote along ``envs`` (HEAD → first → next ...)."""
    lock(repo)
    commit_all(repo, message)
    source = "HEAD"
    for env in envs:
        agentcfg.promote(source, env, root=repo, reason="test release",
                         approve="tests" if env == "production" else None)
        source = env
