"""The Python API mirrors the CLI: every command is a function on `agentcfg`, and the core never
reaches up into the CLI."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, commit_all

import agentcfg

SRC = ROOT / "src" / "agentcfg"


@pytest.mark.parametrize("name", ["validate", "lock", "verify", "diff", "render", "promote", "rollback",
                                  "unhold", "history", "status", "show", "init", "load", "attest"])
def test_every_command_is_a_function(name: str) -> None:
    # Importing every submodule first: `import agentcfg.x` rebinds `agentcfg.x` to the module
    # when a module and a function share a name, which is exactly the clash to rule out.
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        if "examples" not in rel.parts and rel.name != "__main__":
            importlib.import_module(".".join(p for p in rel.parts if p != "__init__"))
    fn = getattr(agentcfg, name)
    assert inspect.isfunction(fn), (name, fn)
    assert name in agentcfg.__all__


def test_the_api_walks_the_loop(example_repo: Path) -> None:
    lock = agentcfg.lock(example_repo)
    assert lock.lock["artefacts"]
    commit_all(example_repo, "lock")
    assert agentcfg.verify(example_repo).ok
    promoted = agentcfg.promote("HEAD", "staging", root=example_repo)
    assert promoted.outcome == "promoted" and promoted.risk == "none" and promoted.artefacts == len(
        lock.lock["artefacts"])
    rendered = agentcfg.render("staging", root=example_repo)
    assert rendered.digest == promoted.digest
    triage = example_repo / "prompts" / "triage.md"
    triage.write_text(triage.read_text() + "Be brief.\n")
    diff = agentcfg.diff("HEAD", ".", root=example_repo)
    assert [c.artefact for c in diff.changes] == ["prompts/triage"]
    json.dumps(diff.to_dict())


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_the_core_never_imports_the_cli() -> None:
    offenders: dict[str, Any] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("cli", "examples") or rel.name in ("__main__.py", "docgen.py"):
            continue  # the CLI itself, `python -m agentcfg`, and the generator of docs/cli.md
        bad = sorted(m for m in _imports(path) if m == "agentcfg.cli" or m.startswith("agentcfg.cli."))
        if bad:
            offenders[str(rel)] = bad
    assert not offenders
