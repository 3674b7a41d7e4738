"""`code`: git repositories and the requested ref of the agent's code (locked as a commit)."""

from __future__ import annotations

from pydantic import model_validator

from agentcfg.artefacts.base import Strict


class CodeRef(Strict):
    """A git repository and ref; `repo: .` is the repository that holds the manifest.

    For `repo: .` the ref is optional: without it, the code is what the commit being locked
    holds (HEAD for the working tree, the revision itself for `render --rev` and `promote`), so
    the manifest names no branch and works whatever a clone's default branch is called.
    """

    repo: str
    ref: str | None = None
    path: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _ref_needed_elsewhere(self) -> "CodeRef":
        if self.ref is None and self.repo != ".":
            raise ValueError("`ref` is required for a repository other than `repo: .` "
                             "(a branch, tag or commit of that repository)")
        return self


ALLOWED_URL_SCHEMES = ("https://", "ssh://", "file://")
"""Remote repositories are reached only over these; scp-like `git@host:x` is ssh too."""
