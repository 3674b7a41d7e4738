"""`agentcfg verify`, snapshots of old revisions, and re-locking a large unchanged data set."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import build_tree, commit_all, init_repo
from test_lock import _edit, make_project

from agentcfg import hashing
from agentcfg.canonical import digest_value, pretty_json
from agentcfg.errors import AgentcfgError, CheckFailed
from agentcfg.lockfile import lock
from agentcfg.verification import verify
from agentcfg.project import Project
from agentcfg.snapshot import read_lock_at, render_at


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def test_verify_passes_on_a_fresh_lock(project: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    r = cli("verify")
    assert r.exit_code == 0 and "verified agentcfg.lock" in r.stderr
    out = json.loads(cli("verify", "--format", "json").stdout)
    assert out["ok"] is True and out["problems"] == []


def test_verify_catches_an_edited_but_not_locked_prompt(project: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    _edit(project, "prompts/triage.md", "how can", "how may")
    r = cli("verify")
    assert r.exit_code == 1 and "prompts/triage: content changed" in r.stdout


def test_verify_rereads_data_even_when_stat_looks_unchanged(project: Path, cli: Callable[..., Any]) -> None:
    f = project / "data/corpus/a.md"
    past = time.time_ns() - 3600 * 10**9
    os.utime(f, ns=(past, past))
    assert cli("lock").exit_code == 0
    assert cli("lock").exit_code == 0  # the stat cache now trusts a.md
    st = f.stat()
    f.write_text("ALPHA\n")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old mtime: tampering
    # ctime moved: neither the lock's warm path nor the stat cache vouches for the old digest
    assert cli("lock", "--check").exit_code == 1
    r = cli("verify")
    assert r.exit_code == 1 and "data/corpus: content changed" in r.stdout


def test_verify_without_lock_is_exit_2(project: Path, cli: Callable[..., Any]) -> None:
    r = cli("verify")
    assert r.exit_code == 2 and "no agentcfg.lock" in r.stderr


def _write_release(root: Path, env: str, config: dict[str, Any], digest: str | None = None) -> Path:
    path = root / "releases" / f"{env}.json"
    path.parent.mkdir(exist_ok=True)
    release = {"format_version": 2, "environment": env, "digest": digest or digest_value(config), "source": None,
               "action": "promote", "from": "HEAD", "reason": None, "hold": False, "config": config}
    path.write_text(pretty_json(release))
    return path


def test_verify_env_catches_a_tampered_release_file(project: Path, cli: Callable[..., Any]) -> None:
    rendered = render_at(Project.find("."), env="production")
    path = _write_release(project, "production", rendered.config)
    r = cli("verify", "production")
    assert r.exit_code == 0, r
    text = path.read_text()
    path.write_text(text.replace('"temperature": 0.0', '"temperature": 1.0'))
    r = cli("verify", "production")
    assert r.exit_code == 1 and "releases/production.json: does not match its own digest" in r.stdout
    out = json.loads(cli("verify", "production", "--format", "json").stdout)
    assert out["ok"] is False and out["problems"][0]["change"] == "tampered"
    _write_release(project, "staging", rendered.config)
    os.replace(project / "releases/staging.json", project / "releases/production.json")
    assert "belongs to another environment" in cli("verify", "production").stdout


def test_verify_env_errors(project: Path, cli: Callable[..., Any]) -> None:
    assert cli("verify", "production").exit_code == 2
    assert cli("verify", "../etc").exit_code == 2
    (project / "releases").mkdir()
    (project / "releases/production.json").write_text("{oops")
    r = cli("verify", "production")
    assert r.exit_code == 2 and "not valid JSON" in r.stderr


def test_render_at_a_commit_equals_the_live_render(project: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    commit_all(project, "lock")
    p = Project.find(".")
    for env in (None, "staging", "production"):
        live = render_at(p, env=env)
        old = render_at(p, env=env, rev="HEAD")
        assert old.digest == live.digest and old.config == live.config
    locked = json.loads((project / "agentcfg.lock").read_text())
    for env in ("staging", "production"):  # staging has no overlay; production has one
        assert render_at(p, env=env, rev="HEAD").digest == locked["environments"][env]["digest"]
        assert render_at(p, env=env).digest == locked["environments"][env]["digest"]
    assert render_at(p, rev="HEAD").digest == locked["digest"]
    assert read_lock_at(p, "HEAD") == read_lock_at(p, None) == locked


def test_render_at_uses_the_lock_not_the_data(project: Path, cli: Callable[..., Any]) -> None:
    assert cli("lock").exit_code == 0
    commit_all(project, "lock")
    before = render_at(Project.find("."), rev="HEAD").digest
    (project / "data/corpus/a.md").write_text("changed on disk\n")
    assert render_at(Project.find("."), rev="HEAD").digest == before
    assert render_at(Project.find(".")).digest != before


def test_render_at_with_a_stale_or_missing_lock(project: Path, cli: Callable[..., Any]) -> None:
    p = Project.find(".")
    with pytest.raises(AgentcfgError, match="there is no agentcfg.lock at HEAD"):
        render_at(p, rev="HEAD")
    assert read_lock_at(p, "HEAD") is None and read_lock_at(p, None) is None
    assert cli("lock").exit_code == 0
    _edit(project, "agentcfg.yaml", "path: data/corpus", "path: data")
    commit_all(project, "moved the corpus without re-locking")
    with pytest.raises(CheckFailed) as exc:
        render_at(p, rev="HEAD")
    assert exc.value.artefact == "data/corpus"
    expected = "the lock at HEAD:agentcfg.lock is stale for data/corpus; run `agentcfg lock` and commit"
    assert expected in exc.value.message


def test_lock_api_returns_typed_results(project: Path) -> None:
    result = lock(".", check=True)
    assert not result.fresh and result.stale[0].change == "missing" and not result.written
    result = lock(".")
    assert result.written and result.stale == []
    assert lock(".").written is False
    assert verify(".").ok


def test_relock_of_10000_unchanged_files_reads_no_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           cli: Callable[..., Any]) -> None:
    root = init_repo(tmp_path / "big")
    build_tree(root, {"agentcfg.yaml": "name: big\ndata:\n  corpus: {path: corpus}\n", ".gitignore": ".agentcfg/\n"})
    corpus = root / "corpus"
    past = time.time_ns() - 3600 * 10**9
    for i in range(100):
        folder = corpus / f"{i:02}"
        folder.mkdir(parents=True)
        for j in range(100):
            f = folder / f"{j:02}.txt"
            f.write_bytes(b"%d/%d\n" % (i, j))
            os.utime(f, ns=(past, past))
    monkeypatch.chdir(root)
    assert cli("lock").exit_code == 0
    first = (root / "agentcfg.lock").read_bytes()
    assert json.loads(first)["artefacts"]["data/corpus"]["files"] == 10_000

    opened: list[str] = []
    real_open = os.open

    def counting_open(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(hashing.os, "open", counting_open)
    assert cli("lock").exit_code == 0
    assert cli("lock", "--check").exit_code == 0
    assert [p for p in opened if "/corpus/" in p] == []
    assert (root / "agentcfg.lock").read_bytes() == first
