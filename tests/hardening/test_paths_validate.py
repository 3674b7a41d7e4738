"""File references may never leave the repository, by lexical or real path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import build_tree, init_repo

MANIFEST = """name: paths
models:
  m: {{provider: openai, id: gpt-4o-2024-08-06}}
prompts:
  p: {{file: "{ref}"}}
agents:
  a: {{model: m, prompt: p}}
"""


def _project(tmp_path: Path, ref: str) -> Path:
    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {"agentcfg.yaml": MANIFEST.format(ref=ref), "prompts/ok.md": "hi\n"})
    (tmp_path / "outside.md").write_text("SECRET-OUTSIDE-CONTENT\n")
    return repo


@pytest.mark.parametrize("ref,code", [
    ("../outside.md", "file-outside-repo"),
    ("../../../../../../etc/passwd", "file-outside-repo"),
    ("/etc/passwd", "file-outside-repo"),
    ("prompts/missing.md", "file-not-found"),
    ("prompts/link.md", "file-outside-repo"),  # a symlink to ../../outside.md
    ("prompts/loop.md", "file-not-found"),  # a symlink loop
    ("prompts/fifo.md", "file-not-found"),  # a FIFO: never opened (it would block)
])
def test_file_reference_refused(tmp_path: Path, monkeypatch, cli, ref: str, code: str) -> None:  # type: ignore[no-untyped-def]
    repo = _project(tmp_path, ref)
    os.symlink("../../outside.md", repo / "prompts" / "link.md")
    os.symlink("loop.md", repo / "prompts" / "loop.md")
    os.mkfifo(repo / "prompts" / "fifo.md")
    monkeypatch.chdir(repo)
    r = cli("validate", "--format", "json")
    assert r.exit_code == 1, r
    findings = json.loads(r.stdout)["findings"]
    hit = [f for f in findings if f["artefact"] == "prompts/p"]
    assert hit and hit[0]["code"] == code, findings
    assert hit[0]["file"] == "agentcfg.yaml" and hit[0]["line"] == 5
    assert "SECRET-OUTSIDE-CONTENT" not in r.stdout + r.stderr
    assert "root:" not in r.stdout  # /etc/passwd content never read into output


def test_symlink_inside_repo_is_fine(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    repo = _project(tmp_path, "prompts/alias.md")
    os.symlink("ok.md", repo / "prompts" / "alias.md")
    monkeypatch.chdir(repo)
    assert cli("validate").exit_code == 0
