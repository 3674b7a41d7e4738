"""Numbers that JSON cannot carry exactly between languages: NaN, infinities, integers beyond 2^53.

Digests are computed over RFC 8785 (JCS) bytes, where every number is an IEEE double, as in
JavaScript. YAML happily reads `.nan`, `.inf` and `12345678901234567890`; hashing them would mean
refusing the config at `lock` with no location, or (in a runtime that parses the release with
doubles) silently rounding the integer. So `validate` names each one where it was written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from agentcfg.canonical import MAX_SAFE_INTEGER
from agentcfg.checks.scope import unsettled
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
    """One C-speed pass rules out nearly every manifest: no NaN/infinity and no 16-digit run.

    ASCII output (escapes never add an ASCII digit to a run) encodes to bytes at copying speed;
    without the circular-reference bookkeeping a structure that holds itself recurses instead.
    """
    try:
        text = json.dumps(raw, allow_nan=False, default=str, check_circular=False)
    except (ValueError, RecursionError):
        return True  # NaN or an infinity, or something json cannot write: walk to find it
    return _LONG_INT in text.encode("ascii").translate(_DIGITS_TO_ZERO)


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
