"""Verified releases pulled from registries, kept in the user's cache directory.

A runtime that restarts while its registry is down must still start with the release it ran.
Every release that `load("oci://…")` pulled and verified is stored by its manifest digest
(which never moves), and each tag remembers the manifest it pointed at when last seen:

    $XDG_CACHE_HOME/agentcfg/oci/            (~/.cache/agentcfg/oci/ when XDG_CACHE_HOME is unset)
        manifests/<hex>.json                 the manifest's exact bytes (their sha256 is <hex>)
        releases/<hex>.json                  the release file its layer held
        tags/<sha256 of "registry/repository:tag">.json   {"ref": …, "manifest": "sha256:…", "seen_at": …}

Nothing read back is trusted: the manifest must hash to its name, the release to the manifest's
layer digest, and the release's config to its root digest, before it is used. Writes are atomic
(temp file and rename), so parallel loads see an old entry or a new one, never a torn one. The
cache holds releases, which hold no secrets (``${env:NAME}`` references stay unresolved).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from agentcfg.canonical import atomic_write
from agentcfg.ocio.ref import OciRef


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "agentcfg" / "oci"


def _hex(digest: str) -> str:
    return digest.removeprefix("sha256:")


def _tag_file(ref: OciRef) -> Path:
    key = hashlib.sha256(f"{ref.registry}/{ref.repository}:{ref.tag}".encode()).hexdigest()
    return cache_root() / "tags" / f"{key}.json"


def store(ref: OciRef, manifest_digest: str, manifest: bytes, release: bytes) -> None:
    """Remember a verified release (best effort: a read-only home only loses the fallback)."""
    root = cache_root()
    try:
        atomic_write(root / "manifests" / f"{_hex(manifest_digest)}.json", manifest, cache=True)
        atomic_write(root / "releases" / f"{_hex(manifest_digest)}.json", release, cache=True)
        if ref.tag is not None:
            seen = {"ref": str(ref), "manifest": manifest_digest,
                    "seen_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            atomic_write(_tag_file(ref), json.dumps(seen, sort_keys=True) + "\n", cache=True)
    except OSError:
        pass


def last_seen(ref: OciRef) -> tuple[str, str] | None:
    """(manifest digest, when) the tag of ``ref`` pointed at when last pulled, or None."""
    try:
        seen = json.loads(_tag_file(ref).read_bytes())
        digest, when = seen["manifest"], seen["seen_at"]
        if seen["ref"] != str(ref) or not isinstance(digest, str) or not isinstance(when, str):
            return None
        return digest, when
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recall(manifest_digest: str) -> tuple[bytes, bytes] | None:
    """(manifest bytes, release bytes) stored for ``manifest_digest``, if the manifest still hashes to it."""
    root = cache_root()
    try:
        manifest = (root / "manifests" / f"{_hex(manifest_digest)}.json").read_bytes()
        release = (root / "releases" / f"{_hex(manifest_digest)}.json").read_bytes()
    except (OSError, ValueError):
        return None
    if "sha256:" + hashlib.sha256(manifest).hexdigest() != manifest_digest:
        return None
    return manifest, release
