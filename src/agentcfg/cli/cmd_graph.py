"""`agentcfg graph`: draw the orchestration graphs (Mermaid, DOT) or list them as JSON."""

from __future__ import annotations

from enum import Enum

import typer

from agentcfg.cli.app import app, output_format


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


EPILOG = (
    "Examples: agentcfg graph production · agentcfg graph --format dot | dot -Tsvg > flow.svg · "
    "agentcfg graph --rev env:production --graph support_flow · agentcfg graph staging --rev HEAD~1"
)


@app.command(epilog=EPILOG)
def graph(
    ctx: typer.Context,
    env: str | None = typer.Argument(None, metavar="[ENV]",
                                        help="Draw this environment's config (its overlay applied; its "
                                             "require_approval_for marks tools). Default: the base manifest, "
                                             "with every environment's approval rules."),
    rev: str | None = typer.Option(None, "--rev", metavar="REV",
                                      help="Where the config comes from: a git revision (read from git objects), "
                                           "env:NAME (that environment's release) or a release file. "
                                           "Default: the working tree."),
    name: str | None = typer.Option(None, "--graph", metavar="NAME", help="Only this graph."),
    fmt: GraphFormat | None = typer.Option(None, "--format",
                                              help="mermaid (the default), dot (Graphviz) or json (the graphs "
                                                   "as data, schemas/graph.schema.json)."),
) -> None:
    """Draw the orchestration graphs of a rendered config, one diagram per graph.

    Agent nodes show their model, tool nodes their side effects, human-approval steps their
    approvers, edges their `when` condition; the entry and END are marked, and tools that need a
    person's approval (`approval: required`, or a side effect the environment's
    require_approval_for names) get a thick red border. Mermaid text goes in a ```mermaid block
    of a README, issue or pull request; DOT goes through Graphviz. Exit 2 when the config or
    the graph cannot be found.
    """
    from agentcfg.cli import ui
    from agentcfg.graphs.report import graph as read_graphs

    report = read_graphs(env, root=".", rev=rev, name=name)
    chosen = output_format(ctx, fmt)
    if chosen == "json":
        ui.print_json(report.to_dict())
        return
    if chosen == "dot":
        from agentcfg.graphs.dot import to_dot

        ui.print_raw("\n".join(to_dot(g) for g in report.graphs))
    else:  # mermaid, also when the global --format says text
        from agentcfg.graphs.mermaid import to_mermaid

        ui.print_raw("\n".join(to_mermaid(g) for g in report.graphs))
    if len(report.graphs) > 1:
        ui.note(f"{len(report.graphs)} graphs, one diagram each: --graph NAME draws one")
