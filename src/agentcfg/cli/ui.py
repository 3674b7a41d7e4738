"""All terminal output goes through here: the only module that imports rich.

Colour and progress only on a TTY; ``NO_COLOR`` is respected (rich does this natively). Data
goes to stdout, messages and errors to stderr, so ``--format json | jq`` always works.

Every byte printed passes :func:`agentcfg.secrets.redact_text` (JSON: :func:`~agentcfg.secrets.redact`)
here, whatever the command computed: a secret-looking literal that reached a message, a diff
path, a git trailer or a hand-edited release file is still never shown (SPEC §9).
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from rich.console import Console

RISK_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "none": "dim"}


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


def _pipe_safe(console: "Console") -> "Console":
    # rich answers a closed pipe with SystemExit(1), which would read as "the check found
    # something" (`agentcfg history 2>&1 | head`). Let the error reach cli.app.main, which
    # treats a reader that left as success.
    def reader_left() -> None:
        console.quiet = True
        raise BrokenPipeError

    console.on_broken_pipe = reader_left  # type: ignore[method-assign]
    return console


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


def _clean(text: Any) -> Any:
    from agentcfg.secrets import redact_text

    return redact_text(text) if isinstance(text, str) else text


def print_json(data: Any) -> None:
    from agentcfg.secrets import redact

    sys.stdout.write(json.dumps(redact(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def print_raw(text: str) -> None:
    text = _clean(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def line(markup: str = "") -> None:
    out().print(_clean(markup))


def note(markup: str) -> None:
    err().print(_clean(markup))


def error(message: str) -> None:
    err().print(f"[bold red]error:[/] {escape(_clean(message))}")


def warning(message: str) -> None:
    err().print(f"[yellow]warning:[/] {escape(_clean(message))}")


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

    rich lays out a 5,000-row `history` in ~2.5 s (issue 8: history ≤ 400 ms). Without colour
    (a pipe, a CI log) and with plain one-line ASCII cells that fit the width, its output is
    columns left-justified to their widest cell, one space of padding inside each edge between
    columns and none at the table's edges, so it is written directly. Anything else (styles,
    markup, emoji codes, wide characters, folding) goes through rich.
    """
    console = out()
    if console.color_system is not None or not rows:
        return False
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
    if sum(widths) + 2 * (len(widths) - 1) > console.width:
        return False  # rich would shrink and fold columns
    line = "  ".join(f"{{:<{w}}}" for w in widths).format
    lines = [line(*r) for r in (columns, *rows)]
    sys.stdout.write("\n".join(lines) + "\n")
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
