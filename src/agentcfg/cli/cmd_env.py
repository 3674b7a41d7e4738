"""Environment commands: render, promote, rollback, unhold, history, status, show."""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional

import typer

from agentcfg.cli.app import Format, app, output_format
from agentcfg.cli.completion import complete_environment, complete_source, complete_tools_format


class RenderFormat(str, Enum):
    text = "text"
    json = "json"
    yaml = "yaml"


_FORMAT = typer.Option(None, "--format", help="Output format: text or json.")

JSON_FORMAT = 1
"""`format_version` of the --format json outputs printed here (schemas/<command>.schema.json)."""


@app.command(epilog="Examples: agentcfg render production · agentcfg render staging --rev HEAD~1 --format json · "
             "agentcfg render production --tools-format openai")
def render(
    ctx: typer.Context,
    env: str = typer.Argument(..., metavar="ENV", help="The environment to render (its overlay is applied), or an "
                                                        "oci:// reference to a published release.",
                              autocompletion=complete_environment),
    rev: Optional[str] = typer.Option(None, "--rev", metavar="REV",
                                      help="Render from this git revision (read from git objects, pinned by "
                                           "its agentcfg.lock) instead of the working tree."),
    fmt: Optional[RenderFormat] = typer.Option(None, "--format", help="yaml (the default for text), or json."),
    tools_format: Optional[str] = typer.Option(None, "--tools-format", metavar="FMT",
                                               help="Print only the tools, shaped for mcp, openai, "
                                                    "openai-responses or anthropic.",
                                               autocompletion=complete_tools_format),
    strict: bool = typer.Option(False, "--strict",
                                help="With --tools-format openai or openai-responses: convert every input schema "
                                     "to OpenAI strict mode (all properties required, optional ones nullable, "
                                     "additionalProperties false), or exit 1 naming what strict mode cannot "
                                     "express."),
    plain_http: bool = typer.Option(False, "--plain-http",
                                    help="For an oci:// ENV on localhost, 127.0.0.1 or [::1]: HTTP without TLS."),
) -> None:
    """Print the fully rendered config of an environment and its root digest: manifest plus
    overlay, prompts and tool definitions inline, data and code by digest/commit, ${env:NAME}
    references left as references. This is exactly what `promote` would write. With an
    oci://REGISTRY/REPOSITORY:TAG (or @sha256:...) ENV, the published release's config, verified.
    """
    from agentcfg.cli import ui
    from agentcfg.promotion import render as do_render
    from agentcfg.secrets import redact

    if env.startswith("oci://"):
        from agentcfg.cli.cmd_oci import render_ref
        from agentcfg.errors import UsageError

        if rev is not None:
            raise UsageError("--rev does not apply to an oci:// reference (a published release is already rendered)")
        env, digest, config = render_ref(env, plain_http)
    else:
        rendered = do_render(env, root=".", rev=rev)
        digest, config = rendered.digest, rendered.config
    data: Any = {"format_version": JSON_FORMAT, "environment": env, "digest": digest, "config": config}
    if tools_format is not None:
        from agentcfg.toolformats import export_tools

        data = export_tools(config.get("tools") or {}, tools_format, strict=strict)
    elif strict:
        from agentcfg.errors import UsageError

        raise UsageError("--strict shapes tools for OpenAI: give it with --tools-format openai or openai-responses")
    data = redact(data)
    if output_format(ctx, fmt) == "json":
        ui.print_json(data)
    else:
        from agentcfg.yamlio import dump_yaml

        ui.print_raw(dump_yaml(data))
    ui.note(f"{ui.escape(env)} {digest}")


@app.command(epilog="Examples: agentcfg promote HEAD staging · agentcfg promote staging production --dry-run · "
             "agentcfg promote staging production --expect-current 3f2a9c1 --approve 'CAB-142'")
