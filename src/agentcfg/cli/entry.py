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
    import os

    gc.set_threshold(10_000, 10, 1_000_000)
    # pydantic looks for plugins in the entry points of every installed distribution when it
    # builds its first model: ~25 ms per command in a CI virtualenv, paid by every command that
    # loads a manifest. agentcfg's models are internal and no plugin has anything to observe in
    # them. A user's own setting wins; the MCP SDK starts servers with a minimal environment,
    # so this reaches only git.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(main())
