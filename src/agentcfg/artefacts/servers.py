"""`mcp_servers`: the MCP servers whose tools the agents use, and how to reach each one.

A server is reached either by starting a local program (``command``: an argv list, run without
a shell, speaking MCP over stdio) or over streamable HTTP (``url``). Secrets (tokens, API keys)
go in ``env`` or ``headers`` as ``${env:NAME}`` references, resolved only in memory when agentcfg
or an agent connects; the rendered config, the lock and release files keep the references.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from agentcfg.artefacts.base import Strict

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Hosts a server may be reached at over plain http: the traffic never leaves the machine."""


def url_problem(url: str) -> str | None:
    """Why ``url`` may not name an MCP server, or None when it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:
        return f"'url' is not a valid URL ({exc})"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        return None
    if parts.scheme == "http" and host:
        return (f"'url' uses plain http to '{host}': tokens and tool definitions would cross the network "
                "unencrypted; use https (http is allowed only to localhost, 127.0.0.1 and ::1)")
    return "'url' must be an https:// URL with a host (or http:// to localhost)"


class McpServer(Strict):
    """One MCP server: exactly one of ``command`` (stdio) or ``url`` (streamable HTTP)."""

    command: list[str] | None = Field(
        default=None, description="argv of a local server speaking MCP over stdio, run without a shell")
    url: str | None = Field(default=None, description="streamable HTTP endpoint (https, or http to localhost)")
    env: dict[str, str] | None = Field(
        default=None, description="environment of a stdio server; secrets as ${env:NAME}")
    headers: dict[str, str] | None = Field(
        default=None, description="HTTP headers sent to a url server; secrets as ${env:NAME}")
    description: str | None = None

    @model_validator(mode="after")
    def _one_transport(self) -> McpServer:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of 'command' (a stdio server's argv) or 'url' (streamable HTTP)")
        if self.command is not None:
            if not self.command or not all(self.command):
                raise ValueError("'command' must be a non-empty argv list of non-empty strings, "
                                 "e.g. [python, server.py]")
            if self.headers is not None:
                raise ValueError("'headers' apply to a url server; a command server takes 'env'")
        if self.url is not None:
            problem = url_problem(self.url)
            if problem:
                raise ValueError(problem)
            if self.env is not None:
                raise ValueError("'env' applies to a command server; a url server takes 'headers'")
        return self

    @property
    def transport(self) -> str:
        """``stdio`` or ``http``."""
        return "stdio" if self.command is not None else "http"


def transport_of(entry: dict[str, Any]) -> str:
    """The transport of a rendered server entry (plain data, as in a release file)."""
    return "stdio" if entry.get("command") is not None else "http"
