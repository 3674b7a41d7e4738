"""Semantic checks run by `validate` after the manifest is type-checked.

Each module checks one concern and appends findings to the :class:`~agentcfg.manifest.loader.Loaded`
it is given. They only read; none raises for a user mistake.
"""

from __future__ import annotations

from agentcfg.checks import files, graphs, numbers, prompts, references, secrets, servers, tools
from agentcfg.manifest.loader import Loaded

ALL = (references.check, prompts.check, tools.check, graphs.check, files.check, secrets.check, servers.check,
       numbers.check)


def run_all(loaded: Loaded) -> None:
    if loaded.manifest is None:
        return
    for check in ALL:
        check(loaded)
