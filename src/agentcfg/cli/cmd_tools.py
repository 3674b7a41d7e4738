"""`agentcfg import tools`: provider tool definitions → agentcfg tool files."""

from __future__ import annotations

from enum import Enum
from typing import Optional

import typer

from agentcfg.cli.app import Format, app, output_format

import_app = typer.Typer(
    name="import",
    help="Bring definitions written for other tools into agentcfg.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import")


class ToolFormat(str, Enum):
    mcp = "mcp"
    openai = "openai"
    anthropic = "anthropic"


@import_app.command(
    "tools",
    epilog=(
        "Examples:\n\n"
        "  agentcfg import tools openai-tools.json --from openai --into tools/\n\n"
        "  agentcfg import tools --server github          # writes tools/github/<tool>.yaml"
    ),
)
def import_tools_command(
    ctx: typer.Context,
    file: Optional[str] = typer.Argument(None, metavar="[FILE]",
                                         help="JSON or YAML file with the tool definitions (or use --server)."),
    source: Optional[ToolFormat] = typer.Option(None, "--from", help="Format of FILE: mcp, openai or anthropic."),
    server: Optional[str] = typer.Option(
        None, "--server", metavar="NAME",
        help="Instead of FILE: connect to the MCP server NAME declared under mcp_servers and import "
             "every tool it serves (default --into: tools/NAME)."),
    into: Optional[str] = typer.Option(None, "--into", metavar="DIR",
                                       help="Folder for the tool files (default: tools, or tools/NAME with --server)."),
    force: bool = typer.Option(False, "--force", help="Overwrite tool files that already exist."),
    add: bool = typer.Option(False, "--add", help="Also insert the tools into agentcfg.yaml's `tools:` (comments "
                                                  "and layout kept); refused, with nothing written, when a name is "
                                                  "already there."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be written; write nothing."),
    timeout: float = typer.Option(30.0, "--timeout", metavar="S",
                                  help="With --server: seconds the server gets to start and list its tools."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Turn provider tool definitions into agentcfg tool files (one YAML file per tool).

    Reads an MCP tools/list result, OpenAI function tools (Chat Completions or Responses API
    form) or Anthropic tools, and reports every change it had to make: renamed tools, repaired
    schemas ("dict" → object), dropped keys, skipped built-in tools. Existing files are never
    overwritten without --force. With --add the tools are also inserted into agentcfg.yaml
    (every comment and the file's layout kept; a name already there refuses the import before
    anything is written); without it, paste the printed snippet. Exit 0 when at least one tool
    was imported, 1 when none could be.

    With --server NAME, the tools come from a live MCP server declared in agentcfg.yaml (every
    page of tools/list; ${env:...} in its env/headers resolved in memory only). Each file holds
    the tool exactly as served plus `server: NAME`, so `agentcfg check servers` can later tell
    when the server starts serving something else. Exit 2 when the server cannot be reached.
    """
    from agentcfg.cli import ui
    from agentcfg.errors import UsageError

    if (file is None) == (server is None):
        raise UsageError("give either FILE (with --from) or --server NAME",
                         hint="agentcfg import tools FILE --from mcp|openai|anthropic, or agentcfg import tools --server NAME")
    if server is not None:
        if source is not None and source is not ToolFormat.mcp:
            raise UsageError("--server imports MCP tools; --from does not apply")
        from agentcfg.servers.importing import import_server_tools

        report = import_server_tools(server, into=into, force=force, dry_run=dry_run, timeout=timeout, add=add)
    else:
        if source is None:
            raise UsageError("FILE needs --from mcp, openai or anthropic")
        from agentcfg.toolformats import import_tool_file

        assert file is not None
        report = import_tool_file(file, source.value, into=into or "tools", force=force, dry_run=dry_run, add=add)
    result = report.result
    if output_format(ctx, fmt) == "json":
        ui.print_json(report.to_dict())
    else:
        for issue in result.issues:
            ui.warning(str(issue))
        verb = "would write" if dry_run else "wrote"
        for path in report.files.values():
            ui.note(f"{verb} {ui.escape(path)}")
        n = len(result.tools)
        skipped = f", {result.skipped} skipped" if result.skipped else ""
        ui.note(f"{n} tool{'s' * (n != 1)} imported{skipped}, {len(result.issues)} change(s) reported")
        if report.added:
            ui.note(f"added {n} tool{'s' * (n != 1)} to agentcfg.yaml")
        elif report.snippet:
            ui.note("add to agentcfg.yaml (or import with --add):" if not add else "would add to agentcfg.yaml:")
            ui.print_raw(report.snippet)
    raise typer.Exit(0 if result.tools else 1)
