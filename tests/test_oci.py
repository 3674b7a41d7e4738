"""publish and load("oci://…") against a real distribution registry started by the tests."""

from __future__ import annotations

import base64
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ROOT, commit_all
from oci_registry import TestRegistry, need_registry

import agentcfg
from agentcfg.errors import AgentcfgError, CheckFailed, UsageError
from agentcfg.lockfile import lock
from agentcfg.ocio import parse_ref, publish
from agentcfg.promotion import promote, rollback

USER, PASSWORD = "ci-bot", "correct horse battery staple"
ENVIRON = {"QDRANT_URL": "http://qdrant:6333"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestRegistry]:
    need_registry()
    reg = TestRegistry(tmp_path_factory.mktemp("registry"), users={USER: PASSWORD}).start()
    yield reg
    reg.stop()


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[TestRegistry]:
    """A registry of the test's own, which it may stop (an outage)."""
    need_registry()
    (tmp_path / "own-registry").mkdir()
    reg = TestRegistry(tmp_path / "own-registry").start()
    yield reg
    reg.stop()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("AGENTCFG_REGISTRY_USERNAME", USER)
    monkeypatch.setenv("AGENTCFG_REGISTRY_PASSWORD", PASSWORD)
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)


@pytest.fixture
def project(example_repo: Path) -> Path:
    lock(example_repo)
    commit_all(example_repo, "lock")
    promote("HEAD", "staging")
    promote("staging", "production")
    return example_repo


def repo_name(request: pytest.FixtureRequest) -> str:
    return "t/" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:60].strip("-")


def load(ref: str, **kwargs: Any) -> agentcfg.Config:
    return agentcfg.load(ref, plain_http=True, environ=ENVIRON, **kwargs)


def change_prompt(project: Path, text: str) -> None:
    prompt = project / "prompts" / "triage.md"
    prompt.write_text(prompt.read_text() + f"\n{text}\n")
    lock(project)
    commit_all(project, text)


def test_publish_then_load_by_tag_and_by_digest(project: Path, registry: TestRegistry,
                                               request: pytest.FixtureRequest) -> None:
    ref = registry.ref(repo_name(request))
    result = publish("production", ref, plain_http=True)
    local = agentcfg.load("production", environ=ENVIRON)
    assert result.outcome == "published" and result.digest == local.digest
    assert result.tags == ["production", local.digest.removeprefix("sha256:")]
    by_tag = load(f"{ref}:production")
    by_digest = load(result.by_digest)
    by_hex_tag = load(f"{ref}:{local.digest.removeprefix('sha256:')}")
    assert by_tag.digest == by_digest.digest == by_hex_tag.digest == local.digest
    assert by_tag.to_dict() == local.to_dict() and by_tag.fallback is None
    assert by_tag.prompts["triage"].raw == local.prompts["triage"].raw
    assert by_tag.origin == f"oci://{registry.host}/{repo_name(request)}@{result.manifest_digest}"


def test_the_artifact_follows_oci_1_1_and_carries_the_hold(project: Path, registry: TestRegistry,
                                                          request: pytest.FixtureRequest, cli: Callable[..., Any]) -> None:
    ref = registry.ref(repo_name(request))
    publish("production", ref, plain_http=True)
    change_prompt(project, "v2")
    promote("HEAD", "staging")
    promote("staging", "production")
    rollback("production", reason="incident")
    commit = publish("production", ref, plain_http=True)
    r = cli("show", f"{ref}:production", "--plain-http", "--format", "json")
    assert r.exit_code == 0
    shown = json.loads(r.stdout)
    annotations = shown["oci"]["annotations"]
    assert annotations["dev.agentcfg.hold"] == "true" and annotations["dev.agentcfg.action"] == "rollback"
    assert annotations["dev.agentcfg.environment"] == "production"
    assert annotations["dev.agentcfg.digest"] == commit.digest == shown["digest"]
    assert annotations["org.opencontainers.image.revision"] == shown["release"]["source"]
    assert {"org.opencontainers.image.created", "org.opencontainers.image.title"} <= set(annotations)
    assert shown["release"]["hold"] is True and commit.hold is True
    assert load(f"{ref}:production").hold is True


