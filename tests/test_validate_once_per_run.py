"""`validate` checks an artefact that no overlay touches once, not once per environment, and
reports exactly what checking it in every environment reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentcfg.manifest.loader import Loaded
from agentcfg.project import Project
from agentcfg.validation import validate_tree

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "support-agent"
FAKE_KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2

OVERLAYS = {
    "untouched": {},
    "tool changed": {"staging": "tools:\n  lookup_order:\n    description: 'call with " + FAKE_KEY + "'\n"},
    "prompt changed": {"production": "prompts:\n  triage:\n    variables: [company_name]\n"},
    "same value re-set": {"staging": "tools:\n  search_faq:\n    approval: never\n"},
    "section removed": {"production": "tools: null\n"},
    "base problem kept": {"staging": "models:\n  router:\n    parameters: {temperature: 0.5}\n"},
}


def _project(tmp_path: Path, overlays: dict[str, str], base_problem: bool) -> Project:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    for env, text in overlays.items():
        (root / "environments" / f"{env}.yaml").write_text(text)
    if base_problem:  # a problem in an artefact no overlay touches: found once, in the base
        tool = root / "tools" / "create_ticket.yaml"
        tool.write_text(tool.read_text() + f"\ntitle: {FAKE_KEY}\n")
    return Project.find(root)


def _findings(project: Project) -> list[tuple[object, ...]]:
    report = validate_tree(project)
    return [(f.code, f.file, f.line, f.col, f.artefact, f.message, f.severity) for f in report.findings]


@pytest.mark.parametrize("base_problem", [False, True])
@pytest.mark.parametrize("case", sorted(OVERLAYS))
def test_checking_each_artefact_once_reports_what_checking_it_everywhere_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, base_problem: bool) -> None:
    project = _project(tmp_path, OVERLAYS[case], base_problem)
    once = _findings(project)
    monkeypatch.setattr(Loaded, "unchanged", lambda self: frozenset())  # check every artefact per env
    everywhere = _findings(_project(tmp_path / "cold", OVERLAYS[case], base_problem))
    assert [f[:1] + f[2:] for f in once] == [f[:1] + f[2:] for f in everywhere]
    assert [Path(str(f[1])).name for f in once] == [Path(str(f[1])).name for f in everywhere]


def test_an_overlay_reports_what_it_writes(tmp_path: Path) -> None:
    from agentcfg.manifest.loader import load_manifest

    project = _project(tmp_path, {"staging": OVERLAYS["tool changed"]["staging"],
                                  "production": "tools: null\n"}, False)
    staging = load_manifest(project.worktree(), env="staging")
    production = load_manifest(project.worktree(), env="production")
    assert staging.overlaid == frozenset({"tools/lookup_order"})
    assert "tools/lookup_order" not in staging.unchanged() and "tools/search_faq" in staging.unchanged()
    assert production.overlaid is None and production.unchanged() == frozenset()
