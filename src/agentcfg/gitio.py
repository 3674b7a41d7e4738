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
from typing import TYPE_CHECKING, Any, Iterator

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
    # ssh gets "[user@]host" and the path as arguments: one starting with '-' is an ssh option
    # (`ssh://-oProxyCommand=cmd/x`, `git@host:--upload-pack=cmd`; CVE-2017-1000117). Recent
    # git refuses them too, but agentcfg must not depend on the git version it finds.
    if _option_like_ssh(u):
        raise UsageError(f"repository URL '{_printable(url)}' has a host or path that starts with '-'",
                         hint="a leading '-' would reach ssh as an option; check the URL")
    if u.startswith(("https://", "ssh://", "file://")):
        return u
    if re.match(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^:]", u) and "::" not in u:
        return u  # scp-like ssh: git@github.com:org/repo.git
    raise UsageError(
        f"repository URL '{_printable(url)}' uses a transport agentcfg refuses",
        hint="use https://, ssh:// (or git@host:path) or file:// URLs, or a local path",
    )


def _option_like_ssh(url: str) -> bool:
    """Whether an ssh:// or scp-like URL has a user, host or path that starts with '-'."""
    if url.startswith("ssh://"):
        authority = url[len("ssh://"):].split("/", 1)[0]
        host = authority.rpartition("@")[2]
        return authority.startswith("-") or host.startswith("-")
    if "://" in url:
        return False
    m = re.match(r"^(?P<user>[^@/:]*@)?(?P<host>[^:/]*):(?P<path>.*)$", url)
    if m is None:
        return False
    return any((m.group(part) or "").startswith("-") for part in ("user", "host", "path"))


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
        self._folders: dict[str, dict[str, Any] | None] = {}  # folder -> {entry name: object}, or None

    def _object(self, relpath: str):  # type: ignore[no-untyped-def]
        full = "/".join(p for p in (self.subdir, relpath.strip("/")) if p)
        if not full or full == ".":
            return self._tree
        # `tree / "a/b"` re-parses every folder on the way on each call: reading 2,000 files of
        # one folder that way is quadratic (minutes). Each folder is indexed once instead.
        parent, _, name = full.rpartition("/")
        entries = self._folder(parent)
        return entries.get(name) if entries is not None else None

    def _folder(self, path: str) -> dict[str, Any] | None:
        if path in self._folders:
            return self._folders[path]
        if not path:
            obj: Any = self._tree
        else:
            parent, _, name = path.rpartition("/")
            up = self._folder(parent)
            obj = up.get(name) if up is not None else None
        entries = {item.name: item for item in obj} if obj is not None and obj.type == "tree" else None
        self._folders[path] = entries
        return entries

    def read(self, relpath: str, limit: int = 10 * 1024 * 1024 + 1) -> bytes | None:
        obj = self._object(relpath)
        if obj is None or obj.type != "blob":
            return None
        if obj.mode == 0o120000:  # a symlink's blob is its target, never the target's content
            return None
        # By default one byte past yamlio's size limit at most: an oversized blob is refused, not
        # loaded. The stream carries the size: asking `obj.size` first costs a second round trip.
        stream = self.repo.odb.stream(obj.binsha)
        return bytes(stream.read(min(stream.size, limit)))

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


# --- code refs (issue 3): resolve a ref to a commit without cloning ----------------------------

_FULL_SHA = re.compile(r"^[0-9a-f]{40}$|^[0-9a-f]{64}$")


