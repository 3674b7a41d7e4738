"""Shared helpers of the hardening suite: a small project in a git repository, and a snapshot of
everything a command could write or lose (every file's bytes, HEAD, refs, the index, status).

Every refusal test takes a snapshot before the command and asserts it is unchanged after it,
so "nothing was written or lost" is checked byte for byte, not assumed.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree, commit_all, git, init_repo

MANIFEST = """\
format_version: 1
name: hardening
environments: [staging, production]
code:
  app: {repo: ., ref: main, path: src}
data:
  corpus: {path: data/corpus, role: corpus}
models:
  chat: {provider: openai, id: gpt-4o-2024-08-06, parameters: {temperature: 0.1}}
prompts:
  greet: {file: prompts/greet.md, variables: [user]}
tools:
  lookup:
    description: Look up an order by id.
    inputSchema: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
    annotations: {readOnlyHint: true, openWorldHint: false}
agents:
  helper: {model: chat, prompt: greet, tools: [lookup]}
policies:
  production: {require_pinned_models: true}
"""

FILES: dict[str, str | bytes] = {
    "agentcfg.yaml": MANIFEST,
    "prompts/greet.md": "Hello {{user}}, how can I help?\n",
    "data/corpus/a.md": "alpha\n",
    "data/corpus/sub/b.md": "beta\n",
    "src/app.py": "print('hi')\n",
    ".gitignore": ".agentcfg/\n",
}


def lock_and_commit(repo: Path, message: str) -> str:
    from agentcfg.lockfile import lock

    lock(repo)
    return commit_all(repo, message)


def make_project(repo: Path, files: dict[str, str | bytes] | None = None, *, locked: bool = True) -> Path:
    """A git repository holding the small project, committed (and locked unless ``locked=False``)."""
    init_repo(repo)
    build_tree(repo, {**FILES, **(files or {})})
    commit_all(repo, "project")
    if locked:
        lock_and_commit(repo, "lock")
    return repo


def staging_with_a_pending_change(repo: Path) -> Path:
    """A project (as cwd) whose HEAD is promoted to staging, then a committed prompt edit that
    is waiting to be promoted: the state every promote-path hardening case starts from."""
    from agentcfg.promotion import promote

    make_project(repo)
    os.chdir(repo)
    promote("HEAD", "staging")
    edit(repo, "prompts/greet.md", "how can I help?", "what do you need?")
    lock_and_commit(repo, "reword")
    return repo


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def status(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                          capture_output=True, text=True, check=True).stdout


@dataclass(frozen=True)
class Snapshot:
    """What a command could change: working-tree bytes (outside .git and .agentcfg), git state."""

    files: dict[str, bytes]
    head: str | None
    refs: str
    index: str
    status: str

    def diff(self, other: Snapshot) -> list[str]:
        changed = [f"file {p}" for p in sorted(set(self.files) | set(other.files))
                   if self.files.get(p) != other.files.get(p)]
        for name in ("head", "refs", "index", "status"):
            if getattr(self, name) != getattr(other, name):
                changed.append(f"{name}: {getattr(self, name)!r} -> {getattr(other, name)!r}")
        return changed


def snapshot(root: Path) -> Snapshot:
    """Everything under ``root`` that a user could lose, plus (in a repository) HEAD, refs, index."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in (".git", ".agentcfg") or path.is_dir() or path.is_fifo():
            continue
        if path.is_symlink():
            files[rel.as_posix()] = b"-> " + str(path.readlink()).encode()
        else:
            files[rel.as_posix()] = path.read_bytes()
    if not (root / ".git").exists():
        return Snapshot(files, None, "", "", "")

    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False).stdout

    return Snapshot(files, run("rev-parse", "-q", "--verify", "HEAD").strip() or None,
                    run("for-each-ref", "--format=%(refname) %(objectname)"), run("ls-files", "-s"),
                    run("status", "--porcelain", "--untracked-files=all"))


def assert_untouched(before: Snapshot, root: Path) -> None:
    after = snapshot(root)
    assert not before.diff(after), before.diff(after)


def release(repo: Path, env: str) -> dict[str, Any]:
    return json.loads((repo / "releases" / f"{env}.json").read_text(encoding="utf-8"))


@contextmanager
def isolated_git(home: Path) -> Iterator[pytest.MonkeyPatch]:
    """conftest's git isolation for module-scoped fixtures (which run before its autouse one)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for who in ("AUTHOR", "COMMITTER"):
            mp.setenv(f"GIT_{who}_NAME", "Test User")
            mp.setenv(f"GIT_{who}_EMAIL", "test@example.com")
        mp.delenv("AGENTCFG_FAILPOINT", raising=False)
        yield mp


def writer_is_free(repo: Path) -> bool:
    """Whether no process holds the repository's writer mutex (asked of the kernel, at once)."""
    from agentcfg.errors import BusyError
    from agentcfg.writer import exclusive_writer

    try:
        with exclusive_writer(repo / ".agentcfg", "agentcfg test probe"):
            return True
    except BusyError:
        return False
