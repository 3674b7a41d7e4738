"""`agentcfg attest`: evidence recorded as an in-toto statement, committed alone, in real git repos."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

from jsonschema import Draft202012Validator

from conftest import ROOT, git
from evidence_helpers import attestation_files, changed_in_last_commit, junit, last_message, released

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "evidence"
Cli = Callable[..., Any]


def staging_digest(repo: Path) -> str:
    return str(json.loads((repo / "releases" / "staging.json").read_text())["digest"])


def test_attest_writes_an_in_toto_statement_committed_alone(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    digest = staging_digest(example_repo)
    report = junit(example_repo, passed=5, failed=1, metrics={"route_accuracy": 0.83})
    r = cli("attest", "staging", "--name", "support_evals", "--junit", report, "--reason", "nightly run",
            "--format", "json")
    assert r.exit_code == 0, r
    out = json.loads(r.stdout)
    Draft202012Validator(json.loads((ROOT / "schemas" / "attest.schema.json").read_text())).validate(out)
    assert out["format_version"] == 1 and out["recorded"] and out["verdict"] == "failed"
    [path] = attestation_files(example_repo)
    rel = path.relative_to(example_repo).as_posix()
    assert rel == out["path"]
    assert rel.startswith(f"attestations/{digest.removeprefix('sha256:')}/support_evals/")
    doc = json.loads(path.read_text())
    Draft202012Validator(json.loads((ROOT / "schemas" / "attestation.schema.json").read_text())).validate(doc)
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["subject"] == [{"name": "staging", "digest": {"sha256": digest.removeprefix("sha256:")}}]
    p = doc["predicate"]
    assert p["summary"] == {"tests": 6, "passed": 5, "failed": 1, "errors": 0, "skipped": 0,
                            "pass_rate": round(5 / 6, 6)}
    assert p["metrics"] == {"route_accuracy": 0.83}
    assert p["evidence"]["path"] == report and len(p["evidence"]["sha256"]) == 64
    assert p["attester"] == {"name": "Test Author", "email": "author@example.com"}
    assert p["reason"] == "nightly run" and p["environment"] == "staging" and p["command"] is None
    assert p["source"] == json.loads((example_repo / "releases" / "staging.json").read_text())["source"]
    # committed alone, with trailers like a promotion
    assert changed_in_last_commit(example_repo) == [rel]
    message = last_message(example_repo)
    for trailer in ("Agentcfg-Action: attest", f"Agentcfg-Digest: {digest}", "Agentcfg-Attestation: support_evals",
                    "Agentcfg-Verdict: failed", "Agentcfg-Env: staging", "Agentcfg-Reason: nightly run"):
        assert trailer in message
    assert git(example_repo, "status", "--porcelain", "--", "attestations") == ""


def test_a_digest_prefix_names_the_same_config(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    digest = staging_digest(example_repo)
    report = junit(example_repo, passed=2)
    r = cli("attest", digest.removeprefix("sha256:")[:9], "--name", "smoke", "--junit", report)
    assert r.exit_code == 0, r
    [path] = attestation_files(example_repo)
    assert json.loads(path.read_text())["subject"][0]["digest"]["sha256"] == digest.removeprefix("sha256:")


def test_unknown_targets_are_refused_with_a_hint(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    report = junit(example_repo, passed=2)
    r = cli("attest", "0badc0de0", "--name", "smoke", "--junit", report)
    assert r.exit_code == 2 and "no release and no environment in HEAD's agentcfg.lock has digest 0badc0de0" in r.stderr
    r = cli("attest", "stagin", "--name", "smoke", "--junit", report)
    assert r.exit_code == 2 and "'stagin' is neither an environment with a release nor a digest" in r.stderr
    assert "did you mean 'staging'" in r.stderr
    r = cli("attest", "staging", "--name", "../x", "--junit", report)
    assert r.exit_code == 2 and "'../x' is not a valid evidence name" in r.stderr
    r = cli("attest", "staging", "--name", "smoke", "--junit", "reports/missing.xml")
    assert r.exit_code == 2 and "evidence file reports/missing.xml does not exist" in r.stderr
    assert attestation_files(example_repo) == []


def test_a_second_attestation_is_a_new_file_and_the_newest_counts(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 6)).exit_code == 0
    first = attestation_files(example_repo)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 5, 1)).exit_code == 0
    files = attestation_files(example_repo)
    assert len(files) == 2 and first[0] in files and first[0].read_bytes() == first[0].read_bytes()
    status = json.loads(cli("status", "--format", "json").stdout)
    staging = next(row for row in (status if isinstance(status, list) else status["environments"])
                   if row["env"] == "staging")
    assert [(e["name"], e["verdict"]) for e in staging["evidence"]] == [("support_evals", "failed")]


ENV_DUMP = '''
import json, os, sys
names = ("AGENTCFG_ENV", "AGENTCFG_DIGEST", "AGENTCFG_RELEASE")
json.dump({n: os.environ.get(n) for n in names}, open("env.json", "w"))
release = json.load(open(os.environ["AGENTCFG_RELEASE"]))
open("reports/evals.xml", "w").write(
    '<testsuite name="evals"><testcase classname="evals" name="route_{}"/>'
    '<testcase classname="evals" name="refund"><failure message="no"/></testcase></testsuite>'.format(
        release["environment"]))
sys.exit(3)
'''


def test_the_command_runs_with_the_digest_and_its_exit_code_is_kept(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    (example_repo / "reports").mkdir()
    (example_repo / "eval_script.py").write_text(ENV_DUMP)
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            sys.executable, "eval_script.py")
    assert r.exit_code == 3, r
    env = json.loads((example_repo / "env.json").read_text())
    assert env["AGENTCFG_ENV"] == "staging" and env["AGENTCFG_DIGEST"] == staging_digest(example_repo)
    assert Path(env["AGENTCFG_RELEASE"]).resolve() == (example_repo / "releases" / "staging.json").resolve()
    [path] = attestation_files(example_repo)
    p = json.loads(path.read_text())["predicate"]
    assert p["verdict"] == "failed" and p["command"] == {"argv": [sys.executable, "eval_script.py"], "exit_code": 3}
    assert p["failures"] == ["evals::refund"]
    assert "failed: attested support_evals on staging" in r.stderr


def test_an_older_digest_gets_its_own_release_file(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    old = staging_digest(example_repo)
    (example_repo / "prompts" / "triage.md").write_text("Route every ticket.\n{{company_name}} {{customer_name}} "
                                                        "{{channel}} {{#recent_orders}}{{id}}{{/recent_orders}}\n")
    released(example_repo, cli)
    assert staging_digest(example_repo) != old
    (example_repo / "reports").mkdir(exist_ok=True)
    (example_repo / "eval_script.py").write_text(ENV_DUMP.replace("sys.exit(3)", "sys.exit(0)"))
    r = cli("attest", old[:15], "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            sys.executable, "eval_script.py")
    assert r.exit_code == 0, r
    env = json.loads((example_repo / "env.json").read_text())
    assert env["AGENTCFG_DIGEST"] == old
    assert Path(env["AGENTCFG_RELEASE"]).resolve() != (example_repo / "releases" / "staging.json").resolve()
    assert not Path(env["AGENTCFG_RELEASE"]).exists()  # a temporary copy, gone afterwards


def test_a_command_that_writes_no_evidence_records_nothing(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            sys.executable, "-c", "import sys; sys.exit(4)")
    assert r.exit_code == 4 and "wrote no reports/evals.xml; nothing recorded" in r.stderr
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--format", "json",
            "--", sys.executable, "-c", "import sys; sys.exit(4)")
    out = json.loads(r.stdout)
    Draft202012Validator(json.loads((ROOT / "schemas" / "attest.schema.json").read_text())).validate(out)
    assert r.exit_code == 4 and not out["recorded"] and out["command_exit"] == 4 and out["summary"] is None
    # an old report from an earlier run is not this run's evidence
    junit(example_repo, passed=3)
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            sys.executable, "-c", "pass")
    assert r.exit_code == 2 and "did not rewrite reports/evals.xml; nothing recorded" in r.stderr
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            "no-such-program-xyz", "--flag")
    assert r.exit_code == 2 and "cannot run `no-such-program-xyz`: no such program" in r.stderr
    assert attestation_files(example_repo) == []


def test_a_real_pytest_eval_through_the_command(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    (example_repo / "checks").mkdir()
    (example_repo / "checks" / "test_release.py").write_text(
        "import json, os\n\n"
        "def test_the_release_is_the_attested_digest():\n"
        "    release = json.load(open(os.environ['AGENTCFG_RELEASE']))\n"
        "    assert release['digest'] == os.environ['AGENTCFG_DIGEST']\n\n"
        "def test_every_agent_has_a_prompt():\n"
        "    release = json.load(open(os.environ['AGENTCFG_RELEASE']))\n"
        "    assert all(a.get('prompt') for a in release['config']['agents'].values())\n")
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml", "--",
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "checks",
            "--junit-xml=reports/evals.xml")
    assert r.exit_code == 0, r
    [path] = attestation_files(example_repo)
    p = json.loads(path.read_text())["predicate"]
    assert p["verdict"] == "passed" and p["summary"]["passed"] == 2 and p["summary"]["pass_rate"] == 1.0


def test_staged_changes_refuse_and_nothing_is_written(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    (example_repo / "notes.txt").write_text("mine\n")
    git(example_repo, "add", "notes.txt")
    r = cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 2))
    assert r.exit_code == 2 and "the index has staged changes (notes.txt)" in r.stderr
    assert attestation_files(example_repo) == []
    assert git(example_repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_no_commit_writes_the_file_only(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    head = git(example_repo, "rev-parse", "HEAD")
    r = cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 2), "--no-commit")
    assert r.exit_code == 0 and "not committed" in r.stderr
    [path] = attestation_files(example_repo)
    assert git(example_repo, "rev-parse", "HEAD") == head
    assert git(example_repo, "status", "--porcelain", "--", "attestations").startswith("??")


def test_hostile_junit_is_refused_by_the_command_naming_the_file(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    for name in ("billion_laughs.xml", "xxe.xml"):
        (example_repo / name).write_bytes((FIXTURES / name).read_bytes())
        r = cli("attest", "staging", "--name", "support_evals", "--junit", name)
        assert r.exit_code == 2
        assert f"{name}: refused: the file declares a DTD or an XML entity" in r.stderr
    assert attestation_files(example_repo) == []


def test_secrets_in_the_command_and_reason_are_redacted(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    token = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
    (example_repo / "reports").mkdir()
    script = "import sys; open('reports/evals.xml','w').write('<testsuite><testcase name=\"a\"/></testsuite>')"
    r = cli("attest", "staging", "--name", "support_evals", "--junit", "reports/evals.xml",
            "--reason", f"key {token}", "--", sys.executable, "-c", script, token)
    assert r.exit_code == 0, r
    [path] = attestation_files(example_repo)
    assert token not in path.read_text() and token not in last_message(example_repo)
    assert token not in r.stdout + r.stderr


def test_verify_names_edited_and_misplaced_attestations(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 4)).exit_code == 0
    r = cli("verify", "--format", "json")
    assert r.exit_code == 0, r
    [check] = json.loads(r.stdout)["attestations"]
    assert check["ok"] and any("matches the recorded sha256" in n for n in check["notes"])
    [path] = attestation_files(example_repo)
    original = path.read_text()
    path.write_text(original.replace('"passed": 4', '"passed": 5').replace('"tests": 4', '"tests": 5'))
    r = cli("verify")
    assert r.exit_code == 1
    assert "its content does not match the hash in its name" in r.stdout
    path.write_text(original)
    moved = path.parent.parent / "other_name" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    r = cli("verify")
    assert r.exit_code == 1 and "it is about support_evals on" in r.stdout and "other_name" in r.stdout
