"""The JSON fast path (yamlio/jsontext.py) reads exactly what the YAML path reads, or declines.

The reference is the positioned YAML path (`yamlio._compose`: libyaml's events, else ruamel's
pure-Python composer). For every generated JSON text the fast path either declines (None) or
returns data equal to the reference's, types included (int vs float vs bool, -0.0 vs 0.0), and
never accepts a text the YAML path refuses.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg import yamlio
from agentcfg.yamlio import MAX_DEPTH, YamlError, jsontext

REFUSED = object()


def same(a: Any, b: Any) -> bool:
    """Equal values of identical types all the way down (keys in the same order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def reference(text: str) -> Any:
    try:
        return yamlio._compose(text, "t.yaml").data
    except YamlError:
        return REFUSED


def assert_fast_path_agrees(text: str) -> None:
    fast = jsontext.load_object(text)
    if fast is None:
        return  # declined: the YAML path decides alone
    ref = reference(text)
    assert ref is not REFUSED, "the JSON path accepted a text the YAML path refuses"
    assert same(fast, ref), (fast, ref)


# --- generated documents ---------------------------------------------------------------------

_texts = st.text(max_size=12) | st.sampled_from(
    ["", " ", "é", "\u2028", "\x85", "\t", "\x7f", "\x00", "\ufeff", "\uffff", "😀", "a\nb", "\\", '"', "/", "#x",
     "- x", "true", "null", "1.5", "0x10", "~", "<<", ": x", "{a}", "k" * 90])
_numbers = (st.integers() | st.integers(-10**40, 10**40) | st.floats() | st.sampled_from([0.0, -0.0, 1e300, 1e-320])
            )
_scalars = st.none() | st.booleans() | _numbers | _texts
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_texts, inner, max_size=4),
                       max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_texts, _values, max_size=5),
       st.sampled_from([None, 0, 1, 2, 4, "\t", "  \n"]), st.booleans(),
       st.sampled_from([(",", ":"), (", ", ": "), (",", ": "), (" , ", " : ")]), st.booleans())
def test_json_dumps_documents_agree(value: dict[str, Any], indent: Any, ascii_only: bool,
                                    separators: tuple[str, str], sort_keys: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only, separators=separators, sort_keys=sort_keys)
    assert_fast_path_agrees(text)
    assert_fast_path_agrees(text + "\n")


# Hand-written JSON: number spellings json.dumps never writes, escapes, duplicate keys, and
# whitespace anywhere JSON allows it (including where YAML reads it differently).
_number_tokens = st.sampled_from(["0", "-0", "-0.0", "0.0", "1E5", "1e+05", "1e-5", "2.5E-3", "-1.5e10", "1e400",
                                  "-1e400", "1e-400", "12345678901234567890123456789", "1.7976931348623157e308",
                                  "0.1000000000000000055511151231257827", "10", "-7", "3.0e0", "NaN", "Infinity"])
_string_tokens = st.sampled_from([r'"\u003a"', r'"a\u003Ab"', '":"', '"a::b"', r'"\/"', r'"\u00e9"', r'"\ud83d\ude00"', r'"\ud800"', r'"\u0000"', r'"\b\f\n\r\t"',
                                  r'"\u2028"', r'"\u0085"', r'"a\"b"', r'"\\"', '"é😀"', '""', '"x: y"', '"#"']) | \
    _texts.map(lambda t: json.dumps(t, ensure_ascii=False))
_ws = st.sampled_from(["", "", "", " ", " ", "\n", "\r\n", "  ", "\n  ", "\t", "\n\n "])


