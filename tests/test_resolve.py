"""Resolvers: code refs → commits (this repo, other repos by path or URL), DVC files, URIs, locks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_tree, commit_all, git, init_repo

from agentcfg import gitio
from agentcfg.artefacts.code import CodeRef
from agentcfg.artefacts.data import DataSet
from agentcfg.canonical import digest_value
from agentcfg.errors import AgentcfgError, CheckFailed, GitError, UsageError
from agentcfg.project import Project
from agentcfg.resolve import LiveResolver, LockResolver


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "repo")
    build_tree(root, {"agentcfg.yaml": "name: x\n", "src/a.py": "a = 1\n", "docs/x.md": "x\n"})
    commit_all(root, "first")
    return root


def test_repo_dot_pins_the_last_commit_that_changed_the_path(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    build_tree(repo, {"docs/x.md": "y\n", "agentcfg.lock": "{}\n"})
    commit_all(repo, "docs and lock only")
    r = LiveResolver(Project(repo))
    assert r.code("app", CodeRef(repo=".", ref="main", path="src")) == {
        "commit": first, "tree": git(repo, "rev-parse", "HEAD:src").strip()}
    # without a path: anything but agentcfg's own files counts (docs changed)
    assert r.code("all", CodeRef(repo=".", ref="main"))["commit"] == git(repo, "rev-parse", "HEAD").strip()
    build_tree(repo, {"agentcfg.lock": '{"v": 2}\n', "releases/prod.json": "{}\n"})
    head = commit_all(repo, "lock + release")
    assert LiveResolver(Project(repo)).code("all", CodeRef(repo=".", ref="main"))["commit"] != head


def test_tags_and_shas_resolve(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "tag", "-a", "v1", "-m", "release 1")
    build_tree(repo, {"src/a.py": "a = 2\n"})
    second = commit_all(repo, "second")
    r = LiveResolver(Project(repo))
    assert r.code("t", CodeRef(repo=".", ref="v1"))["commit"] == first
    assert r.code("s", CodeRef(repo=".", ref=first))["commit"] == first
    assert r.code("b", CodeRef(repo=".", ref="main", path="src"))["commit"] == second


def test_missing_ref_and_missing_path_name_the_artefact(repo: Path) -> None:
    r = LiveResolver(Project(repo))
    with pytest.raises(GitError) as exc:
        r.code("app", CodeRef(repo=".", ref="nope"))
    assert exc.value.artefact == "code/app" and "'nope' does not exist" in exc.value.message
    with pytest.raises(AgentcfgError) as exc2:
        r.code("app", CodeRef(repo=".", ref="main", path="no/such"))
    assert exc2.value.artefact == "code/app"
    with pytest.raises(AgentcfgError) as exc3:
        r.code("app", CodeRef(repo=".", ref="--upload-pack=evil"))
    assert exc3.value.artefact == "code/app"


def test_other_repositories_by_path_and_file_url(repo: Path, tmp_path: Path) -> None:
    other = init_repo(tmp_path / "other")
    build_tree(other, {"lib/x.py": "x\n"})
    sha = commit_all(other, "lib")
    git(other, "branch", "release")
    r = LiveResolver(Project(repo))
    assert r.code("lib", CodeRef(repo="../other", ref="release", path="lib")) == {
        "commit": sha, "tree": git(other, "rev-parse", "HEAD:lib").strip()}
    assert r.code("lib2", CodeRef(repo=f"file://{other}", ref="main"))["commit"] == sha
    with pytest.raises(GitError, match="not found"):
        r.code("gone", CodeRef(repo="../missing", ref="main"))
    with pytest.raises(GitError, match="not the top of a git repository") as exc:
        r.code("sub", CodeRef(repo="src", ref="main"))  # a folder of this repository
    assert exc.value.artefact == "code/sub"


def test_ls_remote_resolves_without_cloning(tmp_path: Path) -> None:
    other = init_repo(tmp_path / "other")
    build_tree(other, {"a": "1"})
    sha = commit_all(other, "one")
    git(other, "tag", "-a", "v1", "-m", "annotated")
    git(other, "branch", "feature")
    url = f"file://{other}"
    assert gitio.ls_remote(url, "main") == sha
    assert gitio.ls_remote(url, "v1") == sha  # annotated tag peeled to its commit
    assert gitio.ls_remote(url, "feature") == sha
    assert gitio.ls_remote(url, "nope") is None
    with pytest.raises(UsageError):
        gitio.ls_remote("ext::sh -c touch% /tmp/pwned", "main")
    with pytest.raises(UsageError):
        gitio.ls_remote(url, "--upload-pack=evil")
    with pytest.raises(GitError, match="cannot list refs"):
        gitio.ls_remote(f"file://{tmp_path}/nothing-here", "main")


def test_remote_url_goes_through_ls_remote(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []

    def fake_ls_remote(url: str, ref: str, **_: object) -> str | None:
        calls.append((url, ref))
        return "a" * 40 if ref == "main" else None

    monkeypatch.setattr(gitio, "ls_remote", fake_ls_remote)
    r = LiveResolver(Project(repo))
    assert r.code("x", CodeRef(repo="https://example.com/org/x.git", ref="main")) == {"commit": "a" * 40}
    with pytest.raises(GitError) as exc:
        r.code("y", CodeRef(repo="git@example.com:org/y.git", ref="gone"))
    assert exc.value.artefact == "code/y" and "does not exist" in exc.value.message
    assert calls == [("https://example.com/org/x.git", "main"), ("git@example.com:org/y.git", "gone")]


def test_shallow_clone_says_how_to_fix_it(repo: Path, tmp_path: Path) -> None:
    build_tree(repo, {"docs/y.md": "y\n"})
    commit_all(repo, "docs")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    with pytest.raises(GitError) as exc:
        LiveResolver(Project(clone)).code("app", CodeRef(repo=".", ref="main", path="src"))
    assert "fetch-depth: 0" in (exc.value.hint or "") and exc.value.artefact == "code/app"


DVC = """\
outs:
- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
  size: 1234
  nfiles: 3
  hash: md5
  path: corpus
