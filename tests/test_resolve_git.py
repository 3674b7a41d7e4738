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


def test_lock_of_code_in_its_own_repository_needs_no_gitpython(example_repo: Path) -> None:
    """`repo: .` code refs are resolved by running git on the repository's top folder
    (gitio.refs take a Path): `lock` never imports GitPython (~75 ms). The lock is the same
    as the one resolved through GitPython."""
    import json
    import subprocess
    import sys

    from agentcfg import gitio
    from agentcfg.project import Project

    code = ("import sys\nfrom pathlib import Path\nfrom agentcfg.lockfile import lock\nlock(Path('.'))\n"
            "print('git' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=example_repo, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-1] == "False"
    locked = json.loads((example_repo / "agentcfg.lock").read_text())
    commits = [a["commit"] for a in locked["artefacts"].values() if isinstance(a, dict) and "commit" in a]
    assert commits  # the example pins code
    top = Project.find(example_repo).paths.top
    repo = gitio.open_repo(example_repo)
    assert repo is not None
    for ref in ("HEAD", "main", "no-such-ref"):
        assert gitio.resolve_local_ref(top, ref) == gitio.resolve_local_ref(repo, ref)
    assert gitio.object_id(top, "HEAD", "prompts") == gitio.object_id(repo, "HEAD", "prompts")
    assert gitio.object_id(top, "HEAD", "nope") is None is gitio.object_id(repo, "HEAD", "nope")
    tip = gitio.resolve_local_ref(top, "HEAD")
    assert tip is not None
    assert gitio.last_commit_touching(top, tip, "prompts") == gitio.last_commit_touching(repo, tip, "prompts")
    assert gitio.is_shallow(top) is gitio.is_shallow(repo) is False
    assert gitio.toplevel(top) == gitio.toplevel(repo)
