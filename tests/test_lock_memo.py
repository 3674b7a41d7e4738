"""The warm path of `lock` (agentcfg.warm.lockinputs): nothing recomputed when no input changed, and every
kind of input change still noticed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import commit_all
from test_lock import _edit, make_project

from agentcfg import rendering as render
from agentcfg.manifest import loader

MEMO = Path(".agentcfg/cache/lock-inputs.json")


def _age_everything(root: Path) -> None:
    past = time.time_ns() - 3600 * 10**9
    for p in [root, *root.rglob("*")]:
        if ".git" not in p.parts:
            os.utime(p, ns=(past, past), follow_symlinks=False)


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Any]) -> Path:
    """A locked project whose files are old enough for the memo to be trusted."""
    root = make_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    assert cli("lock").exit_code == 0
    commit_all(root, "lock")
    _age_everything(root)
    assert cli("lock").exit_code == 0  # the full path runs once more and records its inputs
    assert (root / MEMO).is_file()
    return root


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("the manifest was loaded: the warm path was not taken")

    monkeypatch.setattr(loader, "load_manifest", boom)


def test_unchanged_inputs_skip_all_work(warm: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    before = (warm / "agentcfg.lock").read_bytes()
    _forbid_loading(monkeypatch)
    r = cli("lock")
    assert r.exit_code == 0 and "already up to date" in r.stderr
    r = cli("lock", "--check", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["fresh"] is True
    assert (warm / "agentcfg.lock").read_bytes() == before


CHANGES: list[tuple[str, Callable[[Path], None], str]] = [
    ("prompt file", lambda r: _edit(r, "prompts/triage.md", "how can", "how may"), "prompts/triage"),
    ("manifest", lambda r: _edit(r, "agentcfg.yaml", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20"), "models/chat"),
    ("new overlay",
     lambda r: (r / "environments/staging.yaml").write_text("models:\n  chat: {id: gpt-4o-2024-11-20}\n"),
     "models/chat"),
    ("data file in a sub-folder", lambda r: (r / "data/corpus/sub/c.md").write_text("new\n"), "data/corpus"),
    ("single data file", lambda r: (r / "data/evals.jsonl").write_text('{"q": 9}\n'), "data/evals"),
    ("code commit", lambda r: ((r / "src/app.py").write_text("print(2)\n"), commit_all(r, "code")), "code/app"),
]


@pytest.mark.parametrize("what,change,artefact", CHANGES, ids=[c[0] for c in CHANGES])
def test_any_input_change_takes_the_full_path(warm: Path, cli: Callable[..., Any], what: str,
                                              change: Callable[[Path], None], artefact: str) -> None:
    change(warm)
    r = cli("lock", "--check", "--format", "json")
    assert r.exit_code == 1, r
    assert artefact in {s["artefact"] for s in json.loads(r.stdout)["stale"]}


def test_same_size_same_mtime_edit_by_rename_is_caught(warm: Path, cli: Callable[..., Any]) -> None:
    f = warm / "data/corpus/a.md"
    st = f.stat()
    tmp = f.with_suffix(".new")
    tmp.write_text("ALPHA\n")
    os.replace(tmp, f)  # editors save by rename: a new inode
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cli("lock", "--check").exit_code == 1


def test_edited_lock_file_is_not_vouched_for(warm: Path, cli: Callable[..., Any]) -> None:
    lock = warm / "agentcfg.lock"
    lock.write_text(lock.read_text().replace('"files": 2', '"files": 3'))
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "data/corpus" in r.stdout


def test_fresh_edits_are_never_memoised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        cli: Callable[..., Any]) -> None:
    root = make_project(tmp_path / "repo")  # every file written moments ago
    monkeypatch.chdir(root)
    assert cli("lock").exit_code == 0
    assert not (root / MEMO).exists()


def test_memo_of_other_code_or_place_is_ignored(warm: Path, cli: Callable[..., Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    memo = json.loads((warm / MEMO).read_text())
    memo["code"] = "0" * 64  # computed by other agentcfg code
    (warm / MEMO).write_text(json.dumps(memo))
    calls: list[int] = []
    real = render.complete  # the manifest's own work may come from agentcfg.warm.prepared; resolution always runs
    monkeypatch.setattr(render, "complete", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    assert cli("lock", "--check").exit_code == 0
    assert calls  # the full path ran