def test_publishing_the_same_release_twice_is_a_no_op_that_says_so(project: Path, registry: TestRegistry,
                                                                  request: pytest.FixtureRequest,
                                                                  cli: Callable[..., Any]) -> None:
    ref = registry.ref(repo_name(request))
    r = cli("publish", "staging", ref, "--plain-http", "--format", "json")
    assert r.exit_code == 0
    first = json.loads(r.stdout)
    schema = json.loads((ROOT / "schemas" / "publish.schema.json").read_text())
    jsonschema.validate(first, schema)
    r = cli("publish", "staging", ref, "--plain-http")
    assert r.exit_code == 0 and "unchanged" in r.output and "nothing pushed" in r.output
    r = cli("publish", "staging", ref, "--plain-http", "--format", "json")
    second = json.loads(r.stdout)
    jsonschema.validate(second, schema)
    assert (first["outcome"], second["outcome"]) == ("published", "unchanged")
    assert first["manifest_digest"] == second["manifest_digest"]


def test_a_tag_moved_to_another_release_is_followed_and_a_digest_never_moves(
        project: Path, registry: TestRegistry, request: pytest.FixtureRequest) -> None:
    ref = registry.ref(repo_name(request))
    v1 = publish("production", ref, plain_http=True)
    assert load(f"{ref}:production").digest == v1.digest
    change_prompt(project, "v2")
    promote("HEAD", "staging")
    promote("staging", "production")
    v2 = publish("production", ref, plain_http=True)
    assert v2.digest != v1.digest and v2.moved == {"production": v1.manifest_digest,
                                                   v2.digest.removeprefix("sha256:"): None}
    assert load(f"{ref}:production").digest == v2.digest
    assert load(v1.by_digest).digest == v1.digest
    # A rollback published: the tag follows it back.
    rollback("production", reason="incident")
    back = publish("production", ref, plain_http=True)
    assert back.digest == v1.digest and load(f"{ref}:production").digest == v1.digest


def test_a_tampered_layer_is_refused_and_never_replaced_by_the_cache(project: Path, registry: TestRegistry,
                                                                     request: pytest.FixtureRequest) -> None:
    ref = registry.ref(repo_name(request))
    result = publish("production", ref, plain_http=True)
    assert load(f"{ref}:production").digest == result.digest  # now cached
    manifest = json.loads(registry.blob_file(result.manifest_digest).read_bytes())
    layer = registry.blob_file(manifest["layers"][0]["digest"])
    layer.write_bytes(layer.read_bytes().replace(b"Handles angry customers", b"Handles happy customers"))
    with pytest.raises(CheckFailed, match="does not match its digest"):
        load(f"{ref}:production")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning either
        with pytest.raises(CheckFailed):
            load(f"{ref}:production")


def test_registry_down_with_a_cached_release_falls_back_and_says_so(project: Path, own_registry: TestRegistry) -> None:
    ref = own_registry.ref()
    result = publish("production", ref, plain_http=True)
    assert load(f"{ref}:production").fallback is None
    own_registry.stop()
    with pytest.warns(agentcfg.RegistryFallbackWarning, match="cannot be reached"):
        config = load(f"{ref}:production")
    assert config.digest == result.digest
    assert config.fallback and result.manifest_digest in config.fallback and "cannot be reached" in config.fallback
    # By digest the cache is the answer, outage or not: the digest names exactly those bytes.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load(result.by_digest).fallback is None


def test_registry_down_without_a_cached_release_is_an_error(project: Path, own_registry: TestRegistry,
                                                           cli: Callable[..., Any]) -> None:
    ref = own_registry.ref()
    result = publish("production", ref, plain_http=True)
    own_registry.stop()
    for target in (f"{ref}:production", result.by_digest):
        with pytest.raises(AgentcfgError, match="no verified copy .* is cached") as exc:
            load(target)
        assert "cannot be reached" in exc.value.message
    r = cli("verify", f"{ref}:production", "--plain-http")
    assert r.exit_code == 2 and "cannot be reached" in r.output
    r = cli("publish", "production", ref, "--plain-http")
    assert r.exit_code == 2 and "cannot be reached" in r.output


