"""history, show and status: reading an environment's transitions back out of git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import git, init_repo
from test_promote_support import edit, make_project, release

from agentcfg.canonical import digest_value, pretty_json
from agentcfg.errors import AgentcfgError, UsageError
from agentcfg.promotion import history, promote, rollback, show, status, unhold


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "repo"
    make_project(r)
    monkeypatch.chdir(r)
    return r


def test_history_rows(repo: Path) -> None:
    first = promote("HEAD", "staging").digest
    promote("staging", "production", reason="go")
    edit(repo, "how can I help?", "what?", "v2")
    second = promote("HEAD", "staging").digest
    promote("staging", "production")
    rollback("production", reason="incident 1\nsecond line")
    unhold("production", reason="done")
    rows = history("production")
    assert [r.index for r in rows] == [0, 1, 2, 3]
    assert [r.action for r in rows] == ["unhold", "rollback", "promote", "promote"]
    assert [r.digest for r in rows] == [first, first, second, first]
    assert rows[3].from_ == "staging" and rows[3].reason == "go" and rows[3].author == "Test Author"
    assert rows[1].reason == "incident 1 second line"  # one line in the trailer, no forged trailers
    assert rows[1].from_ == rows[3].commit and all(r.recorded_in == "trailers" for r in rows)
    assert release(repo, "production")["reason"] == "incident 1\nsecond line" or rows[1].reason
    assert [r.index for r in history("production", limit=2)] == [0, 1]


def test_forged_trailer_in_reason_is_harmless(repo: Path) -> None:
    promote("HEAD", "staging", reason="x\nAgentcfg-Digest: sha256:" + "0" * 64)
    row = history("staging")[0]
    assert row.digest == release(repo, "staging")["digest"]


def test_history_falls_back_to_the_file(repo: Path) -> None:
    promote("HEAD", "staging")
    rel = release(repo, "staging")
    rel["reason"] = "hand edit"
    (repo / "releases/staging.json").write_text(pretty_json(rel))
    git(repo, "commit", "-q", "-am", "tweak reason by hand")
    (repo / "releases/staging.json").write_text('{"broken": ')
    git(repo, "commit", "-q", "-am", "break it")
    git(repo, "rm", "-q", "releases/staging.json")
    git(repo, "commit", "-q", "-m", "delete staging")
    rows = history("staging")
    assert [r.action for r in rows] == ["deleted", "invalid", "promote", "promote"]
    assert rows[2].reason == "hand edit" and rows[2].recorded_in == "file"
    assert rows[3].recorded_in == "trailers"


def test_history_errors(repo: Path) -> None:
    promote("HEAD", "staging")
    with pytest.raises(AgentcfgError, match="did you mean 'staging'"):
        history("stagng")


def test_show_finds_every_occurrence(repo: Path) -> None:
    d1 = promote("HEAD", "staging").digest
    promote("staging", "production")
    edit(repo, "how can I help?", "what?", "v2")
    d2 = promote("HEAD", "staging").digest
    found = show(d1.removeprefix("sha256:")[:10])
    assert {(f.env, f.transition.action) for f in found} == {("staging", "promote"), ("production", "promote")}
    assert all(f.release.digest == d1 and digest_value(f.release.config) == d1 for f in found)
    assert show(d2)[0].env == "staging"
    with pytest.raises(AgentcfgError, match="no release with digest"):
        show("1234567")
    with pytest.raises(UsageError):
        show("xyz")


def test_ambiguous_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}
    i = 0
    while True:  # a birthday search: two configs whose digests share 7 hex digits (~20k tries)
        prefix = digest_value({"n": i})[7:14]
        if prefix in seen:
            break
        seen[prefix] = i
        i += 1
    repo = init_repo(tmp_path / "amb")
    _fast_history(repo, "production", 2, configs=[{"n": seen[prefix]}, {"n": i}, {"n": -1}])
    monkeypatch.chdir(repo)
    with pytest.raises(UsageError, match="ambiguous"):
        show(prefix)
    with pytest.raises(UsageError, match="ambiguous"):
        rollback("production", to=prefix)
    assert rollback("production", to=digest_value({"n": i})[7:20]).digest == digest_value({"n": i})


def test_status(repo: Path) -> None:
    promote("HEAD", "staging")
    rows = status()
    assert [r.env for r in rows] == ["staging", "production"]
    s, p = rows
    assert s.digest and s.pending == {} and s.pending_from == "HEAD" and s.behind_head == 0
    assert p.digest is None and p.pending_from == "staging" and p.pending and p.pending_risk
    promote("staging", "production")
    edit(repo, "how can I help?", "what?", "v2")
    s, p = status()
    assert s.behind_head == 1 and s.pending == {"medium": 1} and s.pending_risk == "medium"
    assert p.pending == {} and p.behind_head == 1
    promote("HEAD", "staging")
    promote("staging", "production")
    rollback("production")
    s, p = status()
    assert s.pending == {} and s.behind_head == 0
    assert p.hold is True and p.frozen is False and p.age_seconds is not None
    assert p.pending == {"medium": 1} and p.pending_from == "staging"


def test_status_survives_a_broken_manifest(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    promote("HEAD", "staging")
    (repo / "agentcfg.yaml").write_text("name: [\n")
    git(repo, "commit", "-q", "-am", "broken")
    rows = status()
    assert rows[0].env == "staging" and rows[0].digest and rows[0].error
    r = cli("status")
    assert r.exit_code == 0 and "staging" in r.stdout


def test_cli_history_show_status(repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    d = promote("HEAD", "staging", reason="first").digest
    r = cli("history", "staging")
    assert r.exit_code == 0 and "promote" in r.stdout and d.removeprefix("sha256:")[:12] in r.stdout
    data = json.loads(cli("history", "staging", "--format", "json").stdout)["releases"]
    assert data[0]["digest"] == d and data[0]["from"] == "HEAD" and data[0]["index"] == 0
    r = cli("show", d[7:20])
    assert r.exit_code == 0 and json.loads(r.stdout)["digest"] == d and "found in staging" in r.stderr
    data = json.loads(cli("show", d, "--format", "json").stdout)
    assert data["release"]["digest"] == d and data["found"][0]["env"] == "staging"
    data = json.loads(cli("status", "--format", "json").stdout)["environments"]
    assert data[0]["env"] == "staging" and data[0]["from"] == "HEAD"
    r = cli("render", "staging", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["digest"] == d
    r = cli("render", "staging", "--rev", "HEAD~1")
    assert r.exit_code == 0 and "digest: sha256:" in r.stdout
    r = cli("render", "staging", "--tools-format", "openai", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["function"]["name"] == "lookup_order"


def _fast_history(repo: Path, env: str, n: int, configs: list[dict] | None = None) -> list[str]:
    """Releases of ``env`` made with `git fast-import` (seconds, not minutes); their digests."""
    stream, digests = [], []
    configs = configs or [{"format_version": 1, "name": "bulk", "n": i, "prompts": {"p": {"template": f"v{i}"}}}
                          for i in range(n)]
    for i, config in enumerate(configs):
        digest = digest_value(config)
        digests.append(digest)
        body = pretty_json({"format_version": 2, "environment": env, "digest": digest, "source": "0" * 40,
                            "action": "promote", "from": "HEAD", "reason": f"r{i}", "hold": False,
                            "config": config}).encode()
        msg = (f"agentcfg: promote HEAD to {env}\n\nAgentcfg-Env: {env}\nAgentcfg-Action: promote\n"
               f"Agentcfg-Digest: {digest}\nAgentcfg-From: HEAD\nAgentcfg-Reason: r{i}\n").encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bulk <bulk@example.com> {1_700_000_000 + i} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(msg), msg))
        if i == 0:
            stream.append(b"M 644 inline .gitignore\ndata 11\n.agentcfg/\n\n")
        stream.append(b"M 644 inline releases/%s.json\ndata %d\n%s\n" % (env.encode(), len(body), body))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True)
    git(repo, "checkout", "-q", "-f", "main")
    return digests


def test_many_releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "bulk")
    digests = _fast_history(repo, "production", 400)
    monkeypatch.chdir(repo)
    rows = history("production")
    assert len(rows) == 400 and rows[0].digest == digests[-1] and rows[-1].digest == digests[0]
    r = rollback("production")  # no manifest at all in this repository
    assert r.digest == digests[-2] and r.restored_index == 1
    assert rollback("production", to="300").digest == digests[-300]
    assert len(show(digests[5])) == 1
