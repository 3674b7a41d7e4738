"""The terminal side: a reader that leaves early, and the one place output is redacted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree, commit_all, init_repo

from hardening.canaries import CANARIES


@pytest.fixture
def big_diff(tmp_path: Path) -> Path:
    """A project whose `agentcfg diff` prints far more than a pipe buffer holds (64 KiB)."""
    from agentcfg.lockfile import lock

    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {"agentcfg.yaml": "name: big\nprompts:\n  p: {file: p.md}\n", ".gitignore": ".agentcfg/\n",
                      "p.md": "".join(f"line {i} of a long prompt\n" for i in range(6000))})
    lock(repo)
    commit_all(repo, "big")
    (repo / "p.md").write_text("".join(f"LINE {i} of a long prompt\n" for i in range(6000)))
    return repo


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("stderr", ["merged", "separate"], ids=["2>&1 | head", "| head"])
def test_reader_leaving_early_is_not_a_failure(big_diff: Path, stderr: str, fmt: str) -> None:
    """Input: `agentcfg diff | head -c 100` (the pipe closes while agentcfg is still writing).
    Expect exit 0 and no traceback: a reader that left is not "the check found something" (1)."""
    proc = subprocess.Popen([sys.executable, "-m", "agentcfg", "diff", "--format", fmt], cwd=big_diff,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT if stderr == "merged" else subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.read(100)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    if proc.stderr is not None:
        assert b"Traceback" not in proc.stderr.read()


@pytest.mark.parametrize("kind", sorted(CANARIES))
def test_every_printer_redacts(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """Whatever a command hands to agentcfg.cli.ui (a finding, a diff path, a trailer, a hand-made
    release), no canary reaches the terminal; an ${env:NAME} reference stays readable."""
    from agentcfg.cli import ui

    secret = CANARIES[kind]
    payload: dict[str, Any] = {"path": f"parameters.{secret}", secret: 1, "api_key": "plain-literal",
                               "dsn": "postgres://app:${env:DB_PASSWORD}@db/app"}
    ui.print_json(payload)
    ui.print_raw(f"raw {secret}")
    ui.line(f"line {secret}")
    ui.note(f"note {secret}")
    ui.warning(f"warning {secret}")
    ui.error(f"error {secret}")
    ui.table(["a", "b"], [[secret, f"cell {secret}"]])
    out = capsys.readouterr()
    assert secret not in out.out + out.err
    assert "plain-literal" not in out.out  # a literal under a secret-named key is hidden too
    assert "postgres://app:${env:DB_PASSWORD}@db/app" in out.out
    assert out.out.count("<redacted:") >= 5
