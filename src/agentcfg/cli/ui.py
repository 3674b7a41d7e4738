"""All terminal output goes through here: the only module that imports rich.

Colour and progress only on a TTY; ``NO_COLOR`` is respected (rich does this natively). Data
goes to stdout, messages and errors to stderr, so ``--format json | jq`` always works.
"""

from __future__ import annotations

import json
import os
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

    return Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))


@lru_cache(maxsize=None)
def err() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def print_raw(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def line(markup: str = "") -> None:
    out().print(markup)


def note(markup: str) -> None:
    err().print(markup)


def error(message: str) -> None:
    err().print(f"[bold red]error:[/] {escape(message)}")


def warning(message: str) -> None:
    err().print(f"[yellow]warning:[/] {escape(message)}")


def table(columns: list[str], rows: list[list[str]], *, title: str | None = None) -> None:
    from rich.table import Table

    t = Table(title=title, show_edge=False, header_style="bold", pad_edge=False, box=None)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*r)
    out().print(t)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Any]:
    """A progress bar on a TTY (stderr), a no-op elsewhere. Yields ``advance(n)``."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  console=err(), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
