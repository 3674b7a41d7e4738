"""The benchmark's project generator keeps producing projects that agentcfg can lock."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402


@pytest.mark.parametrize("scale", ["S", "M", "L"])
def test_generated_projects_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Any],
                                 scale: str) -> None:
    root = generate.generate(tmp_path / scale, scale, factor=0.01, data_files=30, data_bytes=30 * 1024)
    monkeypatch.chdir(root)
    r = cli("lock", "--format", "json")
    assert r.exit_code == 0, r
    lock = json.loads((root / "agentcfg.lock").read_text())
    assert set(lock["environments"]) == {"staging", "production"}
    if scale == "L":
        assert lock["artefacts"]["data/big"]["files"] == 30
        assert len(generate.data_files(root)) == 30
    if scale == "M":
        assert sum(a.startswith("tools/") for a in lock["artefacts"]) == 20
    assert cli("lock", "--check").exit_code == 0


def test_one_percent_change_and_bulk_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             cli: Callable[..., Any]) -> None:
    """The diff and history rows' inputs: change_artefacts edits what `diff` then reports, and
    fast_history writes releases that `history` and `rollback` read like real ones."""
    root = generate.generate(tmp_path / "M", "M", factor=0.05)
    monkeypatch.chdir(root)
    assert cli("lock").exit_code == 0
    generate.commit_all(root, "lock")
    changed = generate.change_artefacts(root, every=10)
    assert changed and cli("lock").exit_code == 0
    generate.commit_all(root, "change")
    r = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert r.exit_code == 0, r
    assert all(aid in r.stdout for aid in changed)
    digests = generate.fast_history(root, "production", 30)
    rows = json.loads(cli("history", "production", "--format", "json").stdout)["releases"]
    assert [row["digest"] for row in rows] == digests[::-1]
    assert cli("rollback", "production", "--reason", "bench").exit_code == 0
