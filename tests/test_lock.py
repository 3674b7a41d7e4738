"""`agentcfg lock`, `lock --check` and the lock file itself."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import build_tree, commit_all, git, init_repo, run_agentcfg

MANIFEST = """\
# a small project with all seven sections
name: shop
environments: [staging, production]
code:
  app: {repo: ., ref: main, path: src}
data:
  corpus: {path: data/corpus, role: corpus}
  evals: {path: data/evals.jsonl, role: eval}
models:
  chat:
    provider: openai
    id: gpt-4o-2024-08-06
    parameters: {temperature: 0.2}
  embed: {provider: openai, id: text-embedding-3-small, kind: embedding, dims: 1536}
prompts:
  triage: {file: prompts/triage.md, variables: [customer]}
tools:
  refund: {file: tools/refund.yaml, approval: required}
memory:
  notes:
    store: {provider: qdrant, collection: notes}
    embedder: embed
    dims: 1536
    schema_version: "1"
orchestration:
  main:
    entry: triage
    max_steps: 10
    nodes:
      triage: {agent: helper}
      pay: {tool: refund}
    edges:
      - {from: triage, to: pay, when: refund}
      - {from: pay, to: END}
agents:
  helper:
    model: chat
    prompt: triage
    tools: [refund]
    memory: notes
policies:
  production: {require_pinned_models: true}
"""

TOOL = """\
name: refund
description: Refund an order.
inputSchema:
  type: object
  properties:
    order_id: {type: string}
  required: [order_id]
annotations: {readOnlyHint: false, destructiveHint: true}
"""

FILES: dict[str, str | bytes] = {
    "agentcfg.yaml": MANIFEST,
    "prompts/triage.md": "Hello {{customer}}, how can I help?\n",
    "tools/refund.yaml": TOOL,
    "data/corpus/a.md": "alpha\n",
    "data/corpus/sub/b.md": "beta\n",
    "data/evals.jsonl": '{"q": 1}\n',
    "src/app.py": "print('hi')\n",
    "environments/production.yaml": "models:\n  chat: {parameters: {temperature: 0.0}}\n",
    ".gitignore": ".agentcfg/\n",
}


def make_project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A committed git repository holding the sample project (optionally with files replaced)."""
    init_repo(root)
    build_tree(root, {**FILES, **(files or {})})
    commit_all(root, "project")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def lock_bytes(root: Path) -> bytes:
    return (root / "agentcfg.lock").read_bytes()


def test_lock_is_deterministic_and_format_version_first(project: Path, cli: Callable[..., Any]) -> None:
    r = cli("lock")
    assert r.exit_code == 0, r
    first = lock_bytes(project)
    text = first.decode()
    assert text.startswith('{\n  "format_version": 2,\n  "artefacts": {')
    assert text.endswith("}\n") and "\r" not in text
    r = cli("lock")
    assert r.exit_code == 0 and "already up to date" in r.stderr
    assert lock_bytes(project) == first
    lock = json.loads(first)
    rest = [k for k in lock if k != "format_version"]
    assert rest == sorted(rest)
    assert set(lock["artefacts"]) >= {"code/app", "data/corpus", "data/evals", "models/chat", "prompts/triage",
                                      "tools/refund", "memory/notes", "orchestration/main", "agents/helper",
                                      "policies/production"}
    head = git(project, "rev-parse", "HEAD").strip()
    assert lock["artefacts"]["code/app"]["commit"] == head
    assert lock["artefacts"]["code/app"]["tree"] == git(project, "rev-parse", "HEAD:src").strip()
    assert lock["artefacts"]["data/corpus"]["files"] == 2 and lock["artefacts"]["data/corpus"]["size"] == 11
    assert lock["artefacts"]["models/chat"]["pinned"] is True
    assert lock["environments"]["production"]["artefacts"].keys() == {"models/chat"}
    assert lock["environments"]["staging"] == {"artefacts": {}, "digest": lock["digest"]}


