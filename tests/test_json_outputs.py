"""Every command's `--format json` output, validated against its schema in `schemas/`.

The table below is the contract's index: one :class:`Case` per output (a command, the state it
runs in, the exit code it should give, and its schema). A new command adds its rows here, or an
entry in :data:`NO_JSON` saying why it prints no JSON; `test_every_command_is_covered` fails
until it does.

Each output is validated twice: against the schema as published (which lets new keys appear,
the documented compatibility promise), and against a strict reading in which every object
that lists its properties allows no others, so every key agentcfg prints is documented.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, ROOT, commit_all, init_repo
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from agentcfg import docgen

SCHEMAS = ROOT / "schemas"


# --- the scenario every case starts from -------------------------------------------------------

def _agentcfg(repo: Path, *argv: str) -> None:
    from agentcfg.cli.app import main

    assert main(["-C", str(repo), *argv]) == 0, argv


def _edit_prompt(repo: Path) -> None:
    triage = repo / "prompts" / "triage.md"
    triage.write_text(triage.read_text(encoding="utf-8") + "Always confirm the order number.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example after a week: two releases of staging, one of production, and HEAD one
    locked change ahead (a prompt edit), so every command has something real to say."""
    repo = init_repo(tmp_path_factory.mktemp("scenario") / "repo")
    shutil.copytree(EXAMPLE, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text(".agentcfg/\n")
    commit_all(repo, "agents")
    _agentcfg(repo, "lock")
    commit_all(repo, "lock")
    _agentcfg(repo, "promote", "HEAD", "staging", "--reason", "first")
    _agentcfg(repo, "promote", "staging", "production", "--reason", "first")
    _edit_prompt(repo)
    _agentcfg(repo, "lock")
    commit_all(repo, "triage confirms order numbers")
    _agentcfg(repo, "promote", "HEAD", "staging", "--reason", "order numbers")
    return repo


def _tool_file(repo: Path) -> None:
    (repo / "openai-tools.json").write_text(json.dumps([{"type": "function", "function": {
        "name": "get_weather", "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]))


def _rolled_back(repo: Path) -> None:
    _agentcfg(repo, "rollback", "staging", "--reason", "incident")


def _evidence_file(repo: Path) -> None:
    (repo / "evals.json").write_text(json.dumps({"format_version": 1, "passed": 9, "failed": 1, "errors": 0,
                                                 "skipped": 0, "metrics": {"accuracy": 0.9},
                                                 "failures": ["test_refund_limit"]}))


def _release_digest(repo: Path) -> str:
    return str(json.loads((repo / "releases" / "production.json").read_text())["digest"])


PLACEHOLDERS: dict[str, Callable[[Path], str]] = {
    "production_digest": lambda repo: _release_digest(repo)[7:19],  # a prefix, as people type it
}


# --- the table ---------------------------------------------------------------------------------

@dataclass
class Case:
    """`agentcfg <argv> --format json` in a copy of the scenario, after ``prepare``. ``argv`` may
    name values of the scenario as ``{placeholder}`` (see :data:`PLACEHOLDERS`)."""

    id: str
    argv: list[str]
    schema: str
    exit_code: int = 0
    prepare: Callable[[Path], None] | None = None
    check: Callable[[dict[str, Any]], None] | None = field(default=None)


CASES: list[Case] = [
    Case("validate", ["validate"], "validate.schema.json"),
    Case("validate-env", ["validate", "--env", "production"], "validate.schema.json"),
    Case("validate-invalid", ["validate"], "validate.schema.json", exit_code=1,
         prepare=lambda r: (r / "agentcfg.yaml").write_text((r / "agentcfg.yaml").read_text().replace(
             "tools: [lookup_order, get_customer_profile, create_ticket]", "tools: [lookup_ordr]")),
         check=lambda d: d["findings"][0]["code"] == "unresolved-reference" or pytest.fail(str(d))),
    Case("lock", ["lock"], "lock-result.schema.json"),
    Case("lock-check", ["lock", "--check"], "lock-result.schema.json"),
    Case("lock-check-stale", ["lock", "--check"], "lock-result.schema.json", exit_code=1, prepare=_edit_prompt),
    Case("verify", ["verify"], "verify.schema.json"),
    Case("verify-release", ["verify", "production"], "verify.schema.json"),
    Case("verify-drift", ["verify"], "verify.schema.json", exit_code=1, prepare=_edit_prompt),
    Case("diff", ["diff", "HEAD~2", "HEAD"], "diff.schema.json"),
    Case("diff-worktree", ["diff"], "diff.schema.json", prepare=_edit_prompt),
    Case("diff-envs", ["diff", "env:production", "env:staging"], "diff.schema.json"),
    Case("render", ["render", "production"], "render.schema.json"),
    Case("render-rev", ["render", "staging", "--rev", "HEAD~1"], "render.schema.json"),
    Case("promote", ["promote", "staging", "production"], "promote.schema.json"),
    Case("promote-dry-run", ["promote", "staging", "production", "--dry-run"], "promote.schema.json"),
    Case("promote-first", ["promote", "HEAD", "staging", "--dry-run"], "promote.schema.json",
         prepare=lambda r: (r / "releases" / "staging.json").unlink() or commit_all(r, "no staging")),
    Case("promote-unchanged", ["promote", "HEAD", "staging"], "promote.schema.json"),
    Case("promote-refused", ["promote", "HEAD", "staging", "--dry-run"], "promote.schema.json", exit_code=1,
         prepare=_rolled_back, check=lambda d: d["refusals"][0]["rule"] == "hold" or pytest.fail(str(d))),
    Case("rollback", ["rollback", "staging", "--reason", "incident"], "rollback.schema.json"),
    Case("rollback-dry-run", ["rollback", "staging", "--dry-run"], "rollback.schema.json"),
    Case("unhold", ["unhold", "staging", "--reason", "over"], "unhold.schema.json", prepare=_rolled_back),
    Case("unhold-unchanged", ["unhold", "production"], "unhold.schema.json"),
    Case("history", ["history", "staging"], "history.schema.json"),
    Case("status", ["status"], "status.schema.json"),
    Case("show", ["show", "{production_digest}"], "show.schema.json"),
    Case("import-tools", ["import", "tools", "openai-tools.json", "--from", "openai"], "import-tools.schema.json",
         prepare=_tool_file),
    Case("graph", ["graph", "production"], "graph.schema.json"),
    Case("attest", ["attest", "staging", "--name", "support_evals", "--json", "evals.json"], "attest.schema.json",
         prepare=_evidence_file),
    # the example's own MCP server (examples/support-agent/src/support_mcp_server.py), started for real
    Case("check-servers", ["check", "servers"], "check-servers.schema.json"),
]

NO_JSON: dict[str, str] = {
    "init": "writes files and reports each on stderr; nothing for a program to read",
    "schema": "prints a JSON Schema (schemas/agentcfg.schema.json) itself",
}
"""Commands without a JSON output of their own, and why."""


# --- validation --------------------------------------------------------------------------------

def _strict(node: Any) -> Any:
    """The schema with `unevaluatedProperties: false` on every object that lists its properties."""
    if isinstance(node, list):
        return [_strict(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items()}
    if "properties" in out and "additionalProperties" not in out and "unevaluatedProperties" not in out:
        out["unevaluatedProperties"] = False
    return out


def _validator(name: str, strict: bool) -> Draft202012Validator:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(_strict(schema) if strict else schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    schema = _strict(schema) if strict else schema
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_json_output_matches_its_schema(case: Case, scenario: Path, tmp_path: Path, cli: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # commands the project starts (the example's MCP server: `python3 ...`) find this interpreter
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    repo = tmp_path / "repo"
    shutil.copytree(scenario, repo, symlinks=True)
    if case.prepare is not None:
        case.prepare(repo)
    argv = [a.format(**{k: f(repo) for k, f in PLACEHOLDERS.items()}) if "{" in a else a for a in case.argv]
    r = cli("-C", str(repo), "--format", "json", *argv)
    assert r.exit_code == case.exit_code, r
    data = json.loads(r.stdout)
    assert isinstance(data, dict) and data.get("format_version") == 1, r.stdout[:300]
    for strict in (False, True):
        errors = sorted(_validator(case.schema, strict).iter_errors(data), key=lambda e: list(e.absolute_path))
        assert not errors, f"{'strict ' if strict else ''}{case.schema}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5])
    if case.check is not None:
        case.check(data)


def _commands() -> set[str]:
    return {" ".join(path) for path, cmd, _ in docgen.walk() if path and not hasattr(cmd, "list_commands")}


def test_every_command_is_covered() -> None:
    commands = _commands()
    covered = {name for name in commands for c in CASES if c.argv[:len(name.split())] == name.split()}
    missing = sorted(commands - covered - set(NO_JSON))
    assert not missing, f"add a Case (or a NO_JSON entry saying why) for: {missing}"


def test_every_output_schema_is_used_and_promises_new_keys() -> None:
    used = {c.schema for c in CASES}
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "--format json" not in schema.get("title", ""):
            continue  # a schema of a user's file (manifest, overlay, tool), not of an output
        assert path.name in used, f"{path.name} validates no output in CASES"
        assert "New keys may appear" in schema["description"], path.name
        assert '"additionalProperties": false' not in path.read_text(encoding="utf-8"), path.name
