"""The environment a command reads or writes: its name, its release file, its repository.

Everything on the rollback path starts here, and nothing here loads the manifest: an incident
may have broken `agentcfg.yaml`, and the git history of `releases/<env>.json` is all we need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentcfg.errors import UsageError
from agentcfg.names import NAME_RE
from agentcfg.project import Project
from agentcfg.release import ReleaseFile, read_release, release_path

if TYPE_CHECKING:
    import git

    from agentcfg.gitio import RepoPaths


def is_env_name(name: str) -> bool:
    return bool(NAME_RE.fullmatch(name or ""))  # fullmatch: `$` would accept a trailing newline


def check_env_name(env: str) -> str:
    """Refuse names that could leave `releases/` or confuse git (`../x`, `-x`, `a b`)."""
    if not is_env_name(env):
        raise UsageError(f"'{env}' is not a valid environment name",
                         hint="environment names use letters, digits, '-', '_' and '.'")
    return env


@dataclass
class EnvTarget:
    """One environment of one project, and where its release file lives."""

    project: Project
    env: str

    @classmethod
    def open(cls, env: str, root: Path | str = ".") -> EnvTarget:
        return cls(Project.find(root), check_env_name(env))

    @property
    def repo(self) -> git.Repo:
        return self.project.require_repo()

    @property
    def paths(self) -> RepoPaths:
        """The repository's top and git folder, without GitPython (see ``Project.located``)."""
        return self.project.paths

    @property
    def relpath(self) -> str:
        """The release file relative to the manifest folder (`releases/production.json`)."""
        return release_path(self.env)

    @property
    def path(self) -> Path:
        return self.project.root / self.relpath

    @property
    def repo_path(self) -> str:
        """The release file relative to the repository root (what git commands take)."""
        _ = self.paths  # outside a repository: paths' clear error, not an empty subdir
        sub = self.project.subdir
        return f"{sub}/{self.relpath}" if sub else self.relpath

    def current(self) -> ReleaseFile | None:
        """The release on disk (verified against its digest), or None when there is none yet."""
        return read_release(self.path, self.relpath, legacy=True)
