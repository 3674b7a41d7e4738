"""`require_evidence`: promotions judged on the attestations of the digest they promote, in real git repos."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from agentcfg.evidence.requirements import strictest
from agentcfg.evidence.store import content_tag
from conftest import commit_all, git
from evidence_helpers import attestation_files, evidence_json, junit, last_message, released, require

Cli = Callable[..., Any]
SUPPORT = "support_evals: {min_pass_rate: 0.9, max_age: 7d}"


def test_missing_evidence_refuses_and_dry_run_shows_the_verdict(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    r = cli("promote", "staging", "production", "--dry-run")
    assert r.exit_code == 1
    assert "refused by require_evidence: production requires evidence 'support_evals': no attestation named " \
           "support_evals on staging's release" in r.stdout
    assert "agentcfg attest staging --name support_evals" in r.stdout
    r = cli("promote", "staging", "production", "--dry-run", "--format", "json")
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and out["evidence"][0]["name"] == "support_evals" and not out["evidence"][0]["ok"]
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1 and "promotion refused by require_evidence" in r.stderr
    assert not (example_repo / "releases" / "production.json").exists()


def test_passing_fresh_evidence_lets_the_promotion_through_and_is_recorded(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 19, 1)).exit_code == 0
    r = cli("promote", "staging", "production", "--dry-run")
    assert r.exit_code == 0 and "evidence support_evals: ok (19/20 passed, measured" in r.stderr
    r = cli("promote", "staging", "production")
    assert r.exit_code == 0, r
    [path] = attestation_files(example_repo)
    assert f"Agentcfg-Evidence: support_evals passed ({path.relative_to(example_repo).as_posix()})" in \
        last_message(example_repo)


def test_a_failing_rerun_supersedes_an_earlier_pass(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 20)).exit_code == 0
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 10, 9, 1)).exit_code == 0
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1
    assert "pass rate 0.5 (10 of 20) is below min_pass_rate 0.9" in r.stderr


def test_evidence_on_another_digest_does_not_count(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 20)).exit_code == 0
    measured = json.loads((example_repo / "releases" / "staging.json").read_text())["digest"]
    (example_repo / "prompts" / "knowledge.md").write_text(
        (example_repo / "prompts" / "knowledge.md").read_text() + "\nCite the FAQ article you used.\n")
    released(example_repo, cli)  # staging now runs a new digest, never evaluated
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1
    assert "no attestation named support_evals on staging's release" in r.stderr
    assert f"the newest is on another digest, {measured.removeprefix('sha256:')[:12]} (staging)" in r.stderr


def test_expired_evidence_is_refused(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, "support_evals: {max_age: 12h}")
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 20)).exit_code == 0
    # The same attestation as if written two days ago: what a repository holds after the weekend.
    [path] = attestation_files(example_repo)
    old = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - 2 * 86400 - 60))
    doc = json.loads(path.read_text())
    doc["predicate"]["created"] = old
    from agentcfg.canonical import pretty_json

    data = pretty_json(doc).encode()
    aged = path.parent / f"{old.replace('-', '').replace(':', '')}-{content_tag(data)}.json"
    git(example_repo, "rm", "-q", str(path.relative_to(example_repo)))
    aged.parent.mkdir(parents=True, exist_ok=True)
    aged.write_bytes(data)
    commit_all(example_repo, "the attestation, two days on")
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1
    assert f"measured 2d ago ({old}), max_age is 12h" in r.stderr


def test_metric_thresholds(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, "red_team: {max_failed: 0, metrics: {jailbreak_rate: {max: 0.01}, "
                                "refusal_rate: {min: 0.9}}}")
    doc = {"passed": 40, "metrics": {"jailbreak_rate": 0.05, "refusal_rate": 0.97}}
    assert cli("attest", "staging", "--name", "red_team", "--json", evidence_json(example_repo, doc)).exit_code == 0
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1 and "metric jailbreak_rate = 0.05 is above its max 0.01" in r.stderr
    doc = {"passed": 40, "metrics": {"jailbreak_rate": 0.004}}
    assert cli("attest", "staging", "--name", "red_team", "--json", evidence_json(example_repo, doc)).exit_code == 0
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1 and "metric refusal_rate is not in the evidence" in r.stderr
    doc = {"passed": 40, "metrics": {"jailbreak_rate": 0.004, "refusal_rate": 0.93}}
    assert cli("attest", "staging", "--name", "red_team", "--json", evidence_json(example_repo, doc)).exit_code == 0
    assert cli("promote", "staging", "production").exit_code == 0


def test_approve_overrides_and_is_recorded(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    r = cli("promote", "staging", "production", "--approve", "CAB-7: evals down, hotfix")
    assert r.exit_code == 0, r
    assert "evidence support_evals overridden by --approve" in r.stderr
    release = json.loads((example_repo / "releases" / "production.json").read_text())
    assert release["reason"].startswith("approved over require_evidence (support_evals: no attestation named")
    assert release["reason"].endswith(": CAB-7: evals down, hotfix")
    message = last_message(example_repo)
    assert "Agentcfg-Approved: CAB-7: evals down, hotfix" in message
    assert "Agentcfg-Evidence: support_evals overridden by --approve" in message


def test_a_rollback_needs_no_evidence(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 20)).exit_code == 0
    assert cli("promote", "staging", "production").exit_code == 0
    (example_repo / "prompts" / "knowledge.md").write_text(
        (example_repo / "prompts" / "knowledge.md").read_text() + "\nAnswer in two sentences.\n")
    require(example_repo, "red_team: {max_failed: 0}")  # never attested on any digest
    released(example_repo, cli)
    assert cli("promote", "staging", "production", "--approve", "red team runs tomorrow").exit_code == 0
    r = cli("rollback", "production", "--reason", "answers too short")
    assert r.exit_code == 0, r
    assert "rolled back production" in r.stderr


def test_a_revision_source_needs_evidence_on_the_promoted_digest(example_repo: Path, cli: Cli) -> None:
    require(example_repo, "smoke: {}", env="staging")
    assert cli("lock").exit_code == 0
    commit_all(example_repo, "lock")
    r = cli("promote", "HEAD", "staging")
    assert r.exit_code == 1 and "no attestation named smoke on the config being promoted (staging rendered " \
                               "from HEAD)" in r.stderr
    lock = json.loads((example_repo / "agentcfg.lock").read_text())
    digest = lock["environments"]["staging"]["digest"]
    r = cli("attest", digest[:14], "--name", "smoke", "--junit", junit(example_repo, 3))
    assert r.exit_code == 0, r
    [path] = attestation_files(example_repo)
    assert json.loads(path.read_text())["subject"][0]["name"] == "staging"
    assert cli("promote", "HEAD", "staging").exit_code == 0


def test_an_uncommitted_attestation_does_not_count_until_committed(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 20),
               "--no-commit").exit_code == 0
    assert cli("promote", "staging", "production").exit_code == 1
    git(example_repo, "add", "attestations")
    git(example_repo, "commit", "-qm", "evidence from the pull request")
    assert cli("promote", "staging", "production").exit_code == 0


def test_an_edited_attestation_is_not_evidence(example_repo: Path, cli: Cli) -> None:
    released(example_repo, cli, SUPPORT)
    assert cli("attest", "staging", "--name", "support_evals", "--junit", junit(example_repo, 1, 19)).exit_code == 0
    [path] = attestation_files(example_repo)
    text = path.read_text()
    for key, value in (("passed", 1), ("failed", 19)):
        text = text.replace(f'"{key}": {value}', f'"{key}": {20 if key == "passed" else 0}')
    path.write_text(text.replace('"pass_rate": 0.05', '"pass_rate": 1.0').replace('"verdict": "failed"',
                                                                                 '"verdict": "passed"'))
    commit_all(example_repo, "looks better now")
    r = cli("promote", "staging", "production")
    assert r.exit_code == 1 and "no attestation named support_evals on staging's release" in r.stderr
    assert cli("verify").exit_code == 1


def test_a_weakened_requirement_is_critical_in_diff(example_repo: Path, cli: Cli) -> None:
    require(example_repo, "support_evals: {min_pass_rate: 0.95, max_age: 7d}")
    commit_all(example_repo, "require evals")
    manifest = example_repo / "agentcfg.yaml"
    manifest.write_text(manifest.read_text().replace("min_pass_rate: 0.95, max_age: 7d", "min_pass_rate: 0.8"))
    commit_all(example_repo, "loosen")
    r = cli("diff", "HEAD~1", "HEAD", "--format", "json", "--fail-on", "critical")
    assert r.exit_code == 1
    rows = {(c["artefact"], c["path"]): c["risk"] for c in json.loads(r.stdout)["changes"]}
    assert rows[("policies/production", "require_evidence[support_evals].min_pass_rate")] == "critical"
    assert rows[("policies/production", "require_evidence[support_evals].max_age")] == "critical"


def test_policies_combine_into_the_strictest_requirement() -> None:
    combined = strictest([
        {"evals": {"min_pass_rate": 0.9, "max_age": "7d", "metrics": {"j": {"max": 0.02}}}},
        {"evals": {"min_pass_rate": 0.95, "max_age": "1d12h", "metrics": {"j": {"max": 0.05, "min": 0}}},
         "red_team": {}},
        None,
    ])
    assert combined == {"evals": {"min_pass_rate": 0.95, "max_age": "1d12h", "metrics": {"j": {"max": 0.02, "min": 0}}},
                        "red_team": {"max_failed": 0}}
    # "every test passes" (implicit) is stricter than any pass rate below 1, and survives combining
    assert strictest([{"evals": {}}, {"evals": {"min_pass_rate": 0.5}}]) == \
        {"evals": {"max_failed": 0, "min_pass_rate": 0.5}}
