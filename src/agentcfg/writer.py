"""One agentcfg writer at a time per repository, held through the kernel.

``.agentcfg/writer.json`` is the mutex: a writer holds an exclusive ``flock`` on it, and the
kernel drops that hold when the process ends, however it ends (SIGKILL, a power cut of the
container, an OOM kill). Nothing is ever "stale", so there is no takeover and no check-then-act
race between two writers; a leftover file, empty or garbage, blocks nobody.

The holder writes its pid, host, command and start time into the file, for the "busy" message
only: the file's content decides nothing. The file is opened without truncation, so a waiting
writer never erases the details it is about to report.

``fcntl`` directly rather than the ``filelock`` package: filelock opens its lock file with
O_TRUNC on every attempt (each waiter would wipe the holder's details), and the part needed here
is a dozen lines of the standard library.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError, BusyError

MUTEX_FILE = "writer.json"
_POLL = 0.05  # seconds between attempts while --wait runs


def _host() -> str:
    # platform is imported by typer already; socket only when it cannot tell.
    name = platform.node()
    if not name:
        import socket

        name = socket.gethostname()
    return name


def _try_hold(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _release(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _owner(fd: int) -> dict[str, Any] | None:
    """The holder's details, or None while it has not written them yet (or wrote garbage)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(owner: dict[str, Any] | None) -> str:
    if owner is None:
        return "its details are not written yet"
    return (f"pid {owner.get('pid')} on {owner.get('host')}, `{owner.get('command')}`, "
            f"since {owner.get('since')}")


def _open(path: Path) -> int:
    # (Permission problems are the CLI's to explain, with the owner: agentcfg.oserrors.)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except IsADirectoryError as exc:
        raise AgentcfgError(f"{path} is a folder; agentcfg needs it to be a file",
                            hint=f"remove the folder {path}") from exc


@contextmanager
def exclusive_writer(state_dir: Path, command: str | None = None, *, wait: float = 0.0) -> Iterator[None]:
    """Be the repository's only agentcfg writer for the duration of the block.

    With ``wait`` > 0, a busy repository is retried for that many seconds (a CI queue) before
    :class:`BusyError`; with 0 the error is immediate.
    """
    from agentcfg.project import ensure_state_dir

    ensure_state_dir(state_dir)
    path = state_dir / MUTEX_FILE
    fd = _open(path)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while not _try_hold(fd):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                waited = f"; waited {wait:g} s" if wait > 0 else ""
                raise BusyError(
                    f"another agentcfg is running ({_describe(_owner(fd))}{waited})",
                    hint=f"wait for it to finish, or pass --wait SECONDS to queue behind it; the hold is "
                         f"the kernel's on {path} and ends with that process")
            time.sleep(min(_POLL, remaining))
        owner = {
            "pid": os.getpid(),
            "host": _host(),
            "command": command or " ".join(["agentcfg", *sys.argv[1:]])[:200],
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(owner).encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # the details belong to a holder; there is none after this
            _release(fd)
    finally:
        os.close(fd)


__all__ = ["MUTEX_FILE", "exclusive_writer"]
