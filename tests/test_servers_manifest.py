"""`mcp_servers:` in the manifest: validation, overlays, render/lock/release (no resolved secret)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import Result, build_tree, commit_all, init_repo

CLI = Callable[..., Result]
TOOL = "name: lookup\ndescription: Look up an order.\ninputSchema: {type: object}\n"


def project(root: Path, servers: str, *, tools: str = "  lookup: {file: tools/lookup.yaml, server: shop}\n",
            files: dict[str, str] | None = None) -> Path:
    init_repo(root)
    manifest = (f"format_version: 1\nname: shop\nenvironments: [staging, production]\nmcp_servers:\n{servers}"
                f"tools:\n{tools}")
    build_tree(root, {"agentcfg.yaml": manifest, "tools/lookup.yaml": TOOL, ".gitignore": ".agentcfg/\n",
                      **(files or {})})
    return root


def findings(cli: CLI, *args: str) -> list[dict[str, Any]]:
    result = cli("validate", "--format", "json", *args)
    report: dict[str, Any] = json.loads(result.stdout)
    assert (result.exit_code == 0) == report["ok"]
    return [f for f in report["findings"] if f["severity"] == "error"]


def codes(found: list[dict[str, Any]]) -> list[tuple[str, str | None, int]]:
    return [(f["code"], f["artefact"], f["line"]) for f in found]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_stdio_and_local_http_servers_validate(in_tmp: Path, cli: CLI) -> None:
    project(in_tmp, '  shop: {command: [shop-mcp, "--db", "x; rm -rf /"], env: {LOG_LEVEL: debug,'
                    ' SHOP_TOKEN: "${env:SHOP_TOKEN}"}}\n'
                    '  local: {url: "http://127.0.0.1:8931/mcp"}\n  v6: {url: "http://[::1]:8931/mcp"}\n'
                    '  remote: {url: "https://search.example/mcp", headers: {Authorization: "Bearer ${env:SEARCH}"}}\n')
    assert findings(cli) == []


@pytest.mark.parametrize(("entry", "message"), [
    ('{command: [shop-mcp], url: "https://x.example/mcp"}', "give exactly one of 'command'"),
    ("{description: nothing to start}", "give exactly one of 'command'"),
    ("{command: []}", "non-empty argv list"),
    ('{command: [shop-mcp, ""]}', "non-empty argv list"),
    ('{url: "http://shop.example/mcp"}', "plain http to 'shop.example'"),
    ('{url: "ftp://shop.example/mcp"}', "must be an https:// URL"),
    ('{url: "https://shop.example/mcp", env: {A: b}}', "'env' applies to a command server"),
    ('{command: [shop-mcp], headers: {A: b}}', "'headers' apply to a url server"),
])
def test_transport_rules(in_tmp: Path, cli: CLI, entry: str, message: str) -> None:
    project(in_tmp, f"  shop: {entry}\n", tools="  lookup: {file: tools/lookup.yaml}\n")
    found = findings(cli)
    assert [(f["code"], f["artefact"], f["line"]) for f in found] == [("invalid-value", "mcp_servers/shop", 5)]
    assert message in found[0]["message"]


def test_a_command_must_be_an_argv_list_not_a_shell_string(in_tmp: Path, cli: CLI) -> None:
    project(in_tmp, '  shop: {command: "shop-mcp --db x && curl evil"}\n',
            tools="  lookup: {file: tools/lookup.yaml}\n")
    found = findings(cli)
    assert codes(found) == [("type", "mcp_servers/shop", 5)]
    assert "valid list" in found[0]["message"]


@pytest.mark.parametrize("value", ["Bearer abc123def456", "abc123def456", "Bearer ${env:T} extra-literal"])
def test_credentials_only_as_env_references(in_tmp: Path, cli: CLI, value: str) -> None:
    project(in_tmp, f'  shop: {{url: "https://x.example/mcp", headers: {{Authorization: "{value}"}}}}\n'
                    f'  gh: {{command: [github-mcp-server], env: {{GITHUB_PERSONAL_ACCESS_TOKEN: "{value}"}}}}\n')
    result = cli("validate")
    assert result.exit_code == 1
    assert "abc123def456" not in result.output and "extra-literal" not in result.output
    found = findings(cli)
    assert sorted(codes(found)) == [("server-secret-literal", "mcp_servers/gh", 6),
                                    ("server-secret-literal", "mcp_servers/shop", 5)]
    assert "${env:" in found[0]["hint"]


def test_a_tool_server_must_be_declared(in_tmp: Path, cli: CLI) -> None:
    project(in_tmp, "  shop: {command: [shop-mcp]}\n", tools="  lookup: {file: tools/lookup.yaml, server: shpo}\n")
    found = findings(cli)
    assert codes(found) == [("unresolved-reference", "tools/lookup", 7)]
    assert "did you mean 'shop'" in found[0]["message"]


def test_overlays_may_move_a_server_but_not_change_its_program(in_tmp: Path, cli: CLI) -> None:
    servers = ('  search: {url: "https://search.staging.example/mcp", headers: {Authorization: "Bearer ${env:T}"}}\n'
               "  shop: {command: [shop-mcp]}\n")
    overlay = ('mcp_servers:\n  search: {url: "https://search.example/mcp", headers: {X-Tenant: acme}}\n'
               "  shop: {env: {SHOP_REGION: eu}}\n")
    project(in_tmp, servers, files={"environments/production.yaml": overlay})
    assert findings(cli, "--env", "production") == []
    rendered = json.loads(cli("render", "production", "--format", "json").stdout)
    config = rendered.get("config", rendered)
    assert config["mcp_servers"]["search"] == {"url": "https://search.example/mcp",
                                               "headers": {"Authorization": "Bearer ${env:T}", "X-Tenant": "acme"}}
    assert config["mcp_servers"]["shop"] == {"command": ["shop-mcp"], "env": {"SHOP_REGION": "eu"}}

    bad = "mcp_servers:\n  shop: {command: [other-mcp]}\n  extra: {command: [x]}\n  search: null\n"
    build_tree(in_tmp, {"environments/production.yaml": bad})
    found = findings(cli, "--env", "production")
    assert [(f["code"], f["file"], f["line"]) for f in found] == [
        ("overlay-key", "environments/production.yaml", 2), ("overlay-key", "environments/production.yaml", 3),
        ("overlay-key", "environments/production.yaml", 4)]
    assert "may not set 'command' of mcp_servers/shop" in found[0]["message"]


def test_release_and_lock_keep_references_and_load_does_not_need_them(in_tmp: Path, cli: CLI,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import agentcfg

    project(in_tmp, '  shop: {url: "https://shop.example/mcp", headers: {Authorization: "Bearer ${env:SHOP_TOKEN}"}}\n')
    commit_all(in_tmp, "servers")
    monkeypatch.setenv("SHOP_TOKEN", "resolved-secret-value")
    assert cli("lock").exit_code == 0
    commit_all(in_tmp, "lock")
    assert cli("promote", "HEAD", "staging").exit_code == 0
    lock = (in_tmp / "agentcfg.lock").read_text()
    release = (in_tmp / "releases" / "staging.json").read_text()
    assert "mcp_servers/shop" in lock
    assert "Bearer ${env:SHOP_TOKEN}" in release and "resolved-secret-value" not in release + lock
    monkeypatch.delenv("SHOP_TOKEN")
    config = agentcfg.load("staging")  # an agent that never talks to the server needs no token
    assert config.raw["mcp_servers"]["shop"]["headers"] == {"Authorization": "Bearer ${env:SHOP_TOKEN}"}


def test_a_config_without_servers_renders_as_before(in_tmp: Path) -> None:
    init_repo(in_tmp)
    manifest = "format_version: 1\nname: plain\ntools:\n  lookup: {file: tools/lookup.yaml}\n"
    build_tree(in_tmp, {"agentcfg.yaml": manifest,
                        "tools/lookup.yaml": TOOL})
    from agentcfg.manifest.loader import load_manifest
    from agentcfg.rendering import prepare
    from agentcfg.trees import WorkTree

    loaded = load_manifest(WorkTree(in_tmp))
    assert loaded.manifest is not None
    _, config = prepare(loaded.manifest)
    assert "mcp_servers" not in config  # so root digests of existing configs do not move
