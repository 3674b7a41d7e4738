"""Helpers for tests that start real MCP servers (tests/mcp_toolserver.py) and check they stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import build_tree, init_repo

TOOLSERVER = Path(__file__).resolve().parent / "mcp_toolserver.py"

READ_ONLY = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
WRITES = {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False, "openWorldHint": False}


def lookup_order() -> dict[str, Any]:
    return {"name": "lookup_order", "title": "Look up an order", "description": "Find an order by its id.",
            "inputSchema": {"type": "object", "properties": {"order_id": {"type": "string"}},
                            "required": ["order_id"]},
            "annotations": dict(READ_ONLY)}


def cancel_order() -> dict[str, Any]:
    return {"name": "cancel_order", "description": "Cancel an order that has not shipped.",
            "inputSchema": {"type": "object", "properties": {"order_id": {"type": "string"},
                                                             "reason": {"type": "string"}},
                            "required": ["order_id"]},
            "annotations": dict(WRITES)}


@dataclass
class ToolServer:
    """One test server's control files: its spec (rewritten to "upgrade" it) and its pids."""

    folder: Path

    @property
    def spec_path(self) -> Path:
        return self.folder / "spec.json"

    @property
    def pid_file(self) -> Path:
        return self.folder / "pids"

    @property
    def port_file(self) -> Path:
        return self.folder / "port"

    @property
    def argv_file(self) -> Path:
        return self.folder / "argv.json"

    def write(self, tools: list[dict[str, Any]], *, behaviour: str = "serve", page_size: int | None = None,
              require_header: tuple[str, str] | None = None, echo_env: str | None = None,
              cursor_loop: bool = False) -> ToolServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        spec = {"tools": tools, "behaviour": behaviour, "page_size": page_size, "pid_file": str(self.pid_file),
                "port_file": str(self.port_file), "argv_file": str(self.argv_file),
                "require_header": list(require_header) if require_header else None, "echo_env": echo_env,
                "cursor_loop": cursor_loop}
        self.spec_path.write_text(json.dumps(spec), encoding="utf-8")
        return self

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, str(TOOLSERVER), str(self.spec_path), "stdio", *extra]

    def pids(self) -> list[int]:
        if not self.pid_file.exists():
            return []
        return [int(x) for x in self.pid_file.read_text(encoding="utf-8").split()]

    def start_http(self) -> subprocess.Popen[bytes]:
        """Run the server over streamable HTTP on 127.0.0.1 (a free port it picks), in a subprocess."""
        self.port_file.unlink(missing_ok=True)
        proc = subprocess.Popen([sys.executable, str(TOOLSERVER), str(self.spec_path), "http"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        for _ in range(600):  # the port file appears once the socket listens
            if self.port_file.exists() and self.port_file.read_text(encoding="utf-8"):
                return proc
            if proc.poll() is not None:
                raise AssertionError(f"http server exited: {proc.stderr.read() if proc.stderr else b''!r}")
            time.sleep(0.05)
        proc.kill()
        raise AssertionError("http server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port_file.read_text(encoding='utf-8')}/mcp"


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped counts as stopped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
    return state not in ("Z", "X")


def assert_stopped(pids: list[int], *, allow_none: bool = False) -> None:
    """Every pid has exited. The SDK reaps the server before returning; its own child is
    re-parented to init when the group is killed and may need a moment to be reaped."""
    assert pids or allow_none, "the server never recorded its pid"
    deadline = time.monotonic() + 10
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if running(p)], f"server processes left behind: {pids}"


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 9)
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()


def make_project(root: Path, servers: dict[str, dict[str, Any]], tools: dict[str, tuple[dict[str, Any], str]],
                 *, extra: str = "") -> Path:
    """A git repository whose manifest declares ``servers`` and ``tools`` ({name: (definition, server)})."""
    init_repo(root)
    lines = ["format_version: 1", "name: shop", "environments: [staging, production]", "mcp_servers:"]
    for name, entry in servers.items():
        lines.append(f"  {name}: {json.dumps(entry)}")
    lines.append("tools:" if tools else "tools: {}")
    files: dict[str, str] = {".gitignore": ".agentcfg/\n"}
    for name, (definition, server) in tools.items():
        lines.append(f"  {name}: {{file: tools/{name}.yaml, server: {server}}}")
        files[f"tools/{name}.yaml"] = json.dumps(definition, indent=2) + "\n"
    files["agentcfg.yaml"] = "\n".join(lines) + "\n" + extra
    build_tree(root, files)
    return root
