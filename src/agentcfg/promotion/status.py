"""`agentcfg status`: each environment's release, its age, hold and freeze, and what waits for it.

"What waits" is the diff between what an environment runs and what the next promotion into it
would bring: HEAD rendered for the first environment of the path, the previous environment's
release for the others. Status is for reading during an incident too, so no single broken part
(a manifest that does not load, a render that fails) stops it: that part says why instead.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agentcfg import gitio
from agentcfg.errors import AgentcfgError
from agentcfg.project import Project
from agentcfg.promotion import source as src_mod
from agentcfg.promotion.show import release_environments
from agentcfg.promotion.target import EnvTarget
from agentcfg.release import ReleaseFile


@dataclass
class EnvStatus:
    """One environment, as `agentcfg status` shows it."""

    env: str
    declared: bool  # listed in `environments:` on HEAD
    digest: str | None = None
    source: str | None = None
    action: str | None = None
    from_: str | None = None
    reason: str | None = None
    hold: bool = False
    frozen: bool | None = None  # None when HEAD's manifest could not be read
    commit: str | None = None  # the last commit of the release file
    released_at: str | None = None
    age_seconds: int | None = None
    uncommitted: str | None = None  # git status of the release file when it differs from HEAD
    behind_head: int | None = None  # commits changing the project (not releases/, attestations/) since `source`
    pending_from: str | None = None  # "HEAD" or the previous environment
    pending_digest: str | None = None
    pending: dict[str, int] | None = None  # changes waiting, by risk; {} when up to date
    pending_risk: str | None = None
    error: str | None = None  # why something above is missing
    evidence: list[dict[str, Any]] = field(default_factory=list)  # newest attestation per name on `digest`

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("from_")
        return data


def status(*, root: Path | str = ".") -> list[EnvStatus]:
    """Every environment: declared ones in path order, then any other with a release file."""
    project = Project.find(root)
    repo = project.require_repo()
    envs, manifest_error = _declared(project)
    others = [e for e in release_environments(project) if e not in envs]
    rows: list[EnvStatus] = []
    previous: EnvStatus | None = None
    from agentcfg.evidence import store

    attested = store.by_digest(project)
    for env in envs + others:
        row = _one(project, repo, env, env in envs)
        if manifest_error and row.error is None:
            row.error = manifest_error
        if row.digest:
            row.evidence = store.summaries(attested.get(row.digest, []))
        if env in envs:
            _pending(project, row, previous)
            previous = row
        rows.append(row)
    return rows


def _declared(project: Project) -> tuple[list[str], str | None]:
    try:
        from agentcfg.manifest.loader import load_manifest

        loaded = load_manifest(project.tree_at("HEAD"))
    except AgentcfgError as exc:
        return [], f"HEAD's manifest: {exc.message}"
    if loaded.manifest is None:
        first = loaded.findings[0] if loaded.findings else None
        return [], f"HEAD's manifest does not load: {first}" if first else "HEAD's manifest does not load"
    return list(dict.fromkeys(loaded.manifest.environments)), None


def _one(project: Project, repo: Any, env: str, declared: bool) -> EnvStatus:
    target = EnvTarget(project, env)
    row = EnvStatus(env, declared)
    if declared:
        try:
            policy = src_mod.head_manifest(project, env).policies.get(env)
            row.frozen = bool(policy and policy.frozen)
        except AgentcfgError as exc:
            row.error = f"policy unknown: {exc.message}"
    try:
        release: ReleaseFile | None = target.current()
    except AgentcfgError as exc:
        row.error = exc.message
        return row
    row.uncommitted = gitio.path_status(repo, target.repo_path).strip() or None
    if release is None:
        return row
    row.digest, row.source, row.action = release.digest, release.source, release.action
    row.from_, row.reason, row.hold = release.from_, release.reason, release.hold
    last = gitio.log_path(repo, target.repo_path, limit=1)
    if last:
        row.commit, row.released_at = last[0].commit, last[0].date
        row.age_seconds = max(int(time.time()) - last[0].timestamp, 0)
    if release.source:
        # Commits of the project since the release's source, not counting release commits.
        sub = project.subdir
        # Release and attestation commits are about configs, not changes to them.
        skip = [f"{sub}/{d}" if sub else d for d in ("releases", "attestations")]
        row.behind_head = gitio.count_commits(repo, release.source, under=sub, exclude=skip)
    return row


def _pending(project: Project, row: EnvStatus, previous: EnvStatus | None) -> None:
    """Fill in what the next promotion into ``row`` would bring."""
    rev: str | None = "HEAD"
    row.pending_from = "HEAD"
    if previous is not None:
        row.pending_from, rev = previous.env, previous.source
    if rev is None:
        return  # the previous environment has nothing to promote yet
    try:
        rendered = src_mod.render_at(project, row.env, rev)
    except AgentcfgError as exc:
        row.error = row.error or f"cannot render {row.env} from {row.pending_from}: {exc.message}"
        return
    row.pending_digest = rendered.digest
    if rendered.digest == row.digest:
        row.pending, row.pending_risk = {}, "none"
        return
    from agentcfg.semdiff import diff_configs

    current = EnvTarget(project, row.env).current() if row.digest else None
    diff = diff_configs(current.config if current else None, rendered.config)
    row.pending = {level: n for level, n in diff.counts.items() if n}
    row.pending_risk = diff.max_risk.name
