"""Shell completion of values: environment names, tool formats, risk levels.

Completion runs on every <TAB>, in whatever folder the shell is in, so it reads as little as
it can (the manifest's `environments:` and the names of release files), honours `-C DIR`, and
never raises: a broken or missing manifest completes nothing rather than printing an error
into the user's command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

RISK_LEVELS = ("none", "low", "medium", "high", "critical")


def _folder(ctx: Any) -> Path:
    """The folder agentcfg would run in: `-C DIR` (given before the command) or the current one."""
    root = ctx.find_root() if ctx is not None else None
    directory = root.params.get("directory") if root is not None else None
    return Path(directory) if directory else Path(os.getcwd())


def environment_names(folder: Path) -> list[str]:
    """`environments:` of the manifest in ``folder`` (in path order), then any other environment
    that has a release file."""
    names: list[str] = []
    try:
        from agentcfg.yamlio import load

        data = load((folder / "agentcfg.yaml").read_bytes(), "agentcfg.yaml").data
        declared = data.get("environments") if isinstance(data, dict) else None
        names += [e for e in declared or [] if isinstance(e, str)]
    except Exception:  # noqa: BLE001 - completion must never fail the shell
        pass
    try:
        names += sorted(p.stem for p in (folder / "releases").glob("*.json") if p.stem not in names)
    except OSError:
        pass
    return list(dict.fromkeys(names))


def _matching(values: list[str] | tuple[str, ...], incomplete: str) -> list[str]:
    return [v for v in values if v.startswith(incomplete)]


def complete_environment(ctx: Any, incomplete: str) -> list[str]:
    return _matching(environment_names(_folder(ctx)), incomplete)


def complete_source(ctx: Any, incomplete: str) -> list[str]:
    """`promote SRC`: an environment, or HEAD (the usual revision); other revisions are typed."""
    return _matching([*environment_names(_folder(ctx)), "HEAD"], incomplete)


def complete_tools_format(incomplete: str) -> list[str]:
    from agentcfg.toolformats.exporting import EXPORT_FORMATS

    return _matching(EXPORT_FORMATS, incomplete)


def complete_risk(incomplete: str) -> list[str]:
    return _matching(RISK_LEVELS, incomplete)
