"""A real OCI registry for the tests: the distribution registry (Debian package docker-registry)
started on 127.0.0.1 on a free port, storage in a temp folder, optionally behind htpasswd."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BINARY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


def need_registry() -> None:
    if not Path(BINARY).exists():
        pytest.skip("the distribution registry is not installed (CI: apt-get install docker-registry)")
    try:
        import oras.provider  # noqa: F401
    except ImportError:
        pytest.skip("the OCI extra is not installed (pip install -e '.[test]' brings oras)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestRegistry:
    """One registry process; :meth:`stop` and :meth:`start` simulate an outage and its end."""

    __test__ = False  # not a test class for pytest

    def __init__(self, folder: Path, *, users: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.storage = folder / "storage"
        self.port = _free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        lines = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:",
                 f"    rootdirectory: {self.storage}", "  delete:", "    enabled: true", "http:",
                 f"  addr: {self.host}"]
        if users:
            import bcrypt

            htpasswd = folder / "htpasswd"
            htpasswd.write_text("".join(f"{u}:{bcrypt.hashpw(p.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
                                        for u, p in users.items()))
            lines += ["auth:", "  htpasswd:", "    realm: agentcfg-tests", f"    path: {htpasswd}"]
        self.config = folder / "config.yml"
        self.config.write_text("\n".join(lines) + "\n")

    def ref(self, repository: str = "team/agents", tag: str | None = None) -> str:
        return f"oci://{self.host}/{repository}" + (f":{tag}" if tag else "")

    def start(self) -> TestRegistry:
        self.process = subprocess.Popen([BINARY, "serve", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=(self.folder / "registry.log").open("ab"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # 401: up, and asking for credentials
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the registry exited: {(self.folder / 'registry.log').read_text()[-2000:]}")
                time.sleep(0.05)
        raise RuntimeError("the registry did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps a blob's bytes (to damage it, as a compromised storage would)."""
        hexa = digest.removeprefix("sha256:")
        return self.storage / "docker" / "registry" / "v2" / "blobs" / "sha256" / hexa[:2] / hexa / "data"
