"""Start or call one MCP server, initialise a session, and read every page of ``tools/list``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from agentcfg.errors import AgentcfgError
from agentcfg.secrets import ENV_REF, redact_text

DEFAULT_TIMEOUT = 30.0
"""Seconds a server gets to start, shake hands and list its tools."""

MAX_PAGES = 10_000
"""A server that keeps handing out cursors is cut off here (the timeout bounds it too)."""

INSTALL_HINT = "install it with: pip install 'agentcfg-gitops[mcp]'"


class ServerUnreachable(AgentcfgError):
    """A server could not be started, reached, or did not list its tools (exit 2).

    The message names the server and the transport's reason, never a resolved secret.
    """


@dataclass
class ServerTools:
    """What one server served: its tools as plain data, in the order served."""

    server: str
    transport: str
    tools: list[dict[str, Any]] = field(default_factory=list)
    server_name: str | None = None  # what the server calls itself in the handshake
    server_version: str | None = None


def require_sdk() -> None:
    """Raise a clear error (exit 2) when the ``mcp`` SDK is not installed."""
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise AgentcfgError("reaching an MCP server needs the official `mcp` Python SDK, which is not installed",
                            hint=INSTALL_HINT) from None


def tool_as_data(tool: Any) -> dict[str, Any]:
    """One SDK ``Tool`` as the JSON a server sent (wire names: ``inputSchema``, ``readOnlyHint``)."""
    data: dict[str, Any] = tool.model_dump(by_alias=True, exclude_none=True, mode="json")
    return data


async def list_all_tools(session: Any) -> list[dict[str, Any]]:
    """Every tool an initialised ``mcp.ClientSession`` lists, following ``nextCursor`` to the end."""
    from mcp import types

    tools: list[dict[str, Any]] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params = types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        page = await session.list_tools(params=params)
        tools += [tool_as_data(t) for t in page.tools]
        cursor = page.next_cursor
        if cursor is None:
            return tools
        if cursor in seen:
            raise _Failure(f"tools/list handed out cursor {cursor[:40]!r} twice (a pagination loop)")
        seen.add(cursor)
    raise _Failure(f"tools/list did not end after {MAX_PAGES} pages")


def list_server_tools(name: str, entry: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT,
                      environ: Mapping[str, str] | None = None, cwd: str | Path = ".") -> ServerTools:
    """Connect to server ``name`` (a rendered ``mcp_servers`` entry) and list all its tools.

    Raises :class:`ServerUnreachable` (one line: server, transport, reason) when it cannot be
    started or reached, fails the handshake, or takes longer than ``timeout`` seconds in all;
    an :class:`AgentcfgError` when a ``${env:NAME}`` it needs is not set.
    """
    require_sdk()
    import anyio

    env = os.environ if environ is None else environ
    resolved = _Resolved.of(name, entry, env)
    try:
        return anyio.run(_list, name, entry, resolved, timeout, Path(cwd))
    except _Failure as exc:
        raise ServerUnreachable(resolved.scrub(f"mcp server '{name}' ({_where(entry)}): {exc}")) from None


@dataclass
class _Resolved:
    """A server's env and headers with references resolved, and the values to keep secret."""

    env: dict[str, str] | None
    headers: dict[str, str] | None
    secrets: list[str]

    @classmethod
    def of(cls, name: str, entry: Mapping[str, Any], environ: Mapping[str, str]) -> _Resolved:
        secrets: list[str] = []
        missing: list[str] = []

        def resolve(values: Any) -> dict[str, str] | None:
            if not isinstance(values, Mapping):
                return None
            out: dict[str, str] = {}
            for key, value in values.items():
                def sub(m: Any) -> str:
                    if m.group(1) not in environ:
                        missing.append(m.group(1))
                        return ""
                    secrets.append(environ[m.group(1)])
                    return environ[m.group(1)]
                out[str(key)] = ENV_REF.sub(sub, str(value))
            return out

        env, headers = resolve(entry.get("env")), resolve(entry.get("headers"))
        if missing:
            names = ", ".join(dict.fromkeys(missing))
            raise AgentcfgError(f"environment variable(s) {names} not set (needed to reach the server)",
                                artefact=f"mcp_servers/{name}",
                                hint="set them where agentcfg runs; they are resolved only in memory")
        return cls(env, headers, sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` without any resolved value, and redacted of secret-looking literals."""
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return redact_text(" ".join(text.split()))[:500]


class _Failure(Exception):
    """A reason, already worded for people, why the server could not list its tools."""


def _where(entry: Mapping[str, Any]) -> str:
    command = entry.get("command")
    if isinstance(command, list) and command:
        return f"stdio: {command[0]}"
    return f"http: {entry.get('url')}"


async def _list(name: str, entry: Mapping[str, Any], resolved: _Resolved, timeout: float, cwd: Path) -> ServerTools:
    import anyio

    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        try:
            with anyio.fail_after(timeout):
                return await _session(name, entry, resolved, cwd, errlog)
        except TimeoutError:
            raise _Failure(f"no answer within {timeout:g}s (timed out; the server was stopped)") from None
        except _Failure:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport error becomes one line
            raise _Failure(_reason(exc, errlog)) from None


async def _session(name: str, entry: Mapping[str, Any], resolved: _Resolved, cwd: Path,
                   errlog: TextIO) -> ServerTools:
    from mcp import ClientSession

    command = entry.get("command")
    if isinstance(command, list):
        from mcp import StdioServerParameters, stdio_client

        params = StdioServerParameters(command=str(command[0]), args=[str(a) for a in command[1:]],
                                       env=resolved.env, cwd=cwd)
        transport: Any = stdio_client(params, errlog=errlog)
        kind = "stdio"
    else:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        client = create_mcp_http_client(headers=resolved.headers or {})
        transport = streamable_http_client(str(entry.get("url")), http_client=client)
        kind = "http"
    async with transport as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            tools = await list_all_tools(session)
    server_info = getattr(info, "server_info", None)
    return ServerTools(name, kind, tools, getattr(server_info, "name", None), getattr(server_info, "version", None))


def _leaves(exc: BaseException) -> list[BaseException]:
    """The real errors inside (possibly nested) exception groups raised by task groups."""
    subs = getattr(exc, "exceptions", None)  # BaseExceptionGroup (3.11+) or its backport
    if isinstance(subs, (list, tuple)) and subs:
        out: list[BaseException] = []
        for sub in subs:
            out += _leaves(sub)
        return out
    return [exc]


def _reason(exc: BaseException, errlog: IO[str]) -> str:
    leaves = _leaves(exc)
    first = next((e for e in leaves if not isinstance(e, (TimeoutError,))), leaves[0])
    if isinstance(first, FileNotFoundError):
        text = f"cannot start the command: {first.strerror or 'not found'} ({first.filename or ''})"
    elif isinstance(first, PermissionError):
        text = f"cannot start the command: {first.strerror or 'permission denied'}"
    elif isinstance(first, OSError):
        text = f"{first.strerror or type(first).__name__}"
    else:
        message = str(first) or type(first).__name__
        text = f"{message} [{type(first).__name__}]"
    stderr = _last_line(errlog)
    if stderr:
        text += f"; the server's stderr ended with: {stderr}"
    return text


def _last_line(errlog: IO[str]) -> str:
    try:
        errlog.flush()
        errlog.seek(0, os.SEEK_END)
        size = errlog.tell()
        errlog.seek(max(0, size - 4096))
        lines = [line.strip() for line in errlog.read().splitlines() if line.strip()]
    except (OSError, ValueError):
        return ""
    return lines[-1][:200] if lines else ""