def promote(
    ctx: typer.Context,
    src: str = typer.Argument(..., metavar="SRC", help="An environment (promote what it runs) or a git revision.",
                              autocompletion=complete_source),
    dst: str = typer.Argument(..., metavar="DST", help="The environment to promote into.",
                              autocompletion=complete_environment),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diff, risk and policy verdict; write nothing."),
    no_commit: bool = typer.Option(False, "--no-commit", help="Write releases/DST.json but do not commit it "
                                   "(for a pull-request flow)."),
    expect_current: Optional[str] = typer.Option(None, "--expect-current", metavar="DIGEST",
                                                 help="Refuse unless DST still runs this digest (prefix allowed)."),
    approve: Optional[str] = typer.Option(None, "--approve", metavar="REASON",
                                          help="Go ahead although the diff exceeds DST's max_risk (recorded)."),
    skip_path: bool = typer.Option(False, "--skip-path", help="Allow leaving the `environments:` path (recorded)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (recorded in the release and the commit)."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                               help="When another agentcfg is writing in this repository, wait up to SECONDS "
                                    "for it (a CI queue) instead of failing at once."),
    fmt: Optional[Format] = _FORMAT,
) -> None:
    """Promote SRC into DST: render DST from SRC's source commit, check DST's policies and the
    risk of the diff against DST's current release, write releases/DST.json and commit only it.

    Refused (exit 1) when DST is frozen or on hold, the path is skipped, a policy fails, the
    risk exceeds max_risk, or --expect-current does not match. Same digest: a no-op (exit 0).
    """
    from agentcfg.cli import ui
    from agentcfg.promotion import promote as do_promote

    result = do_promote(src, dst, root=".", dry_run=dry_run, no_commit=no_commit, expect_current=expect_current,
                        approve=approve, skip_path=skip_path, reason=reason, wait=wait)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
        raise typer.Exit(0 if result.allowed else 1)
    name = f"{ui.escape(src)} → {ui.escape(dst)}"
    if result.outcome == "unchanged":
        ui.note(f"{ui.escape(dst)} already runs {result.digest}: nothing to promote")
        raise typer.Exit(0 if result.allowed else 1)
    if result.previous_digest is None:
        ui.line(f"first release of {ui.escape(dst)}: {result.artefacts} artefacts, no earlier release to compare "
                f"with (see them with `agentcfg render {ui.escape(dst)}`)")
    else:
        _changes_table(result.diff)
        ui.note(f"risk: {_risk(result.risk)}"
                + (f" (max_risk {result.policy.max_risk})" if result.policy.max_risk else ""))
    for caution in result.warnings:
        ui.warning(caution)
    from agentcfg.promotion.policy_gate import RISK_ORDER

    limit = result.policy.max_risk or "critical"
    if result.approved and RISK_ORDER.index(result.risk) > RISK_ORDER.index(limit):
        ui.warning(f"max_risk exceeded, approved: {result.approved}")
    for check in result.evidence:
        if check.ok:
            ui.note(f"evidence {ui.escape(check.name)}: [green]ok[/] ({ui.escape(check.why)})")
        elif result.approved:
            ui.warning(f"evidence {check.name} overridden by --approve: {check.why}")
    if result.path_exception:
        ui.warning(f"off the promotion path: {result.path_exception}")
    if result.outcome == "dry-run":
        for r in result.refusals:
            ui.line(f"[red]refused[/] by {r.rule}: {ui.escape(str(r))}")
            if r.hint:
                ui.line(f"  hint: {ui.escape(r.hint)}")
        verdict = "[green]would promote[/]" if result.allowed else "[red]would be refused[/]"
        ui.note(f"{verdict} {name}: {result.digest} (dry run, nothing written)")
        raise typer.Exit(0 if result.allowed else 1)
    if result.outcome == "written":
        ui.note(f"wrote {result.release_path} ({result.digest}); not committed: commit it, e.g. in a pull request")
    else:
        ui.note(f"[green]promoted[/] {name}: {result.digest} (commit {result.commit[:12] if result.commit else '-'})")


@app.command(epilog="Examples: agentcfg rollback production --reason 'refunds misfiring' · "
             "agentcfg rollback production --to 3 --dry-run · agentcfg rollback production --to 3f2a9c1e")
