"""Differential test: with warm state, every answer is the cold answer.

A hypothesis state machine edits a shallow clone of the sample project the ways that once fooled
warm state — same-size edits with the old mtime put back, renames, hard links, symlink swaps,
file ↔ folder swaps, branch checkouts, commits, `git fetch --unshallow` — and after each step
runs `validate`, `lock --check`, `verify`, `render --rev HEAD`, `diff HEAD` and `history` twice: with the
caches as the previous steps left them, and with `.agentcfg/cache` removed. Exit code, stdout and
stderr must be identical. Files a step writes are aged past the racy window (mtime an hour
back), so the warm paths are really taken rather than skipped as racy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import commit_all, git
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from test_lock import make_project

from agentcfg.cli.app import main

COMMANDS: list[tuple[str, ...]] = [
    ("validate",),
    ("lock", "--check"),
    ("verify",),
    ("render", "staging", "--rev", "HEAD"),
    ("diff", "HEAD", "--env", "staging"),  # HEAD's blobs may be parsed by the parse cache's entries
    ("history", "staging"),
]

# Same-length substitutions, toggled: each keeps the file's size, so only ctime and content change.
CONFIG_TOGGLES: list[tuple[str, str, str]] = [
    ("prompts/triage.md", "how can", "how may"),
    ("prompts/triage.md", "{{customer}}", "{{custom3r}}"),
    ("tools/refund.yaml", "Refund an", "Return an"),
    ("agentcfg.yaml", "temperature: 0.2", "temperature: 0.3"),
    ("environments/production.yaml", "temperature: 0.0", "temperature: 0.5"),
]
DATA_TOGGLES: list[tuple[str, str, str]] = [
    ("data/corpus/a.md", "alpha", "ALPHA"),
    ("data/evals.jsonl", '"q": 1', '"q": 2'),
]
SWAPPABLE = ["prompts/triage.md", "data/evals.jsonl", "data/corpus/a.md", "tools/refund.yaml"]
# One fixed mtime in the past for every aged file: far outside the racy window, and the same at
# every step, so a file aged again keeps its mtime and the caches stay warm across steps.
PAST_NS = 1_600_000_000 * 10**9


def _age(path: Path) -> None:
    """Set mtime to :data:`PAST_NS` (past the racy window) without following a symlink."""
    past = PAST_NS
    if path.exists() or path.is_symlink():
        for p in [path, *path.rglob("*")] if path.is_dir() and not path.is_symlink() else [path]:
            os.utime(p, ns=(past, past), follow_symlinks=False)


def _age_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if ".git" not in p.relative_to(root).parts and ".agentcfg" not in p.relative_to(root).parts:
            _age(p)


class _Origin:
    """The upstream repository every example clones (built once: two locked, promoted commits)."""

    path: Path | None = None

    @classmethod
    def get(cls, capsys: Any) -> Path:
        if cls.path is None:
            base = Path(tempfile.mkdtemp(prefix="agentcfg-origin-"))
            root = make_project(base / "origin")
            cwd = os.getcwd()
            os.chdir(root)
            try:
                assert main(["lock"]) == 0
                commit_all(root, "lock")
                assert main(["promote", "HEAD", "staging"]) == 0
                git(root, "branch", "other")
                git(root, "checkout", "-q", "other")
                prompt = root / "prompts/triage.md"
                prompt.write_text(prompt.read_text() + "On the other branch.\n")
                assert main(["lock"]) == 0
                commit_all(root, "other prompt")
                git(root, "checkout", "-q", "main")
                prompt.write_text(prompt.read_text().replace("help?", "help??"))
                assert main(["lock"]) == 0
                commit_all(root, "longer question")
                assert main(["promote", "HEAD", "staging"]) == 0
            finally:
                os.chdir(cwd)
                capsys.readouterr()
            cls.path = root
        return cls.path


class WarmEqualsCold(RuleBasedStateMachine):
    capsys: Any = None

    def __init__(self) -> None:
        super().__init__()
        origin = _Origin.get(self.capsys)
        self.base = Path(tempfile.mkdtemp(prefix="agentcfg-warm-"))
        self.root = self.base / "clone"
        self.outside = self.base / "outside"
        self.outside.mkdir()
        git(self.base, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{origin}", str(self.root))
        git(self.root, "config", "user.name", "Test User")
        git(self.root, "config", "user.email", "test@example.com")
        self.cwd = os.getcwd()
        os.chdir(self.root)
        self.shallow = True
        _age_tree(self.root)

    def teardown(self) -> None:
        os.chdir(self.cwd)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- running agentcfg ------------------------------------------------------------------------

    def _run(self, args: tuple[str, ...]) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(list(args))
        out = self.capsys.readouterr()
        return code, out.out, out.err

    @invariant()
    def warm_answers_are_cold_answers(self) -> None:
        cache = self.root / ".agentcfg" / "cache"
        aside = self.base / "warm-cache"
        for args in COMMANDS:
            warm = self._run(args)
            if cache.exists():
                cache.rename(aside)
            try:
                cold = self._run(args)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
                if aside.exists():
                    aside.rename(cache)
            assert warm == cold, f"agentcfg {' '.join(args)}: warm {warm!r} != cold {cold!r}"

    # --- edits -----------------------------------------------------------------------------------

    @rule(which=st.sampled_from(CONFIG_TOGGLES))
    def same_size_config_edit_keeping_mtime(self, which: tuple[str, str, str]) -> None:
        self._toggle(*which)

    @rule(which=st.sampled_from(DATA_TOGGLES))
    def same_size_data_edit_keeping_mtime(self, which: tuple[str, str, str]) -> None:
        self._toggle(*which)

    def _toggle(self, rel: str, a: str, b: str) -> None:
        path = self.root / rel
        if path.is_symlink() or not path.is_file():
            return
        text = path.read_text()
        new = text.replace(a, b, 1) if a in text else text.replace(b, a, 1) if b in text else text
        st_ = path.stat()
        path.write_text(new)
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))

    @rule()
    def rename_in_data_folder(self) -> None:
        b, c = self.root / "data/corpus/sub/b.md", self.root / "data/corpus/sub/c.md"
        if b.exists():
            b.rename(c)
        elif c.exists():
            c.rename(b)

    @rule(rel=st.sampled_from(SWAPPABLE), same=st.booleans())
    def replace_by_hard_link_outside(self, rel: str, same: bool) -> None:
        """Swap in a hard link to a file outside the repository, same size and mtime."""
        path = self.root / rel
        if path.is_symlink() or not path.is_file():
            return
        data = path.read_bytes()
        st_ = path.stat()
        other = self.outside / f"{rel.replace('/', '_')}.{time.time_ns()}"
        other.write_bytes(data if same else data.swapcase())
        os.utime(other, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        path.unlink()
        os.link(other, path)

    @rule(rel=st.sampled_from(SWAPPABLE), inside=st.booleans())
    def swap_for_symlink(self, rel: str, inside: bool) -> None:
        """A file becomes a symlink to a copy (inside the repository, or outside it), or back."""
        path = self.root / rel
        if path.is_symlink():
            data = path.read_bytes() if path.exists() else b""
            path.unlink()
            path.write_bytes(data)
            _age(path)
            return
        if not path.is_file():
            return
        st_ = path.stat()
        target = (self.root / "data" / f".{path.name}.copy") if inside else self.outside / f"{path.name}.{time.time_ns()}"
        target.write_bytes(path.read_bytes())
        os.utime(target, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        path.unlink()
        path.symlink_to(target)
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns), follow_symlinks=False)

    @rule(rel=st.sampled_from(["data/evals.jsonl", "data/corpus/sub"]))
    def swap_file_and_folder(self, rel: str) -> None:
        path = self.root / rel
        if path.is_symlink():
            return
        if path.is_dir():
            inner = sorted(p for p in path.rglob("*") if p.is_file())
            data = inner[0].read_bytes() if inner else b""
            shutil.rmtree(path)
            path.write_bytes(data)
        elif path.is_file():
            data = path.read_bytes()
            path.unlink()
            path.mkdir()
            (path / "part.jsonl").write_bytes(data)
        _age(path)

    @rule(branch=st.sampled_from(["main", "other"]))
    def checkout(self, branch: str) -> None:
        git(self.root, "checkout", "-q", "-f", branch)
        git(self.root, "clean", "-q", "-fd", "-e", ".agentcfg")
        _age_tree(self.root)

    @rule(relock=st.booleans())
    def commit(self, relock: bool) -> None:
        if relock:
            self._run(("lock",))
        commit_all(self.root, "step")
        _age_tree(self.root)

    @precondition(lambda self: self.shallow)
    @rule()
    def unshallow(self) -> None:
        git(self.root, "fetch", "-q", "--unshallow")
        self.shallow = False


def test_warm_answers_equal_cold_answers(capsys: pytest.CaptureFixture[str]) -> None:
    WarmEqualsCold.capsys = capsys
    run_state_machine_as_test(WarmEqualsCold, settings=settings(
        max_examples=int(os.environ.get("AGENTCFG_WARM_EXAMPLES", "20")), stateful_step_count=5, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
