"""`agentcfg show DIGEST`: from a root digest in a runtime trace back to the exact config.

Every environment's release history is searched (one `git log` per environment); a digest may
be given in full, without `sha256:`, or as a unique prefix of at least 7 hex digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg import gitio
from agentcfg.canonical import digest_matches, parse_digest_ref, short
from agentcfg.errors import AgentcfgError, UsageError
from agentcfg.project import Project
from agentcfg.promotion import safety
from agentcfg.promotion.history import Transition, read_release_at, read_transitions
from agentcfg.promotion.target import EnvTarget, is_env_name
from agentcfg.release import RELEASES_DIR, ReleaseFile


@dataclass(frozen=True)
class FoundRelease:
    """One transition of one environment that put the digest in place."""

    env: str
    transition: Transition
    release: ReleaseFile

    def to_dict(self) -> dict[str, Any]:
        return {"env": self.env, **self.transition.to_dict(), "release": self.release.to_dict()}


def show(digest: str, *, root: Path | str = ".") -> list[FoundRelease]:
    """Every release, in any environment's history, with root digest ``digest`` (newest first)."""
    hexref = parse_digest_ref(digest)
    project = Project.find(root)
    hits: list[tuple[str, Transition]] = []
    for env in release_environments(project):
        target = EnvTarget(project, env)
        hits += [(env, row) for row in read_transitions(target) if row.digest and digest_matches(row.digest, hexref)]
    distinct = sorted({row.digest for _, row in hits if row.digest})
    if len(distinct) > 1:
        raise UsageError(f"digest prefix '{digest}' is ambiguous: {', '.join(short(d, 16) for d in distinct)}",
                         hint="give more digits")
    if not hits:
        probe = EnvTarget(project, "_")
        raise AgentcfgError(f"no release with digest {digest} in the history of any environment",
                            hint=safety.shallow_hint(probe, "check the digest (`agentcfg history ENV` lists them)"))
    hits.sort(key=lambda hit: -hit[1].timestamp)
    found = []
    for env, row in hits:
        release = read_release_at(EnvTarget(project, env), row.commit)
        if release is not None and release.digest == row.digest:
            found.append(FoundRelease(env, row, release))
    if not found:  # trailers named it, but no file at those commits holds it
        raise AgentcfgError(f"the history names digest {distinct[0]}, but no release file holds it",
                            hint="the commit trailers and the files disagree; see `git log -- releases/`")
    return found


def release_environments(project: Project) -> list[str]:
    """Environments with a release file in the working tree or on HEAD."""
    names: set[str] = set()
    folder = project.root / RELEASES_DIR
    if folder.is_dir():
        names.update(p.stem for p in folder.glob("*.json"))
    repo = project.require_repo()
    if gitio.has_commits(repo):
        tree = project.tree_at("HEAD")
        names.update(e.path[:-5] for e in tree.walk(RELEASES_DIR) if e.path.endswith(".json") and "/" not in e.path)
    return sorted(n for n in names if is_env_name(n))