def rollback(
    ctx: typer.Context,
    env: str = typer.Argument(..., metavar="ENV", help="The environment to roll back.",
                              autocompletion=complete_environment),
    to: Optional[str] = typer.Option(None, "--to", metavar="N|DIGEST|REV",
                                     help="A `history` index, a digest (prefix allowed), or a git revision. "
                                          "Default: the previous release with a different digest."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (recorded in the release and the commit)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be restored; write nothing."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                               help="When another agentcfg is writing in this repository, wait up to SECONDS "
                                    "for it (a CI queue) instead of failing at once."),
    fmt: Optional[Format] = _FORMAT,
) -> None:
    """Restore an earlier release of ENV as a new commit (never a reset) and put ENV on hold:
    promotions to it are refused until `agentcfg unhold ENV`.

    Needs only the git history of releases/ENV.json: works when agentcfg.yaml is broken.
    Warns when the way back crosses changes config cannot undo (memory, data, graph state).
    """
    from agentcfg.cli import ui
    from agentcfg.promotion import rollback as do_rollback

    result = do_rollback(env, root=".", to=to, reason=reason, dry_run=dry_run, wait=wait)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
        return
    for w in result.warnings:
        ui.warning(w)
    where = f"the release of commit {result.restored_commit[:12]}" + (
        f", history #{result.restored_index}" if result.restored_index is not None else "")
    e = ui.escape(env)
    if result.outcome == "unchanged":
        ui.note(f"{e} already runs {result.digest} ({where}): nothing to roll back")
    elif result.outcome == "dry-run":
        _changes_table(result.diff)
        ui.note(f"would roll back {e} to {result.digest} ({where}) and put it on hold (dry run, nothing written)")
    else:
        ui.note(f"[green]rolled back[/] {e} to {result.digest} ({where}); commit "
                f"{result.commit[:12] if result.commit else '-'}")
        ui.note(f"{e} is on hold: promotions are refused until `agentcfg unhold {e}`")


@app.command(epilog="Example: agentcfg unhold production --reason 'incident INC-42 closed'")
def unhold(
    ctx: typer.Context,
    env: str = typer.Argument(..., metavar="ENV", help="The environment whose hold to lift.",
                              autocompletion=complete_environment),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (recorded in the commit)."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                               help="When another agentcfg is writing in this repository, wait up to SECONDS "
                                    "for it (a CI queue) instead of failing at once."),
    fmt: Optional[Format] = _FORMAT,
) -> None:
    """Lift the hold a rollback put on ENV (a commit that changes only `hold` in its release)."""
    from agentcfg.cli import ui
    from agentcfg.promotion import unhold as do_unhold

    result = do_unhold(env, root=".", reason=reason, wait=wait)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
    elif result.outcome == "unchanged":
        ui.note(f"{ui.escape(env)} is not on hold: nothing to do")
    else:
        ui.note(f"[green]unheld[/] {ui.escape(env)}: promotions are allowed again "
                f"(commit {result.commit[:12] if result.commit else '-'})")


@app.command(epilog="Examples: agentcfg history production · agentcfg history production --limit 5 --format json")
def history(
    ctx: typer.Context,
    env: str = typer.Argument(..., metavar="ENV", help="The environment.", autocompletion=complete_environment),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Show only the newest N transitions."),
    fmt: Optional[Format] = _FORMAT,
) -> None:
    """Every release of ENV, newest first: index (for `rollback --to N`), date, author, action,
    digest, source commit, from and reason. Read from `git log` of releases/ENV.json.
    """
    from agentcfg.cli import ui
    from agentcfg.promotion import history as do_history
    from agentcfg.promotion.target import EnvTarget

    rows = do_history(env, root=".", limit=limit)
    if output_format(ctx, fmt) == "json":
        ui.print_json({"format_version": JSON_FORMAT, "environment": env, "releases": [r.to_dict() for r in rows]})
        return
    from agentcfg.canonical import short

    evidence = any(r.evidence for r in rows)  # the column only when some release has evidence
    ui.table(["#", "date", "author", "action", "digest", "source", "from", "reason"] + ["evidence"] * evidence, [
        [str(r.index), r.date[:19].replace("T", " "), r.author, r.action, short(r.digest), short(r.source),
         _short_ref(r.from_), _clip(r.reason or "", 100)] + [_evidence(r.evidence)] * evidence for r in rows])
    if EnvTarget.open(env, ".").paths.shallow:
        ui.warning("this is a shallow clone: older releases may be missing; fetch them with `git fetch --unshallow` "
                   "(in GitHub Actions: actions/checkout with `fetch-depth: 0`)")


@app.command(epilog="Examples: agentcfg status · agentcfg status --format json")
def status(ctx: typer.Context, fmt: Optional[Format] = _FORMAT) -> None:
    """Every environment: digest, source commit, age, held or frozen, and what is waiting to be
    promoted into it (the diff from the previous environment, or from HEAD, by risk).
    """
    from agentcfg.canonical import short
    from agentcfg.cli import ui
    from agentcfg.promotion import status as do_status

    rows = do_status(root=".")
    if output_format(ctx, fmt) == "json":
        ui.print_json({"format_version": JSON_FORMAT, "environments": [r.to_dict() for r in rows]})
        return
    table = []
    evidence = any(r.evidence for r in rows)
    for r in rows:
        state = [s for s, on in (("held", r.hold), ("frozen", r.frozen), (f"uncommitted ({r.uncommitted})",
                                                                        r.uncommitted)) if on]
        table.append([r.env, short(r.digest), short(r.source), _age(r.age_seconds),
                      ", ".join(state) or "-", _waiting(r)] + [_evidence(r.evidence)] * evidence)
    ui.table(["env", "digest", "source", "age", "state", "waiting"] + ["evidence"] * evidence, table)
    for r in rows:
        if r.error:
            ui.warning(f"{r.env}: {r.error}")