def test_fresh_clone_locks_byte_identical(project: Path, tmp_path: Path, cli: Callable[..., Any],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("lock").exit_code == 0
    commit_all(project, "lock")
    original = lock_bytes(project)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    monkeypatch.chdir(clone)
    r = cli("lock", "--check")
    assert r.exit_code == 0, r
    (clone / "agentcfg.lock").unlink()
    assert cli("lock").exit_code == 0
    assert lock_bytes(clone) == original


def _commit_lock(root: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    commit_all(root, "lock")


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text()
    assert old in text, (rel, old)
    p.write_text(text.replace(old, new, 1))


CHANGES: list[tuple[str, Callable[[Path], None], str, str | None]] = [
    ("prompt text", lambda r: _edit(r, "prompts/triage.md", "how can", "how may"), "prompts/triage", None),
    ("tool field", lambda r: _edit(r, "tools/refund.yaml", "Refund an order.", "Refund any order."), "tools/refund",
     None),
    ("model id", lambda r: _edit(r, "agentcfg.yaml", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20"), "models/chat", None),
    ("memory field", lambda r: _edit(r, "agentcfg.yaml", "collection: notes", "collection: notes2"), "memory/notes",
     None),
    ("graph edge", lambda r: _edit(r, "agentcfg.yaml", "when: refund", "when: refund_requested"),
     "orchestration/main", None),
    ("agent tool list", lambda r: _edit(r, "agentcfg.yaml", "tools: [refund]", "tools: []"), "agents/helper", None),
    ("data file edited", lambda r: (r / "data/corpus/a.md").write_text("ALPHA\n"), "data/corpus", None),
    ("data file added", lambda r: (r / "data/corpus/c.md").write_text("gamma\n"), "data/corpus", None),
    ("data file renamed", lambda r: (r / "data/corpus/a.md").rename(r / "data/corpus/a2.md"), "data/corpus", None),
    ("single data file", lambda r: (r / "data/evals.jsonl").write_text('{"q": 2}\n'), "data/evals", None),
    ("overlay change", lambda r: _edit(r, "environments/production.yaml", "0.0", "0.1"), "models/chat", "production"),
]


@pytest.mark.parametrize("what,change,artefact,env", CHANGES, ids=[c[0] for c in CHANGES])
def test_check_names_each_kind_of_change(project: Path, cli: Callable[..., Any], what: str,
                                         change: Callable[[Path], None], artefact: str, env: str | None) -> None:
    _commit_lock(project, cli)
    before = lock_bytes(project)
    change(project)
    r = cli("lock", "--check")
    assert r.exit_code == 1, r
    assert f"stale  {artefact}:" in r.stdout
    assert "agentcfg lock" in r.stderr  # the fixing command
    if env:
        assert f"(environment {env})" in r.stdout
    assert lock_bytes(project) == before  # --check writes nothing
    r = cli("lock", "--check", "--format", "json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["fresh"] is False and report["fix"] == "agentcfg lock"
    assert any(s["artefact"] == artefact and s["env"] == env for s in report["stale"]), report["stale"]
    assert cli("lock").exit_code == 0
    assert cli("lock", "--check").exit_code == 0


def test_check_reports_added_and_removed_artefacts(project: Path, cli: Callable[..., Any]) -> None:
    _commit_lock(project, cli)
    _edit(project, "agentcfg.yaml", "tools:\n", "tools:\n  ping: {description: ping}\n")
    r = cli("lock", "--check", "--format", "json")
    stale = {(s["artefact"], s["change"]) for s in json.loads(r.stdout)["stale"]}
    assert ("tools/ping", "added") in stale
    assert cli("lock").exit_code == 0
    _edit(project, "agentcfg.yaml", "  ping: {description: ping}\n", "")
    report = json.loads(cli("lock", "--check", "--format", "json").stdout)
    stale = {(s["artefact"], s["change"]) for s in report["stale"]}
    assert stale == {("tools/ping", "removed")}


def test_check_is_fresh_after_reformatting(project: Path, cli: Callable[..., Any]) -> None:
    _commit_lock(project, cli)
    # Indentation, flow vs block style, key order, comments and CRLF line endings.
    reformatted = MANIFEST.replace("# a small project", "# reworded comment\n# another").replace(
        "  chat:\n    provider: openai\n    id: gpt-4o-2024-08-06\n    parameters: {temperature: 0.2}\n",
        "  chat:   # the main model\n      parameters:\n          temperature: 0.2\n      id: gpt-4o-2024-08-06\n"
        "      provider: openai\n")
    assert reformatted != MANIFEST
    (project / "agentcfg.yaml").write_bytes(reformatted.replace("\n", "\r\n").encode())
    (project / "prompts/triage.md").write_bytes(b"Hello {{customer}}, how can I help?\r\n")
    hints = "annotations:\n    destructiveHint: true\n    readOnlyHint: false\n"
    tool = "# refund tool\n" + hints + TOOL.split("annotations")[0]
    (project / "tools/refund.yaml").write_bytes(tool.replace("\n", "\r\n").encode())
    r = cli("lock", "--check")
    assert r.exit_code == 0, r


def test_code_ref_moving_branch_gives_new_commit(project: Path, cli: Callable[..., Any]) -> None:
    _commit_lock(project, cli)
    old = json.loads(lock_bytes(project))["artefacts"]["code/app"]["commit"]
    (project / "src/app.py").write_text("print('bye')\n")
    new_head = commit_all(project, "change code")
    r = cli("lock", "--check", "--format", "json")
    assert r.exit_code == 1
    stale = json.loads(r.stdout)["stale"]
    assert {"artefact": "code/app", "change": "ref moved", "env": None, "old": old, "new": new_head} in stale
    assert cli("lock").exit_code == 0
    entry = json.loads(lock_bytes(project))["artefacts"]["code/app"]
    assert entry["commit"] == new_head and entry["tree"] == git(project, "rev-parse", "HEAD:src").strip()


def test_missing_ref_is_a_clear_error(project: Path, cli: Callable[..., Any]) -> None:
    _edit(project, "agentcfg.yaml", "ref: main", "ref: no-such-branch")
    r = cli("lock")
    assert r.exit_code == 2
    assert "code/app" in r.stderr and "no-such-branch" in r.stderr and "does not exist" in r.stderr
    assert not (project / "agentcfg.lock").exists()


def test_check_without_lock_and_with_hand_edited_lock(project: Path, cli: Callable[..., Any]) -> None:
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "agentcfg.lock: no lock file" in r.stdout
    assert cli("lock").exit_code == 0
    data = json.loads(lock_bytes(project))
    (project / "agentcfg.lock").write_text(json.dumps(data, indent=4))  # same content, other bytes
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "not what `agentcfg lock` writes" in r.stdout
    (project / "agentcfg.lock").write_text("{ torn")
    assert cli("lock", "--check").exit_code == 2
    assert cli("lock").exit_code == 0  # a corrupt lock is replaced
    assert cli("lock", "--check").exit_code == 0


def test_invalid_manifest_is_exit_1(project: Path, cli: Callable[..., Any]) -> None:
    _edit(project, "agentcfg.yaml", "prompt: triage", "prompt: nope")
    r = cli("lock")
    assert r.exit_code == 1 and "agents/helper" in r.stderr
    assert not (project / "agentcfg.lock").exists()


def test_second_writer_is_refused(project: Path, cli: Callable[..., Any]) -> None:
    from agentcfg.writer import exclusive_writer

    with exclusive_writer(project / ".agentcfg", "agentcfg promote"):
        r = cli("lock")
        assert r.exit_code == 2 and "another agentcfg is running" in r.stderr and "agentcfg promote" in r.stderr
        assert not (project / "agentcfg.lock").exists()
        assert cli("lock", "--check").exit_code == 1  # a read-only check does not need the writer mutex


@pytest.mark.parametrize("point", ["before-rename", "after-rename"])
def test_kill_during_write_leaves_old_or_new_lock(project: Path, cli: Callable[..., Any], point: str) -> None:
    _commit_lock(project, cli)
    old = lock_bytes(project)
    _edit(project, "prompts/triage.md", "how can", "how may")
    proc = run_agentcfg("lock", cwd=project, env={"AGENTCFG_FAILPOINT": point})
    assert proc.returncode != 0  # killed
    now = lock_bytes(project)
    assert now == old if point == "before-rename" else now != old
    json.loads(now)  # never torn
    assert cli("lock").exit_code == 0
    assert not [p for p in project.iterdir() if p.name.startswith(".agentcfg.lock.")]  # no temp files left


def test_lock_in_a_monorepo_subfolder(tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_repo(tmp_path / "mono")
    build_tree(root / "agents" / "shop", FILES)
    head = commit_all(root, "mono")
    monkeypatch.chdir(root / "agents" / "shop")
    assert cli("lock").exit_code == 0
    entry = json.loads((root / "agents/shop/agentcfg.lock").read_text())["artefacts"]["code/app"]
    assert entry["commit"] == head
    assert entry["tree"] == git(root, "rev-parse", "HEAD:agents/shop/src").strip()


def test_lock_outside_git_without_code(tmp_path: Path, cli: Callable[..., Any],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(tmp_path / "p", {"agentcfg.yaml": "name: x\nprompts:\n  p: {template: hi}\n"})
    monkeypatch.chdir(tmp_path / "p")
    assert cli("lock").exit_code == 0
    assert cli("lock", "--check").exit_code == 0


def test_lock_subprocess_has_no_traceback(project: Path) -> None:
    proc = run_agentcfg("lock", "--format", "json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["written"] is True and out["environments"].keys() == {"staging", "production"}
    proc = run_agentcfg("lock", "--check", cwd=project)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert subprocess.run(["git", "check-ignore", "-q", ".agentcfg/cache/stat.json"], cwd=project).returncode == 0


def test_progress_bar_follows_hashing(project: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from contextlib import contextmanager

    from agentcfg.cli import ui

    bars: list[tuple[str, int | None, list[int]]] = []

    @contextmanager
    def fake_progress(description: str, total: int | None) -> Any:
        steps: list[int] = []
        bars.append((description, total, steps))
        yield lambda n=1: steps.append(n)

    monkeypatch.setattr(ui, "progress", fake_progress)
    assert cli("lock").exit_code == 0
    assert [(d, t, sum(s)) for d, t, s in bars] == [("hashing data/corpus", 2, 2)]  # one file: no bar


def test_bundled_example_locks_and_verifies(example_repo: Path, cli: Callable[..., Any], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("lock").exit_code == 0
    commit_all(example_repo, "lock")
    assert cli("lock", "--check").exit_code == 0
    assert cli("verify").exit_code == 0
    lock = json.loads(lock_bytes(example_repo))
    assert {a.partition("/")[0] for a in lock["artefacts"]} >= {
        "code", "data", "models", "prompts", "tools", "memory", "orchestration", "agents"}
    clone = tmp_path / "example-clone"
    git(tmp_path, "clone", "-q", str(example_repo), str(clone))
    monkeypatch.chdir(clone)
    (clone / "agentcfg.lock").unlink()
    assert cli("lock").exit_code == 0
    assert lock_bytes(clone) == lock_bytes(example_repo)
