"""Mermaid output rendered by Mermaid itself (the npm package, pinned in tests/js) in headless
Chromium: every diagram parses, draws its nodes and edges, shows hostile labels as text and
smuggles no markup in. All diagrams go through one browser launch.

Skipped (with the reason) without node, Chromium or `npm ci --prefix tests/js`; CI has all
three (`.ci/run`). Screenshots land in the test's temp folder (`<name>.png`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from graph_cases import (
    EXPECTED_TEXTS,
    big_change,
    big_config,
    demo_pull_request,
    example_config,
    hostile_config,
    hostile_manifest_repo,
    restructured,
)

from agentcfg.graphs import graph
from agentcfg.graphs.changes import graph_changes
from agentcfg.graphs.markdown import graph_pictures
from agentcfg.graphs.mermaid import to_mermaid
from agentcfg.graphs.model import graphs_of
from agentcfg.semdiff import diff_configs

HARNESS = ROOT / "tests" / "js"
NODE = shutil.which("node")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _missing() -> str | None:
    if NODE is None:
        return "node is not installed (CI: apt nodejs)"
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    if not version.startswith("v") or int(version[1:].split(".")[0]) < 20:
        return f"node {version or '?'} is too old: playwright-core needs node 20 or later"
    if CHROMIUM is None:
        return "Chromium is not installed (CI: apt chromium)"
    if not (HARNESS / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").is_file():
        return "the Mermaid harness is not installed: run `npm ci --prefix tests/js`"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _blocks(markdown: list[str]) -> list[str]:
    """The ```mermaid blocks of a pull-request comment, as diagram texts."""
    out, current = [], None
    for line in markdown:
        if line == "```mermaid":
            current = []
        elif line == "```" and current is not None:
            out.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return out


def _cases(tmp: Path) -> dict[str, str]:
    example = example_config(tmp)
    (support_flow,) = graphs_of(example, "production")
    big = big_config(200)
    cases = {
        "example": to_mermaid(support_flow),
        "big-200": to_mermaid(graphs_of(big)[0]),
        "hostile": to_mermaid(graphs_of(hostile_config())[0]),
        "hostile-untitled-lr": to_mermaid(graphs_of(hostile_config())[0], titled=False, direction="LR"),
        "hostile-manifest": to_mermaid(graph(root=hostile_manifest_repo(tmp)).graphs[0]),
    }
    for name, old, new in (("demo-pr", example, demo_pull_request(example)),
                           ("restructured", example, restructured(example)),
                           ("big-change", big, big_change(big)),
                           ("hostile-change", example, hostile_config())):
        blocks = _blocks(graph_pictures(diff_configs(old, new)))
        assert blocks, name
        for i, block in enumerate(blocks):
            cases[f"{name}-{i}"] = block
    return cases


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("mermaid")
    cases = _cases(tmp)
    (tmp / "in.json").write_text(json.dumps([{"name": k, "code": v} for k, v in cases.items()]), encoding="utf-8")
    assert NODE is not None
    done = subprocess.run([NODE, str(HARNESS / "render-mermaid.mjs"), str(tmp / "in.json"), str(tmp / "out")],
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "CHROMIUM": CHROMIUM or ""})
    assert done.returncode == 0, done.stderr[-3000:]
    results = {r["name"]: {**r, "png": tmp / "out" / f"{r['name']}.png", "code": cases[r["name"]]}
               for r in json.loads(done.stdout)}
    assert set(results) == set(cases)
    return results


def _ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ok"], f"{result['name']}: {result['error']}\n{result['code'][:3000]}"
    assert result["scripts"] == 0 and result["handlers"] == 0 and result["foreign"] == 0, result["name"]
    assert result["png"].stat().st_size > 2000  # a picture, not an empty box
    return result


def test_every_diagram_parses_and_draws(rendered: dict[str, dict[str, Any]]) -> None:
    for result in rendered.values():
        _ok(result)
        assert "Syntax error" not in result["text"]


def test_the_example_draws_every_node_and_label(rendered: dict[str, dict[str, Any]]) -> None:
    result = _ok(rendered["example"])
    assert result["nodes"] == 8  # six steps, start and END
    text = result["text"]
    for expected in ("support_flow (max_steps 25)", "model: gpt-4o-2024-08-06", "approvers: support-leads",
                     "writes · destructive · open world", "route == 'refund'", "not approved",
                     "needs approval: required by the tool, destructive in production"):
        assert expected in text


def test_200_nodes_all_drawn(rendered: dict[str, dict[str, Any]]) -> None:
    assert _ok(rendered["big-200"])["nodes"] == 202


def test_hostile_labels_are_text_never_markup(rendered: dict[str, dict[str, Any]]) -> None:
    for name in ("hostile", "hostile-untitled-lr", "hostile-change-0"):
        result = _ok(rendered[name])
        for expected in EXPECTED_TEXTS:
            assert expected in result["text"], (name, expected)
        assert result["nodes"] == len(graphs_of(hostile_config())[0].nodes) + 2


def test_hostile_text_written_in_the_manifest_stays_text(rendered: dict[str, dict[str, Any]]) -> None:
    result = _ok(rendered["hostile-manifest"])
    assert result["nodes"] == 8
    for expected in ('answer "FAQ" <b>#1</b>; [x]', "<script>alert(1)</script>", "`code`"):
        assert expected in result["text"], expected


def test_the_demo_pull_request_marks_the_agents_it_changes(rendered: dict[str, dict[str, Any]]) -> None:
    result = _ok(rendered["demo-pr-0"])
    assert result["text"].count("(changed)") == 2  # answer and escalate now call send_email, gated
    assert "tools needing approval: issue_refund, send_email" in result["text"]
    assert "class n1 changed" in result["code"] and "class n3 changed" in result["code"]


def test_a_restructured_graph_shows_added_removed_and_changed(rendered: dict[str, dict[str, Any]]) -> None:
    result = _ok(rendered["restructured-0"])
    for mark in ("(added)", "(removed)", "approved and amount <= limit"):
        assert mark in result["text"]
    assert "-.->" in result["code"] and "==>" in result["code"]


def test_a_big_change_draws_only_the_changed_part(rendered: dict[str, dict[str, Any]]) -> None:
    result = _ok(rendered["big-change-0"])
    assert 3 <= result["nodes"] < 40
    assert "score >= 9000" in result["text"] and "security" in result["text"]
    assert "startnode" not in result["code"]  # the entry is far from the change: no start marker


def test_graph_changes_agree_with_what_was_drawn(tmp_path: Path) -> None:
    example = example_config(tmp_path)
    (change,) = graph_changes(example, demo_pull_request(example), "production")
    assert {n.name for n in change.picture.nodes if n.status == "changed"} == {"answer", "escalate"}
