"""A prompt's variables as validation reads them are exactly what its engine renders with."""

from __future__ import annotations

import subprocess
import sys

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from agentcfg.artefacts.template_vars import TemplateSyntaxError, template_variables
from agentcfg.runtime.templates import TemplateError, render_mustache

JINJA_SAMPLES = [
    "{{ greeting ~ name }}",
    "{% raw %}{{ not_a_variable }}{% endraw %}Hi {{ user }}",
    "{# {{ commented_out }} #}{{ shown }}",
    "{% for o in orders %}{{ o.id }} {{ loop.index }}{% endfor %}{{ footer }}",
    "{% set x = base | upper %}{{ x }}{{ other }}",
    "{% if vip and (tier > 2 or override) %}VIP{% endif %}",
    "{{ items | join(sep) }}",
    "{% macro m(a) %}{{ a }}{{ outer }}{% endmacro %}{{ m(arg) }}",
]


@pytest.mark.parametrize("template", JINJA_SAMPLES)
def test_jinja2_variables_are_jinja2s_own_analysis(template: str) -> None:
    expected = meta.find_undeclared_variables(SandboxedEnvironment().parse(template))
    assert template_variables(template, "jinja2") == expected


def test_a_concatenated_jinja2_variable_is_seen() -> None:
    assert template_variables("{{ greeting ~ name }}", "jinja2") == {"greeting", "name"}


def test_jinja2_syntax_error_names_the_line() -> None:
    with pytest.raises(TemplateSyntaxError, match="line 2"):
        template_variables("ok\n{% if %}", "jinja2")


def test_declared_jinja2_variables_are_enough_to_render() -> None:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    for template in JINJA_SAMPLES:
        names = template_variables(template, "jinja2")
        values = {n: [] if n in ("orders", "items") else "v" for n in names}
        values.update({"tier": 1} if "tier" in names else {})
        env.from_string(template).render(**values)  # StrictUndefined: a missed variable raises


fragments = st.lists(st.sampled_from([
    "text ", "\n", "{{name}}", "{{ user.first }}", "{{{raw}}}", "{{& amp}}", "{{#items}}", "{{/items}}",
    "{{^empty}}", "{{/empty}}", "{{! a comment }}", "{{.}}", "{{", "}}", "{", "}", "{{#x}}", "{{/y}}",
]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(template=fragments)
def test_mustache_validates_exactly_when_it_renders(template: str) -> None:
    try:
        names = template_variables(template, "mustache")
    except TemplateSyntaxError:
        with pytest.raises(TemplateError):
            render_mustache(template, {})
        return
    render_mustache(template, {n: "v" for n in names})


def test_mustache_syntax_errors_are_caught_at_validation() -> None:
    with pytest.raises(TemplateSyntaxError, match="line 2: section"):
        template_variables("a\n{{#orders}} never closed", "mustache")


@pytest.mark.parametrize("shape", ["{{{", "{{", "{{#", "{{{{}", "{{ a }}}"])
def test_mustache_parsing_is_linear_on_adversarial_text(shape: str) -> None:
    # 1 MB of a repeated opening: a backtracking scanner needs hours; ours a fraction of a second.
    # Run in a child so a regression fails the test instead of hanging the suite.
    code = (f"from agentcfg.artefacts import mustache\n"
            f"t = {shape!r} * (1_000_000 // {len(shape)})\n"
            "try:\n    mustache.parse(t)\nexcept mustache.MustacheSyntaxError:\n    pass\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


@pytest.mark.parametrize("shape", ["{{", "{{ [", "{{ (", "{% if ("])
def test_deeply_nested_jinja2_is_a_syntax_error_not_a_crash(shape: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        template_variables(shape * 100_000, "jinja2")
