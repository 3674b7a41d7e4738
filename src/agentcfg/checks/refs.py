"""Code refs of local repositories resolve to a commit, checked when the working tree is validated.

`lock` would fail on a ref that names nothing; `validate` runs first in CI and in pre-commit, so
it must say so too, with the same hint. Only repositories reachable without the network are
asked (`repo: .`, a relative path, ``file://``): a remote's refs are checked by `lock`, which
contacts it anyway. Validating a commit (`diff`, `render --rev`) skips this: the lock committed
with it pins the code.
"""

from __future__ import annotations

from pathlib import Path

from agentcfg.errors import AgentcfgError
from agentcfg.manifest.loader import Loaded
from agentcfg.project import Project


def check(loaded: Loaded, project: Project) -> list[tuple[str, str, str]]:
    """Append a finding per unresolvable ref; return every (repository, ref, commit) asked about,
    with "" as the commit of a ref that names nothing (a saved report must notice it appearing)."""
    from agentcfg import gitio
    from agentcfg.resolve import is_local_repo, missing_ref_hint

    m = loaded.manifest
    assert m is not None
    seen: list[tuple[str, str, str]] = []
    for name, ref in sorted(m.code.items()):
        if not is_local_repo(ref.repo) or project.located is None:
            continue
        wanted = ref.ref if ref.ref is not None else "HEAD"
        try:
            gitio.safe_rev(wanted)
        except AgentcfgError:
            continue  # reported by checks.files as an unsafe ref
        repo = _repository(project, ref.repo)
        if repo is None:
            continue  # a missing repository is reported by checks.files
        commit = gitio.resolve_local_ref(repo, wanted)
        seen.append((str(repo), wanted, commit or ""))
        if commit is not None:
            continue
        if ref.ref is None:
            loaded.finding("unresolved-ref", "`repo: .` is locked at the current commit, and this repository "
                           "has no commit yet", ("code", name, "repo"), artefact=f"code/{name}",
                           hint="commit your work (`git add -A && git commit`)", severity="warning")
            continue
        where = "this repository" if ref.repo == "." else ref.repo
        loaded.finding("unresolved-ref", f"ref '{ref.ref}' does not exist in {where}", ("code", name, "ref"),
                       artefact=f"code/{name}", hint=missing_ref_hint(ref.repo))
    return seen


def _repository(project: Project, repo: str) -> Path | None:
    """The top folder of a local repository the manifest names, or None if it is not one."""
    from agentcfg import gitio

    assert project.located is not None
    if repo == ".":
        return Path(project.located.top)
    path = Path(repo.removeprefix("file://")) if repo.startswith("file://") else (project.root / repo).resolve()
    if not path.is_dir():
        return None
    other = gitio.open_repo(path)
    if other is None or gitio.toplevel(other) != path.resolve():
        return None
    return path
