"""The native path (yamlio/native.py, yaml-rs) builds exactly what ruamel's reading builds, or declines.

The reference is the pure-Python composer (pure.py): whenever the native path returns data, the
pure path must accept the text and build the same data, with the same type at every node
(``True`` is not ``1``, ``1`` is not ``1.0``). Declining is always allowed; it only costs speed,
so the common shapes of tool and agent files are checked to take the path.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg import yamlio
from agentcfg.yamlio import MAX_DEPTH, native
from agentcfg.yamlio import pure as pure_path

pytestmark = pytest.mark.skipif(not native.available(), reason="yaml-rs is not installed")


def typed(value: Any) -> Any:
    """``value`` with the type of every node made part of it (so 1, 1.0 and True differ)."""
    if isinstance(value, dict):
        return ("dict", sorted(((type(k).__name__, k), typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def assert_native_agrees(text: str) -> Any:
    """The native reading of ``text`` (None: declined), checked against the pure path's."""
    data = native.load_data(text)
    if data is None:
        return None
    try:
        reference = pure_path.compose(text, "t.yaml").data
    except yamlio.YamlError as exc:
        raise AssertionError(f"the native path accepted what ruamel refuses ({exc}): {text!r}") from None
    assert typed(data) == typed(reference), text
    return data


