"""The inexact-number check: its quick "none at all?" pass only ever opens the walk where the
pass it replaced did (and perhaps more often), and an environment's pass reads only what its
overlay touched, reporting exactly what reading everything reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentcfg.checks import numbers
from agentcfg.manifest.loader import Loaded
from agentcfg.project import Project
from agentcfg.validation import validate_tree

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "support-agent"
_ZEROS = bytes.maketrans(b"123456789", b"000000000")


def reference_may_hold_one(raw: Any) -> bool:
    try:
        text = json.dumps(raw, allow_nan=False, default=str, ensure_ascii=False)
    except ValueError:
        return True
    return b"0" * 16 in text.encode("utf-8").translate(_ZEROS)


TEXT = st.text(alphabet=st.sampled_from("0123456789é٣ a\"\\\n"), max_size=30)
# What the check reads is what yamlio parsed, and yamlio refuses NaN and infinities (below):
# the quick pass is held to the old one on every value that can reach it.
LEAVES = TEXT | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.none() | st.booleans()
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                      max_leaves=15)


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_the_quick_pass_opens_the_walk_whenever_the_old_one_did(value: Any) -> None:
    if reference_may_hold_one(value):
        assert numbers._may_hold_one(value)
    if list(numbers.find_inexact_numbers(value)):
        assert numbers._may_hold_one(value)


@pytest.mark.parametrize("spelling", [".nan", ".NaN", ".NAN", ".inf", "-.Inf", "+.INF", "1e400", "-1e999", "[1e309]",
                                      "{x: 1.0e+999}"])
@pytest.mark.parametrize("form", ["yaml", "json"])
def test_no_parse_holds_a_number_json_cannot_write(spelling: str, form: str) -> None:
    from agentcfg.yamlio import YamlError, load

    text = f"a: {spelling}\n" if form == "yaml" else f'{{"a": {spelling.strip("[]{}x: ")}}}\n'
    with pytest.raises(YamlError, match="not a finite number"):
        load(text.encode(), "x.yaml")


def _project(tmp_path: Path, overlay: str) -> Project:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    (root / "environments" / "staging.yaml").write_text(overlay)
    tool = root / "tools" / "create_ticket.yaml"
    tool.write_text(tool.read_text() + "\nx-limit: 12345678901234567890\n")
    return Project.find(root)


@pytest.mark.parametrize("overlay", [
    "{}\n",
    "tools:\n  lookup_order:\n    x-big: 99999999999999999999\n",
    "tools:\n  create_ticket:\n    x-other: .nan\n",
])
def test_an_environment_reports_what_reading_everything_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overlay: str) -> None:
    def findings(project: Project) -> list[tuple[object, ...]]:
        return [(f.code, Path(str(f.file)).name, f.line, f.col, f.message)
                for f in validate_tree(project).findings if f.code == "inexact-number"]

    once = findings(_project(tmp_path / "a", overlay))
    monkeypatch.setattr(Loaded, "unchanged", lambda self: frozenset())
    assert once == findings(_project(tmp_path / "b", overlay))
    assert once
