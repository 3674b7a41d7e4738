"""Pulling a release by ``oci://`` reference: verified, cached, and used from the cache in an outage.

* By digest (``…@sha256:…``): a verified copy in the cache is used without asking the registry
  (the digest names the exact bytes, so nothing newer can exist).
* By tag: the registry is asked where the tag points now; the release is pulled, verified and
  cached. When the registry cannot be reached (connection refused, DNS, timeout, HTTP 5xx) the
  release the tag pointed at when last seen is used, and :attr:`Pulled.fallback` says so.
* A verification failure (a tampered layer, a manifest that is not what its digest says, a
  config that does not match its root digest) is an error, never a reason to use the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentcfg.errors import AgentcfgError
from agentcfg.ocio import cache
from agentcfg.ocio.artifact import open_artifact
from agentcfg.ocio.client import Registry, RegistryUnreachable
from agentcfg.ocio.ref import OciRef, check_plain_http, parse_ref
from agentcfg.release import ReleaseFile


@dataclass
class Pulled:
    ref: OciRef
    manifest_digest: str
    data: bytes  # the release file's bytes
    release: ReleaseFile  # parsed and verified
    annotations: dict[str, str]
    fallback: str | None = None  # why a cached release was used instead of the registry's

    @property
    def origin(self) -> str:
        return f"{self.ref.registry}/{self.ref.repository}@{self.manifest_digest}"


def pull(text: str, *, plain_http: bool = False) -> Pulled:
    """The verified release at ``text`` (``oci://registry/repository:tag`` or ``…@sha256:…``)."""
    ref = parse_ref(text)
    check_plain_http(ref, plain_http)
    if ref.digest is not None:
        hit = _cached(ref, ref.digest)
        if hit is not None:
            return hit
    try:
        registry = Registry(ref, plain_http=plain_http)
        fetched = registry.fetch(ref.digest or ref.tag or "")
    except RegistryUnreachable as exc:
        return _fallback(ref, exc)
    if fetched is None:
        raise AgentcfgError(f"{ref} does not exist in the registry",
                            hint="publish it first (`agentcfg publish ENV REF`), or check the tag or digest")
    release, annotations = open_artifact(fetched.manifest, fetched.layer, f"{ref.registry}/{ref.repository}@"
                                                                          f"{fetched.manifest_digest}")
    cache.store(ref, fetched.manifest_digest, fetched.manifest, fetched.layer)
    return Pulled(ref, fetched.manifest_digest, fetched.layer, release, annotations)


def _cached(ref: OciRef, manifest_digest: str) -> Pulled | None:
    found = cache.recall(manifest_digest)
    if found is None:
        return None
    manifest, data = found
    try:
        release, annotations = open_artifact(manifest, data, f"{cache.cache_root()} ({manifest_digest})")
    except AgentcfgError:
        return None  # a damaged cache entry is only a miss
    return Pulled(ref, manifest_digest, data, release, annotations)


def _fallback(ref: OciRef, exc: RegistryUnreachable) -> Pulled:
    seen = cache.last_seen(ref) if ref.tag is not None else None
    digest = ref.digest or (seen[0] if seen else None)
    hit = _cached(ref, digest) if digest else None
    if hit is None:
        raise AgentcfgError(f"{exc.message}, and no verified copy of {ref} is cached on this machine",
                            hint="a release is cached after its first successful load; start once while the "
                                 "registry is reachable, or load a release file from disk") from None
    when = f" (the tag pointed at it on {seen[1]})" if seen else ""
    hit.fallback = f"{exc.message}; using the cached release {hit.manifest_digest}{when}"
    return hit
