"""`code`: git repositories and the requested ref of the agent's code (locked as a commit)."""

from __future__ import annotations

from agentcfg.artefacts.base import Strict


class CodeRef(Strict):
    """A git repository and ref; `repo: .` is the repository that holds the manifest."""

    repo: str
    ref: str
    path: str | None = None
    description: str | None = None


ALLOWED_URL_SCHEMES = ("https://", "ssh://", "file://")
"""Remote repositories are reached only over these (SPEC §9); scp-like `git@host:x` is ssh too."""
