"""Prompt template engines: mustache (built in), jinja2 (optional dependency), f-string.

Prompts are text for a model, not HTML, so **no engine escapes anything**: in mustache
``{{x}}``, ``{{{x}}}`` and ``{{& x}}`` all insert the value as is (a mustache library built for
web pages would turn ``<`` into ``&lt;`` and quietly change what the model reads); jinja2 runs
with autoescape off. Values are inserted with ``str()``, except ``None`` (empty) and lists and
mappings (JSON), which read better in a prompt than Python's repr.

Mustache templates are parsed by :mod:`agentcfg.artefacts.mustache`, the parser `validate`
uses too; sections iterate over lists and enter mappings and truthy values.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from agentcfg.artefacts import mustache
from agentcfg.artefacts.mustache import Node
from agentcfg.errors import AgentcfgError


class TemplateError(AgentcfgError):
    """A prompt could not be rendered (syntax, missing optional dependency, bad value)."""




def render(template: str, fmt: str, variables: Mapping[str, Any], *, artefact: str) -> str:
    """Render ``template`` in format ``fmt`` with ``variables`` (already checked against the
    prompt's declared variables). Raises :class:`TemplateError` naming ``artefact``."""
    if fmt == "text":
        return template  # not a template: used exactly as written
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


def _parse_mustache(template: str, artefact: str) -> tuple[Node, ...]:
    try:
        return mustache.parse(template)
    except mustache.MustacheSyntaxError as exc:
        raise TemplateError(str(exc), artefact=artefact) from None


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
            _, name, inverted, children, _ = node
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
                            artefact=artefact, hint="pip install 'agentcfg-gitops[jinja2]'")
    import jinja2

    try:
        return str(_jinja_template(template).render(**variables))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: jinja2 syntax error: {exc.message}", artefact=artefact) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"jinja2: {exc.message}", artefact=artefact) from None
    except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
        raise TemplateError(f"jinja2: {exc}", artefact=artefact) from None
    except RecursionError:  # jinja2's parser recurses once per nested bracket
        raise TemplateError("jinja2 expressions are nested too deeply to parse", artefact=artefact) from None


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
