"""RFC 8785 (JCS) canonical JSON: the RFC's own examples, the fast path against the plain
serialiser, and an independent implementation (the npm `canonicalize` package run under node)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg.canonical import (
    NotCanonical,
    _jcs,
    canonical_bytes,
    canonical_json,
    digest_value,
    es_number,
    legacy_canonical_json,
)

VERIFIER = ROOT / "examples" / "verify-release"

# RFC 8785 Appendix B: IEEE 754 doubles (hex) and their JCS form.
NUMBERS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("ieee", "expected"), NUMBERS)
def test_rfc_8785_number_serialisation_table(ieee: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(ieee))[0]
    assert es_number(value) == expected
    # Inside a document, where the fast path (C encoder plus number fix-up) writes it.
    assert canonical_json({"n": [value, 1]}) == f'{{"n":[{expected},1]}}'


@pytest.mark.parametrize("ieee", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused(ieee: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(ieee))[0]
    with pytest.raises(NotCanonical):
        canonical_json({"x": value})
    with pytest.raises(NotCanonical):
        es_number(value)


def test_rfc_8785_main_example() -> None:
    # RFC 8785 §3.2.2: the parsed input, and the exact output bytes it gives.
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
            ' "literals": [null, true, false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_json(json.loads(text)) == expected


def test_rfc_8785_sorting_example_uses_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: an astral-plane key (two UTF-16 units, 0xD83D 0xDE00) sorts before U+FB33,
    # where code point order (Python's sort_keys) puts it after.
    doc = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
           "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control",
           "\u00f6": "Latin Small Letter O With Diaeresis"}
    keys = list(json.loads(canonical_json(doc)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert list(json.loads(legacy_canonical_json(doc)))[-1] == "\U0001f600"  # what format 1 did


def test_integers_beyond_2_53_are_refused_not_rounded() -> None:
    assert canonical_json({"n": 2**53}) == '{"n":9007199254740992}'
    assert canonical_json({"n": -(2**53)}) == '{"n":-9007199254740992}'
    for n in (2**53 + 1, -(2**53) - 1, 10**30):
        with pytest.raises(NotCanonical, match="beyond 2\\^53"):
            digest_value({"a": [1, {"n": n}]})
    # A long digit run inside a string is text, not a number.
    assert canonical_json({"s": "x,12345678901234567890,"}) == '{"s":"x,12345678901234567890,"}'


def test_floats_and_integers_that_are_equal_hash_alike() -> None:
    assert digest_value({"t": 1.0}) == digest_value({"t": 1})
    assert canonical_json({"t": 0.0, "u": -0.0, "v": 1e-7, "w": 1e21}) == '{"t":0,"u":0,"v":1e-7,"w":1e+21}'


def test_number_lookalikes_inside_strings_are_left_alone() -> None:
    doc = {"a": 'say ":1.0," or "[2e-07]"', "b": ["\\", 1.5, '\\"', 2.0], "c": {"k:1.0,": 3.0}}
    assert canonical_json(doc) == '{"a":"say \\":1.0,\\" or \\"[2e-07]\\"","b":["\\\\",1.5,"\\\\\\"",2],"c":{"k:1.0,":3}}'


_CHARS = st.sampled_from(list('ab:,[]{}"\\\'é\n.1e-0+') + ["\ue000", "\uffff", "\U0001f600", "\U00010000", "\u20ac",
                                                           "0.0", "1e-07", ":2.5,", "\\\""])
_KEYS = st.lists(_CHARS, max_size=5).map("".join)
_NUMBERS = st.one_of(st.integers(min_value=-(2**53), max_value=2**53),
                     st.floats(allow_nan=False, allow_infinity=False))
_DOCS = st.recursive(st.one_of(st.none(), st.booleans(), _NUMBERS, _KEYS),
                     lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
                     max_leaves=24)


@settings(max_examples=400, deadline=None)
@given(_DOCS)
def test_the_fast_path_writes_what_the_plain_serialiser_writes(doc: Any) -> None:
    out: list[str] = []
    _jcs(doc, out)
    assert canonical_json(doc) == "".join(out)
    assert canonical_bytes(doc) == "".join(out).encode("utf-8")


def _node_canonicalize(docs: list[Any]) -> list[str]:
    script = ("import canonicalize from 'canonicalize';"
              "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{"
              "process.stdout.write(JSON.stringify(JSON.parse(s).map(d=>canonicalize(d))));});")
    r = subprocess.run(["node", "--input-type=module", "-e", script], input=json.dumps(docs), capture_output=True,
                       text=True, cwd=VERIFIER, timeout=120, check=True)
    return list(json.loads(r.stdout))


def _need_node() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (CI installs node and runs `npm ci --prefix examples/verify-release`)")
    if not (VERIFIER / "node_modules" / "canonicalize").is_dir():
        pytest.skip("examples/verify-release/node_modules is missing: run `npm ci --prefix examples/verify-release`")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.dictionaries(_KEYS, _DOCS, max_size=4), min_size=25, max_size=25))
def test_agrees_with_the_npm_canonicalize_package(docs: list[Any]) -> None:
    _need_node()
    assert _node_canonicalize(docs) == [canonical_json(d) for d in docs]


def test_agrees_with_node_on_the_rfc_examples() -> None:
    _need_node()
    docs = [[struct.unpack(">d", bytes.fromhex(h))[0] for h, _ in NUMBERS],
            {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}]
    assert _node_canonicalize(docs) == [canonical_json(d) for d in docs]
