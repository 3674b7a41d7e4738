"""Console-script entry point, kept import-light.

`agentcfg --version` is answered here without importing typer, pydantic or rich (issue 8's
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
    sys.exit(main())
