"""A small, real MCP server for the tests, written with the official `mcp` SDK (lowlevel API).

    python mcp_toolserver.py SPEC.json [stdio|http]

SPEC is re-read on every tools/list, so a test "upgrades" a running server by rewriting it:

    {"tools": [...MCP Tool objects...], "page_size": 2, "behaviour": "serve|hang|crash",
     "pid_file": "...", "port_file": "..."}

* ``serve``: answer the handshake and tools/list, in pages of ``page_size`` tools;
* ``hang``: never answer anything (and start a child process that sleeps too: the tests check
  that the whole process group is stopped);
* ``crash``: exit with an error on stderr as soon as the client's first message arrives.

Over http it binds 127.0.0.1 on a free port itself and writes the port to ``port_file``.
Every mode writes ``pid <pid>`` lines to ``pid_file`` so the tests can check none is left behind.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SPEC = Path(sys.argv[1])
TRANSPORT = sys.argv[2] if len(sys.argv) > 2 else "stdio"


def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


def record_pid(pid: int) -> None:
    path = spec().get("pid_file")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{pid}\n")


def main() -> None:
    record_pid(os.getpid())
    behaviour = spec().get("behaviour", "serve")
    if behaviour == "hang":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
        record_pid(child.pid)
        if TRANSPORT == "http":
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)  # accepts connections, never answers them
            Path(spec()["port_file"]).write_text(str(sock.getsockname()[1]), encoding="utf-8")
        time.sleep(3600)
        return
    if behaviour == "crash":
        sys.stdin.readline()
        sys.stderr.write("toolserver: cannot load plugin registry\n")
        sys.exit(3)
    serve()


def serve() -> None:
    import anyio
    import mcp_types as types
    from mcp.server.lowlevel import Server

    async def list_tools(ctx: Any, params: Any) -> Any:
        current = spec()
        tools = [types.Tool.model_validate(t) for t in current.get("tools", [])]
        size = int(current.get("page_size") or max(len(tools), 1))
        start = int(params.cursor) if params is not None and params.cursor else 0
        after = start + size
        return types.ListToolsResult(tools=tools[start:after], next_cursor=str(after) if after < len(tools) else None)

    server: Server[Any] = Server("toolserver", version="1.0", on_list_tools=list_tools)
    if TRANSPORT == "http":
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        app = server.streamable_http_app()
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        Path(spec()["port_file"]).write_text(str(sock.getsockname()[1]), encoding="utf-8")
        uvicorn.Server(config).run(sockets=[sock])
        return
    from mcp.server.stdio import stdio_server

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)


if __name__ == "__main__":
    main()
