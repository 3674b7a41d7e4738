"""Repository discovery and revision resolution."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from agentcfg.errors import GitError

if TYPE_CHECKING:
    import git

from agentcfg.gitio.args import SHALLOW_HINT, _printable, safe_rev


def _env() -> None:
    # GitPython must never prompt for credentials in CI or during an incident.
    os.environ.setdefault("GIT_TERMINAL_PROMPT", "0")


def open_repo(path: Path) -> "git.Repo | None":
    """The git repository containing ``path``, or None when there is none."""
    _env()
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def require_repo(path: Path) -> "git.Repo":
    repo = open_repo(path)
    if repo is None:
        raise GitError(
            f"{path} is not inside a git repository",
            hint="agentcfg keeps environments in git: run `git init` (and commit) first",
        )
    return repo


def toplevel(repo: "git.Repo") -> Path:
    return Path(repo.working_tree_dir or ".").resolve()


def has_commits(repo: "git.Repo") -> bool:
    try:
        repo.head.commit
    except ValueError:
        return False
    return True


def is_shallow(repo: "git.Repo") -> bool:
    return (Path(repo.git_dir) / "shallow").exists()


def resolve_commit(repo: "git.Repo", rev: str) -> str:
    """Full SHA of ``rev``; a clear error (mentioning shallow clones) when it does not exist."""
    import git

    safe_rev(rev)
    if not has_commits(repo):
        raise GitError("the repository has no commits yet", hint="commit your manifest first")
    try:
        return str(repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"))
    except git.GitCommandError:
        hint = SHALLOW_HINT if is_shallow(repo) else "check the name with `git log --oneline`"
        raise GitError(f"git revision '{_printable(rev)}' not found", hint=hint) from None


def subdir_of(repo: "git.Repo", folder: Path) -> str:
    """The manifest folder relative to the repository root, '' at the top ('a/b' in a monorepo)."""
    rel = folder.resolve().relative_to(toplevel(repo))
    return "" if str(rel) == "." else rel.as_posix()
