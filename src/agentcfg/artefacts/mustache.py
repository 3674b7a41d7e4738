"""The one mustache parser: `validate` and `diff` read a template's variables from the same tree
the runtime renders, so what passes validation is exactly what renders.

Supported: variables (dotted names, ``{{.}}``), ``{{{x}}}`` and ``{{& x}}``, sections and
inverted sections, comments, and the spec's standalone-line rule (a line holding only a section
tag or comment leaves no blank line). Partials and delimiter changes are refused: a prompt must
be readable on its own.

The scanner is linear in the template's length whatever the text (templates come from pull
requests): each search for a closing delimiter starts where the last one ended, and a failed
search is remembered instead of repeated.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# text, ("var", name, line) or ("section", name, inverted, children, line)
Node = str | tuple[Any, ...]

_STANDALONE = "#^/!>="
_SIGILS = "#^/!&>="


class MustacheSyntaxError(ValueError):
    """The template is not valid mustache; the message starts with its line number."""


class _Finder:
    """``text.find(needle, pos)`` that never scans the same stretch twice for one needle."""

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle, self.found = text, needle, -2  # -2: not searched yet

    def find(self, pos: int) -> int:
        if self.found == -1 or (self.found >= pos):
            return self.found
        self.found = self.text.find(self.needle, pos)
        return self.found


def _standalone_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span to drop for a tag alone on its line (with the line's indentation and newline)."""
    line_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    line_end = len(text) if newline < 0 else newline + 1
    before, after = text[line_start:start], text[end:line_end]
    if before.strip(" \t") == "" and after.strip(" \t\r\n") == "":
        return line_start, line_end
    return start, end


def _tags(text: str) -> list[tuple[int, int, str, str]]:
    """Every tag as (start, end, sigil, name); text without a closing ``}}`` is plain text."""
    tags: list[tuple[int, int, str, str]] = []
    opening, closing, triple = _Finder(text, "{{"), _Finder(text, "}}"), _Finder(text, "}}}")
    pos = 0
    while True:
        start = opening.find(pos)
        if start < 0:
            return tags
        if text.startswith("{", start + 2) and (close := triple.find(start + 3)) >= 0:
            tags.append((start, close + 3, "&", text[start + 3:close].strip()))
            pos = close + 3
            continue
        close = closing.find(start + 2)
        if close < 0:
            return tags
        body = text[start + 2:close]
        sigil = body[:1] if body[:1] in _SIGILS else ""
        tags.append((start, close + 2, sigil, body[len(sigil):].strip()))
        pos = close + 2


@lru_cache(maxsize=256)
def parse(template: str) -> tuple[Node, ...]:
    """The template as a tree. Raises :class:`MustacheSyntaxError`."""
    root: list[Node] = []
    stack: list[tuple[str, bool, list[Node], int]] = []  # (name, inverted, children of parent, line)
    current = root
    pos = 0
    line, counted = 1, 0  # line numbers counted incrementally: linear for any number of tags
    for start, end, sigil, name in _tags(template):
        line += template.count("\n", counted, start)
        counted = start
        if sigil in _STANDALONE:
            start, end = _standalone_span(template, start, end)
        if start > pos:
            current.append(template[pos:start])
        pos = max(pos, end)
        if sigil == "!":
            continue
        if sigil in (">", "="):
            what = "partials ({{> name}})" if sigil == ">" else "delimiter changes ({{=<% %>=}})"
            raise MustacheSyntaxError(f"line {line}: mustache {what} are not supported in prompts")
        if not name:
            raise MustacheSyntaxError(f"line {line}: empty mustache tag")
        if sigil in ("#", "^"):
            stack.append((name, sigil == "^", current, line))
            current = []
        elif sigil == "/":
            if not stack or stack[-1][0] != name:
                expected = f"{{{{/{stack[-1][0]}}}}}" if stack else "no open section"
                raise MustacheSyntaxError(
                    f"line {line}: {{{{/{name}}}}} does not close a section (expected {expected})")
            open_name, inverted, parent, open_line = stack.pop()
            parent.append(("section", open_name, inverted, tuple(current), open_line))
            current = parent
        else:
            current.append(("var", name, line))
    if stack:
        raise MustacheSyntaxError(f"line {stack[-1][3]}: section {{{{#{stack[-1][0]}}}}} is never closed")
    if pos < len(template):
        current.append(template[pos:])
    return tuple(root)


def variables(template: str) -> set[str]:
    """Top-level names the template reads. Inside a section, a name may be a field of the
    section's items, so only the section's own name counts there."""
    found: set[str] = set()
    for node in parse(template):
        if isinstance(node, str):
            continue
        top = node[1].split(".")[0]
        if top and top != ".":
            found.add(top)
    return found


__all__ = ["MustacheSyntaxError", "Node", "parse", "variables"]
