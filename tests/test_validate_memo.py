"""The warm path of `validate` (agentcfg.warm.reports): the saved report is reused only while every
input is unchanged; any edit, new file or removed file takes the full path again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import EXAMPLE, init_repo
from test_lock_memo import _age_everything

from agentcfg.manifest import loader

MEMO = Path(".agentcfg/cache/validate-inputs.json")


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Any]) -> Path:
    """The example project, validated once with files old enough for the memo to be trusted."""
    root = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    monkeypatch.chdir(root)
    _age_everything(root)
    assert cli("validate").exit_code == 0
    assert cli("validate", "--env", "production").exit_code == 0
    assert (root / MEMO).is_file()
    return root


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("the manifest was loaded although nothing changed")

    monkeypatch.setattr(loader, "load_manifest", boom)


@pytest.mark.parametrize("args", [(), ("--env", "production")])
def test_unchanged_inputs_reuse_the_report(warm: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
                                           args: tuple[str, ...]) -> None:
    before = json.loads(cli("validate", *args, "--format", "json").output)
    _forbid_loading(monkeypatch)
    r = cli("validate", *args, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == before


def _break_prompt(root: Path) -> None:
    path = root / "prompts" / "triage.md"
    path.write_text(path.read_text() + "\nAlso mention {{ undeclared_thing }}.\n")


def _break_tool(root: Path) -> None:
    path = next((root / "tools").glob("*.yaml"))
    path.write_text(path.read_text() + "bogus_key: 1\n")


def _overlay_appears(root: Path) -> None:
    (root / "environments" / "staging.yaml").unlink(missing_ok=True)
    (root / "environments" / "staging.yaml").write_text("bogus_section: {}\n")


def _referenced_file_disappears(root: Path) -> None:
    (root / "prompts" / "triage.md").unlink()


def _manifest_edit(root: Path) -> None:
    path = root / "agentcfg.yaml"
    path.write_text(path.read_text().replace("agents:\n", "agents:\n  ghost:\n    model: no_such_model\n", 1))


@pytest.mark.parametrize("edit", [_break_prompt, _break_tool, _overlay_appears, _referenced_file_disappears,
                                  _manifest_edit])
def test_any_input_change_is_noticed(warm: Path, cli: Callable[..., Any], edit: Callable[[Path], None]) -> None:
    edit(warm)
    r = cli("validate")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output


def test_fresh_files_are_compared_by_content_not_by_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        cli: Callable[..., Any]) -> None:
    root = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    for path in root.rglob("*"):
        os.utime(path)  # copytree keeps the example's old mtimes: make them "just written"
    monkeypatch.chdir(root)
    assert cli("validate").exit_code == 0
    # Every file was written moments ago (racy): a same-tick edit could keep its stamp, so the
    # next run re-reads each one and compares its bytes instead of trusting the stamp.
    from agentcfg import trees

    read: list[str] = []
    real = trees.read_regular_file
    with monkeypatch.context() as m:
        m.setattr(trees, "read_regular_file", lambda path, *a, **k: (read.append(str(path)), real(path, *a, **k))[1])
        _forbid_loading(m)
        assert cli("validate").exit_code == 0  # unchanged bytes: the saved report, without loading
    assert any(p.endswith("agentcfg.yaml") for p in read)
    _break_prompt(root)
    assert cli("validate").exit_code == 1


def test_memo_of_another_version_or_place_is_ignored(warm: Path, cli: Callable[..., Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    memo = json.loads((warm / MEMO).read_text())
    memo["code"] = "0" * 64  # computed by other agentcfg code
    (warm / MEMO).write_text(json.dumps(memo))
    _break_prompt(warm)
    _age_everything(warm)
    assert cli("validate").exit_code == 1
