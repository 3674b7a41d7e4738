"""Machine-written files on disk: JSON read strictly (no NaN, no lone surrogates, a clear error
naming the file) and any file written atomically (temp file in the same folder, fsync, rename).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def load_json(data: bytes, origin: str, what: str, hint: str) -> Any:
    """Strict JSON for files agentcfg reads back (locks, releases): UTF-8, no NaN/Infinity, no
    numbers that overflow to infinity, no lone surrogates, bounded nesting. Anything else is an
    AgentcfgError naming the file, never a crash (hand-edited files reach this in incidents)."""
    from agentcfg.errors import AgentcfgError, Location

    try:
        obj = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AgentcfgError(f"{what} is not valid JSON ({exc})", location=Location(origin, getattr(exc, "lineno", 0)),
                            hint=hint) from None
    except RecursionError:
        raise AgentcfgError(f"{what} is nested too deeply to be one", location=Location(origin), hint=hint) from None
    # JSON's \\ud800 escapes can spell a lone surrogate, which no digest or output can encode.
    # Only such an escape can (UTF-8 bytes cannot hold a surrogate), so one scan of the bytes
    # spares re-encoding a 3 MB release on every read.
    if not _SURROGATE_ESCAPE.search(data):
        return obj
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise AgentcfgError(f"{what} holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)",
                            location=Location(origin), hint=hint) from None
    except RecursionError:  # pragma: no cover - the parser's own limit is lower
        raise AgentcfgError(f"{what} is nested too deeply to be one", location=Location(origin), hint=hint) from None
    return obj


def _refuse_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; canonical JSON (and every other parser) does not.
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400 overflows to infinity, which no digest can be computed over
        raise ValueError(f"{text} is out of range")
    return value


def atomic_write(path: Path, content: str | bytes, *, cache: bool = False) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the new one, never a torn one.

    The temp file lives in the target's folder so ``os.replace`` is a same-filesystem rename.
    A failpoint (AGENTCFG_FAILPOINT) lets the crash tests stop the process at either side of
    the rename. ``cache=True`` (files under `.agentcfg/cache/`, which may be lost at no cost)
    skips the fsyncs and the failpoints, which belong to the files users rely on.
    """
    from agentcfg import failpoints

    durable = not cache
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if durable:
            failpoints.hit("before-rename")
        os.replace(tmp, path)
        if durable:
            failpoints.hit("after-rename")
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        _fsync_dir(path.parent)


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; new files get 0o666 minus the umask (mkstemp uses 0o600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    # The rename itself is durable only once the directory entry is flushed (POSIX).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
