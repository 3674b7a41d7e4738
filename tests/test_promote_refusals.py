"""Every refusal of a promotion: each says why, names the rule, and touches nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import git
from test_promote_support import edit, head, make_project, release, status_porcelain, trailers

from agentcfg.errors import AgentcfgError, BusyError, CheckFailed, GitError
from agentcfg.promotion import PromotionRefused, promote, rollback, unhold


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "repo"
    make_project(r)
    monkeypatch.chdir(r)
    promote("HEAD", "staging")
    promote("staging", "production")
    return r


def _refused(rule: str, **kwargs: object) -> PromotionRefused:
    with pytest.raises(PromotionRefused) as exc:
        promote(**kwargs)  # type: ignore[arg-type]
    assert exc.value.refusals[0].rule == rule, exc.value.refusals
    assert exc.value.exit_code == 1
    return exc.value


def test_dirty_release_file(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    path = repo / "releases/staging.json"
    path.write_text(path.read_text().replace('"hold": false', '"hold": false '))
    before = path.read_bytes()
    with pytest.raises(AgentcfgError) as exc:
        promote("HEAD", "staging")
    assert "uncommitted changes" in str(exc.value) and exc.value.exit_code == 2
    assert path.read_bytes() == before
    with pytest.raises(AgentcfgError, match="uncommitted changes"):
        rollback("staging")


def test_untracked_release_file_from_no_commit(repo: Path) -> None:
    (repo / "releases/production.json").unlink()
    git(repo, "commit", "-q", "-am", "drop production")
    (repo / "releases/production.json").write_text("{}\n")
    with pytest.raises(AgentcfgError, match="untracked"):
        promote("staging", "production")
    assert (repo / "releases/production.json").read_text() == "{}\n"


def test_staged_changes(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    (repo / "notes.txt").write_text("mine\n")
    git(repo, "add", "notes.txt")
    with pytest.raises(AgentcfgError) as exc:
        promote("HEAD", "staging")
    assert "staged changes (notes.txt)" in str(exc.value)
    assert git(repo, "diff", "--cached", "--name-only") == "notes.txt\n"
    # --no-commit does not commit, so the user's staged work is no obstacle.
    assert promote("HEAD", "staging", no_commit=True).outcome == "written"


def test_path_order(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    err = _refused("path", src="HEAD", dst="production")
    assert "skips staging" in str(err) and "--skip-path" in (err.hint or "")
    assert release(repo, "production")["digest"] == release(repo, "staging")["digest"]
    r = promote("HEAD", "production", skip_path=True, reason="hotfix")
    assert r.path_exception and "skips staging" in r.path_exception
    rel = release(repo, "production")
    assert rel["reason"].startswith("hotfix; --skip-path: skips staging")
    assert "skips staging" in trailers(repo)["Agentcfg-Skip-Path"]


def test_path_backwards(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    promote("HEAD", "staging")
    promote("staging", "production")
    git(repo, "rm", "-q", "releases/staging.json")
    git(repo, "commit", "-q", "-m", "reset staging")
    err = _refused("path", src="production", dst="staging")
    assert "against the promotion path" in str(err)


def test_unknown_environment_and_source(repo: Path) -> None:
    with pytest.raises(AgentcfgError, match="did you mean 'production'"):
        promote("staging", "prodution")
    with pytest.raises(GitError, match="neither an environment"):
        promote("stagin", "production")
    with pytest.raises(AgentcfgError, match="not a valid environment name"):
        promote("HEAD", "../etc")
    with pytest.raises(AgentcfgError, match="not a git revision"):
        promote("--upload-pack=x", "staging")


def test_frozen(repo: Path) -> None:
    edit(repo, "max_risk: high}", "max_risk: high, frozen: true}", "freeze production")
    promote("HEAD", "staging")
    err = _refused("frozen", src="staging", dst="production")
    assert "rollbacks are still allowed" in (err.hint or "")
    # A freeze on HEAD also stops promoting an older revision whose manifest was not frozen.
    _refused("frozen", src="HEAD~1", dst="production", skip_path=True)


def test_hold_until_unhold(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    promote("HEAD", "staging")
    promote("staging", "production")
    rollback("production", reason="bad answers")
    err = _refused("hold", src="staging", dst="production")
    assert "bad answers" in str(err) and "agentcfg unhold production" in (err.hint or "")
    assert unhold("production", reason="fixed").outcome == "unheld"
    assert promote("staging", "production").outcome == "promoted"


def test_max_risk_refused_then_approved_and_recorded(repo: Path) -> None:
    edit(repo, "max_risk: high}", "max_risk: medium}", "tighten production")
    promote("HEAD", "staging")
    promote("staging", "production")
    edit(repo, "id: gpt-4o-2024-08-06", "id: gpt-4o-2024-11-20", "new model")
    promote("HEAD", "staging")
    err = _refused("max_risk", src="staging", dst="production")
    assert err.artefact == "models/chat" and "--approve" in (err.hint or "")
    dry = promote("staging", "production", dry_run=True)
    assert not dry.allowed and dry.risk == "high" and dry.refusals[0].rule == "max_risk"
    r = promote("staging", "production", approve="CAB-142 signed off")
    assert r.approved == "CAB-142 signed off"
    rel = release(repo, "production")
    assert "approved over max_risk medium (diff risk high): CAB-142 signed off" in rel["reason"]
    assert trailers(repo)["Agentcfg-Approved"] == "CAB-142 signed off"


def test_unpinned_model(repo: Path) -> None:
    edit(repo, "id: gpt-4o-2024-08-06", "id: gpt-4o", "floating model")
    promote("HEAD", "staging")  # staging has no pinning policy
    err = _refused("require_pinned_models", src="staging", dst="production")
    assert err.artefact == "models/chat" and "floating alias" in str(err)


def test_policy_in_promoted_config_counts_too(repo: Path) -> None:
    """A commit that tightens production's policy is judged by it (strictest of HEAD and source)."""
    edit(repo, "max_risk: high}", "max_risk: high, require_approval_for: [write]}\n"
         "  staging: {}", "approval for writes")
    edit(repo, "annotations: {readOnlyHint: true, openWorldHint: false}",
         "annotations: {readOnlyHint: false, openWorldHint: false}", "tool now writes")
    promote("HEAD", "staging")
    err = _refused("require_approval_for", src="staging", dst="production")
    assert err.artefact == "tools/lookup_order"


