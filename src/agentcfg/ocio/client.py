"""The one place agentcfg talks to an OCI registry, through oras-py (the ORAS project's client).

oras-py does the registry protocol: the Docker credential file and its helpers, basic and
token authentication, blob upload sessions, manifest and blob URLs. Two of its defaults do not
fit a runtime that must start during an outage, and are changed here: every request is retried
five times with sleeps of up to 83 s (a restart would hang for two minutes before using its
cached release), so requests are made once with a timeout; and it logs warnings to stderr,
where a library must not write, so its logger gets a null handler. Manifests are sent and read
as bytes: their digest is the sha256 of those exact bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError, CheckFailed
from agentcfg.ocio.ref import OciRef, check_plain_http

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
TIMEOUT_S = 10.0
MAX_MANIFEST = 4 << 20
MAX_BLOB = 256 << 20  # a release is a few MB; a registry cannot make a runtime read gigabytes
ENV_USERNAME, ENV_PASSWORD = "AGENTCFG_REGISTRY_USERNAME", "AGENTCFG_REGISTRY_PASSWORD"


class RegistryUnreachable(AgentcfgError):
    """The registry could not be reached (connection refused, DNS, timeout, 5xx): an outage."""


def _oras() -> Any:
    try:
        import oras.provider
    except ImportError:
        raise AgentcfgError("oci:// references need the OCI client library, which is not installed",
                            hint="pip install 'agentcfg-gitops[oci]'") from None
    logging.getLogger("oras").addHandler(logging.NullHandler())
    logging.getLogger("oras.logger").addHandler(logging.NullHandler())
    return oras


@dataclass
class Fetched:
    manifest_digest: str
    manifest: bytes
    layer: bytes


class Registry:
    """A connection to one registry, with credentials and TLS decided once."""

    def __init__(self, ref: OciRef, *, plain_http: bool = False) -> None:
        check_plain_http(ref, plain_http)
        oras = _oras()
        import requests

        self._requests = requests
        self.ref = ref
        self._missing_credentials = False

        class _Once(oras.provider.Registry):  # type: ignore[misc,name-defined]
            def do_request(self, *args: Any, **kwargs: Any) -> Any:
                call = getattr(oras.provider.Registry.do_request, "__wrapped__", oras.provider.Registry.do_request)
                return call(self, *args, **kwargs)

        scheme = self._auth_scheme(ref, plain_http)
        self._reg = _Once(hostname=ref.registry, insecure=plain_http, tls_verify=True, auth_backend=scheme)
        session = self._reg.session
        plain_request = session.request

        def request(*args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", TIMEOUT_S)
            return plain_request(*args, **kwargs)

        session.request = request
        self._container = self._reg.get_container(ref.target)
        self._credentials()
        # A registry asking for basic credentials when none are configured: say so before the
        # client library would send an empty Authorization header.
        self._missing_credentials = scheme == "basic" and not getattr(self._reg.auth, "_basic_auth", None)

    def _auth_scheme(self, ref: OciRef, plain_http: bool) -> str:
        """Basic or token authentication, as the registry's challenge on /v2/ says (one request)."""
        url = f"{'http' if plain_http else 'https'}://{ref.registry}/v2/"
        response = self._call(lambda: self._requests.get(url, timeout=TIMEOUT_S), challenge=True)
        challenge = response.headers.get("WWW-Authenticate", "")
        return "basic" if challenge.lower().startswith("basic") else "token"

    def _credentials(self) -> None:
        user, password = os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD)
        if user and password:  # CI: from the job's secrets, never written anywhere
            self._reg.auth.set_basic_auth(user, password)
            return
        configs = []
        docker_config = os.environ.get("DOCKER_CONFIG")
        if docker_config and (Path(docker_config) / "config.json").is_file():
            configs.append(str(Path(docker_config) / "config.json"))
        try:
            self._reg.auth.load_configs(self._container, configs=configs)
        except (OSError, ValueError) as exc:
            raise AgentcfgError(f"cannot read the Docker credential configuration: {exc}",
                                hint="fix ~/.docker/config.json (or $DOCKER_CONFIG/config.json)") from None

    def _call(self, do: Any, *, challenge: bool = False) -> Any:
        """``do()``, with network failures as :class:`RegistryUnreachable` and refusals as errors.

        ``challenge``: a 401 is the expected answer (the unauthenticated ping)."""
        requests = self._requests
        if not challenge and self._missing_credentials:
            raise AgentcfgError(f"registry {self.ref.registry} asks for credentials and none are configured",
                                hint=f"log in (docker login {self.ref.registry}) or set {ENV_USERNAME} and "
                                     f"{ENV_PASSWORD}")
        try:
            response = do()
        except requests.exceptions.SSLError as exc:
            raise AgentcfgError(f"TLS to {self.ref.registry} failed: {type(exc).__name__}",
                                hint="the registry's certificate must be trusted by this machine") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise RegistryUnreachable(f"registry {self.ref.registry} cannot be reached ({type(exc).__name__})",
                                      hint="check the address and that the registry is up") from None
        except ValueError as exc:  # oras: "Cannot respond to request for authentication."
            raise AgentcfgError(f"registry {self.ref.registry} refused the credentials ({exc})",
                                hint=f"log in (docker login {self.ref.registry}) or set {ENV_USERNAME} and "
                                     f"{ENV_PASSWORD}") from None
        status = getattr(response, "status_code", 200)
        if status >= 500:
            raise RegistryUnreachable(f"registry {self.ref.registry} answered HTTP {status}",
                                      hint="the registry is failing; try again later")
        if status in (401, 403) and not challenge:
            raise AgentcfgError(f"registry {self.ref.registry} refused access to {self.ref.repository} "
                                f"(HTTP {status})",
                                hint=f"check the credentials (docker login {self.ref.registry}, or {ENV_USERNAME}/"
                                     f"{ENV_PASSWORD} in CI) and the repository's permissions")
        return response

    def _url(self, kind: str, what: str) -> str:
        return f"{self._reg.prefix}://{self.ref.registry}/v2/{self.ref.repository}/{kind}/{what}"

    # --- reading ------------------------------------------------------------------------------

    def manifest(self, reference: str) -> tuple[str, bytes] | None:
        """(digest, bytes) of the manifest at a tag or digest, or None when there is none."""
        response = self._call(lambda: self._reg.do_request(self._url("manifests", reference), "GET",
                                                           headers={"Accept": MANIFEST_TYPE}, stream=True))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise AgentcfgError(f"registry {self.ref.registry} answered HTTP {response.status_code} for the manifest "
                                f"{reference} of {self.ref.repository}")
        data = _read_capped(response, MAX_MANIFEST, "manifest")
        return "sha256:" + hashlib.sha256(data).hexdigest(), data

    def blob(self, descriptor: dict[str, Any]) -> bytes:
        """A blob's bytes, checked against its descriptor's digest and size."""
        digest, size = descriptor.get("digest"), descriptor.get("size")
        if not isinstance(digest, str) or not digest.startswith("sha256:") or not isinstance(size, int) \
                or not 0 <= size <= MAX_BLOB:
            raise CheckFailed(f"the artifact's layer descriptor is not usable (digest {digest!r}, size {size!r})",
                              hint="the artifact was not published by agentcfg publish")
        response = self._call(lambda: self._reg.do_request(self._url("blobs", digest), "GET", stream=True))
        if response.status_code != 200:
            raise AgentcfgError(f"registry {self.ref.registry} answered HTTP {response.status_code} for blob {digest}")
        data = _read_capped(response, size + 1, "layer")
        actual = "sha256:" + hashlib.sha256(data).hexdigest()
        if actual != digest or len(data) != size:
            raise CheckFailed(f"the layer from {self.ref.registry} does not match its digest: expected {digest}, "
                              f"got {actual} ({len(data)} bytes)",
                              hint="the registry's copy is damaged or was tampered with; publish the release again")
        return data

    def fetch(self, reference: str) -> Fetched | None:
        """The manifest at ``reference`` and its single layer, both checked; None when absent."""
        import json

        found = self.manifest(reference)
        if found is None:
            return None
        digest, data = found
        if reference.startswith("sha256:") and digest != reference:
            raise CheckFailed(f"the manifest {self.ref.registry} returned for {reference} hashes to {digest}",
                              hint="the registry is serving the wrong content for a digest; do not use it")
        try:
            manifest = json.loads(data)
            layers = manifest["layers"]
            assert isinstance(layers, list) and len(layers) == 1 and isinstance(layers[0], dict)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise CheckFailed(f"{self.ref}: the manifest is not an agentcfg release artifact (one layer)",
                              hint="publish it with `agentcfg publish`") from None
        return Fetched(digest, data, self.blob(layers[0]))

    # --- writing ------------------------------------------------------------------------------

    def push_blob(self, data: bytes, media_type: str) -> dict[str, Any]:
        """Upload ``data`` unless the registry has it; its descriptor."""
        descriptor = {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
                      "size": len(data)}
        with tempfile.TemporaryDirectory(prefix="agentcfg-oci-") as tmp:
            path = Path(tmp) / "blob"
            path.write_bytes(data)
            response = self._call(lambda: self._reg.upload_blob(str(path), self._container, dict(descriptor)))
        if response.status_code not in (200, 201, 202):
            raise AgentcfgError(f"registry {self.ref.registry} refused the upload (HTTP {response.status_code})",
                                hint="check push permission on the repository")
        return descriptor

    def push_manifest(self, manifest: bytes, tag: str) -> None:
        response = self._call(lambda: self._reg.do_request(self._url("manifests", tag), "PUT", data=manifest,
                                                           headers={"Content-Type": MANIFEST_TYPE}))
        if response.status_code not in (200, 201, 202):
            raise AgentcfgError(f"registry {self.ref.registry} refused the manifest for tag {tag} "
                                f"(HTTP {response.status_code}: {response.text[:200]})",
                                hint="check push permission on the repository, and that it accepts OCI 1.1 artifacts")


def _read_capped(response: Any, limit: int, what: str) -> bytes:
    chunks, total = [], 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        total += len(chunk)
        if total > limit:
            response.close()
            raise CheckFailed(f"the registry sent a {what} larger than {limit} bytes; refused")
        chunks.append(chunk)
    return b"".join(chunks)
