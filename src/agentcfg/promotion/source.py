"""What a promotion moves: SRC resolved to a commit, and DST rendered from it (no checkout).

SRC is an environment (promote what it runs: the source commit of its committed release) or a
git revision. Either way the target is rendered from git objects of that commit, with that
commit's lock pinning data and code, so nothing is re-resolved at deploy time (Kargo's
"freight"). The promotion path and the target's policy on HEAD come from HEAD's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg import gitio
from agentcfg.errors import AgentcfgError, GitError, InvalidConfig, did_you_mean
from agentcfg.project import Project
from agentcfg.promotion.target import EnvTarget, check_env_name, is_env_name
from agentcfg.release import ReleaseFile, parse_release, release_path

if TYPE_CHECKING:
    from agentcfg.manifest.loader import Loaded
    from agentcfg.manifest.model import Manifest
    from agentcfg.snapshot import Shared
    from agentcfg.rendering import Rendered


@dataclass(frozen=True)
class Source:
    """SRC of a promotion, resolved."""

    name: str  # as the user typed it
    kind: str  # "env" | "rev"
    commit: str  # full SHA the target is rendered from
    release: ReleaseFile | None = None  # SRC's committed release when SRC is an environment


def render(env: str, *, root: Path | str = ".", rev: str | None = None) -> Rendered:
    """The fully rendered config of ``env`` at ``rev`` (None: the working tree), with its digest."""
    project = Project.find(root)
    check_env_name(env)
    if rev is not None:
        gitio.safe_rev(rev)
    return render_at(project, env, rev, pinned=False)  # showing a config needs no pin


def render_at(project: Project, env: str, rev: str | None, *, pinned: bool = True) -> Rendered:
    from agentcfg.snapshot import render_at as snapshot_render_at

    return snapshot_render_at(project, env=env, rev=rev, pinned=pinned)


def head_manifest(project: Project, env: str) -> Manifest:
    """HEAD's manifest with ``env``'s overlay: the promotion path and the policy in force now.

    Committed state, not the working tree: an uncommitted edit cannot lift a freeze. A manifest
    with structural errors is refused rather than half-read, so a broken `policies:` entry can
    never silently drop a rule.
    """
    loaded = head_loaded(project, env)
    assert loaded.manifest is not None
    return loaded.manifest


def head_loaded(project: Project, env: str, *, shared: Shared | None = None) -> Loaded:
    """:func:`head_manifest`, loaded: promote renders HEAD from the same load when HEAD is SRC.
    ``shared``: what the reads of one promotion share (blobs, parsed documents)."""
    from agentcfg.snapshot import Shared, open_tree

    shared = shared or Shared()
    tree = open_tree(project, "HEAD", env, shared)
    # From git objects: never the parse cache on disk (this run's own parses are no cache).
    loaded = shared.load(tree, env)
    errors = [f for f in loaded.findings if f.severity == "error" and f.code != "unknown-environment"]
    if errors or loaded.manifest is None:
        raise InvalidConfig(errors or loaded.findings)
    return loaded


def committed_release(target: EnvTarget) -> ReleaseFile | None:
    """``target``'s release as committed on HEAD (what it runs), verified; None if it has none."""
    data = gitio.read_blob(target.paths.top, "HEAD", target.repo_path)
    return None if data is None else parse_release(data, f"HEAD:{target.relpath}")


def resolve_source(project: Project, src: str, environments: list[str]) -> Source:
    """SRC as an environment (when it is declared or has a release) or else as a git revision."""
    repo = project.paths.top  # git itself: opening the repository with GitPython costs ~0.1 s
    if src in environments or (is_env_name(src) and (project.root / release_path(src)).exists()):
        target = EnvTarget(project, src)
        release = committed_release(target)
        if release is None:
            raise AgentcfgError(f"environment '{src}' has no committed release to promote",
                                hint=f"promote a revision into it first: `agentcfg promote HEAD {src}`")
        if not release.source:
            raise AgentcfgError(f"{target.relpath} does not say which commit it was rendered from (`source`)",
                                hint="promote a git revision instead of the environment")
        try:
            commit = gitio.resolve_commit(repo, release.source)
        except GitError as exc:
            raise GitError(f"{src} runs commit {release.source[:12]}, which is not in this clone",
                           hint=exc.hint) from None
        return Source(src, "env", commit, release)
    try:
        return Source(src, "rev", gitio.resolve_commit(repo, src))
    except GitError as exc:
        if gitio.is_shallow(repo):
            raise
        raise GitError(f"'{src}' is neither an environment in `environments:` {environments} nor a git revision"
                       f"{did_you_mean(src, environments)}", hint=exc.hint) from None


def path_exception(environments: list[str], src: Source, dst: str) -> str | None:
    """How SRC → DST leaves the promotion path (None when it follows it)."""
    i = environments.index(dst)
    if src.kind == "rev":
        return None if i == 0 else f"skips {', '.join(environments[:i])} (a revision straight into {dst})"
    if src.name not in environments:
        return f"{src.name} is not on the promotion path {environments}"
    j = environments.index(src.name)
    if j == i - 1:
        return None
    if j < i:
        return f"skips {', '.join(environments[j + 1:i])}"
    return f"goes against the promotion path ({src.name} comes after {dst})"


def path_hint(environments: list[str], src: Source, dst: str) -> str:
    i = environments.index(dst)
    if i == 0:
        return "pass --skip-path to do it anyway (it is recorded)"
    prev = environments[i - 1]
    return (f"promote into {prev} first (`agentcfg promote {src.name if src.kind == 'rev' else 'HEAD'} "
            f"{environments[0]}` ... `agentcfg promote {prev} {dst}`), or pass --skip-path (it is recorded)")


def declared_policy(manifest: Manifest, env: str) -> dict[str, Any] | None:
    policy = manifest.policies.get(env)
    return policy.model_dump(mode="json") if policy is not None else None
