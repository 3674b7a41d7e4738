"""The JSON fast path: a document whose text is a JSON object is read with :func:`json.loads`.

JSON is (nearly) a subset of YAML 1.2, and tool schemas are often JSON text in ``.yaml`` files;
``json.loads`` reads them in C, an order of magnitude faster than folding libyaml's events in
Python. It may only give what the YAML path gives, so it declines (returns ``None``, and the YAML
path decides) wherever the two readings could part:

* characters YAML refuses or reads as line breaks (C0/C1 controls, tabs, NEL, LS/PS, BOM,
  U+FFFE/U+FFFF) and surrogate escapes (lone ones are refused by the YAML path; pairs are left
  to it too);
* ``NaN``/``Infinity`` (YAML reads those as strings) and numbers that overflow to infinity;
* duplicate keys (refused by the YAML path, last-one-wins in JSON): every ``:`` outside a
  string separates one member, and JSON written back from the data holds one ``:`` per member
  it kept and never escapes one inside a string, so the two counts differ exactly when a key
  was dropped (a text spelling a colon as ``\u003a`` is declined, so its strings hold the
  colons it shows);
* a key that YAML's scanner would not take as a simple key: whitespace before its ``:``, or a
  key written with more than 80 characters (YAML limits a simple key to 1,024 source
  characters);
* more values than ``MAX_NODES`` or nesting deeper than ``MAX_DEPTH``, so the YAML path refuses
  them with its message and position; ``json.loads`` itself recursing too deep is a decline too.

Tested differentially against the YAML path (tests/test_yamlio_json_path.py).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from agentcfg.jsonwrite import compact_json
from agentcfg.yamlio import MAX_DEPTH, MAX_NODES

# Whatever YAML reads differently from JSON, or refuses: characters outside the printable set
# both accept, surrogate escapes, whitespace between a key and its colon. Three searches, not one
# alternation: a single character class scans several times faster.
_ODD_CHAR = re.compile("[^\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")
_SPACED_COLON = re.compile(r'"[ \r\n]+:')
_OBJECT = re.compile(r"[ \r\n]*\{")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ESCAPED_COLON = re.compile(r"\\u003[aA]")
# A key written with more than 80 characters: a run without quotes that ends in `":` is a key's
# text unless the key holds an escaped quote, and a key that does is declined whatever its length
# (single character classes: an alternation per character costs five times the scan).
_LONG_KEY = re.compile(r'"[^"]{81,}":')
_QUOTE_IN_KEY = re.compile(r'\\"[^"]*":')


class _Decline(Exception):
    pass


def is_object_text(text: str) -> bool:
    """Whether ``text`` starts (after blank space) like a JSON object."""
    return _OBJECT.match(text) is not None


def load_object(text: str) -> dict[str, Any] | None:
    """The data of a JSON object text exactly as the YAML path reads it, or ``None`` (decline)."""
    if (not is_object_text(text) or _ODD_CHAR.search(text) or _SURROGATE_ESCAPE.search(text)
            or _SPACED_COLON.search(text) or _ESCAPED_COLON.search(text) or _LONG_KEY.search(text)
            or _QUOTE_IN_KEY.search(text)):
        return None
    containers = text.count("{") + text.count("[")
    if 1 + text.count(",") + containers > MAX_NODES:  # values <= root + commas + one per container
        return None
    try:
        # Objects are built in C (no hook per object): duplicates are found by counting colons.
        data = json.loads(text, parse_float=_float, parse_constant=_constant)
        if text.count(":") != compact_json(data).count(b":"):
            return None
    except (_Decline, ValueError, RecursionError):
        return None
    if containers > MAX_DEPTH and _nesting(text) > MAX_DEPTH:
        return None
    return data if type(data) is dict else None


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Decline
    return value


def _constant(text: str) -> Any:
    raise _Decline


def _nesting(text: str) -> int:
    """The deepest bracket nesting of a valid JSON text (strings removed first)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
