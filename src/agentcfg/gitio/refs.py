"""Code refs: resolve a ref to a commit, locally or with `ls-remote` (no clone)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from agentcfg.errors import GitError

if TYPE_CHECKING:
    import git

from agentcfg.gitio.args import SHALLOW_HINT, safe_rev, safe_url
from agentcfg.gitio.repo import _env, git_dir, has_commits, is_shallow, verify_rev

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
    for line in str(out).splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    for name in (f"refs/heads/{ref}", f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", ref):
        if name in refs:
            return refs[name]
    return None


# Each function takes a GitPython ``Repo`` or the repository's top folder: with the folder, git
# runs directly, so `lock` of a manifest whose code lives in its own repository (`repo: .`)
# never imports GitPython (~75 ms).

def resolve_local_ref(repo: "git.Repo | Path", ref: str) -> str | None:
    """The commit ``ref`` names in a local repository (falling back to ``origin/<ref>``), or None.

    The fallback matters on a fresh clone, where only the checked-out branch exists locally but
    a manifest may name another branch: the lock must come out the same as on the author's clone.
    """
    safe_rev(ref)
    if not has_commits(repo):
        return None
    for candidate in (ref, f"refs/remotes/origin/{ref}"):
        found = verify_rev(repo, f"{candidate}^{{commit}}")
        if found:
            return found
    return None


def object_id(repo: "git.Repo | Path", commit: str, path: str) -> str | None:
    """git's object id of ``path`` (a tree or a blob) at ``commit``, or None when it is absent."""
    clean = path.strip("/")
    if not clean or clean == ".":
        spec = f"{commit}^{{tree}}"
    else:
        spec = f"{commit}:{clean}"
    return verify_rev(repo, spec) or None


def last_commit_touching(repo: "git.Repo | Path", commit: str, include: str | None,
                         exclude: tuple[str, ...] = ()) -> str | None:
    """The newest commit reachable from ``commit`` that changed ``include`` (None: anything)
    outside ``exclude`` (paths relative to the repository root; matched literally, not as globs).

    Raises GitError when the answer lies beyond a shallow clone's boundary, where git would
    wrongly report the boundary commit as having added every file.
    """
    specs = [f":(top,literal){include}"] if include else [":(top)"]
    specs += [f":(top,exclude,literal){path}" for path in exclude]
    if isinstance(repo, Path):
        from agentcfg.gitio.paths import _run

        found = str(_run(repo, "log", "-1", "--format=%H", commit, "--", *specs)).strip()
    else:
        import git

        try:
            found = str(repo.git.log("-1", "--format=%H", commit, "--", *specs)).strip()
        except git.GitCommandError as exc:
            raise GitError(f"git log failed: {(exc.stderr or '').strip()[:200]}") from None
    if found and is_shallow(repo):
        boundary = (git_dir(repo) / "shallow").read_text(encoding="ascii").split()
        if found in boundary:
            raise GitError("cannot tell which commit last changed the code: the history is cut off here",
                           hint=SHALLOW_HINT)
    return found or None
