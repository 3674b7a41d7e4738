"""The variables a prompt template uses, per format (mustache, jinja2, f-string).

Plain functions, no pydantic: `validate` checks them against a prompt's declared variables and
`diff` reports the ones a change adds or removes, without loading the manifest models.
"""

from __future__ import annotations

import re


class TemplateSyntaxError(ValueError):
    """The template cannot be parsed in its declared format."""


_MUSTACHE_TAG = re.compile(r"\{\{(\{?)\s*([#^/&!>]?)\s*([^}]*?)\s*\}?\}\}")
_JINJA_EXPR = re.compile(r"\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)")
_JINJA_STMT = re.compile(r"\{%-?\s*(if|elif|for|set|with)\s+(.*?)-?%\}", re.S)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JINJA_WORDS = {"not", "and", "or", "in", "is", "true", "false", "none", "True", "False", "None", "loop"}


def template_variables(text: str, fmt: str) -> set[str]:
    """Top-level variable names a template uses, per its format. Raises TemplateSyntaxError."""
    if fmt == "f-string":
        return _fstring_vars(text)
    if fmt == "jinja2":
        return _jinja_vars(text)
    return _mustache_vars(text)


def _mustache_vars(text: str) -> set[str]:
    found: set[str] = set()
    depth = 0  # inside a section, names may be fields of the section's items
    for m in _MUSTACHE_TAG.finditer(text):
        sigil, name = m.group(2), m.group(3).strip()
        if sigil in ("!", ">"):
            continue
        if sigil == "/":
            depth = max(0, depth - 1)
            continue
        top = name.split(".")[0]
        if sigil in ("#", "^"):
            if depth == 0 and top:
                found.add(top)
            depth += 1
        elif depth == 0 and top and top != ".":
            found.add(top)
    return found


def _jinja_vars(text: str) -> set[str]:
    found = {m.group(1) for m in _JINJA_EXPR.finditer(text)}
    bound: set[str] = set()
    for kind, body in _JINJA_STMT.findall(text):
        if kind == "for":
            target, _, iterable = body.partition(" in ")
            bound.update(_IDENT.findall(target))
            found.update(_IDENT.findall(iterable.split("|")[0])[:1])
        elif kind == "set":
            bound.update(_IDENT.findall(body.split("=")[0]))
        else:
            expr = re.sub(r"(['\"]).*?\1", "", body.split("|")[0])
            found.update(w for w in _IDENT.findall(expr) if w not in _JINJA_WORDS)
    return {v for v in found - bound - _JINJA_WORDS}


def _fstring_vars(text: str) -> set[str]:
    import string

    found: set[str] = set()
    try:
        for _, field_name, _, _ in string.Formatter().parse(text):
            if field_name is None:
                continue
            top = re.split(r"[.\[]", field_name, maxsplit=1)[0]
            if not top or top.isdigit():
                raise TemplateSyntaxError("f-string templates need named fields like {name}, not {} or {0}")
            found.add(top)
    except ValueError as exc:
        if isinstance(exc, TemplateSyntaxError):
            raise
        raise TemplateSyntaxError(f"invalid f-string template: {exc}") from None
    return found
