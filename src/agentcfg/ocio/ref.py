"""``oci://registry/repository:tag`` and ``oci://registry/repository@sha256:<hex>`` references.

The grammar is the one container tools use (a registry host with an optional port, a
lower-case repository path, then a tag or a manifest digest), with an ``oci://`` scheme so a
reference can never be mistaken for an environment name or a file path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentcfg.errors import UsageError

SCHEME = "oci://"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
"""The only hosts plain HTTP may be used with (an explicit opt-in, for a registry on this machine)."""

_HOST = re.compile(r"^(?:\[(?P<ip6>[0-9a-fA-F:.]+)\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?))"
                   r"(?::(?P<port>[0-9]{1,5}))?$")
_PATH = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_HINT = "write oci://REGISTRY/REPOSITORY:TAG or oci://REGISTRY/REPOSITORY@sha256:<64 hex>"


@dataclass(frozen=True)
class OciRef:
    """A parsed reference: ``registry`` (host[:port]), ``repository``, and a ``tag`` or a ``digest``."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None  # the manifest's digest: never moves

    @property
    def host(self) -> str:
        """The registry's host name without port or brackets."""
        m = _HOST.match(self.registry)
        assert m is not None
        return m.group("ip6") or m.group("name")

    @property
    def is_local(self) -> bool:
        return self.host in LOCAL_HOSTS

    @property
    def target(self) -> str:
        """``registry/repository:tag`` or ``...@digest``: what the OCI client library takes."""
        return f"{self.registry}/{self.repository}" + (f"@{self.digest}" if self.digest else f":{self.tag}")

    def with_tag(self, tag: str) -> OciRef:
        return OciRef(self.registry, self.repository, tag=tag)

    def with_digest(self, digest: str) -> OciRef:
        return OciRef(self.registry, self.repository, digest=digest)

    def __str__(self) -> str:
        return SCHEME + self.target


def is_oci(text: str) -> bool:
    return text.startswith(SCHEME)


def parse_ref(text: str, *, default_tag: str | None = None) -> OciRef:
    """Parse ``oci://…``; without a tag or digest, ``default_tag`` (else a UsageError)."""
    if not is_oci(text):
        raise UsageError(f"'{text}' is not an oci:// reference", hint=_HINT)
    rest = text[len(SCHEME):]
    host, slash, path = rest.partition("/")
    if not slash or not path or not _HOST.match(host):
        raise UsageError(f"'{text}' does not name a registry and a repository", hint=_HINT)
    tag = digest = None
    if "@" in path:
        path, _, digest = path.partition("@")
        if not _DIGEST.match(digest):
            raise UsageError(f"'{digest}' in '{text}' is not a manifest digest", hint=_HINT)
    else:
        last = path.rsplit("/", 1)[-1]
        if ":" in last:
            path, _, tag = path.rpartition(":")
            if not _TAG.match(tag):
                raise UsageError(f"'{tag}' in '{text}' is not a valid tag",
                                 hint="tags use letters, digits, '_', '.' and '-' (at most 128)")
        else:
            tag = default_tag
    if not _PATH.match(path) or len(path) > 255:
        raise UsageError(f"'{path}' in '{text}' is not a valid repository name",
                         hint="repository names are lower-case letters and digits, separated by '/', '.', '_' or '-'")
    if tag is None and digest is None:
        raise UsageError(f"'{text}' names no tag or digest", hint=_HINT)
    return OciRef(host, path, tag, digest)


def check_plain_http(ref: OciRef, plain_http: bool) -> None:
    """Plain HTTP only to this machine, and only when asked for: anything else is refused."""
    if plain_http and not ref.is_local:
        raise UsageError(f"plain HTTP is refused for {ref.registry}: credentials and releases would cross the "
                         "network unencrypted",
                         hint="--plain-http (plain_http=True) is only for a registry on localhost, 127.0.0.1 or [::1]; "
                              "other registries need TLS")
