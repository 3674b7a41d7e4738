"""`agentcfg diff` end to end: real git repositories, every kind of side, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree, commit_all, git
from test_diff_formats import check_json, check_markdown, check_text
from test_diff_support import manifest

from agentcfg.yamlio import dump_yaml


def write_manifest(repo: Path, doc: dict[str, Any]) -> None:
    (repo / "agentcfg.yaml").write_text(dump_yaml(doc), encoding="utf-8")


@pytest.fixture
def project(in_git_dir: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    """The shared test manifest as a locked, committed project (cwd)."""
    build_tree(in_git_dir, {"data/faq/returns.md": "Returns within 30 days.\n", "src/tools.py": "def refund(): ...\n",
                            ".gitignore": ".agentcfg/\n"})
    write_manifest(in_git_dir, manifest())
    commit_all(in_git_dir, "code and manifest")
    assert cli("lock").exit_code == 0
    commit_all(in_git_dir, "lock")
    return in_git_dir


def make_destructive(repo: Path) -> None:
    doc = manifest()
    doc["tools"]["refund_order"]["annotations"]["destructiveHint"] = True
    doc["prompts"]["triage"]["template"] = "You triage tickets for {{company}}.\nBe brief | polite.\n"
    write_manifest(repo, doc)


REFORMATTED = """\
# The same manifest, written by someone with other habits.
name: shop
format_version: 1
environments: [staging, production]
policies:
  production: {max_risk: high, frozen: false, require_approval_for: [destructive], require_pinned_models: true}
  staging:
      max_risk: critical
agents:
  mailer: {tools: [send_email], prompt: triage, model: chat}
  refunds:
    code: shop_tools
    tools: [lookup_order, refund_order]
    prompt: refunds
    model: backup
  triage: {description: "Routes tickets.", memory: history, tools: [lookup_order, refund_order],
           prompt: triage, model: chat}
"""


def test_yaml_reformatting_is_no_change(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    doc = manifest()
    rest = {k: v for k, v in doc.items() if k not in ("name", "format_version", "environments", "policies", "agents")}
    # The other sections as flow-style JSON inside YAML, in reverse order, with CRLF endings.
    text = REFORMATTED + "".join(f"{k}: {json.dumps(v)}\n" for k, v in reversed(list(rest.items())))
    (project / "agentcfg.yaml").write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    assert cli("lock", "--check").exit_code == 0
    commit_all(project, "reformat")
    r = cli("diff", "HEAD~1", "HEAD", "--fail-on", "low")
    assert r.exit_code == 0, r
    assert r.stdout.strip().splitlines()[-1] == "no changes"
    r = cli("diff", "HEAD~1", "HEAD", "--fail-on", "low", "--env", "production", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["changes"] == []


def test_destructive_hint_in_all_three_formats(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    make_destructive(project)
    r = cli("diff")
    assert r.exit_code == 0, r
    check_text(r.stdout)
    r = cli("diff", "HEAD", ".", "--format", "json")
    check_json(json.loads(r.stdout))
    r = cli("diff", "--format", "markdown", "--fail-on", "critical")
    assert r.exit_code == 1 and "1 change at or above critical" in r.stderr
    check_markdown(r.stdout)
    assert cli("--format", "json", "diff", "--fail-on", "high").exit_code == 1
    r = cli("diff", "--stat", "--fail-on", "none")
    assert r.exit_code == 1 and "tools/refund_order" in r.stdout and "annotations" not in r.stdout


def test_revisions_are_read_without_touching_the_working_tree(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    make_destructive(project)
    assert cli("lock").exit_code == 0
    commit_all(project, "destructive refunds")
    (project / "scratch.txt").write_text("uncommitted\n")
    (project / "src" / "tools.py").write_text("# local edit\n")
    before = git(project, "status", "--porcelain"), (project / "agentcfg.yaml").read_bytes()
    r = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert r.exit_code == 0, r
    check_json(json.loads(r.stdout))
    assert (git(project, "status", "--porcelain"), (project / "agentcfg.yaml").read_bytes()) == before
    sha = git(project, "rev-parse", "HEAD~1").strip()
    data = json.loads(cli("diff", sha, "main", "--format", "json").stdout)
    assert data["old"]["commit"] == sha and data["new"]["label"] == "main"


def test_environment_release_and_lock_sides(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from agentcfg.project import Project
    from agentcfg.release import ReleaseFile
    from agentcfg.snapshot import render_at

    rendered = render_at(Project.find("."), env="production")
    ReleaseFile("production", rendered.digest, None, "promote", "HEAD", None, False, rendered.config).write(
        project / "releases" / "production.json")
    r = cli("diff", "env:production", ".", "--env", "production", "--fail-on", "low")
    assert r.exit_code == 0 and "no changes" in r.stdout, r
    assert cli("diff", "releases/production.json", "env:production").stdout.strip() == (
        "releases/production.json → env:production\nno changes")
    make_destructive(project)
    data = json.loads(cli("diff", "env:production", "--env", "production", "--format", "json").stdout)
    assert {c["artefact"] for c in data["changes"]} == {"tools/refund_order", "prompts/triage"}
    assert data["old"] == {"label": "env:production", "kind": "release", "digest": rendered.digest, "commit": None}
    # A lock side: digests only.
    assert cli("lock").exit_code == 0
    data = json.loads(cli("diff", "HEAD", "agentcfg.lock", "--format", "json").stdout)
    assert [(c["artefact"], c["rule"]) for c in data["changes"]] == [
        ("prompts/triage", "digest-only-medium"), ("tools/refund_order", "digest-only-high")]


def test_a_revision_without_a_manifest_is_empty(in_git_dir: Path, cli) -> None:  # type: ignore[no-untyped-def]
    build_tree(in_git_dir, {"README.md": "hello\n", "data/faq/a.md": "a\n", "src/tools.py": "\n"})
    commit_all(in_git_dir, "readme")
    write_manifest(in_git_dir, manifest())
    commit_all(in_git_dir, "manifest")
    assert cli("lock").exit_code == 0
    commit_all(in_git_dir, "lock")
    data = json.loads(cli("diff", "HEAD~2", "HEAD", "--format", "json").stdout)
    assert data["old"]["kind"] == "empty"
    assert {c["kind"] for c in data["changes"]} == {"added"}
    assert "tools/refund_order" in {c["artefact"] for c in data["changes"]}


@pytest.mark.parametrize("args,message", [
    (("no-such-branch",), "git revision 'no-such-branch' not found"),
    (("--", "-x"), "is not a git revision"),
    (("env:no/such",), "not a valid environment name"),
    (("env:production",), "environment 'production' has no release yet"),
    (("notes.json",), "neither a release file nor a lock file"),
    (("HEAD", ".", "--fail-on", "severe"), "'severe' is not a risk level"),
])
def test_bad_sides_exit_2(project: Path, cli, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    (project / "notes.json").write_text('{"hello": 1}\n')
    r = cli("diff", *args)
    assert r.exit_code == 2, r
    assert message in r.stderr and r.stdout == ""


def test_not_a_git_repository(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_manifest(tmp_path, manifest())
    monkeypatch.chdir(tmp_path)
    r = cli("diff")
    assert r.exit_code == 2 and "not inside a git repository" in r.stderr
