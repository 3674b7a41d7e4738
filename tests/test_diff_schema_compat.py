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
]

COMPATIBLE = [
    ("optional property added", edit("properties.note", {"type": "string"}), "optional property `note` added"),
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
