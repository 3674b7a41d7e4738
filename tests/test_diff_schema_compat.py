"""Tool input schema changes classified compatible or breaking."""

from __future__ import annotations

from typing import Any

import pytest

from agentcfg.semdiff.schema_compat import compare_schemas

BASE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "description": "The order."},
        "amount": {"type": "integer", "minimum": 1, "maximum": 500},
        "reason": {"type": "string", "enum": ["damaged", "late"]},
        "address": {"type": "object", "properties": {"zip": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["order_id"],
}


def edit(path: str, value: Any) -> dict[str, Any]:
    import copy

    schema = copy.deepcopy(BASE)
    node = schema
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[key]
    if value is None:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return schema


BREAKING = [
    ("new required property", edit("required", ["order_id", "note"]), "new required property `note`"),
    ("existing property now required", edit("required", ["order_id", "amount"]), "property now required: `amount`"),
    ("removed property", edit("properties.reason", None), "property `reason` removed"),
    ("type change", edit("properties.order_id.type", "integer"), "type changed from string to integer"),
    ("type narrowed", edit("properties.amount.type", "boolean"), "type changed"),
    ("enum narrowed", edit("properties.reason.enum", ["damaged"]), "enum narrowed"),
    ("enum added", edit("properties.order_id.enum", ["A", "B"]), "enum added"),
    ("maximum lowered", edit("properties.amount.maximum", 100), "maximum tightened"),
    ("minimum added", edit("properties.order_id.minLength", 3), "minLength tightened"),
    ("additional properties refused", edit("additionalProperties", False), "additional properties now refused"),
    ("nested type change", edit("properties.address.properties.zip.type", "integer"), "`address.zip`"),
    ("array items type", edit("properties.tags.items.type", "integer"), "`tags[]`"),
    ("pattern added", edit("properties.order_id.pattern", "^ORD-"), "pattern changed"),
    # BASE is an open object: `{"note": 5}` was valid and a typed `note` refuses it.
    ("typed optional property added to an open object", edit("properties.note", {"type": "string"}),
     "optional property `note` added with a schema"),
    ("oneOf gains an alternative", edit("properties.order_id", {"oneOf": [{"type": "string"}]}), "oneOf"),
]

CLOSED = {**BASE, "additionalProperties": False}
OPEN_TYPED = {**BASE, "additionalProperties": {"type": "string"}}
ONE_OF = {"type": "object", "properties": {"v": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}}


def test_optional_property_added_to_a_closed_object_is_compatible() -> None:
    new = {**CLOSED, "properties": {**BASE["properties"], "note": {"type": "string"}}}
    assert compare_schemas(CLOSED, new).compatibility == "compatible"


def test_optional_property_added_within_what_additional_properties_allowed() -> None:
    wider = {**OPEN_TYPED, "properties": {**BASE["properties"], "note": {"type": ["string", "null"]}}}
    narrower = {**OPEN_TYPED, "properties": {**BASE["properties"], "note": {"type": "string", "maxLength": 3}}}
    assert compare_schemas(OPEN_TYPED, wider).compatibility == "compatible"
    assert compare_schemas(OPEN_TYPED, narrower).compatibility == "breaking"


def test_untyped_optional_property_added_to_an_open_object_is_compatible() -> None:
    new = {**BASE, "properties": {**BASE["properties"], "note": {"description": "free text"}}}
    assert compare_schemas(BASE, new).compatibility == "compatible"


def test_one_of_gaining_an_overlapping_alternative_is_breaking() -> None:
    new = {"type": "object", "properties": {"v": {"oneOf": [{"type": "integer"}, {"type": "string"},
                                                            {"type": "number"}]}}}
    assert compare_schemas(ONE_OF, new).compatibility == "breaking"


def test_a_definition_widened_under_one_of_is_breaking() -> None:
    def schema(ref_type: str) -> dict[str, Any]:
        return {"type": "object", "$defs": {"id": {"type": ref_type}},
                "properties": {"v": {"oneOf": [{"$ref": "#/$defs/id"}, {"type": "integer"}]}}}

    assert compare_schemas(schema("string"), schema("number")).compatibility == "breaking"

COMPATIBLE = [
    ("untyped optional property added", edit("properties.note", {}), "optional property `note` added"),
    ("requirement dropped", edit("required", []), "property `order_id` no longer required"),
    ("enum widened", edit("properties.reason.enum", ["damaged", "late", "other"]), "enum widened"),
    ("enum removed", edit("properties.reason.enum", None), "enum removed"),
    ("integer to number", edit("properties.amount.type", "number"), "type widened"),
    ("type list widened", edit("properties.order_id.type", ["string", "null"]), "type widened"),
    ("maximum raised", edit("properties.amount.maximum", 1000), "maximum relaxed"),
    ("description edited", edit("properties.order_id.description", "The order id."), "description changed"),
]


@pytest.mark.parametrize("name,new,message", BREAKING, ids=[b[0] for b in BREAKING])
def test_breaking(name: str, new: dict[str, Any], message: str) -> None:
    result = compare_schemas(BASE, new)
    assert result.compatibility == "breaking", result
    assert any(message in line for line in result.breaking), result.breaking


@pytest.mark.parametrize("name,new,message", COMPATIBLE, ids=[c[0] for c in COMPATIBLE])
def test_compatible(name: str, new: dict[str, Any], message: str) -> None:
    result = compare_schemas(BASE, new)
    assert result.compatibility == "compatible", result
    assert any(message in line for line in result.compatible), result.compatible


def test_equal_and_none() -> None:
    assert compare_schemas(BASE, dict(BASE)).compatibility == "equal"
    assert compare_schemas(None, {"type": "object"}).compatibility == "equal"
    assert compare_schemas(None, BASE).compatibility == "breaking"  # order_id is now required