def test_credentials_right_wrong_and_from_the_docker_config(project: Path, registry: TestRegistry, tmp_path: Path,
                                                           request: pytest.FixtureRequest, cli: Callable[..., Any],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ref = registry.ref(repo_name(request))
    assert cli("publish", "production", ref, "--plain-http").exit_code == 0
    monkeypatch.setenv("AGENTCFG_REGISTRY_PASSWORD", "wrong password")
    r = cli("publish", "production", ref, "--plain-http")
    assert r.exit_code == 2 and "refused access" in r.output and "wrong password" not in r.output
    with pytest.raises(AgentcfgError, match="refused access"):
        load(f"{ref}:production")
    monkeypatch.delenv("AGENTCFG_REGISTRY_USERNAME")
    monkeypatch.delenv("AGENTCFG_REGISTRY_PASSWORD")
    with pytest.raises(AgentcfgError, match="asks for credentials and none are configured"):
        load(f"{ref}:production")
    docker = tmp_path / "docker"
    docker.mkdir()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (docker / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": token}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    r = cli("verify", f"{ref}:production", "--plain-http")
    assert r.exit_code == 0 and "verified" in r.output
    assert PASSWORD not in r.output and token not in r.output
    assert not any(PASSWORD.encode() in p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())


def test_a_release_of_several_megabytes(project: Path, registry: TestRegistry, request: pytest.FixtureRequest) -> None:
    prompt = project / "prompts" / "triage.md"
    paragraph = "Answer from the knowledge base; cite the article id; never promise refunds. Ölçü 返金 \U0001f600\n"
    prompt.write_text(prompt.read_text() + paragraph * 60_000)
    lock(project)
    commit_all(project, "a very long prompt")
    promote("HEAD", "staging")
    size = (project / "releases" / "staging.json").stat().st_size
    assert size > 5_000_000
    ref = registry.ref(repo_name(request))
    result = publish("staging", ref, plain_http=True)
    assert load(f"{ref}:staging").digest == result.digest
    assert load(result.by_digest).digest == result.digest


def test_twenty_parallel_loads(project: Path, registry: TestRegistry, request: pytest.FixtureRequest) -> None:
    ref = registry.ref(repo_name(request))
    result = publish("production", ref, plain_http=True)
    targets = [f"{ref}:production" if i % 2 else result.by_digest for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        digests = list(pool.map(lambda t: load(t).digest, targets))
    assert digests == [result.digest] * 20
    assert load(result.by_digest).digest == result.digest  # the cache the threads wrote is whole


def test_render_verify_and_show_accept_oci_references(project: Path, registry: TestRegistry,
                                                      request: pytest.FixtureRequest, cli: Callable[..., Any]) -> None:
    ref = registry.ref(repo_name(request))
    result = publish("staging", ref, plain_http=True)
    r = cli("render", f"{ref}:staging", "--plain-http", "--format", "json")
    assert r.exit_code == 0
    rendered = json.loads(r.stdout)
    assert rendered["digest"] == result.digest and rendered["environment"] == "staging"
    assert rendered["config"] == json.loads((project / "releases" / "staging.json").read_text())["config"]
    r = cli("verify", result.by_digest, "--plain-http", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["digest"] == result.digest
    r = cli("show", f"{ref}:staging", "--plain-http")
    assert r.exit_code == 0 and result.manifest_digest in r.output
    r = cli("render", f"{ref}:staging", "--plain-http", "--rev", "HEAD")
    assert r.exit_code == 2 and "--rev" in r.output
    r = cli("verify", f"{ref}:nope", "--plain-http")
    assert r.exit_code == 2 and "does not exist" in r.output


def test_publish_refusals(project: Path, registry: TestRegistry, request: pytest.FixtureRequest,
                          cli: Callable[..., Any]) -> None:
    ref = registry.ref(repo_name(request))
    (project / "releases" / "staging.json").write_text(
        (project / "releases" / "staging.json").read_text().replace('"hold": false', '"hold": true'))
    r = cli("publish", "staging", ref, "--plain-http")
    assert r.exit_code == 2 and "uncommitted changes" in r.output
    r = cli("publish", "qa", ref, "--plain-http")
    assert r.exit_code == 2 and "no release" in r.output
    r = cli("publish", "production", f"{ref}@sha256:{'0' * 64}", "--plain-http")
    assert r.exit_code == 2 and "cannot publish to a digest" in r.output


def test_plain_http_is_refused_beyond_this_machine(cli: Callable[..., Any]) -> None:
    for ref in ("oci://registry.example.com/team/agents:production", "oci://10.0.0.5:5000/a:b"):
        with pytest.raises(UsageError, match="plain HTTP is refused"):
            agentcfg.load(ref, plain_http=True)
        r = cli("verify", ref, "--plain-http")
        assert r.exit_code == 2 and "plain HTTP is refused" in r.output
    for ref in ("oci://localhost:5000/a:b", "oci://127.0.0.1/a@sha256:" + "a" * 64, "oci://[::1]:5000/a/b:c"):
        assert parse_ref(ref).is_local


@pytest.mark.parametrize("ref", ["oci://", "oci://host", "oci://host/", "oci://host/Upper:tag", "oci://host/a@sha256:xyz",
                                 "oci://host/a:bad tag", "oci://host/a"])
def test_bad_references_say_what_is_wrong(ref: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_ref(ref)
    assert "oci://" in exc.value.message or "oci://" in (exc.value.hint or "")


def test_a_docker_credential_helper_supplies_the_credentials(project: Path, registry: TestRegistry, tmp_path: Path,
                                                             request: pytest.FixtureRequest,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ref = registry.ref(repo_name(request))
    publish("production", ref, plain_http=True)
    monkeypatch.delenv("AGENTCFG_REGISTRY_USERNAME")
    monkeypatch.delenv("AGENTCFG_REGISTRY_PASSWORD")
    # A credential helper speaks Docker's protocol: `get` with the host on stdin, JSON on stdout.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-agentcfg-test"
    asked = tmp_path / "asked"
    helper.write_text(f"#!/bin/sh\n[ \"$1\" = get ] || exit 1\ncat > {asked}\n"
                      f"printf '{{\"Username\": \"{USER}\", \"Secret\": \"{PASSWORD}\"}}'\n")
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / "config.json").write_text(json.dumps({"credHelpers": {registry.host: "agentcfg-test"}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    assert load(f"{ref}:production").digest == json.loads(
        (project / "releases" / "production.json").read_text())["digest"]
    assert asked.read_text().strip() == registry.host


def test_an_edited_cache_entry_is_a_miss_never_a_release(project: Path, own_registry: TestRegistry,
                                                         tmp_path: Path) -> None:
    ref = own_registry.ref()
    result = publish("production", ref, plain_http=True)
    assert load(f"{ref}:production").digest == result.digest
    cached = tmp_path / "cache" / "agentcfg" / "oci" / "releases" / f"{result.manifest_digest[7:]}.json"
    cached.write_text(cached.read_text().replace("Handles angry customers", "Handles calm customers"))
    assert load(result.by_digest).digest == result.digest  # pulled again from the registry, and re-cached
    cached.write_text(cached.read_text().replace("Handles angry customers", "Handles calm customers"))
    own_registry.stop()
    with pytest.raises(AgentcfgError, match="no verified copy"):
        load(f"{ref}:production")


def test_without_the_oci_extra_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                               cli: Callable[..., Any]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "oras", None)  # as if oras-py were not installed
    monkeypatch.setitem(sys.modules, "oras.provider", None)
    with pytest.raises(AgentcfgError) as exc:
        agentcfg.load("oci://localhost:5000/team/agents:production", plain_http=True)
    assert "not installed" in exc.value.message and "agentcfg-gitops[oci]" in (exc.value.hint or "")
    r = cli("verify", "oci://localhost:5000/team/agents:production", "--plain-http")
    assert r.exit_code == 2 and "agentcfg-gitops[oci]" in r.output
