"""Text, markdown and JSON renderings of a diff (a tool turning destructive, and more)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from markdown_it import MarkdownIt
from rich.text import Text
from test_diff_support import manifest, render

from agentcfg.semdiff import DiffResult, Side, diff_configs
from agentcfg.semdiff.formats import render_markdown, render_stat, render_text

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "diff.schema.json").read_text())
IMPACT = ["agents/refunds", "agents/triage", "orchestration/flow"]


def destructive() -> DiffResult:
    new_doc = manifest()
    new_doc["tools"]["refund_order"]["annotations"]["destructiveHint"] = True
    new_doc["prompts"]["triage"]["template"] = "You triage tickets for {{company}}.\nBe brief | polite.\n"
    return diff_configs(render(manifest()), render(new_doc), old_side=Side("HEAD", "rev"),
                        new_side=Side("working tree", "worktree"))


def plain(lines: list[str]) -> str:
    return "\n".join(Text.from_markup(line).plain for line in lines)


def check_markdown(md: str) -> None:
    """The comment parses; it has the summary tables and one <details> per artefact, and the
    destructiveHint row is critical with both agents and the graph as impact."""
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    types = [t.type for t in tokens]
    assert types.count("table_open") >= 2
    html = "".join(t.content for t in tokens if t.type == "html_block")
    assert html.count("<details>") == 2 and html.count("</details>") == 2 and "<summary>" in html
    cells = [t.content for t in tokens if t.type == "inline"]
    tool_row = next(i for i, c in enumerate(cells) if c == "`tools/refund_order`")
    assert "critical" in cells[tool_row + 2]
    assert all(f"`{a}`" in cells[tool_row + 3] for a in IMPACT)
    field = next(i for i, c in enumerate(cells) if c == "`annotations.destructiveHint`")
    assert cells[field + 1] == "`false → true`" and "critical" in cells[field + 2]
    assert any(t.type == "fence" and t.info == "diff" for t in tokens)


def check_json(data: dict[str, Any]) -> None:
    jsonschema.validate(data, SCHEMA)
    (change,) = [c for c in data["changes"] if c["artefact"] == "tools/refund_order"]
    assert change["path"] == "annotations.destructiveHint" and (change["old"], change["new"]) == (False, True)
    assert change["risk"] == "critical" and change["impact"] == IMPACT
    assert data["summary"]["max_risk"] == "critical" and data["summary"]["counts"]["critical"] == 1


def check_text(text: str) -> None:
    line = next(x for x in text.splitlines() if "annotations.destructiveHint" in x)
    assert "false → true" in line and "critical" in line
    assert "tools/refund_order  critical  impact: " + ", ".join(IMPACT) in text
    assert text.splitlines()[-1].startswith("2 changes in 2 artefacts: 1 critical, 1 medium")


def test_text() -> None:
    result = destructive()
    text = plain(render_text(result))
    check_text(text)
    assert text.splitlines()[0] == "HEAD → working tree"
    assert "tools\n" in text and "prompts\n" in text  # grouped by artefact kind
    assert "+Be brief | polite." in text


def test_stat() -> None:
    text = plain(render_stat(destructive()))
    assert [x.split()[0] for x in text.splitlines()[1:3]] == ["prompts/triage", "tools/refund_order"]
    assert "critical" in text.splitlines()[2]


def test_markdown() -> None:
    md = render_markdown(destructive())
    check_markdown(md)
    assert "Be brief | polite." in md  # inside the diff fence, pipes need no escaping


def test_json() -> None:
    check_json(destructive().to_dict())


def test_empty_result_in_every_format() -> None:
    result = diff_configs(render(manifest()), render(manifest()))
    assert plain(render_text(result)) == "no changes"
    assert "**No changes.**" in render_markdown(result)
    data = result.to_dict()
    jsonschema.validate(data, SCHEMA)
    assert data["changes"] == [] and data["summary"]["max_risk"] == "none"


def test_markdown_escapes_user_text() -> None:
    old, new = render(manifest()), render(manifest())
    new["tools"]["send_email"]["description"] = "pipes | and `ticks` and <b>html</b>"
    md = render_markdown(diff_configs(old, new))
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "pipes | and `ticks` and &lt;b&gt;html&lt;/b&gt;</code>" in rendered  # one cell, one code span
    assert "<b>html</b>" not in rendered