@st.composite
def _hand_json(draw: Any, depth: int = 0) -> str:
    w = lambda: draw(_ws)  # noqa: E731
    kind = draw(st.sampled_from(["obj", "arr", "num", "str", "lit"]) if depth < 4 else
                st.sampled_from(["num", "str", "lit"]))
    if kind == "obj" or depth == 0:
        keys = draw(st.lists(_string_tokens, max_size=4))
        if keys and draw(st.integers(0, 5)) == 0:
            keys.append(keys[0])  # a duplicate key
        pairs = [f"{w()}{k}{w()}:{w()}{draw(_hand_json(depth + 1))}{w()}" for k in keys]
        return "{" + ",".join(pairs) + w() + "}"
    if kind == "arr":
        items = [f"{w()}{draw(_hand_json(depth + 1))}{w()}" for _ in range(draw(st.integers(0, 3)))]
        return "[" + ",".join(items) + w() + "]"
    if kind == "num":
        return draw(_number_tokens)
    if kind == "str":
        return draw(_string_tokens)
    return draw(st.sampled_from(["true", "false", "null"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_hand_json(), _ws)
def test_hand_written_json_agrees(text: str, lead: str) -> None:
    assert_fast_path_agrees(lead + text)


# --- what the fast path must leave to the YAML path ----------------------------------------------

@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}',               # duplicate key: refused by the YAML path
    '{"a": {"b": ":", "b": 2}}',      # a duplicate beside a colon in a string
    '{"x\\u003ay": 1, "a": 1, "a": 2}',  # an escaped colon must not stand in for a dropped member
    '{"a": "\\u003a", "b": 1}',      # (any escaped colon is left to the YAML path)
    '{"a": NaN}', '{"a": -Infinity}',  # strings to YAML
    '{"a": 1e400}',                   # overflows to infinity
    '{"a": "\\ud800"}',               # lone surrogate escape
    '{"a"\n: 1}', '{"a" : 1}',        # not a YAML simple key (or not worth telling apart)
    '{"' + "k" * 1100 + '": 1}',      # longer than a YAML simple key may be
    '{"a":\t1}', '{"a": "\u2028"}', '{"a": "\x7f"}',
    '[1, 2]', '{"a": 1} x', '{"a": [1, 2}',
])
def test_texts_the_fast_path_declines(text: str) -> None:
    assert jsontext.load_object(text) is None


def test_plain_json_objects_take_the_fast_path() -> None:
    text = '{"name": "x", "n": 3, "f": 1.5, "e": 1E5, "z": -0, "ok": true, "none": null, "l": [{"é": "\\u00e9"}]}'
    data = jsontext.load_object(text)
    assert data is not None and same(data, reference(text))


def _nest(levels: int) -> str:
    return '{"a": ' + "[" * levels + "1" + "]" * levels + "}"


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 5000, 100_000])
def test_deep_nesting_is_refused_exactly_as_the_yaml_path_refuses_it(levels: int) -> None:
    text = _nest(levels)
    assert_fast_path_agrees(text)
    try:
        ref: Any = yamlio._compose(text, "deep.yaml")
    except YamlError as exc:
        ref = (exc.code, str(exc.location))
    try:
        got: Any = yamlio.load(text.encode(), "deep.yaml")
    except YamlError as exc:
        got = (exc.code, str(exc.location))
    if isinstance(ref, tuple):
        assert got == ref
        assert ref[0] == "yaml-too-deep"
    else:
        assert same(got.data, ref.data) and got.positions == ref.positions


def test_too_many_values_are_left_to_the_yaml_path() -> None:
    text = '{"a": [' + ",".join(["0"] * yamlio.MAX_NODES) + "]}"
    assert jsontext.load_object(text) is None  # the YAML path refuses it, with its position
    assert jsontext.load_object('{"a": [' + ",".join(["0"] * 1000) + "]}") is not None


def test_a_json_document_is_located_lazily_and_exactly() -> None:
    text = '{\n  "tools": {"t": {"approval": 1.10}},\n  "l": [true, null]\n}\n'
    doc = yamlio.load(text.encode(), "t.yaml")
    eager = yamlio._compose(text, "t.yaml")
    assert doc.data == eager.data
    assert (doc.positions, doc.raw) == (eager.positions, eager.raw)
    assert str(doc.location(("tools", "t", "approval"))) == "t.yaml:2:19"
    assert doc.raw[("tools", "t", "approval")] == "1.10"


class _Cache:
    def __init__(self, durable: bool) -> None:
        self.durable = durable
        self.entries: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.entries[key] = value


def test_a_durable_cache_keeps_only_what_the_json_path_did_not_read() -> None:
    from agentcfg.yamlio import load

    json_text, yaml_text = b'{"a": [1, 2.5, "x"]}', b"a: [1, 2.5, x]\n"
    for durable in (True, False):
        cache = _Cache(durable)
        for data in (json_text, yaml_text):
            first, again = load(data, "f.yaml", cache=cache), load(data, "f.yaml", cache=cache)
            assert first.data == again.data == {"a": [1, 2.5, "x"]}
            assert again.location(("a", 1)).line == 1
        assert len(cache.entries) == (1 if durable else 2)
