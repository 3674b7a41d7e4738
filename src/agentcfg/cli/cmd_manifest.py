"""Commands about the manifest itself: init, validate, schema."""

from __future__ import annotations

from typing import Optional

import typer

from agentcfg.cli.app import Format, app, output_format
from agentcfg.cli.completion import complete_environment


@app.command(epilog="Example: agentcfg init my-agents --example support-agent")
def init(
    directory: str = typer.Argument(".", help="Folder to create the project in."),
    example: Optional[str] = typer.Option(
        None, "--example", metavar="NAME", help="Copy a bundled example (e.g. support-agent)."
    ),
) -> None:
    """Scaffold a project: agentcfg.yaml, folders, and a .gitignore entry for .agentcfg/.

    Never overwrites an existing file: files that already exist are skipped and listed.
    """
    from agentcfg.cli import ui
    from agentcfg.scaffold import init as do_init

    result = do_init(directory, example=example)
    for path in result.created:
        ui.line(f"created  {ui.escape(path)}")
    for path in result.skipped:
        ui.note(f"[yellow]kept[/]     {ui.escape(path)} (exists; not overwritten)")
    ui.note(f"next: cd {directory} && agentcfg validate && agentcfg lock")


@app.command(epilog="Examples: agentcfg validate · agentcfg validate --env production --format json")
def validate(
    ctx: typer.Context,
    env: Optional[str] = typer.Option(None, "--env", "-e", help="Validate one environment (overlay + policies).",
                                      autocompletion=complete_environment),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Check the manifest: schema, references, prompt variables, tool schemas, graphs, files,
    secrets and (with --env) policies. Reports every finding as file:line:col: artefact: message.

    Without --env, the base manifest and every environment in `environments:` are checked.
    Exit 0 when valid, 1 when any error was found, 2 when the manifest cannot be read.
    """
    from agentcfg.cli import ui
    from agentcfg.validation import validate as do_validate

    report = do_validate(".", env=env)
    if output_format(ctx, fmt) == "json":
        ui.print_json(report.to_dict())
    else:
        for f in report.findings:
            style = "red" if f.severity == "error" else "yellow"
            ui.line(f"[{style}]{ui.escape(str(f))}[/]")
        n_err, n_warn = len(report.errors), len(report.warnings)
        if report.ok:
            ui.note(f"[green]valid[/] ({n_warn} warning{'s' * (n_warn != 1)})")
        else:
            ui.note(f"[red]{n_err} error{'s' * (n_err != 1)}[/], {n_warn} warning{'s' * (n_warn != 1)}")
    raise typer.Exit(0 if report.ok else 1)


@app.command(epilog="Example: agentcfg schema > schemas/agentcfg.schema.json")
def schema(
    kind: str = typer.Option("manifest", "--of", metavar="KIND",
                             help="manifest (agentcfg.yaml), overlay (environments/<env>.yaml) or tool (a tool file).",
                             autocompletion=lambda incomplete: [k for k in ("manifest", "overlay", "tool")
                                                                if k.startswith(incomplete)]),
) -> None:
    """Print the JSON Schema of the manifest (the same as schemas/agentcfg.schema.json), of an
    environment overlay (schemas/overlay.schema.json) or of a tool file (schemas/tool.schema.json).

    Point your editor at it with a first line such as:
    # yaml-language-server: $schema=./schemas/agentcfg.schema.json
    (`agentcfg init` and `agentcfg import tools` write these lines for you.)
    """
    from agentcfg.canonical import pretty_json
    from agentcfg.cli import ui
    from agentcfg.errors import UsageError
    from agentcfg.manifest.editor_schemas import SCHEMA_KINDS, schema_of

    if kind not in SCHEMA_KINDS:
        raise UsageError(f"--of {kind}: choose one of {', '.join(SCHEMA_KINDS)}")
    ui.print_raw(pretty_json(schema_of(kind)))
