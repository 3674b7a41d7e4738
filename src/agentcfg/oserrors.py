"""Problems of the machine agentcfg runs on, told as such: a file it may not read or write, a
read-only file system, a full disk. They are the user's environment, not a bug in agentcfg, so
they get the path, who owns it, and the fix.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from agentcfg.errors import AgentcfgError

_HANDLED = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _user(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def _owner_note(path: str) -> str:
    """", owned by alice (agentcfg runs as bob)" when that explains the refusal, else ""."""
    if not hasattr(os, "geteuid"):
        return ""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        owner = probe.stat().st_uid
    except OSError:
        return ""
    me = os.geteuid()
    return f" ({probe} is owned by {_user(owner)}; agentcfg runs as {_user(me)})" if owner != me else ""


def as_user_error(exc: OSError) -> AgentcfgError | None:
    """The :class:`AgentcfgError` that explains ``exc``, or None when it is not the environment's."""
    if exc.errno not in _HANDLED:
        return None
    path = exc.filename if isinstance(exc.filename, str) else None
    where = path or "a file"
    if exc.errno == errno.EROFS:
        return AgentcfgError(
            f"cannot write {where}: the file system is read-only",
            hint="run this command in a writable checkout; validate, lock --check, diff, render and verify "
                 "only read")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return AgentcfgError(f"cannot write {where}: no space left on the device (or over quota)",
                             hint="free some space and run again; nothing was half-written (writes are atomic)")
    note = _owner_note(path) if path else ""
    fix = (f"run agentcfg as the user who owns the repository, or give yourself access (`ls -ld {path}`, "
           f"then `chown`/`chmod`)" if path else "check the permissions of the repository's files")
    return AgentcfgError(f"permission denied: {where}{note}", hint=fix)


__all__ = ["as_user_error"]
