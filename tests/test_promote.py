"""promote: the happy path, what a commit contains, and the no-op, dry-run and no-commit modes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import build_tree, commit_all, git, init_repo
from test_promote_support import (
    MANIFEST,
    edit,
    files_of,
    head,
    make_project,
    release,
    status_porcelain,
    trailers,
)

from agentcfg.canonical import digest_value, pretty_json
from agentcfg.promotion import history, promote
from hardening.helpers import writer_is_free


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "repo"
    make_project(r)
    monkeypatch.chdir(r)
    return r


def test_promote_rev_then_env_commits_only_the_release_file(repo: Path) -> None:
    src = head(repo)
    r1 = promote("HEAD", "staging", reason="first")
    assert r1.outcome == "promoted" and r1.source == src and r1.source_kind == "rev"
    assert files_of(repo) == ["releases/staging.json"]
    rel = release(repo, "staging")
    assert rel["digest"] == r1.digest == digest_value(rel["config"])
    assert (rel["action"], rel["from"], rel["source"], rel["hold"], rel["reason"]) == ("promote", "HEAD", src, False,
                                                                                      "first")
    assert list(rel) == sorted(rel) and (repo / "releases/staging.json").read_text() == pretty_json(rel)
    t = trailers(repo)
    assert t["Agentcfg-Env"] == "staging" and t["Agentcfg-Action"] == "promote"
    assert t["Agentcfg-Digest"] == r1.digest and t["Agentcfg-Source"] == src and t["Agentcfg-From"] == "HEAD"
    assert t["Agentcfg-Reason"] == "first"

    r2 = promote("staging", "production")
    assert r2.outcome == "promoted" and r2.source == src and r2.source_kind == "env"
    assert files_of(repo) == ["releases/production.json"]
    prod = release(repo, "production")
    # No overlay: the same freight, so the same digest in both environments.
    assert prod["digest"] == rel["digest"] and prod["from"] == "staging" and prod["environment"] == "production"
    assert status_porcelain(repo) == ""


def test_promote_renders_from_the_source_commit_not_the_working_tree(repo: Path) -> None:
    first = head(repo)
    promote("HEAD", "staging")
    edit(repo, "how can I help?", "what do you need?", "reword")
    # The working tree moves on, even uncommitted: staging → production still carries `first`.
    (repo / "agentcfg.yaml").write_text((repo / "agentcfg.yaml").read_text().replace("Hello", "Hi"))
    r = promote("staging", "production")
    assert r.source == first
    assert "how can I help?" in json.dumps(release(repo, "production")["config"])


def test_overlay_applies_to_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    make_project(repo, extra={"environments/production.yaml": "models:\n  chat: {parameters: {temperature: 0.0}}\n"})
    monkeypatch.chdir(repo)
    s = promote("HEAD", "staging")
    p = promote("staging", "production")
    assert s.digest != p.digest
    assert release(repo, "production")["config"]["models"]["chat"]["parameters"] == {"temperature": 0.0}


def test_same_digest_is_a_noop(repo: Path) -> None:
    promote("HEAD", "staging")
    before = git(repo, "rev-parse", "HEAD")
    r = promote("HEAD", "staging")
    assert r.outcome == "unchanged" and r.allowed and r.commit is None
    assert git(repo, "rev-parse", "HEAD") == before


def test_dry_run_writes_nothing_and_reports_diff(repo: Path) -> None:
    promote("HEAD", "staging")
    edit(repo, "how can I help?", "what do you need?", "reword")
    before = (repo / "releases/staging.json").read_bytes()
    r = promote("HEAD", "staging", dry_run=True)
    assert r.outcome == "dry-run" and r.allowed and r.commit is None
    assert r.risk == "medium" and any(c.artefact == "prompts/assistant" for c in r.diff.changes)
    assert (repo / "releases/staging.json").read_bytes() == before
    assert status_porcelain(repo) == "" and writer_is_free(repo)


def test_no_commit_writes_the_file_only(repo: Path) -> None:
    before = head(repo)
    r = promote("HEAD", "staging", no_commit=True)
    assert r.outcome == "written" and r.commit is None and head(repo) == before
    assert release(repo, "staging")["digest"] == r.digest
    assert status_porcelain(repo) == "?? releases/\n"


def test_no_commit_release_merged_by_hand_is_read_from_the_file(repo: Path) -> None:
    """A `--no-commit` release committed by a person (no trailers) still counts as SRC and in history."""
    r = promote("HEAD", "staging", no_commit=True)
    git(repo, "add", "releases/staging.json")
    git(repo, "commit", "-q", "-m", "Release staging (PR #12)")
    rows = history("staging")
    assert rows[0].recorded_in == "file" and rows[0].digest == r.digest and rows[0].action == "promote"
    assert promote("staging", "production").digest == r.digest


def test_commit_respects_hooks_and_restores_on_failure(repo: Path) -> None:
    from agentcfg.errors import GitError

    promote("HEAD", "staging")
    edit(repo, "how can I help?", "what do you need?", "reword")
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no releases on Fridays' >&2\nexit 1\n")
    hook.chmod(0o755)
    before_bytes, before_head = (repo / "releases/staging.json").read_bytes(), head(repo)
    with pytest.raises(GitError) as exc:
        promote("HEAD", "staging")
    assert "no releases on Fridays" in str(exc.value) and "restored" in str(exc.value)
    assert (repo / "releases/staging.json").read_bytes() == before_bytes and head(repo) == before_head
    assert status_porcelain(repo) == ""


def test_failed_first_commit_removes_the_new_file(repo: Path) -> None:
    from agentcfg.errors import GitError

    hook = repo / ".git/hooks/commit-msg"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(GitError):
        promote("HEAD", "staging")
    assert not (repo / "releases/staging.json").exists() and status_porcelain(repo) == ""


def test_hook_that_passes_runs(repo: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\ntouch .git/hook-ran\n")
    hook.chmod(0o755)
    promote("HEAD", "staging")
    assert (repo / ".git/hook-ran").exists()


def test_monorepo_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcfg.lockfile import lock

    top = init_repo(tmp_path / "mono")
    build_tree(top, {"svc/agents/agentcfg.yaml": MANIFEST, ".gitignore": ".agentcfg/\n", "README": "x\n"})
    lock(top / "svc/agents")
    commit_all(top, "mono")
    monkeypatch.chdir(top / "svc/agents")
    r = promote("HEAD", "staging")
    assert files_of(top) == ["svc/agents/releases/staging.json"] and r.release_path == "releases/staging.json"
    assert history("staging")[0].digest == r.digest


def test_cli_promote_json_and_text(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("promote", "HEAD", "staging", "--format", "json")
    assert r.exit_code == 0, r
    data = json.loads(r.stdout)
    assert data["outcome"] == "promoted" and data["allowed"] and data["commit"] == head(repo)
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 0 and "already runs" in r.stderr
    r = cli("promote", "--help")
    assert r.exit_code == 0 and "Example" in r.stdout


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_commit_is_signed_when_the_repository_says_so(repo: Path, tmp_path: Path) -> None:
    key = tmp_path / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", str(key))
    git(repo, "config", "commit.gpgsign", "true")
    promote("HEAD", "staging")
    assert "-----BEGIN SSH SIGNATURE-----" in git(repo, "cat-file", "commit", "HEAD")
