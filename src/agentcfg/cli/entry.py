"""Console-script entry point, kept import-light.

`agentcfg --version` is answered here without importing typer, pydantic or rich (the performance target's
target: within 3x of `python -c pass`); everything else goes to the typer app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from agentcfg import __version__

        sys.stdout.write(f"agentcfg {__version__}\n")
        return 0
    from agentcfg.cli.app import main as app_main

    return app_main(args)


def run() -> None:
    # A command is a short-lived process that builds large acyclic structures (parsed YAML,
    # rendered configs of ~3 MB): the collector's passes over the whole growing heap cost
    # 15-20% of a cold `validate` or a first `diff` and find next to nothing. Young objects are
    # still collected (cycles are short-lived here: exceptions, temporary graphs); the full
    # collection waits for exit. Only the console script does this: library callers and
    # in-process tests keep Python's defaults.
    import gc

    gc.set_threshold(10_000, 10, 1_000_000)
    sys.exit(main())
