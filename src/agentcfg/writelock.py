"""One agentcfg writer at a time per repository: an exclusive lock file naming its owner.

``.agentcfg/writer.lock`` is created with O_EXCL and holds the owner's pid, host, command and
start time. A second writer fails at once (exit 2) saying who holds it; a lock whose pid is dead
on this host is stale and is taken over, and the message explains how to clear one by hand.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from agentcfg.errors import BusyError


def _host() -> str:
    # platform is imported by typer already; socket only when it cannot tell.
    name = platform.node()
    if not name:
        import socket

        name = socket.gethostname()
    return name

LOCK_NAME = "writer.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def writer_lock(state_dir: Path, command: str | None = None) -> Iterator[None]:
    """Hold the repository's writer lock for the duration of the block."""
    from agentcfg.project import ensure_state_dir

    ensure_state_dir(state_dir)
    path = state_dir / LOCK_NAME
    owner = {
        "pid": os.getpid(),
        "host": _host(),
        "command": command or " ".join(["agentcfg", *sys.argv[1:]])[:200],
        "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    for attempt in (1, 2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            held = _read(path)
            if attempt == 1 and held is not None and _stale(held):
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                continue
            who = (f"pid {held.get('pid')} on {held.get('host')}, `{held.get('command')}`, since {held.get('since')}"
                   if held else "unknown owner")
            raise BusyError(
                f"another agentcfg is running ({who})",
                hint=f"wait for it to finish; if no agentcfg is running, delete {path}",
            ) from None
        with os.fdopen(fd, "w") as fh:
            json.dump(owner, fh)
        break
    try:
        yield
    finally:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _read(path: Path) -> dict | None:  # type: ignore[type-arg]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _stale(held: dict) -> bool:  # type: ignore[type-arg]
    pid = held.get("pid")
    return held.get("host") == _host() and isinstance(pid, int) and not _alive(pid)
