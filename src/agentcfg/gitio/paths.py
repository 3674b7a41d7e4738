"""Release files: one path's log with trailers, old blobs, commits of exactly one path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.errors import GitError

if TYPE_CHECKING:
    import git

from agentcfg.gitio.repo import has_commits

# --- release files: one file's log, old blobs, commits of exactly one path ---------

# One `git log` with a custom format reads thousands of releases in milliseconds; a GitPython
# walk over commit objects would take seconds. \x1e starts a record, \x1f separates fields.
_LOG_FORMAT = "%x1e%H%x1f%an%x1f%ae%x1f%cI%x1f%ct%x1f%(trailers:only,unfold)%x1f%s"


@dataclass(frozen=True)
class PathCommit:
    """One commit that changed a path, as `git log -- PATH` lists it."""

    commit: str
    author: str
    email: str
    date: str  # committer date, ISO 8601
    timestamp: int
    trailers: dict[str, str]  # keys lower-cased; the last value of a repeated key wins
    subject: str


def _literal(path: str) -> str:
    return f":(literal){path}"  # a folder named with '*' or '?' must not become a glob


def _git(repo: "git.Repo | Path", command: str, *args: str, **kwargs: object) -> str:
    """Run one git command; its failure becomes a GitError in git's own words.

    ``repo`` is a GitPython ``Repo``, or the repository's top folder: then git runs directly,
    and commands on the incident path (rollback) never import GitPython (~70 ms).
    Either way stdout loses one trailing newline, as GitPython returns it.
    """
    if isinstance(repo, Path):
        out = str(_run(repo, command.replace("_", "-"), *args))
        return out[:-1] if out.endswith("\n") else out
    import git

    try:
        return str(getattr(repo.git, command)(*args, **kwargs))
    except git.GitCommandError as exc:
        raise GitError(f"git {command.replace('_', '-')} failed: {_stderr(exc)}") from None


def _run(top: Path, *args: str, binary: bool = False) -> Any:
    """git ``args`` in ``top``; stdout (text, or bytes with ``binary``). stderr goes to a file,
    so stdout is the only pipe and is read in one go, however much git prints."""
    import os
    import subprocess
    import tempfile

    env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.run(["git", *args], cwd=top, stdout=subprocess.PIPE, stderr=err, env=env, check=False)
        except OSError as exc:
            raise GitError(f"git {args[0]} could not run: {exc.strerror}") from None
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
            unknown = _unknown_identity(text)
            if unknown is not None:
                raise unknown
            lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("hint:")]
            raise GitError(f"git {args[0]} failed: {' '.join(lines[-4:]) or f'exit status {proc.returncode}'}")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


# What git prints when it has no author/committer name or email to put in a commit.
_IDENTITY_MARKS = ("Please tell me who you are", "unable to auto-detect email address", "empty ident name",
                   "Author identity unknown", "Committer identity unknown")


def _unknown_identity(stderr: str) -> GitError | None:
    """git's refusal to commit without an identity, whole (its own instructions included), with the fix."""
    if not any(mark in stderr for mark in _IDENTITY_MARKS):
        return None
    whole = " ".join(ln.strip() for ln in stderr.splitlines() if ln.strip())
    return GitError(f"git does not know who you are, so it cannot commit: {whole}",
                    hint='set your identity: `git config user.email "you@example.com"` and '
                         '`git config user.name "Your Name"` (add --global for every repository; in CI, '
                         'set GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL and GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL)')


def _git_read(repo: "git.Repo | Path", *args: str) -> str:
    """A read-only git command that may print a lot (see :func:`_run`); its stdout."""
    return str(_run(repo if isinstance(repo, Path) else Path(repo.working_dir), *args))


def log_path(repo: "git.Repo | Path", path: str, *, limit: int | None = None,
             revs: str = "HEAD") -> list[PathCommit]:
    """Every commit in ``revs`` (default: reachable from HEAD) that changed ``path``
    (repository-relative), newest first.

    ``repo`` may be the repository's top folder (no GitPython needed, see ``repo.locate``).
    """
    if not has_commits(repo):
        return []
    # User config (log.showSignature, log.follow) must not change what we parse.
    args = ["--no-show-signature", "--no-follow", "--no-color", f"--format={_LOG_FORMAT}"]
    if limit is not None:
        args.append(f"--max-count={max(int(limit), 0)}")
    out = _git_read(repo, "log", *args, "--end-of-options", revs, "--", _literal(path))
    commits = []
    for record in out.split("\x1e")[1:]:
        sha, author, email, date, ts, trailer_text, subject = record.split("\x1f", 6)
        trailers: dict[str, str] = {}
        for line in trailer_text.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                trailers[key.strip().lower()] = value.strip()
        commits.append(PathCommit(sha, author, email, date, int(ts or 0), trailers, subject.strip()))
    return commits


