"""`agentcfg history ENV`: every transition of one environment, read from `git log` of its file.

One `git log -- releases/ENV.json` with a custom format gives every commit and its trailers; a
commit without agentcfg's trailers (a `--no-commit` release merged through a pull request, a
hand edit) is read from the file at that commit instead. Index 0 is the newest transition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentcfg import gitio
from agentcfg.errors import AgentcfgError, did_you_mean
from agentcfg.promotion import trailers as tr
from agentcfg.promotion.target import EnvTarget
from agentcfg.release import RELEASES_DIR, ReleaseFile, parse_release


@dataclass(frozen=True)
class Transition:
    """One commit that changed an environment's release file."""

    index: int  # 0 = newest; `rollback --to N` takes this number
    commit: str
    date: str  # committer date, ISO 8601
    timestamp: int
    author: str
    email: str
    action: str  # promote | rollback | unhold, or `deleted` / `invalid` for a file that is gone / broken
    digest: str | None
    source: str | None
    from_: str | None
    reason: str | None
    approved: str | None = None
    skip_path: str | None = None
    recorded_in: str = "trailers"  # "trailers" (the commit message) or "file" (read from the blob)
    evidence: tuple[dict[str, Any], ...] = ()  # newest committed attestation per name on `digest`

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("from_")
        data["evidence"] = list(data["evidence"])
        return data


def history(env: str, *, root: Path | str = ".", limit: int | None = None) -> list[Transition]:
    """Every release of ``env``, newest first (at most ``limit``). Needs no manifest."""
    target = EnvTarget.open(env, root)
    rows = read_transitions(target, limit=limit)
    rows = _with_evidence(target, rows)
    if not rows and not target.path.exists():
        known = known_environments(target)
        hint = (f"environments with releases: {', '.join(known)}" if known
                else "promote a revision to it first: `agentcfg promote HEAD <env>`")
        if target.paths.shallow:
            hint = gitio.SHALLOW_HINT
        raise AgentcfgError(f"environment '{env}' has no releases ({target.relpath} is not in git history)"
                            f"{did_you_mean(env, known)}", hint=hint)
    return rows


def _with_evidence(target: EnvTarget, rows: list[Transition]) -> list[Transition]:
    from dataclasses import replace

    from agentcfg.evidence import store

    attested = store.by_digest(target.project)
    if not attested:
        return rows
    return [replace(r, evidence=tuple(store.summaries(attested.get(r.digest, [])))) if r.digest else r
            for r in rows]


def read_transitions(target: EnvTarget, *, limit: int | None = None, cached: bool = True) -> list[Transition]:
    """ENV's transitions, newest first. ``cached``: the whole log may come from agentcfg.warm.releaselog
    (for showing it); a rollback passes False, so what it restores is decided from git alone."""
    if limit is None and cached:
        from agentcfg.warm.releaselog import cached_log

        commits = cached_log(target.project.state_dir, target.paths.top, target.env, target.repo_path)
    else:
        commits = gitio.log_path(target.paths.top, target.repo_path, limit=limit)
    rows = []
    for i, pc in enumerate(commits):
        row = _from_trailers(i, pc, target.env)
        rows.append(row if row is not None else _from_file(i, pc, target))
    return rows


def read_release_at(target: EnvTarget, commit: str) -> ReleaseFile | None:
    """The release file as it was at ``commit`` (verified), or None when it did not exist there."""
    found = read_release_and_bytes_at(target, commit)
    return found[0] if found is not None else None


def read_release_and_bytes_at(target: EnvTarget, commit: str) -> tuple[ReleaseFile, bytes] | None:
    """:func:`read_release_at` and the file's bytes (rollback copies their text).

    Releases written by an older agentcfg (format 1) are read too, each verified with the digest
    algorithm it was written with: history shows the past as it was recorded.
    """
    data = gitio.read_blob(target.paths.top, commit, target.repo_path)
    if data is None:
        return None
    return parse_release(data, f"{target.relpath}@{commit[:12]}", legacy=True), data


def known_environments(target: EnvTarget) -> list[str]:
    folder = target.project.root / RELEASES_DIR
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


# log_path lower-cases trailer keys; looked up 5,000 times per `history`, so lowered once here.
_KEYS = tuple(key.lower() for key in (tr.ENV, tr.ACTION, tr.DIGEST, tr.SOURCE, tr.FROM, tr.REASON, tr.APPROVED,
                                      tr.SKIP_PATH))


def _from_trailers(i: int, pc: gitio.PathCommit, env: str) -> Transition | None:
    # `or None`: an empty trailer counts as absent (as tr.get says).
    e, action, digest, source, from_, reason, approved, skip_path = (pc.trailers.get(k) or None for k in _KEYS)
    # Trailers of another environment (a hand-made commit reusing a message) are not evidence.
    if e != env or not digest or not action:
        return None
    return Transition(i, pc.commit, pc.date, pc.timestamp, pc.author, pc.email, action=action, digest=digest,
                      source=source, from_=from_, reason=reason, approved=approved, skip_path=skip_path)


def _from_file(i: int, pc: gitio.PathCommit, target: EnvTarget) -> Transition:
    def row(action: str, digest: str | None = None, source: str | None = None, from_: str | None = None,
            reason: str | None = None) -> Transition:
        return Transition(i, pc.commit, pc.date, pc.timestamp, pc.author, pc.email, action, digest, source,
                          from_, reason, recorded_in="file")

    try:
        rel = read_release_at(target, pc.commit)
    except AgentcfgError as exc:
        return row("invalid", reason=exc.message)
    if rel is None:
        return row("deleted", reason=pc.subject or None)
    return row(rel.action or "promote", rel.digest, rel.source, rel.from_, rel.reason or pc.subject or None)
