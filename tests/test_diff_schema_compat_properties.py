"""Every "compatible" verdict of the schema comparison, checked against jsonschema itself: an
argument object that the old schema accepts must be accepted by the new one."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from agentcfg.semdiff.schema_compat import compare_schemas

NAMES = ["a", "b", "c"]
TYPES = ["string", "integer", "number", "boolean", "null", "array", "object"]

values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.5, 2.0, -1.5]),
              st.sampled_from(["", "x", "late", "damaged", "abcdef"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(NAMES), inner, max_size=3)),
    max_leaves=6,
)
instances = st.dictionaries(st.sampled_from([*NAMES, "d"]), values, max_size=4)


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    typed = st.builds(lambda t: {"type": t}, st.sampled_from(TYPES))
    multi = st.builds(lambda ts: {"type": sorted(set(ts))}, st.lists(st.sampled_from(TYPES), min_size=1, max_size=3))
    enum = st.builds(lambda vs: {"enum": vs}, st.lists(st.sampled_from([1, 2, "x", "late", None, True]),
                                                        min_size=1, max_size=3, unique=True))
    bounded = st.builds(lambda lo, hi: {"type": "integer", "minimum": lo, "maximum": hi},
                        st.integers(-3, 0), st.integers(0, 3))
    text = st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 5))
    return st.one_of(st.just({}), typed, multi, enum, bounded, text)


def property_schemas() -> st.SearchStrategy[dict[str, Any]]:
    leaf = leaf_schemas()
    combo = st.builds(lambda kind, alts: {kind: alts}, st.sampled_from(["anyOf", "oneOf"]),
                      st.lists(leaf, min_size=1, max_size=3))
    nested = st.builds(lambda props: {"type": "object", "properties": props},
                       st.dictionaries(st.sampled_from(NAMES), leaf, max_size=2))
    return st.one_of(leaf, combo, nested)


@st.composite
def object_schemas(draw: st.DrawFn) -> dict[str, Any]:
    props = draw(st.dictionaries(st.sampled_from(NAMES), property_schemas(), max_size=3))
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if props and draw(st.booleans()):
        schema["required"] = sorted(draw(st.sets(st.sampled_from(sorted(props)), max_size=len(props))))
    extra = draw(st.sampled_from(["absent", "false", "schema"]))
    if extra == "false":
        schema["additionalProperties"] = False
    elif extra == "schema":
        schema["additionalProperties"] = draw(leaf_schemas())
    return schema


@st.composite
def edited(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    """The schema after one to three edits of the kinds a tool's author makes."""
    new = copy.deepcopy(schema)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["add", "remove", "replace", "alternative", "require", "unrequire", "extra"]))
        props = new.setdefault("properties", {})
        name = draw(st.sampled_from(NAMES))
        if kind in ("add", "replace"):
            props[name] = draw(property_schemas())
        elif kind == "remove":
            props.pop(name, None)
        elif kind == "alternative" and name in props:
            for key in ("anyOf", "oneOf"):
                if key in props[name]:
                    props[name][key] = [*props[name][key], draw(leaf_schemas())]
        elif kind == "require" and name in props:
            new["required"] = sorted({*new.get("required", []), name})
        elif kind == "unrequire":
            new["required"] = [r for r in new.get("required", []) if r != name]
        elif kind == "extra":
            choice = draw(st.sampled_from(["absent", "false", "schema"]))
            new.pop("additionalProperties", None)
            if choice == "false":
                new["additionalProperties"] = False
            elif choice == "schema":
                new["additionalProperties"] = draw(leaf_schemas())
    return new


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    old = draw(object_schemas())
    return old, draw(edited(old))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=schema_pairs(), samples=st.lists(instances, min_size=20, max_size=40))
def test_compatible_verdicts_accept_every_argument_the_old_schema_accepted(
        pair: tuple[dict[str, Any], dict[str, Any]], samples: list[dict[str, Any]]) -> None:
    old, new = pair
    verdict = compare_schemas(old, new)
    if verdict.compatibility == "breaking":
        return
    before, after = Draft202012Validator(old), Draft202012Validator(new)
    for instance in samples:
        if before.is_valid(instance):
            assert after.is_valid(instance), (
                f"rated {verdict.compatibility} ({verdict.compatible}) but {instance!r} is refused now")
