"""canonical_bytes(plain=True) lets orjson write the compact text; the bytes (what every digest
is computed over) are the json module's path's, byte for byte, on every plain value, and what
orjson cannot write exactly is left to that path."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg.canonical import NotCanonical, canonical_bytes
from agentcfg.jsonwrite import _compact_by_orjson

# Keys and strings across the orders JCS cares about (astral characters against U+E000-U+FFFF),
# escapes, and text that looks like numbers.
CHARS = st.sampled_from(list('0123456789.e+-E "\\:,[]{}\n\t\x00\x1f\x7f/éあ\ue000\uffff😀𝄞\u2028ab'))
TEXT = st.text(alphabet=CHARS, max_size=12)
FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-7, 2.5e-05, 1e16, 1e21, 1e22, 5e-324, -0.0, 0.1, 123456789.0, 1.7976931348623157e308, 9007199254740993.0])
INTS = st.integers(min_value=-(2**53), max_value=2**53) | st.sampled_from([2**53 + 1, -(2**60), 2**64 - 1, 2**70])
LEAVES = TEXT | FLOATS | INTS | st.none() | st.booleans()
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=5),
                      max_leaves=30)


def both(value: Any) -> tuple[Any, Any]:
    out = []
    for plain in (False, True):
        try:
            out.append(canonical_bytes(value, plain=plain))
        except NotCanonical as exc:
            out.append(("refused", str(exc).split(":")[0]))
    return out[0], out[1]


@settings(max_examples=4000, deadline=None)
@given(VALUES)
def test_plain_values_give_the_same_bytes(value: Any) -> None:
    reference, fast = both(value)
    if isinstance(reference, bytes):
        assert fast == reference
    else:
        assert not isinstance(fast, bytes)  # refused either way (the message may differ)


@pytest.mark.parametrize("value", [
    # (an Enum member is no plain data, and orjson would write its value: callers never vow it is)
    {"a": datetime.date(2024, 1, 1)}, {1: "a"}, {"a": "\ud800"}, {"a": 2**80},
    {"a": type("S", (str,), {})("text")},
])
def test_what_orjson_would_write_differently_is_not_left_to_it(value: Any) -> None:
    reference, fast = both(value)
    assert fast == reference or (not isinstance(fast, bytes) and not isinstance(reference, bytes))


def test_orjson_writes_them_where_it_is_installed() -> None:
    pytest.importorskip("orjson")
    assert _compact_by_orjson({"b": [1e-07], "a": "x"}) is not None
    assert canonical_bytes({"b": [1e-07, 1e21, 2.5e-05], "a": 1.0}, plain=True) == b'{"a":1,"b":[1e-7,1e+21,0.000025]}'
