"""Configs whose graphs the drawing tests feed to real parsers (Graphviz, Mermaid in Chromium).

The bundled example (rendered from a real git repository), the demo's pull request, a graph of
200 nodes, and a graph whose every string is hostile.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

from conftest import EXAMPLE, commit_all, init_repo

# Strings that break naive writers of Mermaid, DOT, markdown or HTML.
HOSTILE = [
    '"; DROP TABLE "x',
    "]] [[x]] {{y}} (z) ((w)) >v] [/u/] [\\t\\]",
    "#35; #quot; &lt;b&gt; &amp; #; ;;; a;b",
    "a | b |x| --> c -.-> d ==> e --- f",
    "```mermaid\n``` `code` ``",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
    '%%{init: {"securityLevel": "loose"}}%%',
    "line one\nline two\r\nline three\u2028four",
    "\\N \\G \\E \\T \\H \\L \\l \\r \\n \\\\ \\",
    "click n0 call alert(4)\nstyle n0 fill:#f00\nclassDef x fill:#f00",
    "end subgraph graph digraph node edge strict",
    "é ü 漢字 🚀 \u202eevil\u202c tab\there nul\x00bell\x07",
    "x" * 500,
]
HOSTILE_NAMES = ["end", "graph", 'say "hi"', "a b;c", "n0", "startnode", "<b>bold</b>", "#x;", "`tick`",
                 "x]y[z", "line\nbreak", "__proto__"]
EXPECTED_TEXTS = ["<script>alert(1)</script>", '"; DROP TABLE "x', "#35; #quot;", "&lt;b&gt;", "漢字", "`code`"]
"""Strings that must appear in a drawing as text, exactly (each within the label cut)."""


def example_config(tmp: Path, env: str | None = "production") -> dict[str, Any]:
    """The bundled example, in a real git repository, rendered for ``env``."""
    from agentcfg.promotion import render

    repo = init_repo(tmp / "example")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    commit_all(repo, "example")
    if env is None:
        from agentcfg.project import Project
        from agentcfg.snapshot import render_at

        return render_at(Project.find(repo), env=None).config
    return render(env, root=repo).config


def hostile_manifest_repo(tmp: Path) -> Path:
    """The bundled example in a git repository, its graph's conditions and one node's name hostile
    as written in agentcfg.yaml (the path a user's text really takes: YAML, validation, render)."""
    import json

    repo = init_repo(tmp / "hostile-example")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    manifest = repo / "agentcfg.yaml"
    text = manifest.read_text(encoding="utf-8")
    for i, condition in enumerate(("route == 'question'", "route == 'refund'", "not resolved", "reroute")):
        text = text.replace(f'"{condition}"', json.dumps(HOSTILE[i + 4]))  # a JSON string is YAML too
    name = json.dumps('answer "FAQ" <b>#1</b>; [x]')
    text = text.replace("      answer: {agent: knowledge}", f"      {name}: {{agent: knowledge}}")
    text = text.replace("to: answer,", f"to: {name},").replace("from: answer,", f"from: {name},")
    manifest.write_text(text, encoding="utf-8")
    commit_all(repo, "hostile example")
    return repo


def demo_pull_request(config: dict[str, Any]) -> dict[str, Any]:
    """The demo's pull request: send_email turns destructive and needs approval."""
    new = copy.deepcopy(config)
    tool = new["tools"]["send_email"]
    tool["annotations"]["destructiveHint"] = True
    tool["approval"] = "required"
    return new


def restructured(config: dict[str, Any]) -> dict[str, Any]:
    """A graph change of every kind: a node added, one removed, a condition changed, the
    entry moved, the bound raised."""
    new = copy.deepcopy(config)
    graph = new["orchestration"]["support_flow"]
    graph["nodes"]["fraud_check"] = {"tool": "lookup_order"}
    graph["nodes"].pop("answer")
    graph["edges"] = [e for e in graph["edges"] if "answer" not in (e["from"], e["to"])]
    graph["edges"].append({"from": "triage", "to": "fraud_check", "when": "amount > 500"})
    graph["edges"].append({"from": "fraud_check", "to": "refund"})
    for edge in graph["edges"]:
        if edge["from"] == "approve_refund" and edge["to"] == "execute_refund":
            edge["when"] = "approved and amount <= limit"
    graph["entry"] = "escalate"
    graph["max_steps"] = 40
    return new


def big_config(n: int = 200) -> dict[str, Any]:
    """A graph of ``n`` nodes: agents, tools and human steps in a chain with branches and loops."""
    agents = {f"agent{i}": {"model": "m" if i % 2 else "r", "prompt": "p", "tools": [f"tool{i % 7}"]}
              for i in range(10)}
    tools = {f"tool{i}": {"name": f"tool{i}", "approval": "required" if i == 3 else "never",
                          "annotations": {"readOnlyHint": i % 2 == 0}} for i in range(7)}
    nodes: dict[str, Any] = {}
    for i in range(n):
        if i % 10 == 9:
            nodes[f"step{i:03d}"] = {"human": {"approvers": [f"team{i % 3}"], "timeout": "1h"}}
        elif i % 3 == 2:
            nodes[f"step{i:03d}"] = {"tool": f"tool{i % 7}"}
        else:
            nodes[f"step{i:03d}"] = {"agent": f"agent{i % 10}"}
    edges: list[dict[str, Any]] = []
    for i in range(n - 1):
        edges.append({"from": f"step{i:03d}", "to": f"step{i + 1:03d}", "when": f"score >= {i}"})
        if i % 5 == 0 and i + 7 < n:
            edges.append({"from": f"step{i:03d}", "to": f"step{i + 7:03d}", "when": f"skip_{i}"})
        if i % 17 == 0 and i > 20:
            edges.append({"from": f"step{i:03d}", "to": f"step{i - 20:03d}", "when": "retry"})
    edges.append({"from": f"step{n - 1:03d}", "to": "END"})
    return {"models": {"m": {"provider": "openai", "id": "gpt-4o-2024-08-06"},
                       "r": {"provider": "anthropic", "id": "claude-3-5-sonnet-20241022"}},
            "agents": agents, "tools": tools,
            "policies": {"production": {"require_approval_for": ["destructive"]}},
            "orchestration": {"big": {"entry": "step000", "max_steps": 1000, "nodes": nodes, "edges": edges}}}


def big_change(config: dict[str, Any]) -> dict[str, Any]:
    """Two edits deep inside the 200-node graph: a condition and an agent's model."""
    new = copy.deepcopy(config)
    graph = new["orchestration"]["big"]
    for edge in graph["edges"]:
        if (edge["from"], edge["to"]) == ("step100", "step101"):
            edge["when"] = "score >= 9000"
    graph["nodes"]["step150"] = {"human": {"approvers": ["security"]}}
    return new


def hostile_config() -> dict[str, Any]:
    """A graph whose node names, conditions, approvers and model ids are all hostile."""
    nodes: dict[str, Any] = {}
    names = HOSTILE_NAMES + [f"h{i}" for i in range(len(HOSTILE))]
    for i, name in enumerate(names):
        kind = i % 3
        nodes[name] = ({"agent": "bad"} if kind == 0 else {"tool": "bad_tool"} if kind == 1
                       else {"human": {"approvers": HOSTILE[: 3 + i % 4], "timeout": HOSTILE[i % len(HOSTILE)]}})
    edges = [{"from": names[i], "to": names[i + 1], "when": HOSTILE[i % len(HOSTILE)]} for i in range(len(names) - 1)]
    edges.append({"from": names[-1], "to": "END", "when": HOSTILE[5]})
    edges.append({"from": names[0], "to": "missing <node>"})
    return {"models": {"m": {"provider": "x", "id": HOSTILE[6]}},
            "agents": {"bad": {"model": "m", "prompt": "p", "tools": ["bad_tool"]}},
            "tools": {"bad_tool": {"approval": "required", "annotations": {"title": HOSTILE[5]}}},
            "orchestration": {"hostile": {"entry": names[0], "max_steps": 3, "nodes": nodes, "edges": edges}}}
