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


def released_example(root: Path) -> Path:
    """A fresh git repository at ``root`` holding the bundled example, released to staging and production."""
    import shutil

    from conftest import EXAMPLE, init_repo

    repo = init_repo(root)
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    commit_all(repo, "example")
    release(repo, "staging", "production")
    return repo
