"""The one home of GitPython: repository discovery, reads of old revisions, and argument safety.

Every string a user types (a revision, a ref, a URL) passes through :func:`safe_rev` or
:func:`safe_url` before it reaches git, so it can never become a git option
(``--upload-pack=...``, ``--output=...``) or an ``ext::`` transport (SPEC §9). GitPython's
exceptions are translated into :class:`agentcfg.errors.GitError` here and nowhere else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from agentcfg.errors import GitError, UsageError

if TYPE_CHECKING:
    import git

# git's own ref-name rules (git-check-ref-format) plus: no leading '-', no control chars.
_BAD_REV = re.compile(r"(^-)|(\.\.\.?(?!$))|[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\.lock$|^/|/$")
_REV_SUFFIX = re.compile(r"^(?P<base>.*?)(?P<nav>(?:[~^]\d*)*)$")

SHALLOW_HINT = (
    "this is a shallow clone without the history agentcfg needs; fetch it with "
    "`git fetch --unshallow` (in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
)


def _env() -> None:
    # GitPython must never prompt for credentials in CI or during an incident.
    os.environ.setdefault("GIT_TERMINAL_PROMPT", "0")


def safe_rev(rev: str) -> str:
    """Refuse a revision that could be read as an option or is not a sane rev (HEAD~3 is fine)."""
    if not rev or rev.startswith("-"):
        raise UsageError(
            f"'{_printable(rev)}' is not a git revision",
            hint="revisions may not start with '-' (they would be read as git options)",
        )
    m = _REV_SUFFIX.match(rev)
    base = m.group("base") if m else rev
    if base and base != "@" and _BAD_REV.search(base):
        raise UsageError(
            f"'{_printable(rev)}' is not a valid git revision",
            hint="use a branch, tag or commit SHA, optionally followed by ~N or ^N",
        )
    return rev


def safe_url(url: str) -> str:
    """Allow only https, ssh (including scp-like) and file remotes; never `ext::` or options."""
    u = url.strip()
    if u.startswith("-") or any(ord(c) < 0x20 for c in u):
        raise UsageError(f"'{_printable(url)}' is not an allowed repository URL")
    if u.startswith(("https://", "ssh://", "file://")):
        return u
    if re.match(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^:]", u) and "::" not in u:
        return u  # scp-like ssh: git@github.com:org/repo.git
    raise UsageError(
        f"repository URL '{_printable(url)}' uses a transport agentcfg refuses",
        hint="use https://, ssh:// (or git@host:path) or file:// URLs, or a local path",
    )


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")


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
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except git.GitCommandError:
        hint = SHALLOW_HINT if is_shallow(repo) else "check the name with `git log --oneline`"
        raise GitError(f"git revision '{_printable(rev)}' not found", hint=hint) from None


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the tree's base folder
    kind: str  # "blob", "tree", "link" (symlink), "commit" (submodule)
    size: int


class GitTree:
    """Read-only view of the files of one commit, under ``subdir`` (the manifest's folder)."""

    def __init__(self, repo: "git.Repo", commit: str, subdir: str = "") -> None:
        self.repo = repo
        self.commit_sha = commit
        self.subdir = subdir.strip("/")
        self.label = commit[:12]
        self._tree = repo.commit(commit).tree

    def _object(self, relpath: str):  # type: ignore[no-untyped-def]
        full = "/".join(p for p in (self.subdir, relpath.strip("/")) if p)
        if not full or full == ".":
            return self._tree
        try:
            return self._tree / full
        except KeyError:
            return None

    def read(self, relpath: str) -> bytes | None:
        obj = self._object(relpath)
        if obj is None or obj.type != "blob":
            return None
        if obj.mode == 0o120000:  # a symlink's blob is its target, never the target's content
            return None
        # Read one byte past yamlio's size limit at most: an oversized blob is refused, not loaded.
        return bytes(obj.data_stream.read(min(obj.size, 10 * 1024 * 1024 + 1)))

    def kind(self, relpath: str) -> str | None:
        obj = self._object(relpath)
        if obj is None:
            return None
        if obj.type == "blob":
            return "link" if obj.mode == 0o120000 else "blob"
        return obj.type

    def walk(self, relpath: str) -> Iterator[TreeEntry]:
        obj = self._object(relpath)
        if obj is None or obj.type != "tree":
            return
        base = obj.path
        for item in obj.traverse():
            rel = item.path[len(base) + 1 :]
            kind = "link" if item.type == "blob" and item.mode == 0o120000 else item.type
            yield TreeEntry(rel, kind, item.size if item.type == "blob" else 0)


def subdir_of(repo: "git.Repo", folder: Path) -> str:
    """The manifest folder relative to the repository root, '' at the top ('a/b' in a monorepo)."""
    rel = folder.resolve().relative_to(toplevel(repo))
    return "" if str(rel) == "." else rel.as_posix()
