"""The prompt template engines: mustache semantics (no HTML escaping), f-string, errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentcfg.artefacts.prompts import template_variables
from agentcfg.runtime.templates import TemplateError, render, render_mustache

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("variable", "Hi {{name}}!", {"name": "Ada"}, "Hi Ada!"),
    ("spaces in tag", "Hi {{ name }}!", {"name": "Ada"}, "Hi Ada!"),
    ("no html escaping", "{{x}}|{{{x}}}|{{& x}}", {"x": "<b>&\"'"}, "<b>&\"'|<b>&\"'|<b>&\"'"),
    ("none is empty", "[{{x}}]", {"x": None}, "[]"),
    ("missing nested is empty", "[{{a.b.c}}]", {"a": {"b": {}}}, "[]"),
    ("dotted", "{{user.name.first}}", {"user": {"name": {"first": "Ada"}}}, "Ada"),
    ("numbers", "{{n}} {{f}}", {"n": 3, "f": 0.5}, "3 0.5"),
    ("list as json", "{{xs}}", {"xs": [1, "a"]}, '[1, "a"]'),
    ("mapping as json", "{{m}}", {"m": {"b": 1, "a": 2}}, '{"a": 2, "b": 1}'),
    ("section over list", "{{#xs}}<{{.}}>{{/xs}}", {"xs": [1, 2, 3]}, "<1><2><3>"),
    ("section over dicts", "{{#xs}}{{k}};{{/xs}}", {"xs": [{"k": "a"}, {"k": "b"}]}, "a;b;"),
    ("section false", "[{{#x}}yes{{/x}}]", {"x": False}, "[]"),
    ("section empty list", "[{{#x}}yes{{/x}}]", {"x": []}, "[]"),
    ("section truthy scalar", "[{{#x}}yes {{x}}{{/x}}]", {"x": "v"}, "[yes v]"),
    ("section mapping pushes context", "{{#u}}{{name}}/{{top}}{{/u}}", {"u": {"name": "n"}, "top": "t"}, "n/t"),
    ("inverted", "{{^xs}}none{{/xs}}{{#xs}}some{{/xs}}", {"xs": []}, "none"),
    ("inverted with items", "{{^xs}}none{{/xs}}", {"xs": [1]}, ""),
    ("comment", "a{{! ignore {this} }}b", {}, "ab"),
    ("comment ends at first close", "a{{! x }} }}b", {}, "a }}b"),
    ("multiline comment", "a{{! one\ntwo }}b", {}, "ab"),
    ("standalone section lines", "list:\n{{#xs}}\n- {{.}}\n{{/xs}}\nend\n", {"xs": ["a", "b"]},
     "list:\n- a\n- b\nend\n"),
    ("indented standalone", "  {{#x}}\n  in\n  {{/x}}\n", {"x": True}, "  in\n"),
    ("standalone comment", "a\n  {{! note }}\nb", {}, "a\nb"),
    ("crlf standalone", "a\r\n{{#x}}\r\nb\r\n{{/x}}\r\n", {"x": 1}, "a\r\nb\r\n"),
    ("inline section keeps line", "a {{#x}}b{{/x}} c\n", {"x": 1}, "a b c\n"),
    ("nested sections", "{{#a}}{{#b}}{{c}}{{/b}}{{/a}}", {"a": {"b": [{"c": 1}, {"c": 2}]}}, "12"),
    ("single braces untouched", "{json: {x}}", {}, "{json: {x}}"),
]


@pytest.mark.parametrize("template,variables,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mustache(template: str, variables: dict[str, Any], expected: str) -> None:
    assert render_mustache(template, variables) == expected


@pytest.mark.parametrize("template,message", [
    ("{{#a}}x", "line 1: section {{#a}} is never closed"),
    ("{{#a}}x{{/b}}", "line 1: {{/b}} does not close a section (expected {{/a}})"),
    ("x\n{{/a}}", "line 2: {{/a}} does not close a section (expected no open section)"),
    ("{{> partial}}", "partials"),
    ("{{=<% %>=}}", "delimiter changes"),
    ("{{}}", "empty mustache tag"),
])
def test_mustache_errors(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("{", r"\{").replace("}", r"\}").replace("(", r"\(")
                       .replace(")", r"\)")) as exc:
        render(template, "mustache", {}, artefact="prompts/p")
    assert exc.value.artefact == "prompts/p"


def test_fstring() -> None:
    assert render("Hi {u[name]} {{literal}} {n:03d}", "f-string", {"u": {"name": "A"}, "n": 7},
                  artefact="prompts/p") == "Hi A {literal} 007"
    with pytest.raises(TemplateError, match="KeyError"):
        render("{missing}", "f-string", {}, artefact="prompts/p")
    with pytest.raises(TemplateError, match="private attribute"):
        render("{x[_secret]}", "f-string", {"x": {}}, artefact="prompts/p")


def test_unknown_format() -> None:
    with pytest.raises(TemplateError, match="unknown template format 'handlebars'"):
        render("x", "handlebars", {}, artefact="prompts/p")


_NO_BRACES = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=200)


@given(_NO_BRACES)
def test_text_without_tags_is_unchanged(text: str) -> None:
    assert render_mustache(text, {}) == text


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20), max_size=5))
def test_values_are_inserted_verbatim(values: list[str]) -> None:
    variables = {f"v{i}": v for i, v in enumerate(values)}
    template = "|".join(f"{{{{v{i}}}}}" for i in range(len(values)))
    assert render_mustache(template, variables) == "|".join(values)
    # the validator and the renderer agree on which names a template uses
    assert template_variables(template, "mustache") == set(variables)
