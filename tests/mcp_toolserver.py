"""A small, real MCP server for the tests, written with the official `mcp` SDK (lowlevel API).

    python mcp_toolserver.py SPEC.json [stdio|http] [ARGS...]

SPEC is re-read on every tools/list, so a test "upgrades" a running server by rewriting it:

    {"tools": [...MCP Tool objects...], "page_size": 2, "behaviour": "serve|hang|crash",
     "pid_file": "...", "port_file": "...", "argv_file": "...",
     "require_header": ["authorization", "Bearer s3cret"]}

* ``serve``: answer the handshake and tools/list, in pages of ``page_size`` tools;
* ``hang``: never answer anything (and start a child process that sleeps too: the tests check
  that the whole process group is stopped);
* ``crash``: exit with an error on stderr as soon as the client's first message arrives (after
  printing the variable ``echo_env`` names, as a careless server might).

Over http it binds 127.0.0.1 on a free port itself and writes the port to ``port_file``.
Every mode writes its pid (and its child's) to ``pid_file`` so the tests can check none is left
behind, and its argv as JSON to ``argv_file``. Over http, ``require_header`` refuses (401) any
request without that header value.
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
TRANSPORT = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] in ("stdio", "http") else "stdio"


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
    if spec().get("argv_file"):
        Path(spec()["argv_file"]).write_text(json.dumps(sys.argv[1:]), encoding="utf-8")
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
        echoed = spec().get("echo_env")  # a careless server that prints its credentials
        if echoed:
            sys.stderr.write(f"toolserver: {echoed}={os.environ.get(echoed)} rejected\n")
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
        if current.get("cursor_loop"):  # a broken (or hostile) server: the same cursor forever
            return types.ListToolsResult(tools=tools[:size], next_cursor="0")
        return types.ListToolsResult(tools=tools[start:after], next_cursor=str(after) if after < len(tools) else None)

    server: Server[Any] = Server("toolserver", version="1.0", on_list_tools=list_tools)
    if TRANSPORT == "http":
        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        app = server.streamable_http_app()
        required = spec().get("require_header")
        if required:
            app.add_middleware(RequireHeader, name=required[0], value=required[1])
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        Path(spec()["port_file"]).write_text(str(sock.getsockname()[1]), encoding="utf-8")
        uvicorn.Server(config).run(sockets=[sock])
        return
    from mcp.server.stdio import stdio_server

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)


class RequireHeader:
    """ASGI middleware: 401 unless the request carries the expected header value."""

    def __init__(self, app: Any, name: str, value: str) -> None:
        self.app, self.name, self.value = app, name.lower().encode(), value.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(self.name) != self.value:
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await self.app(scope, receive, send)


if __name__ == "__main__":
    main()
