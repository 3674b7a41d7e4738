"""A project: the folder holding `agentcfg.yaml`, the git repository around it, and its trees."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.errors import AgentcfgError
from agentcfg.names import MANIFEST_FILE

if TYPE_CHECKING:
    import git

    from agentcfg.gitio import CommitFolder, GitTree, RepoPaths
    from agentcfg.gitio.batch import BlobReader
    from agentcfg.warm.parsed import FileParseCache
    from agentcfg.trees import WorkTree

STATE_DIR = ".agentcfg"  # caches and the writer mutex; never committed (`init` git-ignores it)


def ensure_state_dir(state_dir: Path) -> Path:
    """Create `.agentcfg/` with a `.gitignore` of `*`, so it never shows up in `git status`
    even in repositories whose own .gitignore does not mention it (pytest's cache does the same)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text("# created by agentcfg: caches and the writer lock, never committed\n*\n")
        except OSError:
            pass
    return state_dir


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
            # lexists: a manifest that is a folder, a FIFO or unreadable is this project's, and
            # reading it says what is wrong, instead of "no agentcfg.yaml" from a parent.
            if os.path.lexists(folder / MANIFEST_FILE):
                return cls(folder)
            if (folder / ".git").exists():
                break
        # No manifest on disk: still a project rooted here (rollback works from git history alone).
        return cls(here)

    @property
    def repo(self) -> "git.Repo | None":
        if not self._repo_looked:
            from agentcfg.gitio import open_repo

            # GitPython opens a repository git itself refuses (another user's: "dubious
            # ownership") and every git command then fails obscurely; `located` asks git once
            # and says so. (Cached: most commands have asked already.)
            self.located  # noqa: B018
            self._repo = open_repo(self.root)
            self._repo_looked = True
        return self._repo  # type: ignore[no-any-return]

    def require_repo(self) -> "git.Repo":
        from agentcfg.gitio import require_repo

        repo = self.repo or require_repo(self.root)
        return repo

    @cached_property
    def located(self) -> "RepoPaths | None":
        """The repository around the project from one `git rev-parse` (no GitPython), or None."""
        from agentcfg import gitio

        return gitio.locate(self.root)

    @cached_property
    def repo_root(self) -> Path:
        return self.located.top if self.located is not None else self.root

    @cached_property
    def subdir(self) -> str:
        """The manifest folder relative to the repository root ('' at the top)."""
        if self.located is None:
            return ""
        rel = self.root.resolve().relative_to(self.located.top).as_posix()
        return "" if rel == "." else rel

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @cached_property
    def parse_cache(self) -> "FileParseCache":
        """Parsed YAML of the working tree keyed by content digest (agentcfg.warm.parsed); call
        :meth:`save_caches`. `diff` consults it read-only for git blobs; promotion never (see agentcfg.warm)."""
        from agentcfg.warm.parsed import FileParseCache

        return FileParseCache(self.state_dir / "cache" / "parse.json")

    def save_caches(self) -> None:
        if "parse_cache" in self.__dict__:
            self.parse_cache.save()

    def worktree(self) -> "WorkTree":
        from agentcfg.trees import WorkTree

        return WorkTree(self.root, self.repo_root)

    def tree_at(self, rev: str, *, blobs: "BlobReader | None" = None) -> "GitTree":
        """The files of commit ``rev`` (no checkout); trees given the same ``blobs`` read each
        blob once between them."""
        from agentcfg.gitio import GitTree, resolve_commit

        top = self.paths.top
        return GitTree(top, resolve_commit(top, rev), self.subdir, blobs=blobs)

    @property
    def paths(self) -> "RepoPaths":
        """:attr:`located`, or a clear error outside any repository."""
        if self.located is None:
            from agentcfg import gitio

            raise gitio.not_a_repository(self.root)
        return self.located

    def commit_folder(self, rev: str) -> "CommitFolder":
        """``rev`` resolved, with its tree id and the manifest folder's files, without GitPython.

        Enough to find a cached render (see ``gitio.CommitFolder``). A clear error when ``rev``
        does not exist.
        """
        from agentcfg import gitio

        top = self.paths.top
        return gitio.commit_folder(top, gitio.resolve_commit(top, rev), self.subdir)

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
