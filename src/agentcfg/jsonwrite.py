"""JSON agentcfg writes: pretty text for the files people read (releases, locks), compact text
for its caches, and orjson, the fast writer of both where its output is exactly the json module's.

This is the one place agentcfg imports orjson. :mod:`agentcfg.canonical` (RFC 8785 bytes and
digests) takes its compact text from here when a caller vouches its value is plain JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NUMBER_BYTES = frozenset(b"0123456789.e+-")
_encode_str = json.encoder.encode_basestring  # the C encoder when available, as json.dumps uses


def _compact_by_orjson(value: Any) -> bytes | None:
    """The compact, key-sorted JSON the json module writes for ``value``, but for the layout of
    floats, written by orjson; None when orjson is missing or refuses the value.

    The layout of floats does not matter: :func:`_fix_numbers` rewrites every float as
    ECMAScript does, from its value, and every float orjson writes holds ``.`` followed by a
    digit, ``e-`` or ``e+`` (it finds them all). Keys are sorted by code point and strings
    escaped as the json module does. orjson writes NaN and infinities as ``null`` (hence the
    caller's vow, which also excludes Enum members: orjson writes their value), and what else
    it would write where the json module refuses (dataclasses, dates, subclasses of str and int)
    is passed through to raise here instead. What it refuses
    (keys that are not strings, integers beyond 64 bits, lone surrogates, deep nesting) is left
    to the json module, which decides as before.
    """
    orjson = _orjson()
    if orjson is None:
        return None
    try:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
                            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:
        return None
    # orjson's bytes keep the whole buffer it wrote into (~4 KB however short the text): a
    # config's thousands of artefacts, each encoded and kept, held ~16 MB more on M. A short
    # text is copied into bytes of its own size.
    return memoryview(data).tobytes() if len(data) < _COPY_BELOW else data


_COPY_BELOW = 64 * 1024


def _orjson() -> Any:
    """orjson (the one place agentcfg imports it), or None on a Python it has no wheel for: the
    json module then writes everything, as fast as it can."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - CPython has wheels on every platform agentcfg supports
        return None
    return orjson


def compact_json(value: Any, *, default: Any = None) -> bytes:
    """Compact JSON (UTF-8) of ``value`` in its own key order, for what agentcfg writes under
    ``.agentcfg/cache/`` and reads back with ``json.loads``.

    orjson writes it about 10x faster than the standard library. It may lay a float out
    differently (``1e-7`` for ``1e-07``) but writes the same value, and it refuses what it
    cannot write exactly (keys that are not strings, integers beyond 64 bits, lone surrogates):
    the standard library writes those. It would write NaN and infinities as ``null``, so callers
    pass values that hold none: documents as yamlio parses them (it refuses non-finite numbers),
    rendered configs (canonical JSON has none), and the answers and digests memos record.
    ``default``: called for objects JSON has no type for.
    """
    orjson = _orjson()
    if orjson is not None:
        try:
            return bytes(orjson.dumps(value, default=default))
        except TypeError:
            pass
    return json.dumps(value, separators=(",", ":"), default=default).encode("ascii")
def _number_spans(data: bytes, needles: tuple[bytes, ...], after: frozenset[int],
                  ends: frozenset[int]) -> list[tuple[int, int]]:
    """(start, end) of every number of the JSON text ``data`` that holds one of ``needles`` once
    its digits are mapped to ``0``, in order: a number follows a byte of ``after`` and precedes
    one of ``ends``, outside strings (an even count of unescaped quotes precedes it). Linear
    time: the needles are found at memchr speed, each run of number bytes is scanned once, and
    quotes are counted once from left to right."""
    zeros = data.translate(_DIGITS_TO_ZERO)
    starts: set[int] = set()
    for needle in needles:
        at = zeros.find(needle)
        while at != -1:
            start = at
            while start > 0 and zeros[start - 1] in b"0-":
                start -= 1
            starts.add(start)
            at += len(needle)
            while at < len(zeros) and zeros[at] in _NUMBER_BYTES:
                at += 1
            at = zeros.find(needle, at)
    if not starts:
        return []
    escapes = b"\\" in data
    quotes = data.replace(b"\\\\", b"\0\0") if escapes else data  # now `\"` is an escaped quote
    spans: list[tuple[int, int]] = []
    counted = done = 0  # quotes[:counted] has been counted; data[:done] is covered by a span
    inside = False
    for start in sorted(starts):
        end = start
        while end < len(data) and data[end] in _NUMBER_BYTES:
            end += 1
        if start == 0 or data[start - 1] not in after or end == len(data) or data[end] not in ends:
            continue
        opened = quotes.count(b'"', counted, start) - (quotes.count(b'\\"', counted, start) if escapes else 0)
        inside ^= opened & 1 == 1
        counted = start
        if inside or start < done:
            continue
        spans.append((start, end))
        done = end
    return spans
def pretty_json(value: Any, *, plain: bool = False) -> str:
    """Deterministic human-readable JSON for files we write (sorted, 2-space, final newline).

    Exactly ``json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)``
    plus a newline. With ``indent`` the standard library uses its pure-Python generator encoder
    (its C encoder is compact-only), ~0.12 s for a large release file; :func:`_pretty` builds
    the same text about twice as fast. Anything it does not handle itself (keys that
    are not strings, non-JSON types) goes to ``json.dumps``, which decides.

    ``plain``: the caller vouches that ``value`` is plain JSON data with finite numbers (a
    rendered config, whose digest was computed, or a lock): orjson may then write it, ~10x
    faster still.
    """
    if plain and isinstance(value, (dict, list)):
        fast = _pretty_by_orjson(value)
        if fast is not None:
            return fast
    out: list[str] = []
    try:
        _pretty(value, out, "\n")
    except _NotPlain:
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    out.append("\n")
    return "".join(out)


class _NotPlain(Exception):
    pass


def _pretty_by_orjson(value: dict[str, Any] | list[Any]) -> str | None:
    """:func:`pretty_json`'s text, written by orjson; None when orjson is missing or refuses the
    value (keys that are not strings, integers beyond 64 bits, lone surrogates, deep nesting).

    orjson's pretty layout is the json module's (``": "``, two spaces, ``[]``/``{}`` when empty,
    keys sorted by code point, the same escapes with non-ASCII text written as it is), except
    for floats: it writes ``1e-7`` and ``0.000025`` where Python writes ``1e-07`` and
    ``2.5e-05``. Every float it writes holds a ``.`` or an ``e``, so each is found (outside
    strings, as in :func:`_fix_numbers`) and written as ``float.__repr__`` writes it.
    """
    orjson = _orjson()
    if orjson is None:
        return None
    try:
        data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
                            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
                            | orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:
        return None
    parts: list[bytes] = []
    done = 0
    for start, end in _number_spans(data, (b"0.", b"0e"), _PRETTY_AFTER, _PRETTY_END):
        token = data[start:end]
        python = float.__repr__(float(token)).encode("ascii")
        if python != token:
            parts += (data[done:start], python)
            done = end
    if parts:
        parts.append(data[done:])
        data = b"".join(parts)
    return data.decode("utf-8")


_PRETTY_AFTER = frozenset(b" ")  # `"key": 1.5` and an array's indented items
_PRETTY_END = frozenset(b",\n")




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
