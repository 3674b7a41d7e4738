"""`agentcfg validate` on the bundled example and on manifests with several mistakes at once.

The one-mistake-per-fixture suite is in test_validate_fixtures.py; this file checks the example
covers every check listed in docs/reference.md, that every finding of a run is reported (not just the first), the
JSON report's shape, and how `--env` behaves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, build_tree

from agentcfg.artefacts.tools import effective_hints
from agentcfg.manifest.loader import load_manifest
from agentcfg.trees import WorkTree


def _report(cli, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = cli("validate", "--format", "json", *args)
    data: dict[str, Any] = json.loads(result.stdout)
    data["exit_code"] = result.exit_code
    return data


# --- the bundled example ---------------------------------------------------------------------

def test_example_validates_clean(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert "valid (0 warnings)" in result.stderr
    report = _report(cli)
    assert report == {"exit_code": 0, "format_version": 1, "ok": True, "environments": [None, "staging", "production"],
                      "errors": 0, "warnings": 0, "findings": []}
    for env in ("staging", "production"):
        report = _report(cli, "--env", env)
        assert report["ok"] and report["findings"] == [] and report["environments"] == [env], report


def test_example_covers_every_artefact_kind() -> None:
    """Issue 2's list for examples/support-agent, checked so later edits cannot erode it."""
    first_line = (EXAMPLE / "agentcfg.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../schemas/agentcfg.schema.json"
    loaded = load_manifest(WorkTree(EXAMPLE))
    assert loaded.findings == []
    m = loaded.manifest
    assert m is not None

    assert len(m.agents) >= 3
    # >= 6 tools, each an MCP-shaped YAML file under tools/ with all four hints explicit
    assert len(m.tools) >= 6
    hints = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
    for name, tool in m.tools.items():
        assert loaded.files[f"tools/{name}"] == f"tools/{name}.yaml"
        assert tool.annotations is not None and tool.description
        assert all(getattr(tool.annotations, h) is not None for h in hints), name
    effective = {n: effective_hints(t.annotations.model_dump() if t.annotations else None) for n, t in m.tools.items()}
    destructive = [n for n, h in effective.items() if h["destructiveHint"]]
    assert destructive and all(m.tools[n].approval == "required" for n in destructive)
    assert any(h["readOnlyHint"] for h in effective.values())

    # 4 prompt files with variables, mustache mostly, one jinja2
    assert len(m.prompts) == 4
    assert all(loaded.files[f"prompts/{n}"].startswith("prompts/") and p.variables for n, p in m.prompts.items())
    formats = sorted(p.format for p in m.prompts.values())
    assert formats == ["jinja2", "mustache", "mustache", "mustache"]

    kinds = sorted(model.kind for model in m.models.values())
    assert kinds == ["chat", "chat", "embedding"]
    ids = {model.id for model in m.models.values()}
    assert {"gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "text-embedding-3-small"} <= ids
    (embedder,) = [model for model in m.models.values() if model.kind == "embedding"]
    assert embedder.dims == 1536
    assert len(m.memory) == 1

    # one graph with a human step; the destructive tool is used by two agents, both in the graph
    (graph,) = m.orchestration.values()
    assert any(node.human is not None for node in graph.nodes.values())
    in_graph = {node.agent for node in graph.nodes.values() if node.agent}
    for tool in destructive:
        users = {name for name, agent in m.agents.items() if tool in agent.tools}
        assert len(users) >= 2 and users <= in_graph, (tool, users)

    assert m.data["faq"].path == "data/faq"
    assert len(list((EXAMPLE / "data" / "faq").glob("*.md"))) >= 3
    evals = [d for d in m.data.values() if d.role == "eval"]
    assert evals and all(d.path and d.path.startswith("data/evals/") and d.path.endswith(".jsonl") for d in evals)
    for d in evals:
        for line in (EXAMPLE / str(d.path)).read_text(encoding="utf-8").splitlines():
            json.loads(line)
    (code,) = m.code.values()
    assert (code.repo, code.ref) == (".", None)  # this repository, at the commit being locked
    assert list((EXAMPLE / str(code.path)).glob("*.py"))

    assert m.environments == ["staging", "production"]
    for env in m.environments:
        assert (EXAMPLE / "environments" / f"{env}.yaml").is_file()
        assert env in m.policies
    prod = m.policies["production"]
    assert prod.require_pinned_models and prod.require_approval_for == ["destructive"] and prod.max_risk == "high"
    assert (EXAMPLE / "README.md").is_file()


def test_overlays_change_the_environment(example_repo: Path) -> None:
    staging = load_manifest(WorkTree(example_repo), env="staging").manifest
    production = load_manifest(WorkTree(example_repo), env="production").manifest
    assert staging is not None and production is not None
    assert staging.memory["customer_history"].namespace == "support-staging"
    assert production.memory["customer_history"].namespace == "support-prod"
    assert staging.models["router"].parameters["temperature"] != production.models["router"].parameters["temperature"]


def test_init_example_copies_a_valid_project(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli("init", "proj", "--example", "support-agent").exit_code == 0
    project = tmp_path / "proj"
    assert (project / "tools" / "issue_refund.yaml").is_file()
    assert not (project / ".agentcfg").exists()  # machine state of our checkout is never copied
    monkeypatch.chdir(project)
    assert cli("validate").exit_code == 0


# --- several mistakes, one run ---------------------------------------------------------------

MANY_MISTAKES = {
    "agentcfg.yaml": """\
name: broken
environments: [staging]
modles: {}
models:
  chat:
    provider: openai
    id: gpt-4o-2024-08-06
    parameters: {api_key: sk-proj-4f9Kx2LmQa8Zt7Rb1Vn0Yc3Hd6Jw5Pe}
prompts:
  triage:
    file: prompts/triage.md
    variables: [customer]
  missing:
    file: prompts/missing.md
tools:
  lookup_order: {file: tools/lookup_order.yaml}
  broken_yaml: {file: tools/broken_yaml.yaml}
agents:
  triage:
    model: chta
    prompt: triage
    tools: [lookup_order]
orchestration:
  flow:
    entry: triage
    nodes:
      triage: {agent: triage}
      orphan: {agent: triage}
data:
  kb:
    uri: https://data.example.com/kb.tar.gz
    version: 1.10
""",
    "prompts/triage.md": "Help {{customer}} with order {{order_id}}.\n",
    "tools/lookup_order.yaml": """\
description: Fetch one order.
inputSchema:
  type: object
  properties:
    order: {$ref: "https://schemas.example.com/order.json"}
annotations: {readOnlyHint: true}
""",
    "tools/broken_yaml.yaml": "description: [unclosed\n",
    "environments/staging.yaml": "nmae: other\n",
}

EXPECTED_MANY = {
    ("unknown-key", "agentcfg.yaml", 3, None),
    ("secret-literal", "agentcfg.yaml", 8, "models/chat"),
    ("undeclared-variable", "prompts/triage.md", 1, "prompts/triage"),
    ("file-not-found", "agentcfg.yaml", 14, "prompts/missing"),
    ("schema-remote-ref", "tools/lookup_order.yaml", 5, "tools/lookup_order"),
    ("yaml-syntax", "tools/broken_yaml.yaml", 2, "tools/broken_yaml"),
    ("unresolved-reference", "agentcfg.yaml", 20, "agents/triage"),
    ("graph-unreachable", "agentcfg.yaml", 28, "orchestration/flow"),
    ("not-a-string", "agentcfg.yaml", 32, "data/kb"),
    ("overlay-key", "environments/staging.yaml", 1, "environments/staging"),
}


def test_every_mistake_is_reported_in_one_run(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path, MANY_MISTAKES)
    monkeypatch.chdir(tmp_path)
    report = _report(cli)
    assert report["exit_code"] == 1
    got = {(f["code"], f["file"], f["line"], f["artefact"]) for f in report["findings"] if f["severity"] == "error"}
    assert EXPECTED_MANY <= got, sorted(EXPECTED_MANY - got)
    # nothing else: a missing prompt file is one mistake, not also "prompt has no template"
    assert got == EXPECTED_MANY, sorted(got - EXPECTED_MANY)
    assert report["errors"] == len(report["findings"]) - report["warnings"]

    text = cli("validate")
    assert text.exit_code == 1
    for code, file, line, artefact in EXPECTED_MANY:
        assert any(ln.startswith(f"{file}:{line}:") and ln.endswith(f"[{code}]")
                   for ln in text.stdout.splitlines()), code
    assert f"{report['errors']} errors" in text.stderr


def test_findings_are_sorted_and_unique(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path, MANY_MISTAKES)
    monkeypatch.chdir(tmp_path)
    findings = _report(cli)["findings"]
    keys = [(f["code"], f["file"], f["line"], f["col"], f["message"]) for f in findings]
    assert len(keys) == len(set(keys))  # base manifest and the staging overlay share findings once
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors == sorted(errors, key=lambda f: (f["file"], f["line"], f["col"], f["code"]))


# --- the JSON report and --env ------------------------------------------------------------------

def test_json_finding_shape(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path,
               {"agentcfg.yaml": "name: x\nmodels:\n  m: {provider: openai, id: gpt-4o-2024-08-06, knd: chat}\n"})
    monkeypatch.chdir(tmp_path)
    report = _report(cli)
    assert set(report) == {"exit_code", "format_version", "ok", "environments", "errors", "warnings", "findings"}
    (finding,) = report["findings"]
    assert finding == {"code": "unknown-key", "message": "unknown key 'knd' (did you mean 'kind'?)",
                       "file": "agentcfg.yaml", "line": 3, "col": 48, "artefact": "models/m",
                       "hint": finding["hint"], "severity": "error"}


def test_warnings_do_not_fail(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path, {"agentcfg.yaml": "name: x\ntools:\n  ping:\n    annotations: {readOnlyHint: true}\n"})
    monkeypatch.chdir(tmp_path)
    result = cli("validate")
    assert result.exit_code == 0, result
    assert "tools/ping: warning: the tool has no description" in result.stdout
    assert "valid (1 warning)" in result.stderr


def test_env_not_in_environments_is_a_finding(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    report = _report(cli, "--env", "prodution")
    assert report["exit_code"] == 1
    (finding,) = report["findings"]
    assert finding["code"] == "unknown-environment" and "did you mean 'production'" in finding["message"]


@pytest.mark.parametrize("env", ["../etc", "-rf", "a b"])
def test_malformed_env_name_is_a_usage_error(example_repo: Path, cli, env: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", "--env", env)
    assert result.exit_code == 2
    assert "not a valid environment name" in result.stderr


def test_policies_apply_per_environment(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # An unpinned alias is fine in staging (no require_pinned_models) but not in production.
    for env in ("staging", "production"):
        overlay = example_repo / "environments" / f"{env}.yaml"
        text = overlay.read_text()
        assert "  router:\n" in text
        overlay.write_text(text.replace("  router:\n", "  router:\n    id: gpt-4o\n", 1))
    assert _report(cli, "--env", "staging")["ok"]
    report = _report(cli, "--env", "production")
    assert report["exit_code"] == 1
    (finding,) = report["findings"]
    assert (finding["code"], finding["artefact"], finding["file"]) == (
        "policy-unpinned-model", "models/router", "environments/production.yaml")


def test_validate_with_dash_c(example_repo: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli("-C", str(example_repo), "validate").exit_code == 0
