"""pretty_json (the text of every lock and release file) is exactly the standard library's
indented JSON, which the lock-format docs promise; it only builds it faster."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg.canonical import pretty_json


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