def ls_remote(url: str, ref: str, *, timeout: float = 60) -> str | None:
    """The commit ``ref`` names in the repository at ``url`` (``git ls-remote``, no clone), or None.

    A branch wins over a tag of the same name (git's own order is tags first for rev-parse, but a
    moving branch is what a `ref:` in a manifest usually means); an annotated tag is peeled to
    its commit. A full commit SHA cannot be checked without fetching, so it is returned as is.
    """
    _env()
    import git

    safe_url(url)
    safe_rev(ref)
    if _FULL_SHA.match(ref):
        return ref
    try:
        # Patterns match ref names by their tail; the peeled line of an annotated tag is listed
        # only when asked for by its own `^{}` name.
        out = git.Git().ls_remote(url, ref, f"{ref}^{{}}", kill_after_timeout=timeout)
    except git.GitCommandError as exc:
        stderr = (exc.stderr or "").strip().splitlines()
        reason = stderr[-1].removeprefix("stderr: ").strip(" '") if stderr else f"exit {exc.status}"
        raise GitError(f"cannot list refs of {url}: {reason}",
                       hint="check the URL and your access to it (agentcfg never prompts for credentials)") from None
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    for name in (f"refs/heads/{ref}", f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", ref):
        if name in refs:
            return refs[name]
    return None


def resolve_local_ref(repo: "git.Repo", ref: str) -> str | None:
    """The commit ``ref`` names in a local repository (falling back to ``origin/<ref>``), or None.

    The fallback matters on a fresh clone, where only the checked-out branch exists locally but
    a manifest may name another branch: the lock must come out the same as on the author's clone.
    """
    import git

    safe_rev(ref)
    if not has_commits(repo):
        return None
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        try:
            return str(repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"))
        except git.GitCommandError:
            continue
    return None


def object_id(repo: "git.Repo", commit: str, path: str) -> str | None:
    """git's object id of ``path`` (a tree or a blob) at ``commit``, or None when it is absent."""
    import git

    clean = path.strip("/")
    if not clean or clean == ".":
        spec = f"{commit}^{{tree}}"
    else:
        spec = f"{commit}:{clean}"
    try:
        return str(repo.git.rev_parse("--verify", "--quiet", "--end-of-options", spec))
    except git.GitCommandError:
        return None


# --- release files (issue 5): one file's log, old blobs, commits of exactly one path ---------

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


def _git(repo: "git.Repo", command: str, *args: str, **kwargs: object) -> str:
    """Run one git command; its failure becomes a GitError in git's own words."""
    import git

    try:
        return str(getattr(repo.git, command)(*args, **kwargs))
    except git.GitCommandError as exc:
        raise GitError(f"git {command.replace('_', '-')} failed: {_stderr(exc)}") from None


def log_path(repo: "git.Repo", path: str, *, limit: int | None = None) -> list[PathCommit]:
    """Every commit reachable from HEAD that changed ``path`` (repository-relative), newest first."""
    if not has_commits(repo):
        return []
    # User config (log.showSignature, log.follow) must not change what we parse.
    args = ["--no-show-signature", "--no-follow", "--no-color", f"--format={_LOG_FORMAT}"]
    if limit is not None:
        args.append(f"--max-count={max(int(limit), 0)}")
    out = _git(repo, "log", *args, "HEAD", "--", _literal(path), strip_newline_in_stdout=False)
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


def read_blob(repo: "git.Repo", commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``commit`` (through git's persistent `cat-file --batch`), or None."""
    try:
        _, kind, _, data = repo.git.get_object_data(f"{commit}:{path}")
    except ValueError:  # "<name> missing"
        return None
    return bytes(data) if kind in (b"blob", "blob") else None


def path_status(repo: "git.Repo", path: str) -> str:
    """git's two-letter status of ``path`` (' M', 'M ', '??', ' D', ...); '' when clean."""
    out = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=no", "--",
               _literal(path))
    return out[:2] if out else ""


def staged_paths(repo: "git.Repo") -> list[str]:
    """Paths whose staged content differs from HEAD (what `git commit` would commit)."""
    return [p for p in _git(repo, "diff", "--cached", "--name-only", "--no-renames", "-z").split("\x00") if p]


def commit_path(repo: "git.Repo", path: str, message: str) -> str:
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


def unstage_path(repo: "git.Repo", path: str) -> None:
    _git(repo, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", _literal(path))


def count_commits(repo: "git.Repo", since: str, until: str = "HEAD", *, under: str = "",
                  exclude: str | None = None) -> int | None:
    """Commits ``until`` has that ``since`` lacks, touching ``under`` but not only ``exclude``."""
    specs = [_literal(under or ".")] + ([f":(exclude,literal){exclude}"] if exclude else [])
    try:
        return int(_git(repo, "rev_list", "--count", f"{since}..{until}", "--", *specs))
    except (GitError, ValueError):
        return None


def is_ignored(repo: "git.Repo", path: str) -> bool:
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


def last_commit_touching(repo: "git.Repo", commit: str, include: str | None, exclude: tuple[str, ...] = ()) -> str | None:
    """The newest commit reachable from ``commit`` that changed ``include`` (None: anything)
    outside ``exclude`` (paths relative to the repository root; matched literally, not as globs).

    Raises GitError when the answer lies beyond a shallow clone's boundary, where git would
    wrongly report the boundary commit as having added every file.
    """
    import git

    specs = [f":(top,literal){include}"] if include else [":(top)"]
    specs += [f":(top,exclude,literal){path}" for path in exclude]
    try:
        found = str(repo.git.log("-1", "--format=%H", commit, "--", *specs)).strip()
    except git.GitCommandError as exc:
        raise GitError(f"git log failed: {(exc.stderr or '').strip()[:200]}") from None
    if found and is_shallow(repo):
        boundary = (Path(repo.git_dir) / "shallow").read_text(encoding="ascii").split()
        if found in boundary:
            raise GitError("cannot tell which commit last changed the code: the history is cut off here",
                           hint=SHALLOW_HINT)
    return found or None
