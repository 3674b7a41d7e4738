"""All terminal output goes through here: the only module that imports rich.

Colour and progress only on a TTY; ``NO_COLOR`` is respected (rich does this natively). Data
goes to stdout, messages and errors to stderr, so ``--format json | jq`` always works.

Every byte printed passes :func:`agentcfg.secrets.redact_text` (JSON: :func:`~agentcfg.secrets.redact`)
here, whatever the command computed: a secret-looking literal that reached a message, a diff
path, a git trailer or a hand-edited release file is still never shown.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator

import re2

if TYPE_CHECKING:
    from rich.console import Console

from agentcfg.markup import RISK_STYLE, escape  # noqa: F401 - shared with the core's text rendering


def _width(stream: object) -> int | None:
    # Piped output (CI logs, `| less`) has no terminal width; rich would assume 80 columns and
    # fold tables into unreadable slivers. COLUMNS still wins when set.
    if os.environ.get("COLUMNS") or getattr(stream, "isatty", lambda: False)():
        return None
    return 160


@lru_cache(maxsize=None)
def out() -> "Console":
    from rich.console import Console

    return _pipe_safe(Console(highlight=False, soft_wrap=True, width=_width(sys.stdout)))


@lru_cache(maxsize=None)
def err() -> "Console":
    from rich.console import Console

    return _pipe_safe(Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr)))


def _write(stream: Any, text: str) -> None:
    # Flushed at once, as rich does: with `2>&1` lines keep their order between the two
    # streams, and a reader that left is noticed here, not in the flush at interpreter exit.
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        # The reader left (`agentcfg diff | head`). click would turn the EPIPE into exit 1;
        # a bare BrokenPipeError reaches cli.app.main, which treats it as success.
        raise BrokenPipeError from None


def _pipe_safe(console: "Console") -> "Console":
    # rich answers a closed pipe with SystemExit(1), which would read as "the check found
    # something" (`agentcfg history 2>&1 | head`). Let the error reach cli.app.main, which
    # treats a reader that left as success.
    def reader_left() -> None:
        console.quiet = True
        raise BrokenPipeError

    console.on_broken_pipe = reader_left  # type: ignore[method-assign]
    return console


def _clean(text: Any) -> Any:
    from agentcfg.secrets import redact_text

    return redact_text(text) if isinstance(text, str) else text


def print_json(data: Any) -> None:
    from agentcfg.secrets import redact

    _write(sys.stdout, json.dumps(redact(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def print_raw(text: str) -> None:
    text = _clean(text)
    _write(sys.stdout, text if text.endswith("\n") else text + "\n")


def line(markup: str = "") -> None:
    markup = _clean(markup)
    if not _write_plain(sys.stdout, markup):
        out().print(markup)


def note(markup: str) -> None:
    markup = _clean(markup)
    if not _write_plain(sys.stderr, markup):
        err().print(markup)


def error(message: str) -> None:
    note(f"[bold red]error:[/] {escape(_clean(message))}")


def warning(message: str) -> None:
    note(f"[yellow]warning:[/] {escape(_clean(message))}")


# --- plain output without rich ---------------------------------------------------------------
#
# Without colour (a pipe, a CI log, a file) rich prints a line of markup as its text with the
# tags removed. Importing rich and rendering through it costs ~20 ms plus ~0.2 ms per line (a
# 400-line diff: ~100 ms of a 500 ms budget), so the common case is written directly:
# well-formed markup made of the styles agentcfg uses, printable text, no emoji codes. Anything
# else goes through rich, and tests/test_ui_plain.py checks both give the same bytes.

_TAGS = re2.compile(r"((\\*)\[([a-z#/@][^[]*?)])")  # rich.markup.RE_TAGS
_EMOJI = re.compile(r":\S*?:")  # could be an emoji code (rich replaces `:smile:`): let rich decide
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f]")  # rich strips or expands some of these
_STYLE_WORDS = frozenset({"bold", "dim", "italic", "underline", "red", "green", "yellow", "cyan", "blue",
                          "magenta"})


def _plain_stream(stream: Any) -> bool:
    """True when rich would print to ``stream`` without colour or other escape codes.

    rich's own rule (Console.is_terminal): TTY_COMPATIBLE=1 and a non-empty FORCE_COLOR mean a
    terminal; otherwise ask ``isatty``. Jupyter and anything unusual is left to rich.
    """
    environ = os.environ
    if environ.get("TTY_COMPATIBLE") == "1" or environ.get("FORCE_COLOR") or "IPython" in sys.modules:
        return False
    if environ.get("TTY_COMPATIBLE") == "0" or "FORCE_COLOR" in environ:
        return True
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


def _plain_text(markup: str) -> str | None:
    """The text rich prints for ``markup`` without colour, or None when rich must render it.

    A port of rich.markup's parser for the cases above: ``\\[`` escapes, pairs of
    backslashes, style tags opened and closed (``[/]`` or ``[/name]``).
    """
    pieces: list[str] = []
    stack: list[str] = []
    position = 0
    for match in _TAGS.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            pieces.append(markup[position:start])
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            pieces.append("\\" * backslashes)
            if escaped:
                pieces.append(full[len(escapes):])
                continue
        if tag.startswith("/"):
            name = " ".join(tag[1:].split())
            if not name:
                if not stack:
                    return None  # rich: "closing tag '[/]' has nothing to close"
                stack.pop()
            elif name in stack:
                stack.reverse()
                stack.remove(name)
                stack.reverse()
            else:
                return None
            continue
        words = tag.split()
        if not words or not _STYLE_WORDS.issuperset(words):
            return None  # a link, a handler, a colour we do not use: rich knows
        stack.append(" ".join(words))
    if position < len(markup):
        pieces.append(markup[position:])
    text_parts = [p.replace("\\[", "[") for p in pieces]
    if any(":" in p and _EMOJI.search(p) for p in text_parts):
        return None
    text = "".join(text_parts)
    return None if _UNPRINTABLE.search(text) else text


def _write_plain(stream: Any, markup: str) -> bool:
    """Write ``markup`` and a newline to ``stream`` the way rich would without colour; False
    (nothing written) when that needs rich."""
    if not _plain_stream(stream):
        return False
    plain = _plain_text(markup)
    if plain is None:
        return False
    _write(stream, plain + "\n")
    return True


def table(columns: list[str], rows: list[list[str]], *, title: str | None = None) -> None:
    from agentcfg.secrets import may_hold_secret

    # One scan of all cells (joined by newlines, which no secret shape spans) instead of one per
    # cell: a 5,000-row history has 40,000 cells and almost never a secret.
    if may_hold_secret("\n".join(cell for r in rows for cell in r if isinstance(cell, str))):
        rows = [[_clean(cell) for cell in r] for r in rows]
    if title is None and _plain_table(columns, rows):
        return
    _rich_table(columns, rows, title)


def _rich_table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    from rich.table import Table

    t = Table(title=title, show_edge=False, header_style="bold", pad_edge=False, box=None)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*r)
    out().print(t)


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")  # a newline only ever separates the joined cells


def _plain_table(columns: list[str], rows: list[list[str]]) -> bool:
    """Write the table exactly as rich would, without rich, when that is simple; else False.

    rich lays out a 5,000-row `history` in ~2.5 s (history ≤ 400 ms). Without colour
    (a pipe, a CI log) and with plain one-line ASCII cells that fit the width, its output is
    columns left-justified to their widest cell, one space of padding inside each edge between
    columns and none at the table's edges, so it is written directly. Anything else (styles,
    markup, emoji codes, wide characters, folding) goes through rich.
    """
    if not rows or not _plain_stream(sys.stdout):
        return False
    width = _width(sys.stdout)  # the width out() gives rich; None: rich asks COLUMNS or the terminal
    if width is None:
        from_env = os.environ.get("COLUMNS", "")
        if not from_env.isdigit():
            return False  # a terminal without colour (TTY_COMPATIBLE=0): rich fits its width
        width = int(from_env)
    try:
        from rich._emoji_replace import _emoji_replace
    except ImportError:  # pragma: no cover - a rich without it: let rich do the work
        return False
    if any(len(r) != len(columns) for r in rows):
        return False
    cells = [cell for r in rows for cell in r]
    if not all(isinstance(cell, str) for cell in cells):
        return False
    # One scan of all cells joined by newlines (none of the checks can span a newline): plain
    # printable ASCII without markup, and no `:name:` emoji code rich would replace.
    joined = "\n".join([*columns, *cells])
    if joined.count("\n") != len(columns) + len(cells) - 1:
        return False  # a cell of several lines
    if not joined.isascii() or _CONTROL.search(joined) or "[" in joined:
        return False
    if ":" in joined and _emoji_replace(joined) != joined:
        return False
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return False  # rich would shrink and fold columns
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    lines = [line(*r) for r in (columns, *rows)]
    _write(sys.stdout, "\n".join(lines) + "\n")
    return True


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Any]:
    """A progress bar on a TTY (stderr), a no-op elsewhere. Yields ``advance(n)``."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda n=1: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  console=err(), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
