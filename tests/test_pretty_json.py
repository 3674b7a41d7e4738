"""pretty_json (the text of every lock and release file) is exactly the standard library's
indented JSON, which the lock-format docs promise; it only builds it faster: in Python, or with
orjson for values the caller vouches are finite (orjson lays some floats out otherwise; those are
rewritten as Python writes them)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg.jsonwrite import _pretty_by_orjson, pretty_json


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_same_text_as_the_standard_library(value: Any) -> None:
    assert pretty_json(value) == reference(value)


@pytest.mark.parametrize("value", [{1: "int key"}, {"t": (1, 2)}, [True, 1, 1.0, -0.0, 10**30, 1e300]])
def test_unusual_values_follow_the_standard_library(value: Any) -> None:
    assert pretty_json(value) == reference(value)


@pytest.mark.parametrize("value", [math.nan, {"x": math.inf}, [-math.inf]])
def test_non_finite_numbers_are_refused(value: Any) -> None:
    with pytest.raises(ValueError):
        pretty_json(value)


# Strings that look like numbers, quotes, escapes and odd characters around them: what the
# search for float tokens must not be fooled by.
TEXT = st.text(alphabet=st.sampled_from(list('0123456789.e+-E "\\:,[]{}\n\t/é😀\u2028\x7f\x00ab')), max_size=20)
FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-7, 2.5e-05, 1e16, 1e+22, 5e-324, -0.0, 0.1, 1e21, 123456789.0, 1.7976931348623157e308])
LEAVES = TEXT | FLOATS | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.none() | st.booleans()
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                      max_leaves=25)


@settings(max_examples=3000, deadline=None)
@given(st.lists(VALUES, max_size=4) | st.dictionaries(TEXT, VALUES, max_size=4))
def test_orjson_writes_what_json_writes(value: Any) -> None:
    assert pretty_json(value, plain=True) == reference(value)
    fast = _pretty_by_orjson(value)
    assert fast is None or fast == reference(value)


@pytest.mark.parametrize("value", [
    {"a": 2**64},  # beyond orjson's integers
    {1: "a"},  # a key that is not a string: json.dumps decides
    {"a": "\ud800"},  # a lone surrogate
    {"a": (1, 2.5e-05)},
])
def test_what_orjson_refuses_is_written_as_before(value: Any) -> None:
    try:
        expected = reference(value)
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        with pytest.raises(type(exc)):
            pretty_json(value, plain=True)
        return
    assert pretty_json(value, plain=True) == expected


def test_a_config_with_small_and_large_floats() -> None:
    config = {"models": {"m": {"temperature": 2.5e-05, "top_p": 1e-07, "budget": 1e16}},
              "prompts": {"p": {"template": "x: 1e-07, y: 2.5e-05\n\"q\": 1.0e16"}}}
    assert pretty_json(config, plain=True) == reference(config)
    assert "2.5e-05" in pretty_json(config, plain=True) and math.isfinite(1e16)


def test_orjson_writes_them_where_it_is_installed() -> None:
    pytest.importorskip("orjson")
    assert _pretty_by_orjson({"a": [1e-07, 2.5e-05, 1e16, "1e-7"]}) == reference({"a": [1e-07, 2.5e-05, 1e16, "1e-7"]})
