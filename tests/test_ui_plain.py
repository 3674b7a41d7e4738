"""Plain output without rich (cli/ui.py) must print exactly what rich prints without colour.

ui writes a line of markup directly when rich would only strip its tags (a pipe, a CI log),
and leaves everything else to rich. These tests render the same markup both ways.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape

from agentcfg.cli import ui


def rich_plain(markup: str) -> str:
    """What agentcfg's rich console prints for ``markup`` without colour."""
    buffer = io.StringIO()
    Console(file=buffer, highlight=False, soft_wrap=True, width=160, force_terminal=False).print(markup)
    return buffer.getvalue()


PIECES = st.sampled_from([
    "[bold]", "[/]", "[red]", "[/red]", "[bold red]", "[/bold red]", "[dim]", "[yellow]", "[green]",
    "[cyan]", "[bold underline]", "[/ dim ]", "[link=https://x]", "[@click]", "[#ff0000]", "[unknown]",
    "\\[", "\\[bold]", "\\\\[bold]", "\\\\\\[red]", "\\", "[", "]", "[1]", "[a-b]", ":", ":smile:",
    ":no_such_code:", "sha256:ab:cd", " ", "  ", "→", "é", "日本", "\t", "\r", "\x1b[31m", "\x07", "\n",
    "tools/search", "impact: agents/a, agents/b", "description changed", "x", "\\[rule-id]",
])
MARKUP = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=12).map("".join)


@settings(max_examples=600, deadline=None)
@given(MARKUP)
@example("[bold]a → b[/]")
@example("  [bold]tools/x[/]  [red]high[/]  [dim]impact: agents/a[/]")
@example("      [dim]description changed \\[tool-description][/]")
@example("[/]")
@example("[red]x[/bold]")
def test_plain_text_is_what_rich_prints(markup: str) -> None:
    plain = ui._plain_text(markup)
    if plain is not None:
        assert plain + "\n" == rich_plain(markup)


@settings(max_examples=400, deadline=None)
@given(st.one_of(MARKUP, st.text(max_size=40)))
@example("see [bold] and \\ and :smile:")
@example("\\")
def test_escape_is_rich_escape(message: str) -> None:
    assert ui.escape(message) == escape(message)
    plain = ui._plain_text(f"[bold red]error:[/] {ui.escape(message)}")
    if plain is not None:
        assert plain + "\n" == rich_plain(f"[bold red]error:[/] {escape(message)}")


def test_the_markup_agentcfg_writes_takes_the_plain_path() -> None:
    # The point of the plain path: a diff's lines and the usual notes never need rich.
    for markup in ("[bold]HEAD → working tree[/]", "  [bold]prompts/triage[/]  [red]high[/]",
                   "      [dim]text changed \\[prompt-text][/]", "[green]ok[/]: 3 agents",
                   "        [red]-old line[/]", "rolled back production to sha256:abc (history #1)"):
        assert ui._plain_text(markup) is not None, markup
        assert ui._plain_text(markup) + "\n" == rich_plain(markup)


@pytest.mark.parametrize(("env", "isatty", "plain"), [
    ({}, False, True),
    ({}, True, False),
    ({"FORCE_COLOR": "1"}, False, False),
    ({"FORCE_COLOR": ""}, True, True),
    ({"TTY_COMPATIBLE": "1"}, False, False),
    ({"TTY_COMPATIBLE": "0"}, True, True),
    ({"NO_COLOR": "1"}, False, True),
])
def test_plain_only_where_rich_would_not_colour(env: dict[str, str], isatty: bool, plain: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return isatty

    stream = Stream()
    assert ui._plain_stream(stream) is plain
    console = Console(file=stream, highlight=False, soft_wrap=True)
    assert (console.color_system is None) is plain


def test_line_note_error_write_plain_to_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    ui.line("[bold]a[/] b")
    ui.note("[yellow]n[/]")
    ui.error("bad [thing] :smile:")  # an emoji code: rich prints this one
    ui.warning("careful")
    captured = capsys.readouterr()
    assert captured.out == "a b\n"
    assert captured.err == ("n\n" + rich_plain(f"[bold red]error:[/] {escape('bad [thing] :smile:')}")
                            + "warning: careful\n")


class _Stream(io.StringIO):
    def __init__(self, tty: bool = False) -> None:
        super().__init__()
        self.tty, self.flushes = tty, 0

    def isatty(self) -> bool:
        return self.tty

    def flush(self) -> None:
        self.flushes += 1


def test_each_plain_line_is_flushed_like_rich_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """With `2>&1` stdout and stderr lines must keep their order, and a closed pipe must be seen
    while agentcfg runs, not in the flush at interpreter exit (exit 120)."""
    out, err = _Stream(), _Stream()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    ui.line("[bold]a[/]")
    ui.note("b")
    ui.print_raw("c")
    assert (out.getvalue(), err.getvalue()) == ("a\nc\n", "b\n")
    assert out.flushes == 2 and err.flushes == 1


def test_plain_table_leaves_a_terminal_without_colour_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """TTY_COMPATIBLE=0 on a terminal: no colour, but rich fits the table to the terminal's width."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    monkeypatch.setattr("sys.stdout", _Stream(tty=True))
    assert ui._plain_stream(ui.sys.stdout)
    assert ui._plain_table(["a", "b"], [["1", "2"]]) is False
    monkeypatch.setattr("sys.stdout", _Stream(tty=False))
    assert ui._plain_table(["a", "b"], [["1", "2"]]) is True
