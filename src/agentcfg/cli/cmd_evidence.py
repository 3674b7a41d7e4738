"""`agentcfg attest`: eval evidence bound to a root digest, in git (docs/evidence.md)."""

from __future__ import annotations

from typing import List, Optional

import typer

from agentcfg.cli.app import Format, app, output_format


@app.command(
    epilog="Examples: agentcfg attest staging --name support_evals --junit reports/evals.xml · "
           "agentcfg attest staging --name support_evals --junit reports/evals.xml -- python -m pytest evals "
           "--junit-xml reports/evals.xml · agentcfg attest 3f2a9c1 --name red_team --json red_team.json",
)
def attest(
    ctx: typer.Context,
    target: str = typer.Argument(..., metavar="TARGET",
                                 help="An environment (the digest its committed release runs) or a root digest "
                                      "(full, without sha256:, or a unique prefix of 7+ hex)."),
    command: Optional[List[str]] = typer.Argument(None, metavar="[-- COMMAND ARGS...]",
                                                  help="Run this eval command first (no shell), then record "
                                                       "the file it wrote, even when it fails."),
    name: str = typer.Option(..., "--name", metavar="NAME",
                             help="What was measured (e.g. support_evals): the key `require_evidence` names."),
    junit: Optional[str] = typer.Option(None, "--junit", metavar="FILE",
                                        help="JUnit XML results (pytest --junit-xml, DeepEval, most CI runners)."),
    json_file: Optional[str] = typer.Option(None, "--json", metavar="FILE",
                                            help="Results in agentcfg's evidence JSON format "
                                                 "(schemas/evidence.schema.json)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (recorded in the attestation and the commit)."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write the attestation file but do not commit it "
                                   "(it counts for promotions once committed)."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                               help="When another agentcfg is writing in this repository, wait up to SECONDS "
                                    "for it (a CI queue) instead of failing at once."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Record eval results for the config an environment runs (or a root digest) as an in-toto
    attestation under attestations/, committed alone, like a promotion.

    With `-- COMMAND`, the command runs first with AGENTCFG_ENV, AGENTCFG_DIGEST and
    AGENTCFG_RELEASE (the release file's path) in its environment; its results are recorded even
    when it fails, and attest exits with its exit code. Without a command: exit 0 once recorded,
    whatever the verdict (policies judge it at promotion: `require_evidence`).
    """
    from agentcfg.canonical import short
    from agentcfg.cli import ui
    from agentcfg.evidence import attest as do_attest

    result = do_attest(target, name=name, junit=junit, json_file=json_file, root=".", reason=reason,
                       no_commit=no_commit, command=list(command or []), wait=wait)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
        raise typer.Exit(result.exit_code)
    if not result.recorded:
        ui.error(result.problem or "nothing recorded")
        raise typer.Exit(result.exit_code)
    assert result.results is not None
    s = result.results.summary
    rate = f", pass rate {s.pass_rate:.1%}" if s.pass_rate is not None else ""
    metrics = ", ".join(f"{k}={v}" for k, v in result.results.metrics.items())
    colour = "green" if result.verdict == "passed" else "red"
    where = f"{ui.escape(result.environment)} " if result.environment else ""
    ui.note(f"{s.tests} tests: {s.passed} passed, {s.failed} failed, {s.errors} errors, {s.skipped} skipped{rate}"
            + (f"; {ui.escape(metrics)}" if metrics else ""))
    for failure in result.results.failures[:5]:
        ui.line(f"[red]failed[/]  {ui.escape(failure)}")
    done = f"commit {result.commit[:12]}" if result.commit else "not committed: commit it to make it count"
    ui.note(f"[{colour}]{result.verdict}[/]: attested {ui.escape(result.name)} on {where}{short(result.digest)} "
            f"({ui.escape(result.path or '-')}; {done})")
    raise typer.Exit(result.exit_code)
