"""Renders of one command share what they read (blobs, parsed documents, settled checks): the
answer is the same with the sharing on and off, refusals included.

Each scenario is a real repository: the example committed and locked, then edited in one way
and committed (locked or not). `diff`, `render --rev` and `promote --dry-run` are run with
`snapshot.SHARING` on and off, each from a state folder wiped first (the render cache must not
answer), and compared whole: the result, or the error's type, text, hint and findings.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import commit_all

from agentcfg.errors import AgentcfgError

BAD_TOOL = "name: create_ticket\ndescription: [unclosed\n"
SECRET = "\nsecret_note: sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef\n"


def _edit(repo: Path, how: str) -> None:
    tools, prompts = repo / "tools", repo / "prompts"
    if how == "tool-description":
        text = (tools / "send_email.yaml").read_text()
        (tools / "send_email.yaml").write_text(text.replace("description:", "description: Now faster.", 1))
    elif how == "prompt-text":
        with open(prompts / "triage.md", "a") as fh:
            fh.write("\nBe brief.\n")
    elif how == "broken-yaml":
        (tools / "create_ticket.yaml").write_text(BAD_TOOL)
    elif how == "secret-in-tool":
        with open(tools / "send_email.yaml", "a") as fh:
            fh.write(SECRET)
    elif how == "missing-file":
        (tools / "search_faq.yaml").unlink()
    elif how == "data-edit":
        with open(repo / "data" / "faq" / "returns.md", "a") as fh:
            fh.write("Returns are free in December.\n")
    elif how == "data-symlink":
        os.symlink("returns.md", repo / "data" / "faq" / "link.md")
    elif how == "overlay-edit":
        with open(repo / "environments" / "production.yaml", "a") as fh:
            fh.write("tools:\n  send_email:\n    description: Production mail.\n")
    elif how == "same-blob-two-paths":
        shutil.copy(tools / "send_email.yaml", tools / "send_email_copy.yaml")
        text = (repo / "agentcfg.yaml").read_text()
        (repo / "agentcfg.yaml").write_text(text.replace(
            "  send_email: {file: tools/send_email.yaml}",
            "  send_email: {file: tools/send_email.yaml}\n  send_email_copy: {file: tools/send_email_copy.yaml}"))
    else:
        raise AssertionError(how)


EDITS = ["tool-description", "prompt-text", "broken-yaml", "secret-in-tool", "missing-file", "data-edit",
         "data-symlink", "overlay-edit", "same-blob-two-paths"]


def _outcome(run: Callable[[], Any]) -> Any:
    try:
        value = run()
    except AgentcfgError as exc:
        findings = [vars(f) for f in getattr(exc, "findings", None) or []]
        return ("error", type(exc).__name__, str(exc), exc.hint, exc.artefact, str(exc.location), findings)
    return ("ok", value)


def _both(repo: Path, run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    from agentcfg import snapshot

    answers = []
    for sharing in (False, True):
        shutil.rmtree(repo / ".agentcfg", ignore_errors=True)
        monkeypatch.setattr(snapshot, "SHARING", sharing)
        answers.append(_outcome(run))
    return answers[0], answers[1]


@pytest.mark.parametrize("relock", [True, False], ids=["locked", "stale-lock"])
@pytest.mark.parametrize("how", EDITS)
def test_diff_is_the_same_with_and_without_sharing(example_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                   how: str, relock: bool) -> None:
    from agentcfg.lockfile import lock
    from agentcfg.semdiff import diff

    lock(example_repo)
    commit_all(example_repo, "locked")
    _edit(example_repo, how)
    if relock:
        try:
            lock(example_repo)
        except AgentcfgError:
            pass  # an edit the lock refuses: the commit keeps the old (now stale) lock
    commit_all(example_repo, how)
    for env in (None, "production", "staging"):
        for a, b in (("HEAD~1", "HEAD"), ("HEAD", "HEAD~1")):
            off, on = _both(example_repo, lambda: diff(a, b, root=example_repo, env=env).to_dict(), monkeypatch)
            assert on == off, (how, env, a, b)


@pytest.mark.parametrize("how", ["tool-description", "data-edit", "data-symlink", "broken-yaml"])
def test_diff_of_commits_without_a_lock_is_the_same_with_and_without_sharing(
        example_repo: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    from agentcfg.semdiff import diff

    _edit(example_repo, how)
    commit_all(example_repo, how)
    for env in (None, "production"):
        off, on = _both(example_repo, lambda: diff("HEAD~1", "HEAD", root=example_repo, env=env).to_dict(),
                        monkeypatch)
        assert on == off, (how, env)


@pytest.mark.parametrize("how", ["tool-description", "broken-yaml", "secret-in-tool", "overlay-edit", "data-edit"])
def test_render_rev_and_promote_are_the_same_with_and_without_sharing(
        example_repo: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    from agentcfg.lockfile import lock
    from agentcfg.promotion import promote
    from agentcfg.promotion.source import render

    lock(example_repo)
    commit_all(example_repo, "locked")
    _edit(example_repo, how)
    commit_all(example_repo, how)  # the lock is now stale for what the edit touched
    for env in ("staging", "production"):
        off, on = _both(example_repo, lambda: vars(render(env, root=example_repo, rev="HEAD")), monkeypatch)
        assert on == off, (how, env)
    off, on = _both(example_repo, lambda: promote("HEAD", "staging", root=example_repo, dry_run=True).to_dict(),
                    monkeypatch)
    assert on == off, how
    off, on = _both(example_repo, lambda: promote("HEAD~1", "staging", root=example_repo, dry_run=True).to_dict(),
                    monkeypatch)
    assert on == off, how


def test_shared_documents_are_never_changed_by_their_readers(example_repo: Path) -> None:
    """Both sides of a diff get the same parsed data: nobody may write into it."""
    import copy

    from agentcfg.lockfile import lock
    from agentcfg.project import Project
    from agentcfg.semdiff.sides import load_side
    from agentcfg.snapshot import Shared

    lock(example_repo)
    commit_all(example_repo, "locked")
    _edit(example_repo, "overlay-edit")
    lock(example_repo)
    commit_all(example_repo, "overlay")
    shared = Shared()
    project = Project.find(example_repo)
    load_side(project, "HEAD~1", env="production", shared=shared)
    before = copy.deepcopy(shared.parses._docs)
    assert before  # documents were shared
    load_side(project, "HEAD", env="production", shared=shared)
    load_side(project, "HEAD~1", shared=shared)
    for key, doc in before.items():
        assert shared.parses._docs[key] == doc


def test_settled_needs_the_very_same_entry() -> None:
    """1, 1.0 and True compare equal in Python but are different values to a check."""
    from agentcfg.snapshot import _same

    assert _same({"a": [1, {"b": "x"}]}, {"a": [1, {"b": "x"}]})
    assert not _same({"a": 1}, {"a": True})
    assert not _same({"a": 1}, {"a": 1.0})
    assert not _same({"a": [1]}, {"a": [1, 2]})
    assert not _same({"a": 1}, {"a": 1, "b": None})
    assert not _same(float("nan"), float("nan"))  # never settled: its checks simply run again


def test_a_side_settles_only_what_an_earlier_side_rendered_without_error(example_repo: Path) -> None:
    from agentcfg.lockfile import lock
    from agentcfg.project import Project
    from agentcfg.semdiff.sides import load_side
    from agentcfg.snapshot import Shared

    lock(example_repo)
    commit_all(example_repo, "locked")
    _edit(example_repo, "secret-in-tool")
    commit_all(example_repo, "secret")
    project = Project.find(example_repo)
    shared = Shared()
    load_side(project, "HEAD~1", shared=shared)
    assert "tools/send_email" in shared.checked
    with pytest.raises(AgentcfgError) as refused:
        load_side(project, "HEAD", shared=shared)
    assert "looks like a secret" in str(getattr(refused.value, "findings", "")) or "secret" in str(refused.value)


def test_a_later_side_takes_the_models_and_encodings_of_identical_entries_only(example_repo: Path) -> None:
    """The second side of a diff reuses the first side's type-checked model (and so its canonical
    bytes) for an entry that is the very same, and type-checks an edited one itself."""
    from agentcfg.lockfile import lock
    from agentcfg.project import Project
    from agentcfg.semdiff.sides import load_side
    from agentcfg.snapshot import Shared

    lock(example_repo)
    commit_all(example_repo, "locked")
    path = example_repo / "tools" / "send_email.yaml"
    path.write_text(path.read_text().replace("description: >-\n", "description: >-\n  Now faster.\n", 1))
    lock(example_repo)
    commit_all(example_repo, "edited")
    project = Project.find(example_repo)
    shared = Shared()
    before = load_side(project, "HEAD~1", shared=shared)
    first = dict(shared.models)
    after = load_side(project, "HEAD", shared=shared)
    assert shared.models["tools/create_ticket"][1] is first["tools/create_ticket"][1]
    assert "tools/create_ticket" in shared._alike and "tools/send_email" not in shared._alike
    edited = before.config["tools"]["send_email"], after.config["tools"]["send_email"]
    assert edited[0] != edited[1] and "Now faster." in edited[1]["description"]
    assert after.config["tools"]["create_ticket"] is before.config["tools"]["create_ticket"]
