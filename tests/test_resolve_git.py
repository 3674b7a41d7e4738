"""A commit without a lock: diff and render resolve it from git objects; promote refuses."""

from __future__ import annotations

from pathlib import Path

from conftest import commit_all


def test_git_object_digests_equal_working_tree_digests(example_repo: Path) -> None:
    from agentcfg.project import Project
    from agentcfg.snapshot import render_at

    project = Project.find(example_repo)
    from_git = render_at(project, rev="HEAD", pinned=False)
    from_disk = render_at(project)
    assert from_git.config["data"] == from_disk.config["data"]
    assert from_git.digest == from_disk.digest


def test_diff_works_before_the_first_lock(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("diff")
    assert r.exit_code == 0 and "no changes" in r.output, r
    with open(example_repo / "data" / "faq" / "returns.md", "a") as fh:
        fh.write("Returns are free in December.\n")
    r = cli("diff", "--fail-on", "medium")
    assert r.exit_code == 1 and "data/faq" in r.stdout and "data-content" in r.stdout, r
    commit_all(example_repo, "faq edit")
    r = cli("diff", "HEAD~1", "HEAD", "--format", "json")
    assert r.exit_code == 0 and '"data/faq"' in r.stdout


def test_render_rev_without_lock_but_promote_requires_one(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("render", "staging", "--rev", "HEAD", "--format", "json")
    assert r.exit_code == 0, r
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 2 and "no agentcfg.lock" in r.stderr, r
    assert not (example_repo / "releases" / "staging.json").exists()
