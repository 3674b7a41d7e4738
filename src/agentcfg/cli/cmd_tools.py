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
    epilog="Example: agentcfg import tools openai-tools.json --from openai --into tools/",
)
def import_tools_command(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE", help="JSON or YAML file with the tool definitions."),
    source: ToolFormat = typer.Option(..., "--from", help="Format of FILE: mcp, openai or anthropic."),
    into: str = typer.Option("tools", "--into", metavar="DIR", help="Folder for the tool files."),
    force: bool = typer.Option(False, "--force", help="Overwrite tool files that already exist."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be written; write nothing."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Turn provider tool definitions into agentcfg tool files (one YAML file per tool).

    Reads an MCP tools/list result, OpenAI function tools (Chat Completions or Responses API
    form) or Anthropic tools, and reports every change it had to make: renamed tools, repaired
    schemas ("dict" → object), dropped keys, skipped built-in tools. Existing files are never
    overwritten without --force. The manifest is not edited: paste the printed snippet into
    agentcfg.yaml. Exit 0 when at least one tool was imported, 1 when none could be.
    """
    from agentcfg.cli import ui
    from agentcfg.toolformats import import_tool_file

    report = import_tool_file(file, source.value, into=into, force=force, dry_run=dry_run)
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
        if report.snippet:
            ui.note("add to agentcfg.yaml:")
            ui.print_raw(report.snippet)
    raise typer.Exit(0 if result.tools else 1)
