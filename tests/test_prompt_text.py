"""`format: text` prompts: no templating and no variables, end to end. Braces that a template
engine would read (`{{Hostname}}`, JSON examples, `{% ... %}`) are text: validate accepts
them, lock and diff treat the prompt like any other, and the runtime hands it out verbatim."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import commit_all

import agentcfg

TEXT = ('You are the on-call assistant for {{Hostname}}.\n'
        'Answer with JSON like {"status": "ok", "checks": {"disk": 0.93}}.\n'
        'Never expand {% raw %} or {name} yourself.\n')


def _add_prompt(repo: Path, extra: str = "") -> None:
    (repo / "prompts" / "oncall.txt").write_text(TEXT, encoding="utf-8")
    manifest = repo / "agentcfg.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("\nprompts:\n", "\nprompts:\n  oncall:\n    file: prompts/oncall.txt\n"
                                                     f"    format: text\n{extra}", 1), encoding="utf-8")


def test_text_prompts_end_to_end(example_repo: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QDRANT_URL", "http://qdrant.internal:6333")  # the example's memory store
    _add_prompt(example_repo)
    r = cli("validate")
    assert r.exit_code == 0, r
    assert cli("lock").exit_code == 0
    lock = json.loads((example_repo / "agentcfg.lock").read_text())
    assert lock["artefacts"]["prompts/oncall"]["file"] == "prompts/oncall.txt"
    commit_all(example_repo, "on-call prompt")
    assert cli("promote", "HEAD", "staging").exit_code == 0

    config = agentcfg.load("staging", root=example_repo)
    assert config.prompts["oncall"].render() == TEXT  # verbatim: nothing expanded, nothing escaped

    (example_repo / "prompts" / "oncall.txt").write_text(TEXT + "Page a human for {{severity}} 1.\n")
    r = cli("diff", "--format", "json")
    (change,) = json.loads(r.stdout)["changes"]
    assert (change["artefact"], change["rule"], change["risk"]) == ("prompts/oncall", "prompt-text", "medium")
    assert change["details"] == {"variables_added": [], "variables_removed": []}  # braces are not variables
    assert "+Page a human for {{severity}} 1." in change["text_diff"]


def test_a_text_prompt_declares_no_variables(example_repo: Path, cli: Any) -> None:
    _add_prompt(example_repo, "    variables: [Hostname]\n")
    r = cli("validate")
    assert r.exit_code == 1
    assert "prompts/oncall" in r.output and "`format: text` prompt has no variables" in r.output


def test_the_same_text_as_mustache_is_refused(example_repo: Path, cli: Any) -> None:
    # what `format: text` is for: as a template the braces would be variables nobody declared
    _add_prompt(example_repo)
    manifest = example_repo / "agentcfg.yaml"
    manifest.write_text(manifest.read_text().replace("    format: text\n", "    format: mustache\n", 1))
    r = cli("validate")
    assert r.exit_code == 1 and "'Hostname'" in r.output
