"""Repository discovery and revision resolution."""

from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RepoPaths:
    """Where a repository lives: its working-tree top and its git directory."""

    top: Path
    git_dir: Path

    @property
    def shallow(self) -> bool:
        return (self.git_dir / "shallow").exists()


def locate(path: Path) -> RepoPaths | None:
    """The repository around ``path`` from one `git rev-parse`, or None outside any.

    Read-only commands on the incident path (`history`) need no more than this, and importing
    GitPython and opening a ``Repo`` costs ~70 ms of a 400 ms budget.
    """
    import subprocess

    _env()
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd=path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    except OSError:
        return None
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) != 2:
        refused = _dubious_ownership(path, out.stderr)
        if refused is not None:
            raise refused  # git will not work here at all: never carry on as "outside git"
        return None
    return RepoPaths(Path(lines[0]).resolve(), Path(lines[1]))


def require_repo(path: Path) -> "git.Repo":
    repo = open_repo(path)
    if repo is None:
        raise not_a_repository(path)
    return repo


def not_a_repository(path: Path) -> GitError:
    """The error for "no usable repository at ``path``", saying which case it is: none at all,
    one git refuses to use (another user's), or a bare repository (no files to read)."""
    import subprocess

    try:
        probe = subprocess.run(["git", "rev-parse", "--is-bare-repository", "--absolute-git-dir"], cwd=path,
                               capture_output=True, text=True, check=False)
    except OSError:
        probe = None
    if probe is not None:
        refused = _dubious_ownership(path, probe.stderr)
        if refused is not None:
            return refused
        lines = probe.stdout.split()
        if probe.returncode == 0 and lines[:1] == ["true"]:
            where = lines[1] if len(lines) > 1 else str(path)
            return GitError(f"{where} is a bare repository: it has no working tree for agentcfg to read or commit in",
                            hint=f"run agentcfg in a clone of it (`git clone {where} work && cd work`)")
    return GitError(f"{path} is not inside a git repository",
                    hint="agentcfg keeps environments in git: run `git init` (and commit) first")


def _dubious_ownership(path: Path, stderr: str) -> GitError | None:
    """git's refusal of a repository owned by another user (CVE-2022-24765), with git's own fix."""
    if "dubious ownership" not in stderr:
        return None
    fix = next((line.strip() for line in stderr.splitlines() if "safe.directory" in line and "git config" in line),
               f"git config --global --add safe.directory {path}")
    return GitError(f"git refuses to work in the repository at {path}: it is owned by another user "
                    "(git's \"dubious ownership\" check)",
                    hint=f"if you trust this repository, allow it once: `{fix}`; or run agentcfg as its owner")


def toplevel(repo: "git.Repo | Path") -> Path:
    if isinstance(repo, Path):
        return repo.resolve()  # the top folder itself (see locate)
    return Path(repo.working_tree_dir or ".").resolve()


def git_dir(repo: "git.Repo | Path") -> Path:
    """The repository's git folder (`.git`, or elsewhere for worktrees and submodules)."""
    if isinstance(repo, Path):
        from agentcfg.gitio.paths import _run

        return Path(str(_run(repo, "rev-parse", "--absolute-git-dir")).strip())
    return Path(repo.git_dir)


def has_commits(repo: "git.Repo | Path") -> bool:
    if isinstance(repo, Path):
        from agentcfg.gitio.paths import _run

        try:
            _run(repo, "rev-parse", "--quiet", "--verify", "HEAD^{commit}")
        except GitError:
            return False
        return True
    try:
        repo.head.commit
    except ValueError:
        return False
    return True


def is_shallow(repo: "git.Repo | Path") -> bool:
    return (git_dir(repo) / "shallow").exists()


def verify_rev(repo: "git.Repo | Path", spec: str) -> str | None:
    """`git rev-parse --verify` of ``spec`` (already checked by :func:`safe_rev`), or None when it
    names nothing. ``repo`` may be the repository's top folder: git then runs directly."""
    if isinstance(repo, Path):
        from agentcfg.gitio.paths import _run

        try:
            return str(_run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", spec)).strip()
        except GitError:
            return None
    import git

    try:
        return str(repo.git.rev_parse("--verify", "--quiet", "--end-of-options", spec))
    except git.GitCommandError:
        return None


def resolve_commit(repo: "git.Repo | Path", rev: str) -> str:
    """Full SHA of ``rev``; a clear error (mentioning shallow clones) when it does not exist.

    ``repo`` may be the repository's top folder: git then runs directly (no GitPython).
    """
    safe_rev(rev)
    found = verify_rev(repo, f"{rev}^{{commit}}")
    if found:
        return found
    if not has_commits(repo):
        raise GitError("the repository has no commits yet", hint="commit your manifest first")
    hint = SHALLOW_HINT if is_shallow(repo) else "check the name with `git log --oneline`"
    raise GitError(f"git revision '{_printable(rev)}' not found", hint=hint)
