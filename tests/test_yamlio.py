"""yamlio: the one safe, position-keeping YAML loader."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg import yamlio
from agentcfg.yamlio import Document, YamlError, dump_yaml, load


def _load(text: str | bytes, origin: str = "f.yaml") -> Document:
    return load(text.encode("utf-8") if isinstance(text, str) else text, origin)


def _error(text: str | bytes) -> YamlError:
    with pytest.raises(YamlError) as info:
        _load(text)
    return info.value


def _where(err: YamlError) -> tuple[int, int]:
    assert err.location is not None
    return err.location.line, err.location.col


# --- positions ---------------------------------------------------------------------------------

def test_every_key_and_item_keeps_its_line_and_column() -> None:
    doc = _load("name: x\nmodels:\n  chat:\n    id: gpt-4o\n    tags: [a, b]\n    list:\n      - one\n      - two\n")
    assert doc.data == {"name": "x", "models": {"chat": {"id": "gpt-4o", "tags": ["a", "b"], "list": ["one", "two"]}}}
    assert doc.positions[("name",)] == (1, 1)
    assert doc.positions[("models", "chat")] == (3, 3)
    assert doc.positions[("models", "chat", "id")] == (4, 5)
    assert doc.positions[("models", "chat", "tags", 1)] == (5, 15)
    assert doc.positions[("models", "chat", "list", 1)] == (8, 9)


def test_flow_style_positions() -> None:
    doc = _load("tools:\n  t: {file: tools/t.yaml, approval: required}\n")
    assert doc.positions[("tools", "t", "approval")] == (2, 27)


def test_location_walks_up_to_the_nearest_known_ancestor() -> None:
    doc = _load("a:\n  b:\n    c: 1\n", "m.yaml")
    assert str(doc.location(("a", "b", "c"))) == "m.yaml:3:5"
    assert str(doc.location(("a", "b", "missing", 3))) == "m.yaml:2:3"
    assert str(doc.location(("nothing",))) == "m.yaml:1:1"


def test_json_is_yaml_with_positions() -> None:
    doc = _load('{\n  "a": {"b": [1, 2]}\n}\n', "t.json")
    assert doc.data == {"a": {"b": [1, 2]}}
    assert doc.positions[("a", "b", 1)] == (2, 18)


def test_empty_file_is_none() -> None:
    doc = _load("# only a comment\n")
    assert doc.data is None
    assert doc.location(()).line == 1


def test_syntax_error_has_line_and_column() -> None:
    err = _error("a: 1\nb: [1, 2\nc: 3\n")
    assert err.code == "yaml-syntax"
    assert _where(err)[0] == 3
    assert "YAML syntax error" in err.message


# --- duplicate keys and anchors ----------------------------------------------------------------------

def test_duplicate_keys_are_refused_at_the_second_one() -> None:
    err = _error("models:\n  chat: {id: a}\n  other: {id: b}\n  chat: {id: c}\n")
    assert err.code == "duplicate-key"
    assert _where(err) == (4, 3)
    assert "duplicate key 'chat' (first defined on line 2)" in err.message


def test_duplicate_keys_in_flow_mappings_are_refused() -> None:
    err = _error("a: {x: 1, y: 2, x: 3}\n")
    assert err.code == "duplicate-key" and _where(err) == (1, 17)


def test_same_key_in_different_mappings_is_fine() -> None:
    assert _load("a: {x: 1}\nb: {x: 2}\n").data == {"a": {"x": 1}, "b": {"x": 2}}


def test_reused_anchor_is_refused_without_leaking_a_python_warning(recwarn: pytest.WarningsRecorder) -> None:
    err = _error("a: &x 1\nb: &x 2\nc: *x\n")
    assert err.code == "yaml-syntax"
    assert _where(err) == (2, 4)
    assert "duplicate anchor '&x' (first defined on line 1)" in err.message
    assert not recwarn.list


# --- tags ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "shown", "where"), [
    ("a: !!python/object/apply:os.system [echo hi]\n", "!!python/object/apply:os.system", (1, 4)),
    ("a: !!python/name:os.system ''\n", "!!python/name:os.system", (1, 4)),
    ("a: !include other.yaml\n", "!include", (1, 4)),
    ("a: !Ref {b: 1}\n", "!Ref", (1, 4)),
    ("a: !!set {x, y}\n", "!!set", (1, 4)),
    ("a: !!omap [x: 1]\n", "!!omap", (1, 4)),
    ("!custom key: 1\n", "!custom", (1, 1)),
    ("--- !root\na: 1\n", "!root", (1, 5)),
])
def test_non_standard_tags_are_refused(text: str, shown: str, where: tuple[int, int]) -> None:
    err = _error(text)
    assert err.code == "yaml-tag"
    assert f"tag '{shown}' is not allowed" in err.message
    assert _where(err) == where


def test_explicit_standard_tags_are_fine() -> None:
    assert _load("a: !!str 123\nb: !!int '7'\n").data == {"a": "123", "b": 7}


def test_merge_keys_are_refused() -> None:
    err = _error("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert err.code == "yaml-merge-key" and _where(err) == (3, 3)


@pytest.mark.parametrize(("text", "message"), [
    ("1: a\n", "key 1 is read as an integer, not a string"),
    ("1.5: a\n", "key 1.5 is read as a number, not a string"),
    ("true: a\n", "key true is read as a boolean, not a string"),
    ("null: a\n", "key null is read as null, not a string"),
    ("? [a, b]\n: c\n", "mapping keys must be plain strings"),
])
def test_keys_must_be_strings(text: str, message: str) -> None:
    err = _error(text)
    assert err.code == "yaml-key-type" and message in err.message


# --- scalars: the raw text of everything that is not a string -----------------------------------------

def test_float_trap_keeps_the_raw_text() -> None:
    doc = _load("version: 1.10\nid: '1.10'\n")
    assert doc.data == {"version": 1.1, "id": "1.10"}
    assert doc.raw[("version",)] == "1.10"  # so validate can say "YAML read `1.10` as 1.1; quote it"
    assert ("id",) not in doc.raw


@pytest.mark.parametrize(("text", "value", "raw"), [
    ("v: 0x1F\n", 31, "0x1F"),
    ("v: 0o17\n", 15, "0o17"),
    ("v: -12\n", -12, "-12"),
    ("v: 1e3\n", 1000.0, "1e3"),
    ("v: true\n", True, "true"),
    ("v: ~\n", None, "~"),
    ("v:\n", None, ""),
])
def test_non_string_scalars(text: str, value: Any, raw: str) -> None:
    doc = _load(text)
    assert doc.data["v"] == value and type(doc.data["v"]) is type(value)
    assert doc.raw[("v",)] == raw


def test_yaml_1_2_words_stay_strings_and_dates_stay_text() -> None:
    doc = _load("a: yes\nb: on\nc: 2024-06-01\nd: 2024-06-01T10:00:00Z\n")
    assert doc.data == {"a": "yes", "b": "on", "c": "2024-06-01", "d": "2024-06-01T10:00:00Z"}


def test_yaml_1_1_booleans_are_recorded_as_non_strings() -> None:
    doc = _load("%YAML 1.1\n---\nref: yes\n")
    assert doc.data == {"ref": True} and doc.raw[("ref",)] == "yes"


@pytest.mark.parametrize("word", [".nan", ".inf", "-.inf"])
def test_non_finite_numbers_are_refused(word: str) -> None:
    err = _error(f"temperature: {word}\n")
    assert err.code == "yaml-number" and _where(err) == (1, 14)


@pytest.mark.parametrize("word", ["0x_", "0b_", "0o_", "._", "-._"])
def test_numbers_without_digits_are_refused_with_a_location(word: str) -> None:
    """YAML 1.2's number patterns take these for numbers; there is nothing to convert."""
    err = _error(f"temperature: {word}\n")
    assert err.code == "yaml-number" and _where(err) == (1, 14)
    assert "no digits" in str(err) and err.hint and f'"{word}"' in err.hint


