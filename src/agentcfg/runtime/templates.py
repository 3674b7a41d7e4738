"""Prompt template engines: mustache (built in), jinja2 (optional dependency), f-string.

Prompts are text for a model, not HTML, so **no engine escapes anything**: in mustache
``{{x}}``, ``{{{x}}}`` and ``{{& x}}`` all insert the value as is (a mustache library built for
web pages would turn ``<`` into ``&lt;`` and quietly change what the model reads); jinja2 runs
with autoescape off. Values are inserted with ``str()``, except ``None`` (empty) and lists and
mappings (JSON), which read better in a prompt than Python's repr.

Mustache support: variables (dotted names, ``{{.}}``), sections over lists, mappings and
truthy values, inverted sections, comments, and the spec's standalone-line rule (a line holding
only a section tag or comment leaves no blank line). Partials and delimiter changes are refused.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from agentcfg.errors import AgentcfgError


class TemplateError(AgentcfgError):
    """A prompt could not be rendered (syntax, missing optional dependency, bad value)."""


_TAG = re.compile(r"\{\{(?:\{\s*(?P<triple>.*?)\s*\}|(?P<sigil>[#^/!&>=]?)\s*(?P<body>.*?)\s*)\}\}", re.DOTALL)
_STANDALONE = "#^/!>="

Node = str | tuple[Any, ...]  # text, ("var", name) or ("section", name, inverted, children)


def render(template: str, fmt: str, variables: Mapping[str, Any], *, artefact: str) -> str:
    """Render ``template`` in format ``fmt`` with ``variables`` (already checked against the
    prompt's declared variables). Raises :class:`TemplateError` naming ``artefact``."""
    if fmt == "mustache":
        return render_mustache(template, variables, artefact=artefact)
    if fmt == "jinja2":
        return _render_jinja2(template, variables, artefact)
    if fmt == "f-string":
        return _render_fstring(template, variables, artefact)
    raise TemplateError(f"unknown template format '{fmt}'", artefact=artefact)


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=isinstance(value, Mapping))
    return str(value)


# --- mustache ---------------------------------------------------------------------------------

def render_mustache(template: str, variables: Mapping[str, Any], *, artefact: str = "template") -> str:
    out: list[str] = []
    _render_nodes(_parse_mustache(template, artefact), [variables], out)
    return "".join(out)


@lru_cache(maxsize=256)
def _parse_mustache(template: str, artefact: str) -> tuple[Node, ...]:
    root: list[Node] = []
    stack: list[tuple[str, bool, list[Node], int]] = []  # (name, inverted, children of parent, line)
    current = root
    pos = 0
    for m in _TAG.finditer(template):
        sigil = "&" if m.group("triple") is not None else m.group("sigil")
        name = (m.group("triple") if m.group("triple") is not None else m.group("body")).strip()
        start, end = m.start(), m.end()
        if sigil in _STANDALONE:
            start, end = _standalone_span(template, start, end)
        if start > pos:
            current.append(template[pos:start])
        pos = end
        line = template.count("\n", 0, m.start()) + 1
        if sigil == "!":
            continue
        if sigil in (">", "="):
            what = "partials ({{> name}})" if sigil == ">" else "delimiter changes ({{=<% %>=}})"
            raise TemplateError(f"line {line}: mustache {what} are not supported in prompts", artefact=artefact)
        if not name:
            raise TemplateError(f"line {line}: empty mustache tag", artefact=artefact)
        if sigil in ("#", "^"):
            stack.append((name, sigil == "^", current, line))
            current = []
        elif sigil == "/":
            if not stack or stack[-1][0] != name:
                expected = f"{{{{/{stack[-1][0]}}}}}" if stack else "no open section"
                raise TemplateError(f"line {line}: {{{{/{name}}}}} does not close a section (expected {expected})",
                                    artefact=artefact)
            open_name, inverted, parent, _ = stack.pop()
            parent.append(("section", open_name, inverted, tuple(current)))
            current = parent
        else:
            current.append(("var", name))
    if stack:
        raise TemplateError(f"line {stack[-1][3]}: section {{{{#{stack[-1][0]}}}}} is never closed", artefact=artefact)
    if pos < len(template):
        current.append(template[pos:])
    return tuple(root)


def _standalone_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span to drop for a tag alone on its line (with the line's indentation and newline)."""
    line_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    line_end = len(text) if newline < 0 else newline + 1
    before, after = text[line_start:start], text[end:line_end]
    if before.strip(" \t") == "" and after.strip(" \t\r\n") == "":
        return line_start, line_end
    return start, end


def _lookup(name: str, stack: list[Any]) -> Any:
    if name == ".":
        return stack[-1]
    head, *rest = name.split(".")
    for ctx in reversed(stack):
        if isinstance(ctx, Mapping) and head in ctx:
            value = ctx[head]
            break
    else:
        return None
    for part in rest:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _render_nodes(nodes: tuple[Node, ...], stack: list[Any], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node[0] == "var":
            out.append(to_text(_lookup(node[1], stack)))
        else:
            _, name, inverted, children = node
            value = _lookup(name, stack)
            if inverted:
                if not value:
                    _render_nodes(children, stack, out)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    _render_nodes(children, [*stack, item], out)
            elif value:
                _render_nodes(children, [*stack, value], out)


# --- jinja2 -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _jinja_env() -> Any:
    try:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment
    except ImportError:
        return None
    # Sandboxed: a template cannot reach Python internals; StrictUndefined: a typo is an error,
    # not an empty string in the prompt.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=256)
def _jinja_template(template: str) -> Any:
    # Compiling is the expensive part; an agent renders the same few prompts over and over.
    return _jinja_env().from_string(template)


def _render_jinja2(template: str, variables: Mapping[str, Any], artefact: str) -> str:
    env = _jinja_env()
    if env is None:
        raise TemplateError("this prompt uses jinja2, but the optional dependency jinja2 is not installed",
                            artefact=artefact, hint="pip install 'agentcfg[jinja2]'")
    import jinja2

    try:
        return str(_jinja_template(template).render(**variables))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: jinja2 syntax error: {exc.message}", artefact=artefact) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"jinja2: {exc.message}", artefact=artefact) from None
    except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
        raise TemplateError(f"jinja2: {exc}", artefact=artefact) from None


# --- f-string (str.format_map) ------------------------------------------------------------------

_PRIVATE = re.compile(r"\._|\[\s*_")


def _render_fstring(template: str, variables: Mapping[str, Any], artefact: str) -> str:
    try:
        for _, field, _, _ in string.Formatter().parse(template):
            if field and _PRIVATE.search(field):
                # {user.__class__...} could walk into Python internals: refuse private names.
                raise TemplateError(f"field '{{{field}}}' reaches a private attribute; refused", artefact=artefact)
        return template.format_map(dict(variables))
    except TemplateError:
        raise
    except (KeyError, AttributeError, IndexError, ValueError, TypeError) as exc:
        raise TemplateError(f"f-string template: {type(exc).__name__}: {exc}", artefact=artefact) from None
