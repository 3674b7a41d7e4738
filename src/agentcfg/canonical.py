"""Canonical JSON, digests, and deterministic atomic writes.

A digest is ``sha256:<64 hex>`` over the RFC 8785 (JSON Canonicalization Scheme, JCS) bytes of a
value: object keys sorted by their UTF-16 code units, no insignificant whitespace, numbers as
ECMAScript writes them (``1.0`` → ``1``, ``1e-07`` → ``1e-7``), strings with only the escapes
JSON requires, UTF-8. Any language's JCS library computes the same bytes, so a runtime in
TypeScript or Go can verify a release without re-implementing Python's ``json`` module. Numbers
JSON cannot carry exactly across languages (integers beyond 2^53, NaN, infinities) are refused.

Machine-written files use a *pretty* but equally deterministic form (sorted keys, 2-space
indent, ``\\n`` endings, final newline: :mod:`agentcfg.jsonwrite`) and are written atomically
(:mod:`agentcfg.diskio`): temp file in the same folder, fsync, ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from agentcfg.errors import UsageError
from agentcfg.jsonwrite import _compact_by_orjson, _encode_str, _number_spans

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]+")
MIN_PREFIX = 7


class NotCanonical(ValueError):
    """A value RFC 8785 cannot serialise exactly: NaN, an infinity, an integer beyond 2^53, a non-JSON type."""


MAX_SAFE_INTEGER = 2**53
"""Integers up to this magnitude are exact IEEE doubles, the only numbers JCS (and JavaScript) has."""

# Python's compact, sorted json.dumps is already the JCS text but for numbers and the order of
# some keys. Strings are escaped alike (only `"`, `\\`, and controls: the short escapes or
# lower-case \\u00xx) and ints up to 15 digits print alike. Floats do not (Python writes `1.0`,
# `1e-07`; ECMAScript `1`, `1e-7`) and ints of 16+ digits may lie beyond 2^53, so the C encoder's
# bytes are kept and only those tokens are rewritten. Finding them must not cost a regex pass
# over megabytes (that alone is ~40% of the encoding): every digit is mapped to `0` in one
# `bytes.translate`, then `0.`, `0e` and sixteen `0`s are found with `bytes.find` (memchr speed).
# In compact JSON a number follows `:`, `[` or `,` and precedes `,`, `]` or `}`; the same text
# can occur inside a string, so a candidate is a number only when an even count of unescaped
# quotes precedes it. On a 2.4 MB config this costs ~1.1x the plain encoder (the pure-Python
# serialiser :func:`_jcs`, ~5x, runs only for the rare key-order case below).
_NUMBER_END = frozenset(b",]}")
_NUMBER_AFTER = frozenset(b":[,")


# json.dumps builds an encoder per call with these options; a config encodes thousands of values.
_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_bytes(value: Any, *, plain: bool = False) -> bytes:
    """The RFC 8785 (JCS) bytes of ``value`` (UTF-8): what every digest is computed over.

    Raises :class:`NotCanonical` for NaN, infinities, integers beyond 2^53 and non-JSON types.
    ``plain``: the caller vouches that ``value`` is plain JSON data with finite numbers (what
    ``json.loads`` or ``model_dump(mode="json")`` of a parsed manifest give): orjson may then
    write the compact text, ~8x faster (see :func:`_compact_by_orjson`).
    """
    data = _compact_by_orjson(value) if plain else None
    if data is None:
        try:
            data = _COMPACT.encode(value).encode("utf-8")
        except (ValueError, TypeError) as exc:
            raise NotCanonical(str(exc)) from None
        except UnicodeEncodeError:
            raise NotCanonical("a string holds an unpaired UTF-16 surrogate") from None
    if _utf16_order_differs(data) or data[:1] not in (b"{", b"["):
        out: list[str] = []
        _jcs(value, out)
        return "".join(out).encode("utf-8")
    return _fix_numbers(data)


def canonical_object(members: dict[str, bytes]) -> bytes:
    """The JCS bytes of an object whose members' values are given as their JCS bytes.

    Equal to ``canonical_bytes({k: v ...})`` for the values those bytes encode: a config's
    artefacts are each encoded once for their digests, and their section is these bytes joined.
    """
    try:
        return b"{" + b",".join(_encode_str(key).encode("utf-8") + b":" + members[key]
                                for key in sorted(members, key=_utf16_key)) + b"}"
    except (TypeError, AttributeError):
        raise NotCanonical("an object key is not a string") from None
    except UnicodeEncodeError:
        raise NotCanonical("a string holds an unpaired UTF-16 surrogate") from None


def canonical_json(value: Any) -> str:
    """:func:`canonical_bytes` as text."""
    return canonical_bytes(value).decode("utf-8")


def _utf16_order_differs(data: bytes) -> bool:
    """Whether sorting keys by code point (Python) may differ from sorting by UTF-16 units (JCS).

    Only a character beyond the BMP (UTF-8 lead byte F0-F4; a surrogate pair in UTF-16, which
    sorts below U+E000) against one in U+E000-U+FFFF (lead byte EE or EF) orders differently.
    """
    return ((b"\xee" in data or b"\xef" in data)
            and any(lead in data for lead in (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")))


def _fix_numbers(data: bytes) -> bytes:
    parts: list[bytes] = []
    done = 0  # data[:done] is copied to parts
    for start, end in _number_spans(data, (b"0.0", b"0e-", b"0e+", b"0" * 16), _NUMBER_AFTER, _NUMBER_END):
        token = data[start:end].decode("ascii")  # Python writes floats as 1.5, 1e-07, 1e+16
        if "." in token or "e" in token:
            canon = es_number(float(token))
        elif abs(int(token)) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"integer {token} is beyond 2^53: JSON numbers are IEEE doubles and would round it")
        else:
            continue
        parts.append(data[done:start])
        parts.append(canon.encode("ascii"))
        done = end
    if not parts:
        return data
    parts.append(data[done:])
    return b"".join(parts)


def legacy_canonical_json(value: Any) -> str:
    """The canonical JSON of format 1 locks and releases (Python's compact sorted ``json.dumps``).

    Only to verify a format 1 release before restoring it (a rollback during an incident must
    still reach the releases written before JCS); nothing new is ever hashed this way.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _jcs(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_str(value))
    elif kind is dict:
        sep = "{"
        for key in sorted(value, key=_utf16_key) if value else ():
            if type(key) is not str:
                raise NotCanonical(f"object key {key!r} is not a string")
            out.append(sep)
            out.append(_encode_str(key))
            out.append(":")
            _jcs(value[key], out)
            sep = ","
        out.append("{}" if not value else "}")
    elif kind is list or kind is tuple:
        sep = "["
        for item in value:
            out.append(sep)
            _jcs(item, out)
            sep = ","
        out.append("[]" if not value else "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"integer {value} is beyond 2^53: JSON numbers are IEEE doubles and would round it")
        out.append(int.__repr__(value))
    elif kind is float:
        out.append(es_number(value))
    else:
        raise NotCanonical(f"{kind.__name__} is not a JSON value")


def es_number(value: float) -> str:
    """ECMAScript's Number::toString for a finite double (RFC 8785 §3.2.2.3).

    Python's ``repr`` and ECMAScript both print the shortest digit string that reads back as the
    same double, so only the layout differs: ECMAScript writes integers up to 1e21 in full,
    decimals down to 1e-6 in positional form, and otherwise ``d.ddde±n`` without a leading zero
    in the exponent.
    """
    if not math.isfinite(value):
        raise NotCanonical(f"{value} is not a JSON number")
    if value == 0:
        return "0"  # also -0.0
    text = float.__repr__(abs(value))
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    # point: where the decimal point sits relative to the first significant digit (value = 0.digits × 10^point)
    point = len(whole) + int(exp or 0) - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0")
    k = len(digits)
    sign = "-" if value < 0 else ""
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    e = point - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))


def digest_bytes(data: bytes) -> str:
    return PREFIX + hashlib.sha256(data).hexdigest()


def digest_text(text: str) -> str:
    """Digest of text after normalising line endings to ``\\n`` (prompt templates)."""
    return digest_bytes(normalise_newlines(text).encode("utf-8"))


def digest_value(value: Any, *, plain: bool = False) -> str:
    """Digest of a JSON-able value over its RFC 8785 canonical JSON (raises :class:`NotCanonical`).
    ``plain``: as for :func:`canonical_bytes`."""
    return digest_bytes(canonical_bytes(value, plain=plain))


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


# Machine-written files moved to agentcfg.diskio; these names stay importable from here, where
# callers have always found them.
from agentcfg.diskio import atomic_write, load_json  # noqa: E402,F401
# The JSON agentcfg writes for people and for its caches lives in agentcfg.jsonwrite; these
# names stay importable from here, where callers have always found them.
from agentcfg.jsonwrite import compact_json, pretty_json  # noqa: E402,F401
