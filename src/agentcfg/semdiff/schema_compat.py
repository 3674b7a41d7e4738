"""Is a tool's new input schema compatible with the arguments callers send today?

A change is **compatible** when every argument object valid under the old schema is still
valid under the new one (optional property added, requirement dropped, enum or type widened,
a description edited). It is **breaking** otherwise: a new required property, a removed
property, a type change, an enum narrowed, a constraint tightened. Keywords we cannot reason
about (``pattern``, ``$ref``, ``oneOf`` edits, ...) are reported as breaking: "could not prove
compatible" is the safe answer for a CI gate. Two traps: an optional property added to an
*open* object narrows what that name accepted (anything, before), and a `oneOf` that gains an
alternative can refuse values that now match two alternatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentcfg.canonical import canonical_json

# Keywords that document a schema without constraining what it accepts.
_ANNOTATIONS = {"title", "description", "examples", "default", "$comment", "deprecated", "readOnly",
                "writeOnly", "$schema", "$id", "$anchor", "contentMediaType", "contentEncoding"}
# Lower bounds (a larger value accepts less) and upper bounds (a smaller value accepts less).
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_HANDLED = {"type", "enum", "const", "properties", "required", "additionalProperties", "items",
            "$defs", "definitions", "anyOf", "oneOf", "uniqueItems", *_LOWER, *_UPPER}


@dataclass
class SchemaDiff:
    """The classified differences between two schemas, as human-readable sentences."""

    breaking: list[str] = field(default_factory=list)
    compatible: list[str] = field(default_factory=list)

    @property
    def compatibility(self) -> str:
        """``"breaking"``, ``"compatible"`` or ``"equal"``."""
        if self.breaking:
            return "breaking"
        return "compatible" if self.compatible else "equal"

    def to_dict(self) -> dict[str, Any]:
        return {"compatibility": self.compatibility, "breaking": self.breaking, "compatible": self.compatible}


def compare_schemas(old: Any, new: Any) -> SchemaDiff:
    """Classify the change from ``old`` to ``new`` input schema (None means ``{"type": "object"}``)."""
    out = SchemaDiff()
    _compare({"type": "object"} if old is None else old, {"type": "object"} if new is None else new, "", out)
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _same(a: Any, b: Any) -> bool:
    return canonical_json(a) == canonical_json(b)


def _at(where: str) -> str:
    return f"`{where}`" if where else "the arguments"


def _types(schema: dict[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    types = {t} if isinstance(t, str) else {x for x in _list(t) if isinstance(x, str)}
    if "number" in types:
        types.add("integer")  # every integer is a number: integer → number widens
    return types


def _compare(old: Any, new: Any, where: str, out: SchemaDiff) -> None:
    if _same(old, new):
        return
    if not isinstance(old, dict) or not isinstance(new, dict):
        if new is True or new == {}:
            out.compatible.append(f"{_at(where)}: now accepts anything")
        else:
            out.breaking.append(f"{_at(where)}: schema replaced")
        return
    _compare_types(old, new, where, out)
    _compare_values(old, new, where, out)
    _compare_object(old, new, where, out)
    if "items" in old or "items" in new:
        _compare(old.get("items", True), new.get("items", True), f"{where}[]", out)
    for key in ("$defs", "definitions"):
        defs_old, defs_new = _dict(old.get(key)), _dict(new.get(key))
        for name in sorted(set(defs_old) | set(defs_new)):
            if _same(defs_old.get(name, True), defs_new.get(name, True)):
                continue
            if _negates(new):
                # A definition used under `oneOf`/`not`/`if`: widening it can refuse values.
                out.breaking.append(f"`{key}/{name}` changed under a oneOf/not/if (cannot prove compatible)")
            else:
                _compare(defs_old.get(name, True), defs_new.get(name, True), f"{key}/{name}", out)
    a, b = old.get("anyOf"), new.get("anyOf")
    if not _same(a, b):
        kept = (isinstance(a, list) and isinstance(b, list)
                and {canonical_json(x) for x in a} <= {canonical_json(x) for x in b})
        (out.compatible if kept else out.breaking).append(
            f"{_at(where)}: anyOf {'gained alternatives' if kept else 'changed'}")
    if not _same(old.get("oneOf"), new.get("oneOf")):
        # A value must match exactly ONE alternative: a new alternative that overlaps an old
        # one makes values that matched once match twice, and they are refused.
        out.breaking.append(f"{_at(where)}: oneOf changed (a new or edited alternative may overlap another)")
    _compare_bounds(old, new, where, out)
    for key in sorted((set(old) | set(new)) - _HANDLED):
        if key in _ANNOTATIONS:
            if not _same(old.get(key), new.get(key)):
                out.compatible.append(f"{_at(where)}: {key} changed")
        elif not _same(old.get(key), new.get(key)):
            out.breaking.append(f"{_at(where)}: {key} changed (cannot prove it still accepts the same values)")


def _compare_types(old: dict[str, Any], new: dict[str, Any], where: str, out: SchemaDiff) -> None:
    t_old, t_new = _types(old), _types(new)
    if t_old == t_new:
        return
    shown_old, shown_new = old.get("type", "any"), new.get("type", "any")
    if t_new is None or (t_old is not None and t_old <= t_new):
        out.compatible.append(f"{_at(where)}: type widened from {shown_old} to {shown_new}")
    else:
        out.breaking.append(f"{_at(where)}: type changed from {shown_old} to {shown_new}")


def _compare_values(old: dict[str, Any], new: dict[str, Any], where: str, out: SchemaDiff) -> None:
    e_old, e_new = old.get("enum"), new.get("enum")
    if not _same(e_old, e_new):
        if e_new is None:
            out.compatible.append(f"{_at(where)}: enum removed (any value accepted)")
        elif e_old is None:
            out.breaking.append(f"{_at(where)}: enum added (only {len(_list(e_new))} values accepted)")
        else:
            old_set = {canonical_json(v) for v in _list(e_old)}
            new_set = {canonical_json(v) for v in _list(e_new)}
            lost = [v for v in _list(e_old) if canonical_json(v) not in new_set]
            if lost:
                out.breaking.append(f"{_at(where)}: enum narrowed (no longer accepts {', '.join(map(str, lost))})")
            elif new_set != old_set:
                out.compatible.append(f"{_at(where)}: enum widened")
    c_old, c_new = old.get("const"), new.get("const")
    if not _same(c_old, c_new):
        if "const" not in new:
            out.compatible.append(f"{_at(where)}: const removed")
        else:
            out.breaking.append(f"{_at(where)}: const {'added' if 'const' not in old else 'changed'}")
    if not old.get("uniqueItems") and new.get("uniqueItems"):
        out.breaking.append(f"{_at(where)}: items must now be unique")
    elif old.get("uniqueItems") and not new.get("uniqueItems"):
        out.compatible.append(f"{_at(where)}: items need no longer be unique")


def _compare_object(old: dict[str, Any], new: dict[str, Any], where: str, out: SchemaDiff) -> None:
    p_old, p_new = _dict(old.get("properties")), _dict(new.get("properties"))
    r_old = {x for x in _list(old.get("required")) if isinstance(x, str)}
    r_new = {x for x in _list(new.get("required")) if isinstance(x, str)}
    prefix = f"{where}." if where else ""
    for name in sorted(set(p_old) | set(p_new)):
        if name not in p_new:
            out.breaking.append(f"property `{prefix}{name}` removed")
        elif name not in p_old:
            if name not in r_new:
                _added_property(old, p_new[name], f"{prefix}{name}", out)
        else:
            _compare(p_old[name], p_new[name], f"{prefix}{name}", out)
    for name in sorted(r_new - r_old):
        what = "new required property" if name not in p_old else "property now required:"
        out.breaking.append(f"{what} `{prefix}{name}`")
    for name in sorted(r_old - r_new):
        if name in p_new or name not in p_old:
            out.compatible.append(f"property `{prefix}{name}` no longer required")
    a_old, a_new = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if not _same(a_old, a_new):
        if a_new is False:
            out.breaking.append(f"{_at(where)}: additional properties now refused")
        elif a_old is False and a_new is True:
            out.compatible.append(f"{_at(where)}: additional properties now accepted")
        else:
            _compare(a_old, a_new, f"{prefix}*", out)


def _added_property(old: dict[str, Any], schema: Any, name: str, out: SchemaDiff) -> None:
    """An optional property appears: what callers could send under that name before (the old
    ``additionalProperties``) must still be accepted by its new schema."""
    before = old.get("additionalProperties", True)
    if before is False:
        out.compatible.append(f"optional property `{name}` added")
    elif old.get("patternProperties"):
        out.breaking.append(f"optional property `{name}` added beside patternProperties (cannot prove compatible)")
    elif schema is True or schema == {} or _accepts_all(schema):
        out.compatible.append(f"optional property `{name}` added")
    elif before is True:
        out.breaking.append(f"optional property `{name}` added with a schema: the object was open, so arguments "
                            f"that already sent `{name}` with another value are now refused")
    else:
        probe = SchemaDiff()
        _compare(before, schema, name, probe)
        if probe.breaking:
            out.breaking.append(f"optional property `{name}` added, narrower than the additionalProperties "
                                "it was accepted under")
        else:
            out.compatible.append(f"optional property `{name}` added")


def _accepts_all(schema: Any) -> bool:
    return isinstance(schema, dict) and set(schema) <= _ANNOTATIONS


_NEGATING = {"oneOf", "not", "if", "then", "else", "dependentSchemas", "contains", "unevaluatedProperties",
             "unevaluatedItems", "propertyNames"}


def _negates(schema: Any) -> bool:
    """Whether a keyword under which widening a subschema can refuse values appears anywhere."""
    todo = [schema]
    while todo:  # iterative: schemas from pull requests may nest deeply
        node = todo.pop()
        if isinstance(node, dict):
            if _NEGATING & node.keys():
                return True
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return False


def _compare_bounds(old: dict[str, Any], new: dict[str, Any], where: str, out: SchemaDiff) -> None:
    for keys, lower in ((_LOWER, True), (_UPPER, False)):
        for key in keys:
            a, b = old.get(key), new.get(key)
            if _same(a, b):
                continue
            if b is None:
                out.compatible.append(f"{_at(where)}: {key} removed")
            elif (a is None or not isinstance(a, (int, float)) or not isinstance(b, (int, float))
                  or (b > a if lower else b < a)):
                out.breaking.append(f"{_at(where)}: {key} tightened ({a if a is not None else 'none'} → {b})")
            else:
                out.compatible.append(f"{_at(where)}: {key} relaxed ({a} → {b})")


__all__ = ["SchemaDiff", "compare_schemas"]