def test_expect_current(repo: Path) -> None:
    current = release(repo, "production")["digest"]
    edit(repo, "how can I help?", "what?", "reword")
    promote("HEAD", "staging")
    err = _refused("expect_current", src="staging", dst="production", expect_current="sha256:" + "0" * 64)
    assert "moved" in str(err)
    with pytest.raises(AgentcfgError, match="not a digest"):
        promote("staging", "production", expect_current="abc")
    r = promote("staging", "production", expect_current=current.removeprefix("sha256:")[:9])
    assert r.outcome == "promoted"


def test_shallow_clone_explains_fetch_depth(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(3):
        edit(repo, "Hello", f"Hello{i}", f"edit {i}")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    git(clone, "config", "user.name", "CI")
    git(clone, "config", "user.email", "ci@example.com")
    monkeypatch.chdir(clone)
    with pytest.raises(GitError) as exc:
        promote("staging", "production")
    assert "fetch-depth: 0" in (exc.value.hint or "")
    with pytest.raises(AgentcfgError) as exc2:
        rollback("production")
    assert "fetch-depth: 0" in (exc2.value.hint or "")


def test_second_writer_is_busy(repo: Path) -> None:
    edit(repo, "how can I help?", "what?", "reword")
    from agentcfg.writer import exclusive_writer

    with exclusive_writer(repo / ".agentcfg", "agentcfg lock"), \
            pytest.raises(BusyError, match="another agentcfg is running .*`agentcfg lock`"):
        promote("HEAD", "staging")


def test_cli_refusal_exit_codes(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    edit(repo, "how can I help?", "what?", "reword")
    r = cli("promote", "HEAD", "production")
    assert r.exit_code == 1 and "refused by path" in r.stderr and "hint:" in r.stderr
    r = cli("promote", "HEAD", "production", "--dry-run")
    assert r.exit_code == 1 and "would be refused" in r.stderr
    r = cli("promote", "HEAD", "production", "--dry-run", "--format", "json")
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["refusals"][0]["rule"] == "path" and not data["allowed"]
    before = head(repo)
    r = cli("promote", "HEAD", "nowhere")
    assert r.exit_code == 2 and head(repo) == before and status_porcelain(repo) == ""


def test_check_failed_is_exit_1() -> None:
    assert issubclass(PromotionRefused, CheckFailed)


def test_ignored_release_folder(repo: Path) -> None:
    git(repo, "rm", "-rq", "--cached", "releases")
    (repo / ".gitignore").write_text(".agentcfg/\nreleases/\n")
    git(repo, "commit", "-qam", "ignore releases")
    edit(repo, "how can I help?", "what?", "reword")
    with pytest.raises(AgentcfgError, match="ignored by a .gitignore rule"):
        promote("HEAD", "staging")
    assert status_porcelain(repo) == ""


def test_hostile_environment_names_never_reach_the_filesystem(repo: Path) -> None:
    for name in ("../x", "-rf", "a b", "", "x/y", "prod\n"):
        for call in (lambda n: rollback(n), lambda n: unhold(n), lambda n: promote("HEAD", n)):
            with pytest.raises(AgentcfgError, match="not a valid environment name"):
                call(name)
