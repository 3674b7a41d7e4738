"""rollback and unhold: target selection, hold, byte-for-byte copies, and the incident cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, run_agentcfg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_promote_support import (
    edit,
    files_of,
    head,
    lock_and_commit,
    make_project,
    release,
    status_porcelain,
    trailers,
)

from agentcfg.errors import AgentcfgError
from agentcfg.promotion import history, promote, rollback, unhold


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """staging and production promoted twice: v1 then v2."""
    r = tmp_path / "repo"
    make_project(r)
    monkeypatch.chdir(r)
    promote("HEAD", "staging")
    promote("staging", "production")
    edit(r, "how can I help?", "what do you need?", "v2 prompt")
    promote("HEAD", "staging")
    promote("staging", "production")
    return r


def _config_bytes(repo: Path, rev: str, env: str = "production") -> str:
    data = json.loads(git(repo, "show", f"{rev}:releases/{env}.json"))
    return json.dumps(data["config"], sort_keys=True)


def test_default_rollback_restores_previous_distinct_release(repo: Path) -> None:
    v1_commit = history("production")[1].commit
    v2 = release(repo, "production")["digest"]
    r = rollback("production", reason="bad answers")
    assert r.outcome == "rolled-back" and r.previous_digest == v2 and r.restored_commit == v1_commit
    assert r.restored_index == 1 and files_of(repo) == ["releases/production.json"]
    rel = release(repo, "production")
    old = json.loads(git(repo, "show", f"{v1_commit}:releases/production.json"))
    assert rel["config"] == old["config"] and rel["digest"] == old["digest"] == r.digest
    assert _config_bytes(repo, "HEAD") == _config_bytes(repo, v1_commit)
    assert (rel["action"], rel["from"], rel["reason"], rel["hold"]) == ("rollback", v1_commit, "bad answers", True)
    assert rel["source"] == old["source"]
    t = trailers(repo)
    assert t["Agentcfg-Action"] == "rollback" and t["Agentcfg-Digest"] == r.digest and t["Agentcfg-From"] == v1_commit
    # A second default rollback goes back to v2: the previous *distinct* release.
    assert rollback("production").digest == v2


def test_rollback_to_index_digest_and_rev(repo: Path) -> None:
    rows = history("production")
    v1 = rows[1].digest
    assert v1 is not None
    assert rollback("production", to="1").digest == v1
    unhold("production")
    promote("staging", "production")
    short = v1.removeprefix("sha256:")[:8]
    assert rollback("production", to=short).digest == v1
    unhold("production")
    promote("staging", "production")
    assert rollback("production", to=v1).digest == v1
    unhold("production")
    promote("staging", "production")
    r = rollback("production", to=rows[1].commit[:10])  # a commit prefix that is no digest: a revision
    assert r.digest == v1 and r.restored_commit == rows[1].commit


def test_rollback_target_errors(repo: Path) -> None:
    with pytest.raises(AgentcfgError, match="there is no index 99"):
        rollback("production", to="99")
    with pytest.raises(AgentcfgError, match="no release of production has digest"):
        rollback("production", to="sha256:" + "f" * 12)
    with pytest.raises(AgentcfgError, match="neither a history index"):
        rollback("production", to="no-such-branch")
    with pytest.raises(AgentcfgError, match="has no releases|does not exist|no earlier"):
        rollback("qa")
    assert rollback("production", to="0").outcome == "unchanged"


def test_rollback_with_broken_manifest_on_head(repo: Path) -> None:
    (repo / "agentcfg.yaml").write_text("name: [unclosed\n  environments: {{{\n")
    git(repo, "commit", "-q", "-am", "oops: broken manifest")
    r = rollback("production", reason="incident")
    assert r.outcome == "rolled-back" and files_of(repo) == ["releases/production.json"]
    assert unhold("production").outcome == "unheld"


def test_rollback_with_manifest_deleted(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    git(repo, "rm", "-q", "agentcfg.yaml", "agentcfg.lock")
    git(repo, "commit", "-q", "-m", "gone")
    r = cli("rollback", "production", "--reason", "incident")
    assert r.exit_code == 0, r
    assert "rolled back" in r.stderr and "on hold" in r.stderr
    assert release(repo, "production")["hold"] is True


def test_rollback_in_a_subprocess_with_broken_manifest(repo: Path) -> None:
    (repo / "agentcfg.yaml").write_text("::: not yaml\n\t- x")
    git(repo, "commit", "-q", "-am", "broken")
    p = run_agentcfg("rollback", "production", "--reason", "incident", "--format", "json", cwd=repo)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["outcome"] == "rolled-back"


def test_frozen_environment_still_rolls_back(repo: Path) -> None:
    edit(repo, "max_risk: high}", "max_risk: high, frozen: true}", "freeze")
    assert rollback("production").outcome == "rolled-back"


def test_unhold(repo: Path) -> None:
    assert unhold("production").outcome == "unchanged"
    rollback("production", reason="incident")
    held = release(repo, "production")
    r = unhold("production", reason="INC-7 closed")
    assert r.outcome == "unheld" and files_of(repo) == ["releases/production.json"]
    after = release(repo, "production")
    assert after == {**held, "hold": False}
    t = trailers(repo)
    assert t["Agentcfg-Action"] == "unhold" and t["Agentcfg-Reason"] == "INC-7 closed"
    assert [row.action for row in history("production")[:2]] == ["unhold", "rollback"]


def test_dry_run_and_irreversible_warning(repo: Path) -> None:
    edit(repo, 'schema_version: "1"', 'schema_version: "2"', "memory schema v2")
    promote("HEAD", "staging")
    promote("staging", "production", approve="schema migration planned")
    before = (repo / "releases/production.json").read_bytes(), head(repo)
    r = rollback("production", dry_run=True)
    assert r.outcome == "dry-run" and r.commit is None
    assert ((repo / "releases/production.json").read_bytes(), head(repo)) == before
    assert any("memory/notes" in w for w in r.warnings), r.warnings
    assert rollback("production").warnings == r.warnings


def test_cli_rollback_warns_and_json(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    edit(repo, 'schema_version: "1"', 'schema_version: "2"', "memory schema v2")
    promote("HEAD", "staging")
    promote("staging", "production", approve="ok")
    r = cli("rollback", "production", "--dry-run")
    assert r.exit_code == 0 and "warning:" in r.stderr and "memory/notes" in r.stderr and "would roll back" in r.stderr
    r = cli("rollback", "production", "--format", "json")
    data = json.loads(r.stdout)
    assert r.exit_code == 0 and data["outcome"] == "rolled-back" and data["hold"] is True and data["warnings"]
    r = cli("unhold", "production", "--format", "json")
    assert json.loads(r.stdout)["outcome"] == "unheld"


def test_uncommitted_edits_survive_byte_for_byte(repo: Path) -> None:
    """The user's unrelated work in progress is never touched by promote, rollback or unhold."""
    edit(repo, "what do you need?", "how may I help?", "v3")
    mine = {
        "agentcfg.yaml": (repo / "agentcfg.yaml").read_bytes().replace(b"Hello", b"Hi") + b"# wip\r\n",
        "notes/todo.txt": b"\x00binary\xff and text\n",
        "releases/README": b"hand-written\n",
    }
    for rel, data in mine.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    before_status = status_porcelain(repo)
    promote("HEAD~0", "staging")
    promote("staging", "production")
    rollback("production", reason="x")
    unhold("production")
    promote("staging", "production", dry_run=True)
    for rel, data in mine.items():
        assert (repo / rel).read_bytes() == data, rel
    assert status_porcelain(repo) == before_status
    assert all(files_of(repo, f"HEAD~{i}") in (["releases/production.json"], ["releases/staging.json"])
               for i in range(4))


