"""The invalid-manifest suite: one mistake per fixture, each with the finding it must produce.

Every folder under ``tests/fixtures/invalid/`` is a tiny project (its own ``agentcfg.yaml`` and
files) plus ``expected.json``: ``{"code", "artefact", "file", "line"}`` and optionally
``"message"`` (a substring of the finding's message) and ``"symlink_outside"`` (a path the test
turns into a symlink to a file outside the project at run time: git fixtures must not hold
symlinks that point out of the repository).

For each fixture, ``agentcfg validate`` must exit 1, report exactly one error (the one mistake),
and point at the expected check, artefact and ``file:line`` in both text and JSON output, with
no traceback (the ``cli`` fixture asserts that).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())


def _prepare(case: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / case, project)
    expected_file = project / "expected.json"
    expected: dict[str, Any] = json.loads(expected_file.read_text(encoding="utf-8"))
    expected_file.unlink()
    link = expected.pop("symlink_outside", None)
    if link:
        outside = tmp_path / "outside" / "leaked.md"
        outside.parent.mkdir()
        outside.write_text("Hello {{name}}, this file lives outside the project.\n")
        (project / link).parent.mkdir(parents=True, exist_ok=True)
        (project / link).symlink_to(outside)
    return project, expected


def _matches(finding: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(finding[k] == expected[k] for k in ("code", "artefact", "file", "line"))


def test_there_are_at_least_thirty_fixtures() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_invalid_fixture(case: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    project, expected = _prepare(case, tmp_path)
    monkeypatch.chdir(project)

    result = cli("validate", "--format", "json")
    assert result.exit_code == 1, result
    report = json.loads(result.stdout)
    assert report["format_version"] == 1 and report["ok"] is False
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    hits = [f for f in errors if _matches(f, expected)]
    assert hits, f"expected {expected}, got {json.dumps(errors, indent=1)}"
    assert len(errors) == 1, f"one mistake must give one error, got {json.dumps(errors, indent=1)}"
    if "message" in expected:
        assert expected["message"] in hits[0]["message"]
    assert hits[0]["col"] >= 1

    text = cli("validate")
    assert text.exit_code == 1, text
    head = f"{expected['file']}:{expected['line']}:{hits[0]['col']}: "
    if expected["artefact"]:
        head += f"{expected['artefact']}: "
    lines = [ln for ln in text.stdout.splitlines() if ln.startswith(head)]
    assert lines, f"no line starting with {head!r} in:\n{text.stdout}"
    assert lines[0].endswith(f"[{expected['code']}]")
    assert "1 error" in text.stderr
