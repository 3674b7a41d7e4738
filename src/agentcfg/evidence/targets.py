"""TARGET of `attest`: an environment, or a root digest as users type it everywhere else.

An environment means the release committed on HEAD (what it runs, as `promote SRC` reads it).
A digest (full, without `sha256:`, or a unique prefix of 7+ hex digits) is looked up in every
environment's release history and in the environments of HEAD's lock: the lock holds the digest
a revision renders to before it is ever promoted, so evals can run on a config before it ships.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentcfg import gitio
from agentcfg.canonical import digest_matches, load_json, parse_digest_ref, short
from agentcfg.errors import AgentcfgError, UsageError, did_you_mean
from agentcfg.project import Project


@dataclass(frozen=True)
class DigestTarget:
    digest: str  # sha256:<64 hex>
    environment: str | None  # whose release carried it (or whose lock entry names it)
    source: str | None  # the commit the config was rendered from, when known
    release_bytes: bytes | None = None  # the release file that holds the digest, when there is one
    release_path: Path | None = None  # where that environment's release file lives on disk


def resolve_target(project: Project, target: str) -> DigestTarget:
    from agentcfg.promotion.show import release_environments
    from agentcfg.promotion.target import EnvTarget, is_env_name

    envs = release_environments(project)
    if is_env_name(target) and target in envs:
        env = EnvTarget(project, target)
        data = gitio.read_blob(project.paths.top, "HEAD", env.repo_path)
        if data is None:
            raise AgentcfgError(f"{env.relpath} is not committed: environment '{target}' runs nothing yet",
                                hint=f"commit it, or promote into it first: `agentcfg promote HEAD {target}`")
        from agentcfg.release import parse_release

        release = parse_release(data, f"HEAD:{env.relpath}")
        return DigestTarget(release.digest, target, release.source, data, env.path)
    try:
        hexref = parse_digest_ref(target)
    except UsageError:
        raise UsageError(f"'{target}' is neither an environment with a release nor a digest"
                         f"{did_you_mean(target, envs)}",
                         hint=f"environments with releases: {', '.join(envs) or 'none yet'}; a digest is "
                              "sha256:<64 hex>, the bare hex, or a unique prefix of 7+ hex digits") from None
    return _find_digest(project, hexref, envs, target)


def _find_digest(project: Project, hexref: str, envs: list[str], typed: str) -> DigestTarget:
    from agentcfg.promotion.history import read_release_and_bytes_at, read_transitions
    from agentcfg.promotion.target import EnvTarget

    hits: dict[str, DigestTarget] = {}
    newest: dict[str, int] = {}
    for env in envs:
        target = EnvTarget(project, env)
        for row in read_transitions(target):
            if not row.digest or not digest_matches(row.digest, hexref):
                continue
            if row.digest in hits and newest[row.digest] >= row.timestamp:
                continue
            found = read_release_and_bytes_at(target, row.commit)
            if found is not None and found[0].digest == row.digest:
                hits[row.digest] = DigestTarget(row.digest, env, found[0].source, found[1], target.path)
                newest[row.digest] = row.timestamp
    for env, digest in _lock_digests(project).items():
        if digest_matches(digest, hexref) and digest not in hits:
            head = gitio.resolve_commit(project.paths.top, "HEAD")
            hits[digest] = DigestTarget(digest, env, head)
    if len(hits) > 1:
        raise UsageError(f"digest prefix '{typed}' is ambiguous: {', '.join(short(d, 16) for d in sorted(hits))}",
                         hint="give more digits")
    if not hits:
        raise AgentcfgError(f"no release and no environment in HEAD's agentcfg.lock has digest {typed}",
                            hint="attest an environment by name, or a digest `agentcfg history ENV` or "
                                 "`agentcfg lock` shows")
    return next(iter(hits.values()))


def _lock_digests(project: Project) -> dict[str, str]:
    sub = project.subdir
    data = gitio.read_blob(project.paths.top, "HEAD", f"{sub}/agentcfg.lock" if sub else "agentcfg.lock")
    if data is None:
        return {}
    try:
        lock = load_json(data, "HEAD:agentcfg.lock", "the lock file", "")
    except AgentcfgError:
        return {}
    envs = lock.get("environments") if isinstance(lock, dict) else None
    if not isinstance(envs, dict):
        return {}
    return {e: v["digest"] for e, v in sorted(envs.items())
            if isinstance(v, dict) and isinstance(v.get("digest"), str)}
