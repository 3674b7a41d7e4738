"""`agentcfg publish ENV REF`: push an environment's current release to an OCI registry.

The release file committed for ENV is pushed as one artifact (see artifact.py), tagged with
the environment's name (or the tag REF gives) and with the root digest's hex, so a fleet can
follow the environment by tag or pin a config by digest. Publishing what the registry already
holds under both tags changes nothing and says so. Only a committed release file is published:
the registry must only ever hold what git's history records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError

FORMAT_VERSION = 1


@dataclass
class PublishResult:
    env: str
    ref: str  # oci://registry/repository:tag as pushed
    outcome: str  # published | unchanged
    manifest_digest: str
    digest: str  # the release's root digest
    tags: list[str]
    hold: bool
    source: str | None
    release_commit: str
    by_digest: str = ""  # oci://registry/repository@<manifest digest>: never moves
    moved: dict[str, str | None] = field(default_factory=dict)  # tag -> manifest it pointed at before

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "env": self.env, "ref": self.ref, "outcome": self.outcome,
                "manifest_digest": self.manifest_digest, "digest": self.digest, "tags": self.tags,
                "hold": self.hold, "source": self.source, "release_commit": self.release_commit,
                "by_digest": self.by_digest, "previous": self.moved}


def publish(env: str, ref_text: str, *, root: Path | str = ".", plain_http: bool = False) -> PublishResult:
    """Push ``env``'s committed release to ``ref_text`` (``oci://registry/repository[:tag]``)."""
    from agentcfg import gitio
    from agentcfg.ocio.artifact import ARTIFACT_TYPE, EMPTY, EMPTY_TYPE, build_manifest
    from agentcfg.ocio.client import Registry
    from agentcfg.ocio.ref import check_plain_http, parse_ref
    from agentcfg.promotion.target import EnvTarget
    from agentcfg.release import parse_release

    target = EnvTarget.open(env, root)
    ref = parse_ref(ref_text, default_tag=env)
    if ref.digest is not None:
        raise AgentcfgError(f"cannot publish to a digest ({ref})",
                            hint="give a repository and optionally a tag: oci://REGISTRY/REPOSITORY[:TAG]")
    check_plain_http(ref, plain_http)
    try:
        data = target.path.read_bytes()
    except FileNotFoundError:
        raise AgentcfgError(f"environment '{env}' has no release ({target.relpath} does not exist)",
                            hint=f"promote to it first: `agentcfg promote SRC {env}`") from None
    release = parse_release(data, target.relpath, verify=True)
    if release.environment != env:
        raise AgentcfgError(f"{target.relpath} is the release of '{release.environment}', not '{env}'",
                            hint="restore it from git")
    if gitio.path_status(target.paths.top, target.repo_path):
        raise AgentcfgError(f"{target.relpath} has uncommitted changes",
                            hint="only committed releases are published: commit it, or restore it from git")
    last = gitio.log_path(target.paths.top, target.repo_path, limit=1)
    if not last:
        raise AgentcfgError(f"{target.relpath} is not committed", hint="promote through agentcfg, which commits it")
    commit = last[0]
    manifest = build_manifest(release, data, commit=commit.commit, created=commit.date, name=_name(release))
    import hashlib

    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    tags = list(dict.fromkeys([ref.tag or env, release.digest.removeprefix("sha256:")]))
    registry = Registry(ref, plain_http=plain_http)
    before = {tag: (found[0] if (found := registry.manifest(tag)) else None) for tag in tags}
    result = PublishResult(env, str(ref), "unchanged", manifest_digest, release.digest, tags, release.hold,
                           release.source, commit.commit, str(ref.with_digest(manifest_digest)))
    if all(d == manifest_digest for d in before.values()):
        return result
    registry.push_blob(EMPTY, EMPTY_TYPE)
    registry.push_blob(data, ARTIFACT_TYPE)
    for tag in tags:
        if before[tag] != manifest_digest:
            registry.push_manifest(manifest, tag)
    result.outcome = "published"
    result.moved = {t: d for t, d in before.items() if d != manifest_digest}
    return result


def _name(release: Any) -> str:
    name = release.config.get("name")
    return name if isinstance(name, str) else "agentcfg"
