"""Canonical JSON, digests, and deterministic atomic writes.

A digest is ``sha256:<64 hex>`` over the canonical JSON of a value: keys sorted, no
insignificant whitespace, UTF-8, no NaN. Machine-written files use a *pretty* but equally
deterministic form (sorted keys, 2-space indent, ``\\n`` endings, final newline) and are written
atomically: temp file in the same folder, fsync, ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from agentcfg.errors import UsageError

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]+")
MIN_PREFIX = 7


def canonical_json(value: Any) -> str:
    """Compact canonical JSON: the bytes every digest is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def pretty_json(value: Any) -> str:
    """Deterministic human-readable JSON for files we write (sorted, 2-space, final newline).

    Exactly ``json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)``
    plus a newline. With ``indent`` the standard library uses its pure-Python generator encoder
    (its C encoder is compact-only), ~0.12 s for a large release file; :func:`_pretty` builds
    the same text about twice as fast. Anything it does not handle itself (keys that
    are not strings, non-JSON types) goes to ``json.dumps``, which decides.
    """
    out: list[str] = []
    try:
        _pretty(value, out, "\n")
    except _NotPlain:
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    out.append("\n")
    return "".join(out)


class _NotPlain(Exception):
    pass


_encode_str = json.encoder.encode_basestring  # the C encoder when available, as json.dumps uses


def _pretty(value: Any, out: list[str], nl: str) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_str(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        for key in sorted(value):  # mixed key types raise TypeError, as json.dumps would
            if type(key) is not str:
                raise _NotPlain
            out.append(sep)
            out.append(_encode_str(key))
            out.append(": ")
            _pretty(value[key], out, inner)
            sep = "," + inner
        out.append(nl + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _pretty(item, out, inner)
            sep = "," + inner
        out.append(nl + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float and math.isfinite(value):
        out.append(float.__repr__(value))
    else:  # NaN/infinity (refused), tuples, subclasses: the standard library's rules apply
        raise _NotPlain


def digest_bytes(data: bytes) -> str:
    return PREFIX + hashlib.sha256(data).hexdigest()


def digest_text(text: str) -> str:
    """Digest of text after normalising line endings to ``\\n`` (prompt templates)."""
    return digest_bytes(normalise_newlines(text).encode("utf-8"))


def digest_value(value: Any) -> str:
    """Digest of a JSON-able value over its canonical JSON."""
    return digest_bytes(canonical_json(value).encode("utf-8"))


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def short(digest: str | None, n: int = 12) -> str:
    """``sha256:abcdef…`` → ``abcdef123456`` for tables."""
    if not digest:
        return "-"
    return digest.removeprefix(PREFIX)[:n]


def parse_digest_ref(text: str) -> str:
    """Normalise a digest the user typed: full, with or without ``sha256:``, or a prefix (≥7 hex).

    Returns the bare lower-case hex (full or prefix). Raises UsageError on anything else.
    """
    raw = text.strip().lower().removeprefix(PREFIX)
    if not _HEX.fullmatch(raw) or not (MIN_PREFIX <= len(raw) <= 64):
        raise UsageError(
            f"'{text}' is not a digest",
            hint="give sha256:<64 hex>, the bare hex, or a unique prefix of at least 7 hex digits",
        )
    return raw


def digest_matches(digest: str, ref_hex: str) -> bool:
    """Whether a full digest starts with the hex given by :func:`parse_digest_ref`."""
    return digest.removeprefix(PREFIX).startswith(ref_hex)


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