"""


def test_dvc_file_copies_dvcs_record(repo: Path) -> None:
    build_tree(repo, {"corpus.dvc": DVC})
    got = LiveResolver(Project(repo)).data("corpus", DataSet(dvc="corpus.dvc"))
    assert got == {
        "digest": digest_value({"md5": "3863d0e317dee0a55c4e59d2ec0eef33.dir", "size": 1234, "nfiles": 3}),
        "size": 1234, "files": 3, "md5": "3863d0e317dee0a55c4e59d2ec0eef33.dir"}
    build_tree(repo, {"bad.dvc": "outs:\n- path: corpus\n"})
    with pytest.raises(AgentcfgError) as exc:
        LiveResolver(Project(repo)).data("bad", DataSet(dvc="bad.dvc"))
    assert exc.value.artefact == "data/bad" and "md5" in exc.value.message


def test_uri_is_pinned_by_its_declared_version(repo: Path) -> None:
    r = LiveResolver(Project(repo))
    a = r.data("x", DataSet(uri="s3://bucket/x", version="3"))
    b = r.data("x", DataSet(uri="s3://bucket/x", version="4"))
    c = r.data("x", DataSet(uri="s3://bucket/x", etag="abc"))
    assert len({a["digest"], b["digest"], c["digest"]}) == 3
    assert a == {"digest": digest_value({"uri": "s3://bucket/x", "version": "3"})}


def test_data_path_leaving_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    with pytest.raises(AgentcfgError) as exc:
        LiveResolver(Project(repo)).data("x", DataSet(path="../outside"))
    assert exc.value.artefact == "data/x" and "leaves the repository" in exc.value.message


def test_lock_resolver_answers_from_the_lock_and_refuses_stale_entries() -> None:
    lock = {
        "format_version": 1,
        "artefacts": {
            "code/app": {"digest": "sha256:x", "repo": ".", "ref": "main", "path": "src", "commit": "c" * 40,
                         "tree": "t" * 40},
            "data/corpus": {"digest": "sha256:d", "path": "corpus", "size": 3, "files": 2},
        },
        "environments": {"prod": {"digest": "sha256:r", "artefacts": {
            "data/corpus": {"digest": "sha256:p", "path": "corpus-prod", "size": 5, "files": 1}}}},
    }
    r = LockResolver(lock, None, "HEAD:agentcfg.lock")
    assert r.code("app", CodeRef(repo=".", ref="main", path="src")) == {"commit": "c" * 40, "tree": "t" * 40}
    assert r.data("corpus", DataSet(path="corpus")) == {"digest": "sha256:d", "size": 3, "files": 2}
    prod = LockResolver(lock, "prod", "HEAD:agentcfg.lock")
    assert prod.data("corpus", DataSet(path="corpus-prod"))["digest"] == "sha256:p"
    for call in (lambda: r.code("app", CodeRef(repo=".", ref="dev", path="src")),
                 lambda: r.data("corpus", DataSet(path="other")),
                 lambda: r.data("missing", DataSet(path="x")),
                 lambda: prod.data("corpus", DataSet(path="corpus"))):
        with pytest.raises(CheckFailed, match="the lock at HEAD:agentcfg.lock is stale"):
            call()
