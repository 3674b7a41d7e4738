"""The variables a prompt template uses, per format (mustache, jinja2, f-string).

Mustache and jinja2 templates are read by the parsers that render them (the shared mustache
parser, jinja2's own analysis), so validation and run time cannot disagree.

Plain functions, no pydantic: `validate` checks them against a prompt's declared variables and
`diff` reports the ones a change adds or removes, without loading the manifest models.
"""

from __future__ import annotations

import re

from agentcfg.artefacts import mustache


class TemplateSyntaxError(ValueError):
    """The template cannot be parsed in its declared format."""


def template_variables(text: str, fmt: str) -> set[str]:
    """Top-level variable names a template uses, per its format. Raises TemplateSyntaxError."""
    if fmt == "text":
        return set()  # not a template: braces are literal text
    if fmt == "f-string":
        return _fstring_vars(text)
    if fmt == "jinja2":
        return _jinja_vars(text)
    return _mustache_vars(text)


def _mustache_vars(text: str) -> set[str]:
    try:
        return mustache.variables(text)
    except mustache.MustacheSyntaxError as exc:
        raise TemplateSyntaxError(str(exc)) from None


def _jinja_vars(text: str) -> set[str]:
    # jinja2's own analysis: expressions (`greeting ~ name`), loops, `set`, `raw` blocks and
    # comments are understood exactly as the runtime will render them.
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from jinja2 import meta
    from jinja2.sandbox import SandboxedEnvironment

    try:
        ast = SandboxedEnvironment(autoescape=False).parse(text)
    except JinjaSyntaxError as exc:
        raise TemplateSyntaxError(f"line {exc.lineno}: jinja2 syntax error: {exc.message}") from None
    except RecursionError:  # jinja2's parser recurses once per nested bracket
        raise TemplateSyntaxError("jinja2 expressions are nested too deeply to parse") from None
    return set(meta.find_undeclared_variables(ast))


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
