"""Repair the JSON Schemas found in provider tool definitions, reporting every change.

Tool schemas in the wild are written by hand, generated from Python signatures, or copied from
OpenAPI documents, and drift from JSON Schema in the same few ways: Python type names
(``"dict"``, ``"float"``), upper-case Gemini/OpenAPI types (``"STRING"``), OpenAPI's
``nullable``/``example``, draft-03 ``required: true`` on a property, draft-04 tuple ``items``,
``{"x": "string"}`` property shorthands. Each is rewritten to its JSON Schema 2020-12 meaning
and reported; nothing is silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Report = Callable[[str, str], None]  # (code, message)

STANDARD_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
TYPE_ALIASES = {
    "dict": "object", "map": "object", "mapping": "object", "obj": "object", "json": "object",
    "float": "number", "double": "number", "decimal": "number", "real": "number",
    "int": "integer", "long": "integer", "int32": "integer", "int64": "integer",
    "str": "string", "text": "string", "char": "string",
    "bool": "boolean",
    "list": "array", "tuple": "array", "sequence": "array",
    "none": "null", "nonetype": "null", "nil": "null",
}
_ANY_WORDS = ("any", "anything", "mixed")

# Keywords whose value is one subschema / a list of subschemas / a map of name -> subschema.
_ONE = ("additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "additionalItems")
_MANY = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("$defs", "definitions", "patternProperties", "dependentSchemas")


def where(path: str) -> str:
    return path or "schema root"


def fix_type_name(value: Any, path: str, report: Report) -> str | None:
    """A JSON Schema type name for ``value``, or None when it names no type (reported)."""
    if isinstance(value, str):
        if value in STANDARD_TYPES:
            return value
        low = value.strip().lower()
        fixed = low if low in STANDARD_TYPES else TYPE_ALIASES.get(low)
        if fixed:
            report("nonstandard-type", f"{where(path)}: type '{value}' is not a JSON Schema type; changed to '{fixed}'")
            return fixed
        if low in _ANY_WORDS:
            report("unknown-type", f"{where(path)}: type '{value}' means any value; the type constraint was removed")
            return None
    report("unknown-type", f"{where(path)}: type {value!r} is not a JSON Schema type; the type constraint was removed")
    return None


def fix_schema(schema: Any, path: str, report: Report, *, is_property: bool = False) -> Any:
    """A repaired copy of ``schema`` (any subschema); every change is reported.

    ``is_property``: the schema sits under ``properties``, where a draft-03 boolean
    ``required`` is left for the parent object to move into its ``required`` list.
    """
    if isinstance(schema, bool):
        return schema
    if isinstance(schema, str):
        report("property-shorthand", f"{where(path)}: the bare string {schema!r} is not a schema; "
                                     f"read as {{type: {schema}}}")
        schema = {"type": schema}
    if not isinstance(schema, dict):
        report("invalid-schema",
               f"{where(path)}: {type(schema).__name__} is not a schema; replaced by {{}} (any value)")
        return {}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        sub = f"{path}.{key}" if path else key
        if key == "type":
            fixed_type = _fix_type(value, sub, report)
            if fixed_type is not None:
                out["type"] = fixed_type
        elif key == "properties":
            if isinstance(value, dict):
                out["properties"] = {name: fix_schema(s, f"{sub}.{name}", report, is_property=True)
                                     for name, s in value.items()}
            else:
                report("invalid-schema", f"{sub}: must be a mapping of property schemas; removed")
        elif key == "items":
            if isinstance(value, list):
                report("tuple-items", f"{sub}: a list under 'items' is draft-04 tuple validation; "
                                      "moved to 'prefixItems' (JSON Schema 2020-12)")
                out["prefixItems"] = [fix_schema(s, f"{path}.prefixItems.{i}", report) for i, s in enumerate(value)]
            else:
                out["items"] = fix_schema(value, sub, report)
        elif key in _ONE and isinstance(value, (dict, str)):
            out[key] = fix_schema(value, sub, report)
        elif key in _MANY and isinstance(value, list):
            out[key] = [fix_schema(s, f"{sub}.{i}", report) for i, s in enumerate(value)]
        elif key in _MAP and isinstance(value, dict):
            out[key] = {name: fix_schema(s, f"{sub}.{name}", report) for name, s in value.items()}
        elif key == "example":
            report("openapi-keyword", f"{sub}: OpenAPI's 'example' is 'examples' (a list) in JSON Schema; converted")
            out.setdefault("examples", [value])
        elif key == "nullable":
            continue  # handled below, once 'type' is known
        else:
            out[key] = value
    if "nullable" in schema:
        _fix_nullable(schema["nullable"], out, path, report)
    _fix_required(out, path, report, is_property)
    _check_enum(out, path, report)
    return out


def _fix_type(value: Any, path: str, report: Report) -> Any:
    if isinstance(value, list):
        fixed = [t for t in (fix_type_name(v, path, report) for v in value) if t is not None]
        fixed = list(dict.fromkeys(fixed))
        if len(fixed) != len(value):
            report("duplicate-type", f"{path}: repeated or unknown entries removed from the type list")
        if not fixed:
            return None
        return fixed[0] if len(fixed) == 1 else fixed
    return fix_type_name(value, path, report)


def _fix_nullable(flag: Any, out: dict[str, Any], path: str, report: Report) -> None:
    loc = f"{path}.nullable" if path else "nullable"
    if flag is True:
        current = out.get("type")
        if isinstance(current, str):
            out["type"] = [current, "null"] if current != "null" else "null"
            report("openapi-keyword", f"{loc}: OpenAPI's 'nullable: true' written as type {out['type']}")
        elif isinstance(current, list):
            out["type"] = current if "null" in current else [*current, "null"]
            report("openapi-keyword", f"{loc}: OpenAPI's 'nullable: true' written as type {out['type']}")
        else:
            report("openapi-keyword", f"{loc}: OpenAPI's 'nullable: true' has no JSON Schema meaning without "
                                      "a 'type' (any value already allows null); removed")
    else:
        report("openapi-keyword", f"{loc}: OpenAPI's 'nullable: {flag}' is not JSON Schema; removed")


def _fix_required(out: dict[str, Any], path: str, report: Report, is_property: bool) -> None:
    """Draft-03 `required: true` on properties, a non-list `required`, unknown names in it."""
    loc = f"{path}.required" if path else "required"
    req = out.get("required")
    if isinstance(req, bool) and is_property:
        pass  # draft-03 style: the parent object moves it into its own `required` list
    elif req is not None and not isinstance(req, list):
        if isinstance(req, str):
            out["required"] = [req]
            report("required-invalid", f"{loc}: must be a list of property names; '{req}' became ['{req}']")
        else:
            del out["required"]
            report("required-invalid", f"{loc}: {req!r} is not a list of property names; removed")
    props = out.get("properties")
    if isinstance(props, dict):
        moved = []
        for name, prop in props.items():
            if isinstance(prop, dict) and isinstance(prop.get("required"), bool):
                flag = prop.pop("required")
                moved.append(name)
                if flag:
                    out.setdefault("required", [])
                    if name not in out["required"]:
                        out["required"].append(name)
        if moved:
            report("required-misplaced", f"{where(path)}: 'required: true/false' inside properties "
                                         f"{', '.join(moved)} (draft-03 style) moved to the object's 'required' list")
    req = out.get("required")
    if isinstance(req, list):
        names = [r for r in req if isinstance(r, str)]
        if len(names) != len(req) or len(set(names)) != len(names):
            out["required"] = list(dict.fromkeys(names))
            report("required-invalid", f"{loc}: non-string or repeated entries removed")
        if isinstance(props, dict):
            unknown = [r for r in out["required"] if r not in props]
            if unknown:
                report("required-unknown", f"{loc}: {', '.join(unknown)} required but not among the properties "
                                           "(kept; providers may reject it)")


_PY_TYPE = {"string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}


def value_matches(value: Any, type_name: str) -> bool:
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, float) and value.is_integer())
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    expected = _PY_TYPE.get(type_name)
    return expected is not None and isinstance(value, expected)


def _check_enum(out: dict[str, Any], path: str, report: Report) -> None:
    enum, typ = out.get("enum"), out.get("type")
    if not isinstance(enum, list) or typ is None:
        return
    types = typ if isinstance(typ, list) else [typ]
    bad = [v for v in enum if not any(value_matches(v, t) for t in types if isinstance(t, str))]
    if bad:
        loc = f"{path}.enum" if path else "enum"
        report("enum-type-mismatch", f"{loc}: value(s) {', '.join(repr(v) for v in bad)} do not match type "
                                     f"{typ!r} (kept; no value can satisfy both)")


def params_list_to_schema(params: list[Any], path: str, report: Report) -> dict[str, Any]:
    """A list of ``{name, type, description, required}`` parameter specs → an object schema."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for i, p in enumerate(params):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            report("invalid-schema", f"{path}.{i}: a parameter without a name was dropped")
            continue
        spec = {k: v for k, v in p.items() if k not in ("name", "required")}
        props[p["name"]] = spec
        if p.get("required") is True:
            required.append(p["name"])
    report("root-not-object", f"{where(path)}: a list of parameters is not a schema; converted to an object "
                              f"schema with properties {', '.join(props) or '(none)'}")
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def fix_root(schema: Any, path: str, report: Report, *, wrap_as: str) -> dict[str, Any]:
    """A repaired tool schema whose root is an object (inputs, and MCP structured outputs)."""
    if isinstance(schema, list):
        schema = params_list_to_schema(schema, path, report)
    fixed = fix_schema(schema, path, report)
    if not isinstance(fixed, dict):  # `true`/`false` as a whole schema
        report("root-not-object", f"{path}: the boolean schema {fixed} became an object schema")
        return {"type": "object"} if fixed else {"type": "object", "additionalProperties": False}
    typ = fixed.get("type")
    if isinstance(typ, list) and "object" in typ:
        fixed["type"] = "object"
        report("root-not-object", f"{path}: type {typ} narrowed to 'object' (a tool's arguments are an object)")
    elif typ is None:
        if _looks_composite(fixed):
            return fixed  # anyOf/oneOf/$ref at the root: left to `agentcfg validate` to judge
        fixed = {"type": "object", **fixed}
        report("root-type-added", f"{path}: no 'type' at the root; 'type: object' added")
    elif typ != "object":
        report("root-not-object", f"{path}: the root schema is of type {typ!r}, not an object; wrapped as the "
                                  f"required property '{wrap_as}' (the tool now receives {{\"{wrap_as}\": ...}})")
        fixed = {"type": "object", "properties": {wrap_as: fixed}, "required": [wrap_as]}
    return fixed


