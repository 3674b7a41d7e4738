"""Deterministic crash points for the crash-safety tests.

``AGENTCFG_FAILPOINT=before-rename`` (or ``after-rename``, ``before-commit``, ``after-commit``)
makes the process SIGKILL itself when it reaches that point, so tests can prove that a crash
at any moment leaves the old file or the new one. Unset in normal use: a dict lookup, no cost.
"""

from __future__ import annotations

import os
import signal


def hit(name: str) -> None:
    wanted = os.environ.get("AGENTCFG_FAILPOINT")
    if wanted and wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)