def _utf8(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


CORPUS = sorted(p for p in [*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")]
                if p.is_file() and _utf8(p) is not None)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_corpus_files_agree(path: Path) -> None:
    assert_native_agrees(_utf8(path) or "")


TOOL = """\
name: tool_0001
title: Tool 1
description: >-
  Looks up record 1 in the system of record and returns it
  with its history, owner and status.
inputSchema:
  type: object
  properties:
    record_id: {type: string, description: The record to fetch.}
    include_history: {type: boolean, default: false}
    limit: {type: integer, minimum: 1, maximum: 100}
    ratio: {type: number, default: 0.25}
    pattern: {type: string, pattern: "^[a-z]+\\\\d$"}
  required: [record_id]
annotations:
  readOnlyHint: true
approval: required
notes: |
  Line one.
    Indented line.
  Last line.
empty:
nothing: ~
"""


def test_a_typical_tool_file_takes_the_native_path() -> None:
    data = assert_native_agrees(TOOL)
    assert data is not None
    assert data["inputSchema"]["properties"]["limit"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert data["inputSchema"]["properties"]["include_history"]["default"] is False


def test_the_bench_project_files_take_the_native_path(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.generate(tmp_path / "p", "S")
    texts = [p.read_text("utf-8") for p in sorted((tmp_path / "p").rglob("*.yaml"))]
    assert texts
    declined = [t[:60] for t in texts if assert_native_agrees(t) is None]
    assert not declined


@pytest.mark.parametrize("text", [
    "a: !!str 1\n",  # tags
    "a: !custom x\n",
    "a: &x 1\nb: *x\n",  # anchors, aliases
    "? a\n: 1\n",  # explicit keys
    "a: 1\n---\nb: 2\n",  # several documents
    "%YAML 1.2\n---\na: 1\n",  # directives
    "a: 1\n...\n",
    "a:\tb\n",  # tabs
    "a: b\x85c\n",  # NEL
    "a: \x07\n",  # outside the printable set
    'a: "\\ud800"\n',  # an escaped surrogate
    "a: .inf\n",  # not a JSON number: the other paths decide
    "a: .nan\n",
    "<<: {b: 1}\n",  # a merge key
    "a: =\n",
    "1: a\n",  # a key that is not a string
    "[a]: 1\n",
    "true: x\n",
    "a: 1\na: 2\n",  # duplicate keys
    "just a scalar\n",  # not a mapping or a sequence
    "",
    "a: [b\n",  # a syntax error
    # found by a hostile review: yaml-rs accepts these, ruamel refuses them
    "2024-01-01: x\n",  # a date as a key
    "{2024-01-01: x}\n",
    "a: |\n  \n    x\n",  # a leading blank line more indented than the text
    "a: >\n \n  x\n",
    "{a\n b: 1}\n",  # a key spanning lines in a flow mapping
    "{a\r\nb: 1}\n",
    "{a\n: 1}\n",
    '{"a\n":1}\n',  # a quoted key spanning lines
    '["a":1]\n',  # a JSON-like key inside a flow sequence
    "['a':b]\n",
    'k: {"a"::1}\n',
    "{:\u00a0a: b}\n",  # U+00A0 is text to YAML, not a space
    "{:\u3000a: b}\n",
    "a: |\n",  # an empty block scalar: "\n" to yaml-rs, "" to ruamel
    "a: x\rb: y\n",  # a lone CR line break
])
def test_unusual_texts_are_declined(text: str) -> None:
    assert native.load_data(text) is None


def _nested(depth: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "leaf: 1\n"


@pytest.mark.parametrize("depth", [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_depth_at_the_limit_reads_as_the_other_paths_read_it(depth: int) -> None:
    text = _nested(depth)
    assert_native_agrees(text)
    before = _load_without_native(text)
    after = _load(text)
    assert after == before


def _load(text: str) -> Any:
    try:
        return typed(yamlio.load(text.encode("utf-8"), "t.yaml").data)
    except yamlio.YamlError as exc:
        return (exc.code, str(exc.location))


def _load_without_native(text: str, monkeypatch: Any = None) -> Any:
    saved = native.available
    native.available = lambda: False  # type: ignore[assignment]
    try:
        return _load(text)
    finally:
        native.available = saved  # type: ignore[assignment]


def test_loading_without_yaml_rs_gives_the_same_documents() -> None:
    for text in [TOOL, _nested(5), "a: 017\n", "a: 0o1_7\n", "- 1\n- 1.5\n- true\n- x\n"]:
        assert _load(text) == _load_without_native(text)


HUGE = {  # ~10 MB each: what the scans, the token judge and the block rules look at hardest
    "one long number": "a: " + "1" * 10_000_000 + "\n",
    "many negative numbers": "- " + " -1" * 3_000_000 + "\n",
    "escapes": 'a: "' + "\\u" * 2_000_000 + '"\n',
    "one long word": "k: " + "n" * 10_000_000 + "\n",
    "a long flow list": "[" + ",1" * 4_000_000 + "]\n",
    "question marks": "a: " + " ?" * 4_000_000 + "\n",
    "distinct numbers": "".join(f"k{i}: {i}\n" for i in range(800_000)),
    "distinct odd tokens": "".join(f"k{i}: 0{i}_\n" for i in range(800_000)),
    "blank lines in a block": "a: |\n" + "\n" * 10_000_000 + "  x\n",
    "spaces in a block's first lines": "a: |\n" + " \n" * 5_000_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_adversarial_text_is_read_or_declined_quickly(name: str) -> None:
    """A crafted file must not stall CI: each scan is linear, and a text with more odd tokens
    than are worth judging is declined. The bound is loose (a loaded CI machine): the quadratic
    or per-token-parse versions took 10-25 s."""
    import time

    text = HUGE[name]
    started = time.process_time()
    native.load_data(text)
    assert time.process_time() - started < 8.0
    assert len(native._agreed) <= native._AGREED_MAX


# --- generated documents ------------------------------------------------------------------------

TRICKY = ["on", "no", "yes", "y", "n", "1.10", "0x1F", "0o17", "017", "08", "~", "", "2024-06-01",
          "2024-06-01 10:00:00", "1_000", "1__0", "-.inf", ".Inf", ".nan", "Yes", "null", "Null", "NULL", "True",
          "FALSE", "tRUE", "+1", "-0", "0.", ".5", "1e3", "1E-3", "1.5e+3", "0b101", "<<", "=", "-", "--x", "1:30",
          "12:30:00", "1,000", "#x", "x #y", "é", "😀", "a\\b", "\\u00e9", "\u00a0017", "nullable", "true_ish"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(TRICKY),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(TRICKY)), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=int(os.environ.get("NATIVE_PATH_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([False, None, True]), st.sampled_from([None, "'", '"']),
       st.sampled_from([20, 80, 4096]))
def test_generated_documents_agree(value: Any, flow: bool | None, style: str | None, width: int) -> None:
    from ruamel.yaml import YAML

    y = YAML(typ="safe", pure=True)
    y.default_flow_style = flow
    y.default_style = style  # type: ignore[assignment]
    y.width = width
    buf = io.StringIO()
    y.dump(value, buf)
    assert_native_agrees(buf.getvalue())


yaml_bits = st.sampled_from(["a", "b", ":", ": ", " ", "  ", "\n", "\r\n", "- ", "[", "]", "{", "}", ",", "'", '"',
                             "#", " #", "&x", "*x", "!!str ", "!t ", "?", "? ", "|", "|-", "|2", ">", ">+", "1", "1.5",
                             "017", "0x1F", "1_0", ".inf", "true", "on", "~", "null", "\t", "%", "---", "...", "\\",
                             "\\n", "\\x41", "\\u00e9", "\\N", "\\_", "\\ ", "é", "\u00a0", "<<", "=", "-1", "+1",
                             ".5", "1e3", "k: ", "  k: ", "\n  "])


@settings(max_examples=int(os.environ.get("NATIVE_PATH_EXAMPLES", "600")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_bits, max_size=30).map("".join))
def test_random_yaml_like_text_agrees(text: str) -> None:
    assert_native_agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[-+.~0-9a-fA-FxXoOeE_:<=!&*nNuUlLtTrRsS]{1,10}", fullmatch=True),
       st.sampled_from(["k: {}\n", "- {}\n", "[{}]\n", "{{k: {}}}\n", "{}: v\n", '{{"k":{}}}\n', "k: [a, {}]\n",
                        "k: x\n  {}\n", "{{{}}}\n"]))
def test_plain_tokens_in_every_position_agree(token: str, shape: str) -> None:
    assert_native_agrees(shape.format(token))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12) | st.from_regex(r"[-+.~0-9a-zA-Z_:<=]{1,10}", fullmatch=True)
       | st.sampled_from(["null", "Null", "NULL", "nULL", "~", "true", "True", "TRUE", "tRUE", "false", "False",
                          "FALSE", "yes", "no", "on", "off", "y", "n", "<<", "=", ".inf", ".nan", "-.Inf"]))
def test_every_token_read_differently_is_scanned(token: str) -> None:
    """The token rule covers every plain scalar the two readers read differently: such a scalar,
    standing alone, is matched whole by the scan (or its text declined)."""
    import yaml_rs

    if any(c in token for c in " \t\r\n[]{},#\"'") or token in ("", "-") or token.endswith(":"):
        return  # not one plain scalar (`-` alone starts a sequence); or a key, whose colon the scan drops
    try:
        theirs = yaml_rs.loads(f"k: {token}\n", parse_datetime=False)
    except Exception:  # noqa: BLE001 - not a plain scalar to yaml-rs (`@x`): such a text is declined
        return
    ours = native._ruamel_value(token)
    alike = isinstance(theirs, dict) and type(theirs.get("k")) is type(ours) and theirs.get("k") == ours
    if not alike:  # judged by the token rule, or the text declined outright (`&x`, `!t`, `:x`)
        assert native._TOKEN.findall(token) == [token] or native._declined(f"k: {token}\n"), token
