"""A secret-looking literal anywhere is refused by validate, and never echoed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import build_tree

from hardening.canaries import CANARIES

BASE = """name: canary
environments: [staging]
models:
  m: {provider: openai, id: gpt-4o-2024-08-06, parameters: {temperature: 0.1}}
prompts:
  p: {file: prompts/p.md, variables: [name]}
tools:
  t:
    description: Look up an order.
    inputSchema: {type: object}
    annotations: {readOnlyHint: true}
agents:
  a: {model: m, prompt: p, tools: [t]}
"""

PLACES = {
    "prompt": ("prompts/p.md", "Hello {{name}}, use key {SECRET}.\n", "prompts/p"),
    "tool-description": ("agentcfg.yaml", BASE.replace("Look up an order.", "Look up an order. key={SECRET}"),
                         "tools/t"),
    "model-parameter": ("agentcfg.yaml", BASE.replace("temperature: 0.1", "temperature: 0.1, api_base_key: '{SECRET}'"),
                        "models/m"),
    "overlay": ("environments/staging.yaml", "models:\n  m:\n    parameters: {{user: '{SECRET}'}}\n", "models/m"),
    "mapping-key": ("agentcfg.yaml", BASE.replace("temperature: 0.1", "temperature: 0.1, '{SECRET}': 1"), "models/m"),
}


@pytest.mark.parametrize("kind", sorted(CANARIES))
@pytest.mark.parametrize("place", sorted(PLACES))
def test_secret_literal_is_refused_and_never_printed(tmp_path: Path, monkeypatch, cli, kind: str, place: str) -> None:  # type: ignore[no-untyped-def]
    secret = CANARIES[kind]
    rel, text, artefact = PLACES[place]
    files = {"agentcfg.yaml": BASE, "prompts/p.md": "Hello {{name}}.\n"}
    files[rel] = text.replace("{SECRET}", secret) if "{SECRET}" in text else text
    if "{{user:" in files[rel]:
        files[rel] = files[rel].replace("{{", "{").replace("}}", "}")
    build_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json"):
        r = (cli("validate", "--format", fmt) if place != "overlay"
             else cli("validate", "--env", "staging", "--format", fmt))
        assert r.exit_code == 1, r
        assert secret not in r.stdout and secret not in r.stderr
        assert "secret-literal" in r.stdout
    findings = json.loads(r.stdout)["findings"]
    hit = [f for f in findings if f["code"] == "secret-literal"]
    assert hit and hit[0]["artefact"] == artefact and hit[0]["file"] == rel


def test_env_references_are_allowed(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    build_tree(tmp_path, {
        "agentcfg.yaml": BASE.replace("temperature: 0.1", "temperature: 0.1, api_key: '${env:OPENAI_API_KEY}'"),
        "prompts/p.md": "Hello {{name}}.\n",
    })
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.exit_code == 0, r