def read_blob(repo: "git.Repo | Path", commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``commit``, or None when it is not a file there.

    With a GitPython ``Repo``, through git's persistent `cat-file --batch` (many reads); with the
    repository's top folder, one `git cat-file` (no GitPython)."""
    if isinstance(repo, Path):
        try:
            return bytes(_run(repo, "cat-file", "blob", f"{commit}:{path}", binary=True))
        except GitError:
            return None
    try:
        _, kind, _, data = repo.git.get_object_data(f"{commit}:{path}")
    except ValueError:  # "<name> missing"
        return None
    return bytes(data) if kind in (b"blob", "blob") else None


def path_status(repo: "git.Repo | Path", path: str) -> str:
    """git's two-letter status of ``path`` (' M', 'M ', '??', ' D', ...); '' when clean."""
    out = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=no", "--",
               _literal(path))
    return out[:2] if out else ""


def staged_paths(repo: "git.Repo | Path") -> list[str]:
    """Paths whose staged content differs from HEAD (what `git commit` would commit)."""
    return [p for p in _git(repo, "diff", "--cached", "--name-only", "--no-renames", "-z").split("\x00") if p]


def commit_path(repo: "git.Repo | Path", path: str, message: str) -> str:
    """Commit exactly ``path`` as it is on disk, with ``message``; returns the new commit's SHA.

    git itself makes the commit, so the repository's hooks run and signing follows the user's
    config. `--only` commits the path's working-tree content and nothing else from the index.
    A new file is added first (`--only` refuses paths git does not know); on failure the caller
    restores the file and :func:`unstage_path` undoes the add.
    """
    spec = _literal(path)
    if not _git(repo, "ls_files", "--", spec):
        _git(repo, "add", "--", spec)
    _git(repo, "commit", "--quiet", "--only", "-m", message, "--", spec)
    return _git(repo, "rev_parse", "--verify", "HEAD")


def unstage_path(repo: "git.Repo | Path", path: str) -> None:
    _git(repo, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", _literal(path))


def count_commits(repo: "git.Repo | Path", since: str, until: str = "HEAD", *, under: str = "",
                  exclude: str | list[str] | None = None) -> int | None:
    """Commits ``until`` has that ``since`` lacks, touching ``under`` but not only ``exclude``."""
    excluded = [exclude] if isinstance(exclude, str) else list(exclude or [])
    specs = [_literal(under or ".")] + [f":(exclude,literal){path}" for path in excluded]
    try:
        return int(_git(repo, "rev_list", "--count", f"{since}..{until}", "--", *specs))
    except (GitError, ValueError):
        return None


def is_ignored(repo: "git.Repo | Path", path: str) -> bool:
    """Whether git ignores ``path`` (`git check-ignore`; a tracked file never counts as ignored)."""
    try:
        _git(repo, "check_ignore", "-q", "--", path)  # takes no pathspec magic
    except GitError:
        return False  # exit 1: not ignored
    return True


def _stderr(exc: Exception) -> str:
    raw = str(getattr(exc, "stderr", "") or "").strip().removeprefix("stderr:").strip(" '\n")
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.strip().startswith("hint:")]
    return " ".join(lines[-4:]) or f"exit status {getattr(exc, 'status', '?')}"


def list_files(repo: "git.Repo | Path", commit: str, folder: str) -> list[str]:
    """Regular files under ``folder`` (repository-relative) at ``commit``, as paths relative to
    ``folder``; [] when the folder is not there. Symlinks and submodules are left out."""
    try:
        # `<commit>:<folder>` names the folder literally (no pathspec globbing); -z: raw names.
        out = _git_read(repo, "ls-tree", "-r", "-z", "--end-of-options", f"{commit}:{folder.strip('/')}")
    except GitError:
        return []
    files = []
    for record in out.split("\0"):
        meta, tab, name = record.partition("\t")
        mode, _, kind = meta.partition(" ")
        if tab and kind.startswith("blob") and mode in ("100644", "100755"):
            files.append(name)
    return sorted(files)


def identity(repo: "git.Repo | Path") -> tuple[str, str] | None:
    """The author git would record now (`git var GIT_AUTHOR_IDENT`: config and GIT_AUTHOR_* alike)."""
    try:
        ident = _git(repo, "var", "GIT_AUTHOR_IDENT")
    except GitError:
        return None
    name, _, rest = ident.partition(" <")
    email = rest.partition(">")[0]
    return name.strip(), email.strip()
