"""`agentcfg check servers`: live MCP servers' tools against the reviewed definitions."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Optional

import typer

from agentcfg.cli.app import Format, app, output_format

if TYPE_CHECKING:
    from agentcfg.semdiff.risk import RiskLevel
    from agentcfg.servers import ServerCheck

check_app = typer.Typer(
    name="check",
    help="Check the world outside the repository against the reviewed config.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(check_app, name="check")


@check_app.command(
    "servers",
    epilog=(
        "Examples:\n\n"
        "  agentcfg check servers --env production              # in a scheduled CI job\n\n"
        "  agentcfg check servers --server github --fail-on high --format json"
    ),
)
def check_servers_command(
    ctx: typer.Context,
    env: Optional[str] = typer.Option(
        None, "--env", metavar="ENV",
        help="Compare with the release of ENV (releases/ENV.json); default: the working tree's render."),
    server: Optional[str] = typer.Option(None, "--server", metavar="NAME", help="Check only this server."),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", metavar="LEVEL",
        help="Exit 1 when a change is at or above LEVEL (none|low|medium|high|critical); "
             "default: any change of a declared tool."),
    timeout: float = typer.Option(30.0, "--timeout", metavar="S",
                                  help="Seconds each server gets to start, answer and list its tools."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Connect to each declared MCP server, list its tools, and compare them with the reviewed ones.

    Servers are started (command) or called (url) with their ${env:...} references resolved in
    memory only, one at a time, each within --timeout, and stopped afterwards (their whole
    process group, also on Ctrl-C or a timeout). Every declared tool is compared with what its
    server serves, by the same rules and risk levels as `agentcfg diff`: a changed description
    is medium, destructiveHint false -> true critical, a new required input property high.
    A declared tool the server no longer serves is high; a served tool nobody declared is low.

    Exit 0: the servers serve what was reviewed. 1: drift at or above --fail-on (default: any
    change of a declared tool). 2: a server could not be reached (its error is reported, the
    other servers are still checked).
    """
    from agentcfg.cli import ui
    from agentcfg.semdiff.risk import RiskLevel
    from agentcfg.servers import check_servers

    level = RiskLevel.parse(fail_on) if fail_on is not None else None
    with contextlib.ExitStack() as stack:
        bar: list[Any] = []

        def reached(name: str, total: int) -> None:  # a bar on a terminal only (ui.progress)
            if bar:
                bar[0]()
            else:
                bar.append(stack.enter_context(ui.progress("checking MCP servers", total)))

        result = check_servers(".", env=env, server=server, timeout=timeout, progress=reached)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict(level))
    else:
        for markup in render_check_text(result, level):
            ui.line(markup)
    raise typer.Exit(int(result.exit_code(level)))


def render_check_text(result: "ServerCheck", fail_on: "RiskLevel | None") -> list[str]:
    """Per server: its drift rendered like a diff (reviewed → live), or why it was unreachable."""
    from agentcfg.markup import escape
    from agentcfg.semdiff.formats.text import render_text
    from agentcfg.semdiff.result import DiffResult

    lines = [f"[bold]checked against {escape(result.against)}[/]"
             + (f" [dim]({escape(result.digest)})[/]" if result.digest else "")]
    for report in result.servers:
        head = f"[bold]mcp_servers/{escape(report.server)}[/] ({report.transport})"
        if not report.reachable:
            lines.append(f"{head}  [red]unreachable[/]: {escape(report.error or '')}")
            continue
        lines.append(f"{head}  {report.declared} declared, {report.served} served")
        if report.changes:
            diff = DiffResult(report.changes)
            lines += [f"  {line}" for line in render_text(diff)[:-1]]
        else:
            lines.append("  every declared tool is served as reviewed")
    failing = len(result.failing(fail_on))
    unreachable = len(result.unreachable)
    summary = (f"{len(result.servers)} server(s), {len(result.changes)} change(s), {failing} failing"
               + (f", {unreachable} unreachable" if unreachable else ""))
    lines.append(f"[bold]{escape(summary)}[/]")
    return lines
