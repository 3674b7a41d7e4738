"""A project: the folder holding `agentcfg.yaml`, the git repository around it, and its trees."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError
from agentcfg.manifest.model import MANIFEST_FILE

if TYPE_CHECKING:
    import git

    from agentcfg.gitio import GitTree
    from agentcfg.trees import WorkTree

STATE_DIR = ".agentcfg"  # caches and the writer lock; never committed (`init` git-ignores it)


@dataclass
class Project:
    root: Path
    _repo: Any = field(default=None, repr=False)
    _repo_looked: bool = field(default=False, repr=False)

    @classmethod
    def find(cls, start: Path | str = ".") -> "Project":
        """The project whose `agentcfg.yaml` is in ``start`` or the nearest parent (up to the git root)."""
        here = Path(start).resolve()
        if not here.is_dir():
            raise AgentcfgError(f"{start} is not a folder")
        for folder in (here, *here.parents):
            if (folder / MANIFEST_FILE).is_file():
                return cls(folder)
            if (folder / ".git").exists():
                break
        # No manifest on disk: still a project rooted here (rollback works from git history alone).
        return cls(here)

    @property
    def repo(self) -> "git.Repo | None":
        if not self._repo_looked:
            from agentcfg.gitio import open_repo

            self._repo = open_repo(self.root)
            self._repo_looked = True
        return self._repo

    def require_repo(self) -> "git.Repo":
        from agentcfg.gitio import require_repo

        repo = self.repo or require_repo(self.root)
        return repo

    @cached_property
    def repo_root(self) -> Path:
        from agentcfg.gitio import toplevel

        return toplevel(self.repo) if self.repo is not None else self.root

    @cached_property
    def subdir(self) -> str:
        """The manifest folder relative to the repository root ('' at the top)."""
        if self.repo is None:
            return ""
        from agentcfg.gitio import subdir_of

        return subdir_of(self.repo, self.root)

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def worktree(self) -> "WorkTree":
        from agentcfg.trees import WorkTree

        return WorkTree(self.root, self.repo_root)

    def tree_at(self, rev: str) -> "GitTree":
        from agentcfg.gitio import GitTree, resolve_commit

        repo = self.require_repo()
        return GitTree(repo, resolve_commit(repo, rev), self.subdir)

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