def _looks_composite(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("anyOf", "oneOf", "allOf", "$ref"))


def strict_problems(schema: Any, path: str = "") -> list[str]:
    """Why OpenAI's strict mode would refuse ``schema`` (empty when it qualifies).

    Strict mode needs every object to list all its properties in `required` and to set
    `additionalProperties: false`; optional fields are written as a union with null.
    """
    problems: list[str] = []
    if isinstance(schema, dict):
        typ = schema.get("type")
        is_object = typ == "object" or (isinstance(typ, list) and "object" in typ) or "properties" in schema
        if is_object:
            if schema.get("additionalProperties") is not False:
                problems.append(f"{where(path)}: needs additionalProperties: false")
            props = schema.get("properties") or {}
            missing = [p for p in props if p not in (schema.get("required") or [])]
            if missing:
                problems.append(f"{where(path)}: properties {', '.join(missing)} must all be required")
        for key, value in schema.items():
            sub = f"{path}.{key}" if path else key
            if key in ("properties", *_MAP) and isinstance(value, dict):
                for name, s in value.items():
                    problems += strict_problems(s, f"{sub}.{name}")
            elif key in ("items", *_ONE) and isinstance(value, dict):
                problems += strict_problems(value, sub)
            elif key in _MANY and isinstance(value, list):
                for i, s in enumerate(value):
                    problems += strict_problems(s, f"{sub}.{i}")
    return problems
