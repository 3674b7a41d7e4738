"""The OCI artifact a release travels as (OCI image-spec 1.1 artifact conventions).

    manifest  mediaType    application/vnd.oci.image.manifest.v1+json
              artifactType application/vnd.agentcfg.release.v2+json
              config       the empty descriptor (application/vnd.oci.empty.v1+json, `{}`)
              layers       [the release file's exact bytes, mediaType = artifactType,
                            annotated org.opencontainers.image.title = <env>.json]
              annotations  dev.agentcfg.* (environment, digest, source, action, hold, format)
                           and org.opencontainers.image.{created,revision,title,description}

The manifest is serialised deterministically (sorted keys, no whitespace) from the release file
and the commit that wrote it, so publishing the same release again gives the same manifest
digest: a no-op. ``created`` is that commit's date, not the time of publishing, for that reason.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from agentcfg.errors import CheckFailed
from agentcfg.release import ReleaseFile, parse_release

ARTIFACT_TYPE = "application/vnd.agentcfg.release.v2+json"
EMPTY_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY = b"{}"
PREFIX = "dev.agentcfg."
ENVIRONMENT, DIGEST, SOURCE, ACTION, HOLD, FORMAT, COMMIT = (
    f"{PREFIX}{k}" for k in ("environment", "digest", "source", "action", "hold", "format", "release-commit"))


def empty_descriptor() -> dict[str, Any]:
    return {"mediaType": EMPTY_TYPE, "digest": "sha256:" + hashlib.sha256(EMPTY).hexdigest(), "size": len(EMPTY),
            "data": base64.b64encode(EMPTY).decode()}


def build_manifest(release: ReleaseFile, data: bytes, *, commit: str, created: str, name: str) -> bytes:
    """The manifest bytes for release file ``data`` (parsed as ``release``), written by ``commit``."""
    layer = {"mediaType": ARTIFACT_TYPE, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data),
             "annotations": {"org.opencontainers.image.title": f"{release.environment}.json"}}
    annotations = {
        ENVIRONMENT: release.environment, DIGEST: release.digest, ACTION: release.action,
        HOLD: "true" if release.hold else "false", FORMAT: str(release.format_version), COMMIT: commit,
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.title": name,
        "org.opencontainers.image.description": f"agentcfg release of {name} for {release.environment}",
    }
    if release.source:
        annotations[SOURCE] = release.source
        annotations["org.opencontainers.image.revision"] = release.source
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": ARTIFACT_TYPE, "config": empty_descriptor(), "layers": [layer],
                "annotations": annotations}
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def open_artifact(manifest: bytes, layer: bytes, origin: str) -> tuple[ReleaseFile, dict[str, str]]:
    """The release an artifact holds, verified, and the manifest's annotations.

    The layer must be the manifest's layer (digest), an agentcfg release of a format this
    version loads, whose config hashes to its digest, which the annotations must state too.
    """
    try:
        obj = json.loads(manifest)
        (descriptor,) = obj["layers"]
        annotations = obj.get("annotations") or {}
        assert isinstance(annotations, dict) and isinstance(descriptor, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise CheckFailed(f"{origin}: not an agentcfg release artifact", hint="publish it with `agentcfg publish`") \
            from None
    if obj.get("artifactType") != ARTIFACT_TYPE or descriptor.get("mediaType") != ARTIFACT_TYPE:
        raise CheckFailed(f"{origin}: artifact type {obj.get('artifactType')!r} is not {ARTIFACT_TYPE}",
                          hint="publish releases with `agentcfg publish`")
    if descriptor.get("digest") != "sha256:" + hashlib.sha256(layer).hexdigest():
        raise CheckFailed(f"{origin}: the release does not match the manifest's layer digest",
                          hint="the copy is damaged or was tampered with")
    release = parse_release(layer, origin, verify=True)
    if annotations.get(DIGEST) != release.digest:
        raise CheckFailed(f"{origin}: the manifest says {annotations.get(DIGEST)} but the release is {release.digest}",
                          hint="the artifact was edited after publishing; publish the release again")
    return release, {k: str(v) for k, v in annotations.items()}
