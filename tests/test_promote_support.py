"""Shared helpers for the environment tests (promote, rollback, history, e2e): a small project.

Kept in a test module (not conftest) because these tests own it; it also checks that the
helpers themselves build what they claim.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from conftest import build_tree, commit_all, git, init_repo

MANIFEST = """\
format_version: 1
name: demo
environments: [staging, production]
models:
  chat: {provider: openai, id: gpt-4o-2024-08-06}
  embedder: {provider: openai, id: text-embedding-3-small, kind: embedding, dims: 1536}
prompts:
  assistant:
    template: "Hello {{user}}, how can I help?"
    variables: [user]
tools:
  lookup_order:
    description: Look up an order by id.
    inputSchema: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
    annotations: {readOnlyHint: true, openWorldHint: false}
memory:
  notes:
    store: {provider: qdrant, collection: notes}
    embedder: embedder
    dims: 1536
    schema_version: "1"
agents:
  assistant: {model: chat, prompt: assistant, tools: [lookup_order], memory: notes}
policies:
  production: {require_pinned_models: true, max_risk: high}
"""


def lock_and_commit(repo: Path, message: str) -> str:
    """Lock the project (as a user would before promoting) and commit everything."""
    from agentcfg.lockfile import lock

    lock(repo)
    return commit_all(repo, message)


def make_project(repo: Path, manifest: str = MANIFEST, extra: dict[str, str] | None = None) -> str:
    """A git repository with the small project, locked and committed; returns the commit."""
    init_repo(repo)
    build_tree(repo, {"agentcfg.yaml": manifest, ".gitignore": ".agentcfg/\n", **(extra or {})})
    return lock_and_commit(repo, "initial project")


def edit(repo: Path, old: str, new: str, message: str, path: str = "agentcfg.yaml") -> str:
    """Replace text in a project file, re-lock, commit."""
    p = repo / path
    text = p.read_text()
    assert old in text, f"{old!r} not in {path}"
    p.write_text(text.replace(old, new))
    return lock_and_commit(repo, message)


def release(repo: Path, env: str) -> dict[str, Any]:
    return json.loads((repo / "releases" / f"{env}.json").read_text())


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def files_of(repo: Path, commit: str = "HEAD") -> list[str]:
    """The paths a commit changed."""
    return git(repo, "show", "--name-only", "--format=", commit).split()


def trailers(repo: Path, commit: str = "HEAD") -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", commit)
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


def status_porcelain(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def test_make_project_is_committed_and_locked(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    make_project(repo)
    assert (repo / "agentcfg.lock").is_file()
    assert status_porcelain(repo) == ""
    assert files_of(repo) and "agentcfg.lock" in files_of(repo)