# --- bytes: size, BOM, NUL, encoding ----------------------------------------------------------------

def test_utf8_bom_is_dropped_and_positions_stay_right() -> None:
    doc = _load(b"\xef\xbb\xbfname: x\nid: y\n")
    assert doc.data == {"name": "x", "id": "y"}
    assert doc.positions[("id",)] == (2, 1)


def test_nul_bytes_are_refused_with_their_line() -> None:
    err = _error(b"a: 1\nb: 2\x00\n")
    assert err.code == "binary-file" and _where(err) == (2, 1)


def test_non_utf8_is_refused_with_its_line() -> None:
    err = _error("a: 1\nb: caf\u00e9\n".encode("latin-1"))
    assert err.code == "encoding" and _where(err) == (2, 1)
    assert "0xe9" in err.message and err.hint


def test_utf16_is_refused() -> None:
    assert _error("a: 1\n".encode("utf-16")).code in ("encoding", "binary-file")


def test_oversized_files_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_BYTES", 1024)
    err = _error(b"a: " + b"x" * 2000 + b"\n")
    assert err.code == "file-too-large"


# --- bounded work: alias bombs and deep nesting ---------------------------------------------------------

def _billion_laughs(levels: int) -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    prev = "a"
    for name in "bcdefghijk"[:levels]:
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


