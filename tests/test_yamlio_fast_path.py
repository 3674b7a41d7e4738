"""The libyaml fast path (yamlio/events.py) builds exactly what the pure-Python path builds.

Either it returns the same data, positions and raw scalar texts, or it steps aside (`Unusual`)
and the pure path decides. It must step aside whenever the pure path refuses a document.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg import yamlio
from agentcfg.yamlio import events
from agentcfg.yamlio import pure as pure_path

pytestmark = pytest.mark.skipif(not events.available(), reason="ruamel.yaml.clib is not installed")


def both(text: str) -> tuple[Any, Any]:
    """(fast result or Unusual, pure result or YamlError)."""
    try:
        fast: Any = events.compose(text, "t.yaml")
    except events.Unusual:
        fast = events.Unusual
    except yamlio.YamlError as exc:  # refused by the fast path itself (too deep): must match the pure path
        fast = exc
    try:
        pure: Any = pure_path.compose(text, "t.yaml")
    except yamlio.YamlError as exc:
        pure = exc
    return fast, pure


def _outcome(compose: Any, text: str) -> Any:
    try:
        return compose(text, "t.yaml")
    except events.Unusual:
        return events.Unusual
    except yamlio.YamlError as exc:
        return (exc.code, str(exc.location))


def assert_data_only_agrees(text: str) -> None:
    """The data-only composer takes every decision the positioned one takes, and builds the same data."""
    data, full = _outcome(events.compose_data, text), _outcome(events.compose, text)
    if isinstance(full, yamlio.Document):
        assert data == full.data and type(data) is type(full.data)
    else:
        assert data == full


def assert_lazy_positions_agree(text: str) -> None:
    """load() leaves positions for later; computed then, they are those of the eager positioned parse."""
    try:
        eager = yamlio._compose(text, "t.yaml")
    except yamlio.YamlError:
        return
    lazy = yamlio.load(text.encode("utf-8"), "t.yaml")
    assert lazy.data == eager.data
    assert (lazy.positions, lazy.raw) == (eager.positions, eager.raw)


def assert_agree(text: str) -> None:
    assert_data_only_agrees(text)
    fast, pure = both(text)
    if fast is events.Unusual:
        return  # the pure path decided alone
    if isinstance(fast, yamlio.YamlError):
        assert isinstance(pure, yamlio.YamlError), f"only the fast path refused: {fast}"
        assert (fast.code, str(fast.location)) == (pure.code, str(pure.location))
        return
    assert not isinstance(pure, Exception), f"fast path accepted what the pure path refuses: {pure}"
    assert (fast.data, fast.positions, fast.raw) == (pure.data, pure.positions, pure.raw)


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False  # refused before any parser sees it
    return True


CORPUS = sorted(p for p in [*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml"),
                            *ROOT.glob("tests/fixtures/**/*.json")] if p.is_file() and _utf8(p))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_corpus_files_agree(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert_agree(text)
    assert_lazy_positions_agree(text.removeprefix("\ufeff"))


def test_plain_documents_take_the_fast_path() -> None:
    text = "name: x\nversion: '1.10'\nn: 3\nf: 1.5\nok: true\nnone: null\nlist: [a, {b: 2}]\n"
    fast, pure = both(text)
    assert fast is not events.Unusual
    assert fast.data == pure.data and fast.positions == pure.positions and fast.raw == pure.raw


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",            # anchors and aliases
    "a: 1\na: 2\n",                # duplicate key
    "<<: {a: 1}\n",                # merge key
    "1: a\n",                      # non-string key
    "a: !!python/object:os.system x\n",
    "%YAML 1.1\n---\na: on\n",     # a directive changes resolution
    "a: 1\n---\nb: 2\n",           # two documents
    "a: [1, 2\n",                  # syntax error
    "a: .nan\n",
    "a: \"\\ud800\"\n",            # lone surrogate escape
])
def test_unusual_documents_take_the_pure_path(text: str) -> None:
    fast, _ = both(text)
    assert fast is events.Unusual


def test_too_deep_nesting_is_refused_by_both_paths_at_the_same_place() -> None:
    fast, pure = both("[" * 300 + "]" * 300)  # deeper than MAX_DEPTH: refused before building anything
    assert isinstance(fast, yamlio.YamlError) and isinstance(pure, yamlio.YamlError)
    assert (fast.code, str(fast.location)) == (pure.code, str(pure.location)) == ("yaml-too-deep", "t.yaml:1:202")


def test_very_deep_nesting_is_refused_without_crashing_the_process() -> None:
    # libyaml's composer recurses on the C stack and segfaults at this depth; its parser does not.
    code = ("from agentcfg import yamlio\n"
            "try:\n    yamlio.load(b'[' * 200000 + b']' * 200000, 'deep.yaml')\n"
            "except yamlio.YamlError as e:\n    print(e.code)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "yaml-too-deep"


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from(["on", "no", "1.10", "0x1F", "0o17", "~", "", "2024-06-01", "1_000", "-.inf", "Yes", "null"]),
)
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(max_size=8).filter(lambda k: not k.startswith("<<")), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([False, None, True]))
def test_generated_documents_agree(value: Any, flow: bool | None) -> None:
    import io

    from ruamel.yaml import YAML

    y = YAML(typ="safe", pure=True)
    y.default_flow_style = flow
    buf = io.StringIO()
    y.dump(value, buf)
    assert_agree(buf.getvalue())


yaml_bits = st.sampled_from(["a", "b", ":", " ", "  ", "\n", "- ", "[", "]", "{", "}", ",", "'", '"', "#", "&x", "*x",
                             "!!str ", "!t ", "?", "|", ">", "1", "1.5", "true", "on", "~", "\t", "%", "---", "\\",
                             "é"])


@settings(max_examples=int(os.environ.get("FAST_PATH_EXAMPLES", "400")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_bits, max_size=30).map("".join))
def test_random_yaml_like_text_agrees(text: str) -> None:
    assert_agree(text)


# --- plain scalar resolution: ruamel's own YAML 1.2 resolver is the reference --------------------

_TRICKY_PLAIN = ["", "true", "True", "TRUE", "tRue", "false", "FALSE", "null", "Null", "NULL", "nul", "~", "1", "-1",
                 "+1", "1.5", "1.", ".5", "1e5", "1E+5", "-1.5e-3", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "0x1F",
                 "0o17", "0b101", "017", "1_000", "1:30", "2024-06-01", "2024-06-01T10:00:00Z", "2024-6-1 1:00:00",
                 "<<", "<", "=", "!", "&", "*", "yes", "on", "y", "n", "No", "type", "name", "tool_0", "é", "Émile",
                 "_x", "-", "+", ".", "0", "00", "-0", "1__", "0x", "0o", "1e", "t", "f", "N"]
_FIRST_CHARS = [chr(c) for c in range(0x20, 0x7f)] + ["é", "\u00a0", "😀"]


def _ruamel_tag(value: str) -> str:
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    return str(VersionedResolver(version=(1, 2)).resolve(ScalarNode, value, (True, False)))


def _assert_resolves_like_ruamel(value: str) -> None:
    expected = _ruamel_tag(value)
    assert events._resolve_plain(value) == expected, value
    by_first = events._BY_FIRST if events._BY_FIRST is not None else events._build_resolvers()
    if not by_first.get(value[:1], events._ANY_FIRST):  # the composer's shortcut: no resolver, a string
        assert expected == events._STR, value


@pytest.mark.parametrize("value", _TRICKY_PLAIN + [c + tail for c in _FIRST_CHARS for tail in ("", "rue", "1", ".5")])
def test_plain_scalars_resolve_like_ruamel(value: str) -> None:
    _assert_resolves_like_ruamel(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12) | st.from_regex(r"[-+.~0-9a-zA-Z_:<=!&*]{0,10}", fullmatch=True))
def test_generated_plain_scalars_resolve_like_ruamel(value: str) -> None:
    _assert_resolves_like_ruamel(value)
