"""`agentcfg diff`: semantic diff with risk and blast radius."""

from __future__ import annotations

from enum import Enum

import typer

from agentcfg.cli.app import app, output_format
from agentcfg.cli.completion import complete_environment, complete_risk


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


EPILOG = (
    "Examples: agentcfg diff (HEAD vs the working tree) · agentcfg diff main HEAD --fail-on high · "
    "agentcfg diff env:staging env:production --format markdown · "
    "agentcfg diff HEAD~1 HEAD --env production --stat"
)


@app.command(epilog=EPILOG)
def diff(
    ctx: typer.Context,
    a: str | None = typer.Argument(None, metavar="A", help="Old side (default HEAD)."),
    b: str | None = typer.Argument(None, metavar="B", help="New side (default '.', the working tree)."),
    env: str | None = typer.Option(None, "--env", "-e", help="Compare this environment's rendered config "
                                                                "(its overlay applied).",
                                   autocompletion=complete_environment),
    fmt: DiffFormat | None = typer.Option(None, "--format", help="text, json or markdown (a PR comment)."),
    fail_on: str | None = typer.Option(None, "--fail-on", metavar="LEVEL",
                                          help="Exit 1 when any change is at or above LEVEL "
                                               "(none, low, medium, high, critical).",
                                          autocompletion=complete_risk),
    stat: bool = typer.Option(False, "--stat", help="One line per artefact instead of every change."),
) -> None:
    """Semantic diff of two configs, artefact by artefact, with risk and impact.

    Each side is a git revision (main, HEAD~3, a SHA; read from git objects, never checked out),
    env:NAME (that environment's release), a path to a release or lock file (a lock gives
    digest-level changes only), or '.' for the working tree. Formatting-only edits are no change.
    Exit 0, or 1 with --fail-on when a change is at or above that level; 2 when a side cannot be read.
    """
    from agentcfg.cli import ui
    from agentcfg.semdiff import diff as do_diff
    from agentcfg.semdiff.risk import RiskLevel

    threshold = RiskLevel.parse(fail_on) if fail_on is not None else None  # bad level: exit 2 before work
    result = do_diff(a, b, root=".", env=env)
    shown = output_format(ctx, fmt)
    if shown == "json":
        ui.print_json(result.to_dict())
    elif shown == "markdown":
        from agentcfg.semdiff.formats import render_markdown

        ui.print_raw(render_markdown(result))
    else:
        from agentcfg.semdiff.formats import render_stat, render_text

        for line in render_stat(result) if stat else render_text(result):
            ui.line(line)
    failing = result.at_or_above(threshold) if threshold is not None else []
    if failing and threshold is not None:
        ui.note(f"[red]{len(failing)} change{'s' * (len(failing) != 1)} at or above {threshold.name}[/] "
                f"(--fail-on {threshold.name})")
    raise typer.Exit(1 if failing else 0)
