"""The typer application, global options, and the one place errors become exit codes.

Command modules register themselves on :data:`app`; their bodies import the heavy parts of
agentcfg lazily, so ``agentcfg --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import copy
import os
import sys
from enum import Enum
from typing import Any, Optional

import typer

from agentcfg import __version__


class Format(str, Enum):
    text = "text"
    json = "json"


app = typer.Typer(
    name="agentcfg",
    help=(
        "Version AI-agent configurations the GitOps way.\n\n"
        "One manifest (agentcfg.yaml) pins code, data, models, prompts, tools, memory and "
        "orchestration; agentcfg validates it, locks it, diffs it with risk and blast radius, "
        "promotes it between environments and rolls it back, every step a git commit.\n\n"
        "Typical day:\n\n"
        "  agentcfg validate && agentcfg lock\n\n"
        "  agentcfg diff --fail-on critical          # in CI, on every pull request\n\n"
        "  agentcfg promote HEAD staging && agentcfg promote staging production\n\n"
        "  agentcfg rollback production --reason 'refunds misfiring'   # during an incident"
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"agentcfg {__version__}\n")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    directory: Optional[str] = typer.Option(
        None, "-C", metavar="DIR", help="Run as if agentcfg was started in DIR (like git -C)."
    ),
    fmt: Optional[Format] = typer.Option(
        None, "--format", help="Default output format for commands that print data (text|json)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if directory is not None:
        try:
            os.chdir(directory)
        except OSError as exc:
            from agentcfg.errors import UsageError

            raise UsageError(f"cannot use -C {directory}: {exc.strerror}") from None
    ctx.obj = {"format": fmt.value if fmt else None}


def output_format(ctx: typer.Context, local: Any) -> str:
    """The command's --format, else the global one, else text."""
    if local is not None:
        return str(getattr(local, "value", local))
    return (ctx.obj or {}).get("format") or "text"


def main(argv: list[str] | None = None) -> int:
    """Console entry point: run the app and map every outcome to an exit code."""
    from agentcfg.errors import AgentcfgError

    _register_commands()
    _degrade_unencodable_output()
    try:
        # Standalone mode: typer itself reports usage errors (exit 2) and --help; everything
        # else that escapes a command is ours to map.
        _only_the_command(argv)(args=argv, prog_name="agentcfg")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except AgentcfgError as exc:
        from agentcfg.cli import ui
        from agentcfg.secrets import redact_text

        ui.error(redact_text(str(exc)))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # `agentcfg history | head`: the reader left; not an error of ours. Both streams go to
        # /dev/null: with `2>&1 | head` the pipe is stderr's too, and the flush at exit would
        # fail again and turn this into exit 1.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):
                pass
        return 0
    except OSError as exc:
        from agentcfg.oserrors import as_user_error

        told = as_user_error(exc)
        if told is None:
            return _crash(exc)
        from agentcfg.cli import ui

        ui.error(str(told))
        return int(told.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        return _crash(exc)
    return 0


def _degrade_unencodable_output() -> None:
    # With an ASCII or Latin-1 stdout (LC_ALL=C without locale coercion, PYTHONIOENCODING=ascii,
    # a Windows console), printing '→' or a name in another script would raise
    # UnicodeEncodeError mid-output. Such characters are printed as escapes (\u2192) instead.
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding and not encoding.startswith("utf"):
            try:
                stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                pass


def _only_the_command(argv: list[str] | None) -> typer.Typer:
    """The app, with only the command ``argv`` starts with for typer to build.

    typer turns every registered command into a click command (signatures, annotations,
    parameters) before it looks at the arguments: ~10 ms of a rollback or history that must
    take under 400 ms. When the first argument is a command's exact name, the others
    cannot be reached, so a copy of the app without them runs. Anything else (global options
    first, `--help`, a group, a typo that deserves "did you mean", shell completion) gets the
    whole app.
    """
    words = argv if argv is not None else sys.argv[1:]
    if not words or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return app
    wanted = [c for c in app.registered_commands if _command_name(c) == words[0]]
    if len(wanted) != 1 or any(g.name == words[0] for g in app.registered_groups):
        return app  # (a group of that name would win in the whole app)
    only = copy.copy(app)  # the shared app is never changed: main() may run in several threads
    only.registered_commands, only.registered_groups = wanted, []
    return only


def _command_name(info: Any) -> str:
    # typer's own rule (typer.main.get_command_name): the given name, else the function's
    # name with underscores as dashes.
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def _crash(exc: BaseException) -> int:
    import traceback

    from agentcfg.secrets import redact_text

    if os.environ.get("AGENTCFG_DEBUG"):
        traceback.print_exc()
    else:
        sys.stderr.write(
            f"agentcfg: internal error: {type(exc).__name__}: {redact_text(str(exc))[:300]}\n"
            "This is a bug in agentcfg, not in your configuration. Please report it at "
            "https://github.com/agentcfg/agentcfg/issues with the command you ran "
            "(re-run with AGENTCFG_DEBUG=1 for the full traceback).\n"
        )
    return 2


_registered = False


def _register_commands() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    # Importing a command module registers its commands on `app` (bodies import lazily).
    from agentcfg.cli import cmd_manifest  # noqa: F401

    for optional in ("cmd_lock", "cmd_diff", "cmd_env", "cmd_tools", "cmd_evidence", "cmd_servers", "cmd_graph",
                     "cmd_oci"):
        try:
            __import__(f"agentcfg.cli.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"agentcfg.cli.{optional}":
                raise