@pytest.mark.parametrize("point", ["before-commit", "after-commit"])
def test_crash_around_the_commit_leaves_old_or_new(repo: Path, point: str) -> None:
    old_bytes, old_head = (repo / "releases/production.json").read_bytes(), head(repo)
    p = run_agentcfg("rollback", "production", cwd=repo, env={"AGENTCFG_FAILPOINT": point})
    assert p.returncode != 0
    now = (repo / "releases/production.json").read_bytes()
    json.loads(now)  # never torn
    if point == "after-commit":
        assert head(repo) != old_head and status_porcelain(repo) == ""
    else:
        assert head(repo) == old_head and now != old_bytes
        # The next run explains the half-done state instead of overwriting it.
        with pytest.raises(AgentcfgError, match="uncommitted changes"):
            rollback("production")


_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="{}\\"),
                min_size=1, max_size=60)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXT, min_size=1, max_size=2, unique=True))
def test_promote_then_rollback_restores_the_same_bytes(repo: Path, texts: list[str]) -> None:
    """Property: after promote, rollback puts back the previous config byte for byte."""
    for text in texts:
        before = git(repo, "show", "HEAD:releases/staging.json")
        yaml = (repo / "agentcfg.yaml").read_text()
        start = yaml.index("    template: ")
        end = yaml.index("\n", start)
        (repo / "agentcfg.yaml").write_text(yaml[:start] + f"    template: {json.dumps(text + ' {{user}}')}"
                                            + yaml[end:])
        lock_and_commit(repo, "random prompt")
        if promote("HEAD", "staging").outcome == "unchanged":
            continue
        rollback("staging")
        after = git(repo, "show", "HEAD:releases/staging.json")
        assert json.dumps(json.loads(after)["config"], sort_keys=True) == json.dumps(
            json.loads(before)["config"], sort_keys=True)
        assert json.loads(after)["digest"] == json.loads(before)["digest"]
        unhold("staging")


# --- no cache decides a rollback -----------------------------------------------------------------

def test_a_planted_release_memo_cannot_make_a_rollback_a_no_op(repo: Path) -> None:
    """agentcfg once kept `releases.json` (release-file bytes -> digest) and a hand edit of it made
    `rollback --to 1` report "unchanged". The current release is now read from its file every
    time: a planted memo (the old format, claiming the current file holds v1) changes nothing."""
    import hashlib

    rows = history("production")
    v1 = rows[1].digest
    current = hashlib.sha256((repo / "releases/production.json").read_bytes()).hexdigest()
    memo = repo / ".agentcfg/cache/releases.json"
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text(json.dumps({"format_version": 1, "agentcfg": "0.1.0", "entries": {current: [v1, "x"]}}))
    r = rollback("production", to="1")
    assert r.outcome == "rolled-back" and r.digest == v1 and release(repo, "production")["hold"] is True


def test_rollback_warns_about_irreversible_changes(repo: Path) -> None:
    edit(repo, 'schema_version: "1"', 'schema_version: "2"', "memory schema v2")
    promote("HEAD", "staging")
    promote("staging", "production", approve="schema migration planned")
    r = rollback("production")
    assert any("memory/notes" in w for w in r.warnings), r.warnings