@app.command(epilog="Examples: agentcfg show 3f2a9c1 · agentcfg show sha256:3f2a… --format json")
def show(
    ctx: typer.Context,
    digest: str = typer.Argument(..., metavar="DIGEST",
                                 help="A root digest: full, without sha256:, or a unique prefix (7+ hex); or an "
                                      "oci:// reference to a published release."),
    fmt: Optional[Format] = _FORMAT,
    plain_http: bool = typer.Option(False, "--plain-http",
                                    help="For an oci:// reference on localhost, 127.0.0.1 or [::1]: HTTP without TLS."),
) -> None:
    """Find the release with this root digest in any environment's history and print it: the
    link from a runtime trace back to the exact config. With oci://REGISTRY/REPOSITORY:TAG (or
    @sha256:...), the published release, verified, with its manifest digest.
    """
    from agentcfg.canonical import pretty_json
    from agentcfg.cli import ui
    from agentcfg.promotion import show as do_show
    from agentcfg.secrets import redact

    if digest.startswith("oci://"):
        from agentcfg.cli.cmd_oci import show_ref

        show_ref(ctx, digest, fmt, plain_http)
        return

    found = do_show(digest, root=".")
    release = redact(found[0].release.to_dict())
    from agentcfg.evidence.store import committed
    from agentcfg.project import Project

    attestations = committed(Project.find("."), found[0].release.digest)
    if output_format(ctx, fmt) == "json":
        ui.print_json({"format_version": JSON_FORMAT, "digest": found[0].release.digest, "release": release,
                       "found": [{"env": f.env, **f.transition.to_dict()} for f in found],
                       "attestations": [a.to_dict() for a in attestations]})
        return
    ui.print_raw(pretty_json(release))
    for f in found:
        t = f.transition
        ui.note(f"found in {ui.escape(f.env)} history #{t.index}: {t.action} {t.date[:19].replace('T', ' ')} "
                f"by {ui.escape(t.author)} (commit {t.commit[:12]})")
    for a in attestations:
        s = a.summary
        ui.note(f"attested {ui.escape(a.name)}: {a.verdict}, {s['passed']} passed, {s['failed']} failed, "
                f"{s['errors']} errors, {s['skipped']} skipped, {a.created} by {ui.escape(a.attester.get('name', ''))} "
                f"({ui.escape(a.path)})")


def _changes_table(diff: Any) -> None:
    from agentcfg.cli import ui

    if diff is None or not diff.changes:
        return
    if len(diff.changes) > 5 and all(c.kind == "added" for c in diff.changes):
        # A first release adds everything: a row per artefact would bury the verdict.
        ui.line(f"first release: {len(diff.changes)} artefacts (see them with `agentcfg render ENV`)")
        return
    ui.table(["risk", "artefact", "field", "reason"],
             [[_risk(c.risk.name), ui.escape(c.artefact), ui.escape(c.path or "-"), ui.escape(c.reason)]
              for c in diff.changes])


def _evidence(evidence: Any) -> str:
    """`support_evals passed, red_team failed`: the newest attestation of each name."""
    return ", ".join(f"{e['name']} {e['verdict']}" for e in evidence) or "-"


def _clip(text: str, n: int) -> str:
    """One table cell of at most ``n`` characters; the full text is in --format json and git log."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _risk(name: str) -> str:
    from agentcfg.cli.ui import RISK_STYLE

    return f"[{RISK_STYLE.get(name, 'dim')}]{name}[/]"


def _short_ref(ref: str | None) -> str:
    if ref and len(ref) == 40 and all(c in "0123456789abcdef" for c in ref):
        return ref[:12]
    return ref or "-"


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _waiting(r: Any) -> str:
    if r.pending is None:
        return "-"
    if not r.pending:
        return f"up to date with {r.pending_from}"
    counts = ", ".join(f"{n} {level}" for level, n in reversed(list(r.pending.items())))
    return f"from {r.pending_from}: {counts} (max {r.pending_risk})"
