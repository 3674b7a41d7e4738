"""Numbers that JSON cannot carry exactly between languages: NaN, infinities, integers beyond 2^53.

Digests are computed over RFC 8785 (JCS) bytes, where every number is an IEEE double, as in
JavaScript. YAML happily reads `12345678901234567890`; hashing it would mean refusing the config
at `lock` with no location, or (in a runtime that parses the release with doubles) silently
rounding the integer. So `validate` names each one where it was written (yamlio already refuses
`.nan` and `.inf` where it reads them; the walk still names any that reach it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from agentcfg.canonical import MAX_SAFE_INTEGER
from agentcfg.checks.scope import unsettled
from agentcfg.jsonwrite import compact_json
from agentcfg.manifest.loader import Loaded
from agentcfg.names import SECTIONS

_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_INT = b"0" * 16  # 2^53 has 16 digits: a shorter integer is always exact


def check(loaded: Loaded) -> None:
    raw = unsettled(loaded)
    if not _may_hold_one(raw):
        return
    for path, message in find_inexact_numbers(raw):
        aid = f"{path[0]}/{path[1]}" if len(path) >= 2 and (path[0] in SECTIONS or path[0] == "policies") else None
        loaded.finding("inexact-number", message, path, artefact=aid,
                       hint="JSON numbers are IEEE doubles in every language that loads a release: write a "
                            "number within ±2^53 (9007199254740992), or quote it as a string")


def _may_hold_one(raw: Any) -> bool:
    """One C-speed pass rules out nearly every manifest: no 16-digit run in its JSON.

    The manifest holds what yamlio parsed, and yamlio refuses NaN and infinities, so only
    integers can be out of range, and one beyond 2^53 has 16 digits. Escapes never add a digit
    to a run, and UTF-8 never encodes a character other than a digit with the bytes of one.
    """
    try:
        text = compact_json(raw, default=str)
    except (ValueError, TypeError, RecursionError):
        return True  # something JSON cannot write: walk to find it
    return _LONG_INT in text.translate(_DIGITS_TO_ZERO)


def find_inexact_numbers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (path, message) for every number inside ``value`` that RFC 8785 cannot carry exactly."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from find_inexact_numbers(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from find_inexact_numbers(v, path + (i,))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            yield path, f"integer {value} is beyond 2^53: JSON numbers are doubles and it would be rounded"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, f"{value} is not a JSON number (NaN and infinities cannot be hashed or loaded)"
