"""`agentcfg verify`: the working tree still matches its lock, or a release file its digest.

The tamper check: unlike `lock --check`, every data file is read again (the stat data of the
warm state is not trusted here) and attestations are checked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.canonical import digest_value
from agentcfg.errors import AgentcfgError, Location
from agentcfg.lockcheck import LOCK_FILE, REFORMATTED, TAMPERED, WRONG_ENV, StaleEntry, compare
from agentcfg.lockbuild import build_lock
from agentcfg.lockfile import FIX_COMMAND, OUTPUT_FORMAT, dumps, read_lock

if TYPE_CHECKING:
    from agentcfg.project import Project


@dataclass
class VerifyResult:
    """Whether the working tree (or a release file) still matches what it claims."""

    target: str  # "agentcfg.lock" or "releases/<env>.json"
    problems: list[StaleEntry] = field(default_factory=list)
    env: str | None = None
    digest: str | None = None
    attestations: list[Any] = field(default_factory=list)  # agentcfg.evidence.verify.AttestationCheck

    @property
    def ok(self) -> bool:
        return not self.problems and all(a.ok for a in self.attestations)

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": OUTPUT_FORMAT, "target": self.target, "env": self.env, "ok": self.ok,
                "digest": self.digest, "problems": [p.to_dict() for p in self.problems],
                "attestations": [a.to_dict() for a in self.attestations]}


def verify(root: Path | str = ".", env: str | None = None) -> VerifyResult:
    """Check the working tree against the lock, or (with ``env``) a release file against its digest.

    Without ``env`` every data file is read again (the stat cache is not trusted: this is the
    tamper check) and every artefact's digest is compared with the locked one.
    """
    from agentcfg.project import Project
    from agentcfg.resolve import LiveResolver

    project = Project.find(root)
    if env is not None:
        return _verify_release(project, env)
    old, raw = read_lock(project)
    if old is None:
        raise AgentcfgError(f"no {LOCK_FILE} to verify against", location=Location(LOCK_FILE),
                            hint=f"run `{FIX_COMMAND}` and commit the lock")
    resolver = LiveResolver(project, use_cache=False)
    try:
        new = build_lock(project, resolver)
    finally:
        resolver.close()
    project.save_caches()
    problems = compare(old, new)
    if not problems and raw != dumps(new).encode("utf-8"):
        problems.append(StaleEntry(LOCK_FILE, REFORMATTED))
    from agentcfg.evidence.verify import check_attestations

    return VerifyResult(LOCK_FILE, problems, None, new.get("digest"), check_attestations(project))


def _verify_release(project: "Project", env: str) -> VerifyResult:
    from agentcfg.names import NAME_RE
    from agentcfg.release import read_release, release_path

    if not NAME_RE.match(env):
        raise AgentcfgError(f"'{env}' is not a valid environment name")
    rel = release_path(env)
    release = read_release(project.root / rel, rel, verify=False)
    if release is None:
        raise AgentcfgError(f"no release file for '{env}' ({rel})", location=Location(rel),
                            hint=f"promote to it first: `agentcfg promote SRC {env}`")
    problems: list[StaleEntry] = []
    actual = digest_value(release.config)
    if actual != release.digest:
        problems.append(StaleEntry(rel, TAMPERED, env, release.digest, actual))
    if release.environment != env:
        problems.append(StaleEntry(rel, WRONG_ENV, env, release.environment, env))
    return VerifyResult(rel, problems, env, release.digest)
