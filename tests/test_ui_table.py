"""The plain-text table (ui._plain_table, used for long tables in pipes and CI logs) writes
exactly what rich would; anything it cannot match it leaves to rich."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg.cli import ui

cell = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)


def _render(capsys: pytest.CaptureFixture[str], plain: bool, columns: list[str], rows: list[list[str]]) -> str | None:
    capsys.readouterr()
    if plain:
        if not ui._plain_table(columns, rows):
            return None
    else:
        ui._rich_table(columns, rows)
    return capsys.readouterr().out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(cell.filter(bool), min_size=n, max_size=n),
    st.lists(st.lists(cell, min_size=n, max_size=n), min_size=1, max_size=6))))
def test_plain_table_is_what_rich_writes(capsys: pytest.CaptureFixture[str],
                                         table: tuple[list[str], list[list[str]]]) -> None:
    columns, rows = table
    plain = _render(capsys, True, columns, rows)
    if plain is None:
        return  # markup, emoji codes or too wide: rich renders it
    assert plain == _render(capsys, False, columns, rows)


@pytest.mark.parametrize("rows", [[["a\nb", "c"]], [["[bold]x[/]", "y"]], [["é", "y"]], [[":smile:", "y"]]])
def test_cells_rich_would_change_go_to_rich(rows: list[list[str]]) -> None:
    assert ui._plain_table(["one", "two"], rows) is False


def test_a_history_like_table_takes_the_plain_path(capsys: pytest.CaptureFixture[str]) -> None:
    columns = ["#", "date", "action", "reason"]
    rows = [[str(i), "2026-12-01 00:04:36", "promote", f"release {i}"] for i in range(50)]
    plain = _render(capsys, True, columns, rows)
    assert plain is not None and plain == _render(capsys, False, columns, rows)
