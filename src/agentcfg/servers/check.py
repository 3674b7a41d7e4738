"""`agentcfg check servers`: what each declared MCP server serves now, against the reviewed tools.

The reviewed side is the release of an environment (``releases/<env>.json``) or, without an
environment, the working tree's render. Each server is reached with its own timeout and
stopped before the next one starts; one unreachable server does not hide the others' drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.semdiff.result import Change
from agentcfg.semdiff.risk import RiskLevel
from agentcfg.errors import AgentcfgError, ExitCode, UsageError
from agentcfg.servers.drift import ServerDrift, compare_served, declared_tools

FORMAT_VERSION = 1


@dataclass
class ServerReport:
    """One server: reached or not, and how its live tools differ from the declared ones."""

    server: str
    transport: str
    declared: int
    reachable: bool = False
    error: str | None = None
    served: int = 0
    drift: ServerDrift | None = None

    @property
    def changes(self) -> list[Change]:
        return list(self.drift.changes) if self.drift else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "transport": self.transport,
            "reachable": self.reachable,
            "error": self.error,
            "declared": self.declared,
            "served": self.served,
            "changes": [c.to_dict() for c in self.changes],
            "import_warnings": list(self.drift.import_warnings) if self.drift else [],
        }


@dataclass
class ServerCheck:
    """Every checked server, and what the check compared against."""

    against: str  # "env:production" or "working tree"
    digest: str | None
    servers: list[ServerReport] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.servers for c in s.changes]

    @property
    def unreachable(self) -> list[ServerReport]:
        return [s for s in self.servers if not s.reachable]

    @property
    def max_risk(self) -> RiskLevel:
        return max((c.risk for c in self.changes), default=RiskLevel.none)

    def failing(self, fail_on: RiskLevel | str | None = None) -> list[Change]:
        """What fails the check: with ``fail_on``, every change at or above it; without, any
        change of a declared tool (drifted or no longer served), whatever its level."""
        if fail_on is None:
            return [c for s in self.servers if s.drift for c in s.drift.declared_changes]
        threshold = RiskLevel.parse(fail_on)
        return [c for c in self.changes if c.risk >= threshold]

    def exit_code(self, fail_on: RiskLevel | str | None = None) -> ExitCode:
        """2 when a server could not be reached, else 1 when something fails, else 0."""
        if self.unreachable:
            return ExitCode.ERROR
        return ExitCode.FOUND if self.failing(fail_on) else ExitCode.OK

    def to_dict(self, fail_on: RiskLevel | str | None = None) -> dict[str, Any]:
        counts = {level.name: 0 for level in RiskLevel}
        for c in self.changes:
            counts[c.risk.name] += 1
        return {
            "format_version": FORMAT_VERSION,
            "against": self.against,
            "digest": self.digest,
            "fail_on": RiskLevel.parse(fail_on).name if fail_on is not None else None,
            "summary": {
                "servers": len(self.servers),
                "unreachable": len(self.unreachable),
                "changes": len(self.changes),
                "failing": len(self.failing(fail_on)),
                "max_risk": self.max_risk.name,
                "counts": counts,
                "exit_code": int(self.exit_code(fail_on)),
            },
            "servers": [s.to_dict() for s in self.servers],
        }


def reviewed_config(root: str | Path = ".", env: str | None = None) -> tuple[str, str | None, dict[str, Any]]:
    """(label, root digest, config) of the release of ``env``, or of the working tree's render."""
    from agentcfg.semdiff.sides import load_side
    from agentcfg.project import Project

    project = Project.find(Path(root))
    snapshot = load_side(project, f"env:{env}" if env else ".")
    return snapshot.side.label, snapshot.side.digest, dict(snapshot.config or {})


def check_servers(root: str | Path = ".", *, env: str | None = None, server: str | None = None,
                  timeout: float | None = None, environ: Mapping[str, str] | None = None,
                  progress: Callable[[str, int], None] | None = None) -> ServerCheck:
    """Reach each declared MCP server (or only ``server``) and compare its tools with the release
    of ``env`` (the working tree's render without ``env``). Never raises for an unreachable
    server: it is reported in the result (exit code 2). ``progress(name, total)`` is called
    before each server is reached."""
    from agentcfg.mcpio import DEFAULT_TIMEOUT, ServerUnreachable, list_server_tools, require_sdk
    from agentcfg.project import Project

    if timeout is not None and not timeout > 0:
        raise UsageError(f"--timeout {timeout:g}: give a number of seconds above 0")
    label, digest, config = reviewed_config(root, env)
    servers = config.get("mcp_servers") if isinstance(config.get("mcp_servers"), Mapping) else {}
    assert isinstance(servers, Mapping)
    if server is not None and server not in servers:
        from agentcfg.errors import did_you_mean

        raise UsageError(f"no MCP server '{server}' in {label}{did_you_mean(server, list(servers))}",
                         hint=f"declared: {', '.join(sorted(servers)) or 'none'}")
    if not servers:
        raise AgentcfgError(f"{label} declares no MCP servers",
                            hint="declare them under `mcp_servers:` in agentcfg.yaml (see docs/manifest.md)")
    require_sdk()
    cwd = Project.find(Path(root)).root
    result = ServerCheck(label, digest)
    names = sorted(servers) if server is None else [server]
    for name in names:
        if progress is not None:
            progress(name, len(names))
        entry = servers[name]
        report = ServerReport(name, "stdio" if entry.get("command") is not None else "http",
                              len(declared_tools(config, name)))
        try:
            listed = list_server_tools(name, entry, timeout=timeout or DEFAULT_TIMEOUT, environ=environ, cwd=cwd)
        except ServerUnreachable as exc:
            report.error = exc.message
        else:
            report.reachable = True
            report.served = len(listed.tools)
            report.drift = compare_served(name, config, listed.tools)
        result.servers.append(report)
    return result