def test_alias_bomb_is_stopped_by_the_value_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # The budget is lowered so the test is fast; the real limit only changes when it trips.
    monkeypatch.setattr(yamlio, "MAX_NODES", 20_000)
    err = _error(_billion_laughs(8))  # 9**9 ≈ 387 million values if expanded
    assert err.code == "yaml-alias-bomb"
    assert err.hint


def test_the_real_budget_is_finite() -> None:
    assert 10_000 <= yamlio.MAX_NODES <= 10_000_000


def test_modest_aliases_expand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 20_000)
    doc = _load(_billion_laughs(2))  # 9**3 = 729 values
    assert len(doc.data["c"]) == 9 and doc.data["c"][0][0] == ["lol"] * 9


def test_too_deep_nesting_is_refused_by_our_limit() -> None:
    err = _error("[" * 300 + "]" * 300)
    assert err.code == "yaml-too-deep" and str(yamlio.MAX_DEPTH) in err.message


def test_far_too_deep_nesting_is_refused_not_crashed() -> None:
    err = _error("[" * 800 + "]" * 800)  # deep enough to exhaust ruamel's own recursion
    assert err.code == "yaml-too-deep"


# --- cache and dump ------------------------------------------------------------------------------

class _DictCache:
    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.store.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.store[key] = value


def test_cached_documents_are_equal_to_parsed_ones() -> None:
    cache = _DictCache()
    data = b"a:\n  b: [1, 2.50, x]\n  c: ~\n"
    first = load(data, "one.yaml", cache=cache)
    second = load(data, "two.yaml", cache=cache)
    assert len(cache.store) == 1
    assert (second.data, second.positions, second.raw) == (first.data, first.positions, first.raw)
    assert second.origin == "two.yaml"


def test_the_cache_holds_data_only_and_a_hit_still_locates_values() -> None:
    cache = _DictCache()
    data = b"a:\n  b: [1, 2.50, x]\n  c: ~\n"
    load(data, "one.yaml", cache=cache)
    assert list(cache.store.values()) == [{"data": {"a": {"b": [1, 2.5, "x"], "c": None}}}]
    hit = load(data, "two.yaml", cache=cache)
    assert str(hit.location(("a", "b", 1))) == "two.yaml:2:10"
    assert hit.raw[("a", "b", 1)] == "2.50"


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                     st.floats(allow_nan=False, allow_infinity=False, width=32), st.text(max_size=20))
_keys = st.text(min_size=1, max_size=10).filter(lambda k: k.strip() == k)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
                       max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=5))
def test_dump_then_load_round_trips(value: dict[str, Any]) -> None:
    assert _load(dump_yaml(value)).data == value


@pytest.mark.parametrize("text", ["\x85", "a\u2028b", "tab\there", "a\x1fb " * 40, "\x07bell", "x" * 300])
def test_dump_keeps_awkward_text_exactly(text: str) -> None:
    assert _load(dump_yaml({"description": text})).data == {"description": text}


def test_dump_writes_ordinary_unicode_as_is() -> None:
    assert dump_yaml({"title": "Café – naïve résumé"}) == "title: Café – naïve résumé\n"
