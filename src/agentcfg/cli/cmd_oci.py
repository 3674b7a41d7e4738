"""`agentcfg publish`, and the oci:// side of `render`, `verify` and `show`."""

from __future__ import annotations

from typing import Any, Optional

import typer

from agentcfg.cli.app import Format, app, output_format

PLAIN_HTTP = typer.Option(False, "--plain-http",
                          help="Talk HTTP without TLS, to a registry on localhost, 127.0.0.1 or [::1] only "
                               "(refused for any other host).")


@app.command(epilog="Examples: agentcfg publish production oci://registry.example.com/team/agents · "
             "agentcfg publish staging oci://localhost:5000/agents:staging --plain-http --format json")
def publish(
    ctx: typer.Context,
    env: str = typer.Argument(..., metavar="ENV", help="The environment whose committed release is published."),
    ref: str = typer.Argument(..., metavar="REF",
                              help="oci://REGISTRY/REPOSITORY[:TAG]; the tag defaults to ENV."),
    plain_http: bool = PLAIN_HTTP,
    fmt: Optional[Format] = typer.Option(None, "--format", help="Output format: text or json."),
) -> None:
    """Push ENV's release (releases/ENV.json, as committed) to an OCI registry as an artifact,
    tagged ENV (or REF's tag) and with the root digest's hex. Runtimes then load it with
    agentcfg.load("oci://REGISTRY/REPOSITORY:ENV"), or pin it by the manifest digest printed here.
    The environment, root digest, source commit, action and hold travel as annotations.

    Publishing a release the registry already holds is a no-op that says so. Credentials come
    from the Docker credential file and helpers (docker login), or from AGENTCFG_REGISTRY_USERNAME
    and AGENTCFG_REGISTRY_PASSWORD (CI); they are never printed or written.

    Exit 0 when published or unchanged, 1 when the release does not match its digest, 2 when it
    cannot be published (no release, uncommitted, registry unreachable or refusing).
    """
    from agentcfg.cli import ui
    from agentcfg.ocio import publish as do_publish

    result = do_publish(env, ref, root=".", plain_http=plain_http)
    if output_format(ctx, fmt) == "json":
        ui.print_json(result.to_dict())
        return
    if result.outcome == "unchanged":
        ui.line(f"unchanged: {ui.escape(result.ref)} already holds this release of {ui.escape(env)} "
                f"({result.digest}); nothing pushed")
    else:
        ui.line(f"published {ui.escape(env)} → {ui.escape(result.ref)}: {result.digest}")
    ui.note(f"  manifest {result.manifest_digest}; tags {', '.join(result.tags)}")
    ui.note(f"  pin it: {ui.escape(result.by_digest)}")
    if result.hold:
        ui.note(f"  {ui.escape(env)} is on hold (a rollback); the artifact says so")


def pulled(ref: str, plain_http: bool) -> Any:
    """The verified release at an oci:// reference (render, verify and show take one too)."""
    from agentcfg.cli import ui
    from agentcfg.ocio import pull

    found = pull(ref, plain_http=plain_http)
    if found.fallback:
        ui.note(f"[yellow]warning[/]: {ui.escape(found.fallback)}")
    return found


def verify_ref(ctx: typer.Context, ref: str, fmt: Any, plain_http: bool) -> None:
    from agentcfg.cli import ui

    found = pulled(ref, plain_http)
    if output_format(ctx, fmt) == "json":
        ui.print_json({"format_version": 1, "target": ref, "env": found.release.environment, "ok": True,
                       "digest": found.release.digest, "problems": [], "manifest_digest": found.manifest_digest,
                       "fallback": found.fallback})
    else:
        ui.note(f"[green]verified[/] {ui.escape(ref)} ({found.release.digest}; manifest {found.manifest_digest})")
    raise typer.Exit(0)


def render_ref(ref: str, plain_http: bool) -> tuple[str, str, dict[str, Any]]:
    """(environment, root digest, config) of the release at ``ref``."""
    found = pulled(ref, plain_http)
    return found.release.environment, found.release.digest, found.release.config


def show_ref(ctx: typer.Context, ref: str, fmt: Any, plain_http: bool) -> None:
    from agentcfg.canonical import pretty_json
    from agentcfg.cli import ui
    from agentcfg.secrets import redact

    found = pulled(ref, plain_http)
    release = redact(found.release.to_dict())
    if output_format(ctx, fmt) == "json":
        ui.print_json({"digest": found.release.digest, "release": release, "found": [],
                       "oci": {"ref": ref, "manifest_digest": found.manifest_digest,
                               "annotations": found.annotations, "fallback": found.fallback}})
        return
    ui.print_raw(pretty_json(release))
    ui.note(f"from {ui.escape(ref)} (manifest {found.manifest_digest})")
