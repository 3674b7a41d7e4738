"""`agentcfg lock [--check]` and `agentcfg verify [ENV]`."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, Callable, Optional

import typer

from agentcfg.cli.app import Format, app, output_format
from agentcfg.cli.completion import complete_environment


def _progress_bars(stack: ExitStack) -> Callable[[str, int, int], None]:
    """A hashing progress callback that shows one bar per data artefact (on a TTY only)."""
    from agentcfg.cli import ui

    state: dict[str, Any] = {"aid": None, "advance": None, "done": 0}

    def report(aid: str, done: int, total: int) -> None:
        if state["aid"] != aid:
            if total < 2:
                return  # a single file: nothing worth a bar
            state.update(aid=aid, done=0, advance=stack.enter_context(ui.progress(f"hashing {aid}", total)))
        if done > state["done"]:
            state["advance"](done - state["done"])
            state["done"] = done

    return report


@app.command(epilog="Examples: agentcfg lock · agentcfg lock --check   # in CI: exit 1 when stale")
def lock(
    ctx: typer.Context,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the lock is stale, naming each "
                               "stale artefact."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS", min=0,
                               help="When another agentcfg is writing in this repository, wait up to SECONDS "
                                    "for it (a CI queue) instead of failing at once."),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Resolve and hash every artefact into agentcfg.lock (code refs → commits, data → content
    digests, every environment's root digest).

    The file is deterministic: locking twice, or on a fresh clone, gives the same bytes.
    Exit 0 when written (or, with --check, fresh), 1 when --check finds it stale, 2 on errors.
    """
    from agentcfg.cli import ui
    from agentcfg.lockfile import FIX_COMMAND, LOCK_FILE
    from agentcfg.lockfile import lock as do_lock

    with ExitStack() as stack:
        result = do_lock(".", check=check, progress=_progress_bars(stack), wait=wait)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
    elif check:
        if result.fresh:
            ui.note(f"[green]{LOCK_FILE} is up to date[/] ({len(result.lock['artefacts'])} artefacts)")
        else:
            for entry in result.stale:
                ui.line(f"[red]stale[/]  {ui.escape(entry.describe())}")
            n = len(result.stale)
            ui.note(f"[red]{LOCK_FILE} is stale[/] ({n} change{'s' * (n != 1)}); fix: `{FIX_COMMAND}` and commit "
                    f"{LOCK_FILE}")
    else:
        for entry in result.stale:
            ui.line(f"updated  {ui.escape(entry.describe())}")
        if result.written:
            ui.note(f"wrote {LOCK_FILE} ({len(result.lock['artefacts'])} artefacts, "
                    f"{len(result.lock['environments'])} environments)")
        else:
            ui.note(f"{LOCK_FILE} is already up to date")
    raise typer.Exit(1 if check and not result.fresh else 0)


@app.command(epilog="Examples: agentcfg verify · agentcfg verify production --format json")
def verify(
    ctx: typer.Context,
    env: Optional[str] = typer.Argument(None, metavar="[ENV]",
                                        help="Verify releases/ENV.json against its digest, or an oci:// reference.",
                                        autocompletion=complete_environment),
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
    plain_http: bool = typer.Option(False, "--plain-http",
                                    help="For an oci:// ENV on localhost, 127.0.0.1 or [::1]: HTTP without TLS."),
) -> None:
    """Check that the working tree still matches agentcfg.lock (every file is read again: this
    catches edits that were not locked and tampered data) and that every attestation is
    well-formed and unedited, or with ENV that releases/ENV.json matches its own digest. ENV may
    also be oci://REGISTRY/REPOSITORY:TAG (or @sha256:...): the published release is pulled and
    checked (layer digest, root digest).

    Exit 0 when everything matches, 1 on drift or tampering, 2 when there is nothing to verify.
    """
    from agentcfg.cli import ui
    from agentcfg.verification import verify as do_verify

    if env is not None and env.startswith("oci://"):
        from agentcfg.cli.cmd_oci import verify_ref

        verify_ref(ctx, env, fmt, plain_http)

    result = do_verify(".", env=env)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
    else:
        for problem in result.problems:
            ui.line(f"[red]drift[/]  {ui.escape(problem.describe())}")
        for att in result.attestations:
            for text in att.problems:
                ui.line(f"[red]invalid[/]  {ui.escape(att.path)}: {ui.escape(text)}")
        if result.attestations and all(a.ok for a in result.attestations):
            ui.note(f"{len(result.attestations)} attestation(s) well-formed and unedited")
        if result.ok:
            ui.note(f"[green]verified[/] {ui.escape(result.target)} ({ui.escape(result.digest or '-')})")
        else:
            fix = ("restore it from git or roll back" if env else
                   "lock the change (`agentcfg lock`) or restore the files from git"
                   + (" (attestations: restore them from git; `agentcfg attest` again to re-measure)"
                      if any(not a.ok for a in result.attestations) else ""))
            ui.note(f"[red]{ui.escape(result.target)} does not match[/]; {fix}")
    raise typer.Exit(0 if result.ok else 1)
