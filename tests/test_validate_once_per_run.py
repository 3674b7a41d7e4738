"""`validate` checks an artefact that no overlay touches once, not once per environment, and
reports exactly what checking it in every environment reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import commit_all, init_repo

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


# --- an environment loaded with the base manifest's work shared --------------------------------

SHARING_CASES = {
    **{name: (overlays, False) for name, overlays in OVERLAYS.items()},
    "base problem, untouched": ({"staging": OVERLAYS["tool changed"]["staging"]}, True),
    "tool file swapped": ({"staging": "tools:\n  lookup_order:\n    file: tools/issue_refund.yaml\n"}, False),
    "file missing": ({"staging": "tools:\n  lookup_order:\n    file: tools/nope.yaml\n"}, False),
    "bad entry": ({"production": "tools:\n  search_faq:\n    approval: sometimes\n"}, True),
    "prompt text": ({"staging": "prompts:\n  triage:\n    file: prompts/refunds.md\n"}, False),
    "not a mapping": ({"staging": "- a list\n"}, False),
}


def _every_path(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    paths = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            paths += _every_path(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += _every_path(v, path + (i,))
    return paths


def _described(loaded: Loaded) -> dict[str, object]:
    """Everything a caller can read off a Loaded, in comparable form."""
    return {
        "raw": loaded.raw,
        "manifest": loaded.manifest.model_dump() if loaded.manifest is not None else None,
        "findings": sorted(repr(f) for f in loaded.findings),
        "files": loaded.files,
        "broken": sorted(loaded.broken),
        "overlaid": loaded.overlaid,
        "unchanged": sorted(loaded.unchanged()),
        "where": [(p, loaded.sources.location(p), loaded.sources.raw_text(p)) for p in _every_path(loaded.raw)],
    }


@pytest.mark.parametrize("case", sorted(SHARING_CASES))
def test_an_environment_sharing_the_base_load_is_the_environment_loaded_alone(tmp_path: Path, case: str) -> None:
    from agentcfg.manifest.loader import load_manifest

    overlays, base_problem = SHARING_CASES[case]
    project = _project(tmp_path, overlays, base_problem)
    tree = project.worktree()
    base = load_manifest(tree)
    for env in ("staging", "production"):
        shared = load_manifest(tree, env=env, base=base)
        alone = load_manifest(project.worktree(), env=env)
        assert _described(shared) == _described(alone), env


def test_a_base_from_another_tree_or_environment_is_not_shared(tmp_path: Path) -> None:
    from agentcfg.manifest.loader import load_manifest

    project = _project(tmp_path, {"staging": OVERLAYS["tool changed"]["staging"]}, False)
    other = _project(tmp_path / "other", {}, True)
    staging = load_manifest(project.worktree(), env="staging")
    for base in (load_manifest(other.worktree()), staging):
        assert _described(load_manifest(project.worktree(), env="production", base=base)) == \
            _described(load_manifest(project.worktree(), env="production"))


LOCK_CASES = {name: overlays for name, (overlays, problem) in SHARING_CASES.items() if not problem}


@pytest.mark.parametrize("case", sorted(LOCK_CASES))
def test_lock_sharing_the_base_load_is_lock_loading_each_environment_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    from agentcfg import lockfile
    from agentcfg.errors import AgentcfgError
    from agentcfg.manifest import loader

    # Both projects' commits must be the same commit: code in the manifest's own repository is
    # locked at it.
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")

    def outcome(root: Path) -> object:
        init_repo(root)
        commit_all(root)
        try:
            return lockfile.lock(root, check=True).lock
        except AgentcfgError as exc:
            return ("refused", str(exc), getattr(exc, "hint", None))

    shared = outcome(_project(tmp_path, LOCK_CASES[case], False).root)
    alone_load = loader.load_manifest
    monkeypatch.setattr(loader, "load_manifest", lambda tree, *, env=None, cache=None, base=None:
                        alone_load(tree, env=env, cache=cache))
    monkeypatch.setattr(Loaded, "unchanged", lambda self: frozenset())
    alone = outcome(_project(tmp_path / "alone", LOCK_CASES[case], False).root)
    assert shared == alone
    if case == "untouched":
        assert isinstance(shared, dict) and shared["environments"]  # a real lock, not two refusals


@pytest.mark.parametrize("case", sorted(LOCK_CASES))
def test_lock_after_validate_takes_its_prepared_configs_and_equals_lock_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """`validate` leaves `lock` the prepared configs of what it loaded and checked without error
    (warm/prepared.py); a `lock --check` then loads nothing and answers as a lock alone does,
    and an edit after `validate` is seen."""
    from agentcfg import lockfile
    from agentcfg.errors import AgentcfgError
    from agentcfg.manifest import loader
    from agentcfg.validation import validate

    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")

    def outcome(root: Path) -> object:
        try:
            result = lockfile.lock(root, check=True)
            return result.lock, [(s.artefact, s.change) for s in result.stale]
        except AgentcfgError as exc:
            return ("refused", str(exc), getattr(exc, "hint", None))

    def project(where: Path) -> Path:
        root = _project(where, LOCK_CASES[case], False).root
        init_repo(root)
        commit_all(root)
        try:  # validate prepares for lock only where there is a lock to check
            lockfile.lock(root)
        except AgentcfgError:
            (root / "agentcfg.lock").write_text("{}\n")  # a lock to check all the same
        shutil.rmtree(root / ".agentcfg")
        commit_all(root, "lock")
        return root

    alone = outcome(project(tmp_path / "alone"))
    warm = project(tmp_path / "warm")
    valid = validate(warm).ok  # with an error anywhere, nothing is left for lock
    assert (warm / ".agentcfg" / "cache" / "manifest" / "@base.json").is_file() == valid
    loads: list[object] = []
    real_load = loader.load_manifest
    monkeypatch.setattr(loader, "load_manifest", lambda *a, **k: loads.append(k.get("env")) or real_load(*a, **k))
    assert outcome(warm) == alone
    if valid:
        assert loads == []  # every prepared config came from validate's memo

    # An edit after validate: the memo no longer holds, and lock sees the edit.
    tool = warm / "tools" / "issue_refund.yaml"
    tool.write_text(tool.read_text().replace("title: ", "title: Edited ", 1))
    edited_alone = tmp_path / "edited"
    shutil.copytree(warm, edited_alone, symlinks=True, ignore=shutil.ignore_patterns(".agentcfg"))
    monkeypatch.setattr(loader, "load_manifest", real_load)
    assert outcome(warm) == outcome(edited_alone)
    if case == "untouched":
        assert valid


def test_validate_prepares_nothing_for_lock_where_there_is_no_lock(tmp_path: Path) -> None:
    from agentcfg.validation import validate

    root = _project(tmp_path, {}, False).root
    assert not (root / "agentcfg.lock").exists()
    assert validate(root).ok
    assert not (root / ".agentcfg" / "cache" / "manifest").exists()
