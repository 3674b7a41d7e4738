"""A user's week on the bundled example, through the CLI.

lock → promote HEAD staging → promote staging production → edit a prompt and a tool → promote
again → roll production back → the hold refuses a promotion → unhold → promote. Then history,
show, every release file verifies, and `git log` shows one commit per transition touching only
its release file.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import commit_all, git
from test_promote_support import files_of, head, status_porcelain, trailers

from agentcfg.canonical import digest_value
from agentcfg.release import parse_release


def _ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result


def test_a_week_with_the_example(example_repo: Path, cli) -> None:  # type: ignore[no-untyped-def]
    repo = example_repo
    start = head(repo)
    _ok(cli("lock"))
    commit_all(repo, "Monday: lock")
    monday = head(repo)

    # Monday: first releases.
    _ok(cli("promote", "HEAD", "staging", "--reason", "first release"))
    r = cli("promote", "staging", "production", "--dry-run", "--format", "json")
    _ok(r)
    assert json.loads(r.stdout)["allowed"] is True
    _ok(cli("promote", "staging", "production", "--reason", "go live"))
    v1 = {env: json.loads((repo / f"releases/{env}.json").read_text())["digest"] for env in ("staging", "production")}
    assert v1["staging"] != v1["production"]  # overlays differ: each environment has its own config

    # Tuesday: a prompt and a tool change, locked and promoted along the path.
    (repo / "prompts/triage.md").write_text((repo / "prompts/triage.md").read_text() + "\nAlways be brief.\n")
    tool = repo / "tools/lookup_order.yaml"
    tool.write_text(tool.read_text().replace("Read-only.", "Read-only; never guess an order id."))
    _ok(cli("lock"))
    commit_all(repo, "Tuesday: terser triage, clearer lookup_order")
    r = cli("promote", "HEAD", "production")
    assert r.exit_code == 1 and "refused by path" in r.stderr  # staging first
    _ok(cli("promote", "HEAD", "staging"))
    r = cli("promote", "staging", "production", "--dry-run")
    _ok(r)
    assert "prompts/triage" in r.stdout and "tools/lookup_order" in r.stdout
    _ok(cli("promote", "staging", "production", "--expect-current", v1["production"][7:19]))
    v2 = json.loads((repo / "releases/production.json").read_text())["digest"]
    assert v2 != v1["production"]

    # Wednesday: incident. Roll production back; the hold stops the pipeline re-promoting.
    r = cli("rollback", "production", "--reason", "triage too terse, CSAT down")
    _ok(r)
    assert json.loads((repo / "releases/production.json").read_text())["digest"] == v1["production"]
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1 and "refused by hold" in r.stderr and "unhold" in r.stderr
    r = cli("status", "--format", "json")
    _ok(r)
    prod = next(row for row in json.loads(r.stdout)["environments"] if row["env"] == "production")
    assert prod["hold"] is True and prod["digest"] == v1["production"] and prod["pending_from"] == "staging"

    # Thursday: fixed forward; lift the hold and promote again.
    _ok(cli("unhold", "production", "--reason", "INC-7 closed"))
    _ok(cli("promote", "staging", "production", "--reason", "after INC-7"))

    # history shows every step, newest first.
    rows = json.loads(cli("history", "production", "--format", "json").stdout)["releases"]
    assert [(x["action"], x["digest"], x["from"]) for x in rows] == [
        ("promote", v2, "staging"),
        ("unhold", v1["production"], rows[1]["from"]),
        ("rollback", v1["production"], rows[4]["commit"]),
        ("promote", v2, "staging"),
        ("promote", v1["production"], "staging"),
    ]
    assert rows[2]["reason"] == "triage too terse, CSAT down" and rows[4]["reason"] == "go live"
    staging_rows = json.loads(cli("history", "staging", "--format", "json").stdout)["releases"]
    assert [x["from"] for x in staging_rows] == ["HEAD", "HEAD"]

    # show finds each digest; every release file in history verifies.
    for digest in {v1["staging"], v1["production"], v2}:
        r = cli("show", digest[7:19], "--format", "json")
        _ok(r)
        assert json.loads(r.stdout)["release"]["digest"] == digest
    for env in ("staging", "production"):
        _ok(cli("verify", env))
        for commit in git(repo, "log", "--format=%H", "--", f"releases/{env}.json").split():
            rel = parse_release(git(repo, "show", f"{commit}:releases/{env}.json").encode(), env)
            assert digest_value(rel.config) == rel.digest and rel.environment == env

    # git log: one commit per transition, each touching only its release file, with trailers.
    log = git(repo, "log", "--format=%H", f"{monday}..HEAD").split()
    transitions = [c for c in log if files_of(repo, c)[0].startswith("releases/")]
    assert len(log) == 8 and len(transitions) == 7  # + Tuesday's commit; staging ×2, production ×5
    for c in transitions:
        assert len(files_of(repo, c)) == 1
        t = trailers(repo, c)
        assert t["Agentcfg-Env"] in ("staging", "production") and t["Agentcfg-Digest"].startswith("sha256:")
    assert status_porcelain(repo) == "" and start != monday
