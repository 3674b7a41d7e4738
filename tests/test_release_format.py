"""Lock and release format 2 (RFC 8785 digests): what happens to files an older agentcfg wrote,
numbers JSON cannot carry, and the release schema on real releases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
from conftest import ROOT, commit_all, git

import agentcfg
from agentcfg.canonical import digest_bytes, digest_value, legacy_canonical_json, pretty_json
from agentcfg.errors import AgentcfgError
from agentcfg.promotion import history, promote, rollback, unhold

SCHEMA = json.loads((ROOT / "schemas" / "release.schema.json").read_text())
ENVIRON = {"QDRANT_URL": "http://qdrant:6333"}  # the example's ${env:...} references


def as_format_1(path: Path) -> dict[str, Any]:
    """Rewrite a release file the way agentcfg wrote it before RFC 8785 (format 1)."""
    release = json.loads(path.read_text())
    release["format_version"] = 1
    release["digest"] = digest_bytes(legacy_canonical_json(release["config"]).encode("utf-8"))
    path.write_text(pretty_json(release))
    return release


@pytest.fixture
def released(example_repo: Path) -> Path:
    """The bundled example locked, committed, promoted to staging and production."""
    from agentcfg.lockfile import lock

    lock(example_repo)
    commit_all(example_repo, "lock")
    promote("HEAD", "staging")
    promote("staging", "production")
    return example_repo


def test_the_example_has_floats_so_its_digest_changed(released: Path) -> None:
    config = json.loads((released / "releases" / "production.json").read_text())["config"]
    assert digest_value(config) != digest_bytes(legacy_canonical_json(config).encode("utf-8"))


def test_an_old_lock_says_to_lock_again(released: Path, cli: Callable[..., Any]) -> None:
    lock_path = released / "agentcfg.lock"
    lock = json.loads(lock_path.read_text())
    assert lock["format_version"] == 2
    lock_path.write_text(lock_path.read_text().replace('"format_version": 2', '"format_version": 1', 1))
    r = cli("lock", "--check")
    assert r.exit_code == 1 and "older agentcfg (lock format 1" in r.output and "agentcfg lock" in r.output
    r = cli("verify")
    assert r.exit_code == 2 and "run `agentcfg lock` again" in r.output
    r = cli("lock")
    assert r.exit_code == 0 and json.loads(lock_path.read_text())["format_version"] == 2
    assert cli("lock", "--check").exit_code == 0


def test_an_old_commit_lock_still_renders_for_diff(released: Path, cli: Callable[..., Any]) -> None:
    lock_path = released / "agentcfg.lock"
    lock_path.write_text(lock_path.read_text().replace('"format_version": 2', '"format_version": 1', 1))
    commit_all(released, "a lock an older agentcfg wrote")
    prompt = released / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    assert cli("lock").exit_code == 0
    commit_all(released, "re-locked by this version")
    r = cli("diff", "HEAD~1", "HEAD")
    assert r.exit_code == 0 and "prompts/triage" in r.output


def test_an_old_release_is_not_loaded_and_says_to_re_promote(released: Path, cli: Callable[..., Any]) -> None:
    as_format_1(released / "releases" / "production.json")
    with pytest.raises(AgentcfgError) as exc:
        agentcfg.load("production", environ=ENVIRON)
    assert "re-promote" in (exc.value.hint or "") and "format_version 1" in exc.value.message
    r = cli("verify", "production")
    assert r.exit_code == 2 and "re-promote" in r.output
    # Re-promoting writes format 2 with the RFC 8785 digest of the same config.
    commit_all(released, "an old release")
    result = promote("staging", "production")
    assert result.outcome == "promoted"
    assert agentcfg.load("production", environ=ENVIRON).digest == result.digest


def test_rollback_reaches_a_release_an_older_agentcfg_wrote(released: Path, cli: Callable[..., Any]) -> None:
    path = released / "releases" / "production.json"
    old = as_format_1(path)
    commit_all(released, "production as an older agentcfg wrote it")
    prompt = released / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    assert cli("lock").exit_code == 0
    commit_all(released, "triage is brief")
    promote("HEAD", "staging")
    promote("staging", "production")
    assert json.loads(path.read_text())["format_version"] == 2
    assert [row.digest for row in history("production")][1] == old["digest"]  # history shows what was written

    r = rollback("production", reason="incident")
    assert r.outcome == "rolled-back" and r.digest == digest_value(old["config"]) != old["digest"]
    assert any("older agentcfg" in w and old["digest"] in w for w in r.warnings)
    restored = json.loads(path.read_text())
    assert restored["format_version"] == 2 and restored["config"] == old["config"] and restored["hold"] is True
    assert agentcfg.load("production", environ=ENVIRON).digest == r.digest
    assert cli("verify", "production").exit_code == 0
    # A second default rollback goes forward again, and the hold lifts with the new digest.
    assert rollback("production").digest != r.digest
    assert unhold("production").outcome == "unheld"


def test_unhold_of_an_old_held_release_rewrites_it_in_format_2(released: Path) -> None:
    path = released / "releases" / "production.json"
    release = json.loads(path.read_text())
    release["hold"] = True
    path.write_text(pretty_json(release))
    old = as_format_1(path)
    commit_all(released, "held, as an older agentcfg wrote it")
    result = unhold("production", reason="fixed")
    assert result.outcome == "unheld"
    now = json.loads(path.read_text())
    assert now["format_version"] == 2 and now["digest"] == digest_value(old["config"]) and now["hold"] is False


def test_unhold_refuses_an_old_release_that_does_not_match_its_digest(released: Path) -> None:
    path = released / "releases" / "production.json"
    release = json.loads(path.read_text())
    release["hold"] = True
    path.write_text(pretty_json(release))
    as_format_1(path)
    path.write_text(path.read_text().replace("Handles angry customers", "Handles calm customers"))
    commit_all(released, "tampered")
    with pytest.raises(AgentcfgError) as exc:
        unhold("production")
    assert "does not match its digest" in exc.value.message


@pytest.mark.parametrize(("yaml_value", "shown"), [("12345678901234567890", "12345678901234567890"),
                                                   ("-9007199254740993", "-9007199254740993")])
def test_validate_refuses_integers_json_cannot_carry(example_repo: Path, cli: Callable[..., Any],
                                                      yaml_value: str, shown: str) -> None:
    manifest = example_repo / "agentcfg.yaml"
    text = manifest.read_text()
    assert "      max_tokens: 512\n" in text
    manifest.write_text(text.replace("      max_tokens: 512\n", f"      max_tokens: 512\n      seed: {yaml_value}\n", 1))
    line = manifest.read_text().splitlines().index(f"      seed: {yaml_value}") + 1
    r = cli("validate")
    assert r.exit_code == 1
    assert f"agentcfg.yaml:{line}:" in r.output and "models/router" in r.output and shown in r.output
    assert "beyond 2^53" in r.output and "[inexact-number]" in r.output
    r = cli("lock")
    assert r.exit_code == 1 and "beyond 2^53" in r.output  # never hashed, never rounded


def test_validate_refuses_nan_and_infinity(example_repo: Path, cli: Callable[..., Any]) -> None:
    manifest = example_repo / "agentcfg.yaml"
    manifest.write_text(manifest.read_text().replace("temperature: 0.2", "temperature: .inf", 1))
    r = cli("validate")
    assert r.exit_code == 1 and "agentcfg.yaml:" in r.output and ".inf" in r.output


def test_release_schema_accepts_every_release_of_a_promote_rollback_flow(released: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    prompt = released / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + "\nBe brief.\n")
    from agentcfg.lockfile import lock

    lock(released)
    commit_all(released, "brief")
    promote("HEAD", "staging")
    promote("staging", "production", approve="ok")
    rollback("production", reason="incident")
    unhold("production")
    seen = 0
    for env in ("staging", "production"):
        for commit in git(released, "log", "--format=%H", "--", f"releases/{env}.json").split():
            release = json.loads(git(released, "show", f"{commit}:releases/{env}.json"))
            errors = [e.message for e in validator.iter_errors(release)]
            assert not errors, errors
            seen += 1
    assert seen == 6  # staging: 2 promotions; production: 2 promotions, a rollback, an unhold


def test_release_schema_rejects_what_agentcfg_would_refuse(released: Path) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    good = json.loads((released / "releases" / "production.json").read_text())
    assert validator.is_valid(good)
    for broken in ({**good, "format_version": 1}, {**good, "digest": "sha256:abc"}, {**good, "hold": "no"},
                   {**good, "action": "deploy"}, {**good, "extra": 1},
                   {**good, "config": {k: v for k, v in good["config"].items() if k != "tools"}},
                   {**good, "config": {**good["config"], "data": {"faq": {"path": "x"}}}}):
        assert not validator.is_valid(broken)


def test_the_verifier_bundles_the_same_schema() -> None:
    bundled = ROOT / "examples" / "verify-release" / "release.schema.json"
    assert bundled.read_bytes() == (ROOT / "schemas" / "release.schema.json").read_bytes()
