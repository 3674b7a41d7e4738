"""The fast meta-schema check never calls valid what jsonschema calls invalid, and agrees with it
on real-looking and generated schemas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from agentcfg.checks import tools

pytest.importorskip("jsonschema_rs", reason="jsonschema-rs has no wheel for this platform: the slow path runs")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import realistic  # noqa: E402

KEYWORDS = ["type", "properties", "items", "required", "enum", "const", "minimum", "maxLength", "pattern",
            "patternProperties", "additionalProperties", "anyOf", "oneOf", "allOf", "not", "$defs", "$ref",
            "format", "description", "default", "minItems", "uniqueItems", "if", "then", "dependentRequired",
            "$anchor", "$id", "title", "contains", "propertyNames", "exclusiveMinimum", "multipleOf"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["string", "object", "integer", "strin", "(", "^a+$", "[", "#/$defs/x", "x",
                                     "date-time", "", "#", "a{2,1}", "(?P<n>x)"]))
schemas = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(KEYWORDS + ["a", "b", "(("]), inner, max_size=4)),
    max_leaves=12,
)


def jsonschema_says_valid(schema: Any) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
    except Exception:  # noqa: BLE001 - SchemaError, or a value it cannot even read
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(schema=schemas)
def test_the_fast_path_only_says_valid_when_jsonschema_does(schema: Any) -> None:
    if tools._surely_valid(schema):
        assert jsonschema_says_valid(schema), schema


@pytest.mark.parametrize("i", range(0, 3000, 97))
def test_realistic_schemas_take_the_fast_path(i: int) -> None:
    schema = realistic.input_schema(i)
    assert tools._surely_valid(schema) and jsonschema_says_valid(schema)


@pytest.mark.parametrize("schema", [
    {"type": "string", "pattern": "(("},
    {"type": "object", "patternProperties": {"[": {"type": "string"}}},
    {"type": "strin"},
    {"properties": {"a": {"minimum": "zero"}}},
    {"required": "a"},
])
def test_invalid_schemas_take_the_slow_path_and_keep_its_message(schema: Any) -> None:
    assert not tools._surely_valid(schema)
    problems = tools._schema_problems(schema)
    assert problems and problems[0][1] == "schema-invalid"
