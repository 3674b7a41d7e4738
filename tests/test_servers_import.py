"""`agentcfg import tools --server NAME` from real MCP servers started by the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import Result, commit_all

pytest.importorskip("mcp", reason="the official mcp SDK is in the test extra")

from mcp_servers import ToolServer, assert_stopped, cancel_order, lookup_order, make_project  # noqa: E402

CLI = Callable[..., Result]


@pytest.fixture
def declared_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ToolServer:
    """A project that declares the server but none of its tools yet."""
    served = [lookup_order(), cancel_order(), {"name": "ping", "inputSchema": {"type": "object"}}]
    server = ToolServer(tmp_path / "server").write(served, page_size=2)
    repo = make_project(tmp_path / "repo", {"shop": {"command": server.command()}}, {})
    monkeypatch.chdir(repo)
    return server


def test_import_writes_each_served_tool_and_check_then_passes(declared_only: ToolServer, cli: CLI) -> None:
    result = cli("import", "tools", "--server", "shop")
    assert result.exit_code == 0, result
    assert "wrote tools/shop/lookup_order.yaml" in result.stderr
    assert "3 tools imported" in result.stderr
    assert "tools/ping: no description" in result.stderr  # the same oddity report as file imports
    snippet = result.stdout
    assert "  cancel_order:\n    file: tools/shop/cancel_order.yaml" in snippet
    text = Path("tools/shop/cancel_order.yaml").read_text()
    assert "# Served by MCP server 'shop'" in text and "server: shop" in text
    assert_stopped(declared_only.pids())

    manifest = Path("agentcfg.yaml").read_text().replace("tools: {}\n", snippet)
    Path("agentcfg.yaml").write_text(manifest)
    assert cli("validate").exit_code == 0
    check = cli("check", "servers", "--fail-on", "low")
    assert check.exit_code == 0, check  # a snapshot is what the server serves, field for field


def test_import_json_report_and_refusal_to_overwrite(declared_only: ToolServer, cli: CLI) -> None:
    result = cli("import", "tools", "--server", "shop", "--into", "vendor", "--format", "json")
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["written"] and report["files"]["lookup_order"] == "vendor/lookup_order.yaml"
    assert report["tools"]["lookup_order"]["server"] == "shop"
    again = cli("import", "tools", "--server", "shop", "--into", "vendor")
    assert again.exit_code == 2 and "already exist" in again.stderr


def test_a_name_declared_for_another_server_is_reported(tmp_path: Path, cli: CLI,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    a = ToolServer(tmp_path / "a").write([lookup_order()])
    b = ToolServer(tmp_path / "b").write([lookup_order()])
    repo = make_project(tmp_path / "repo", {"a": {"command": a.command()}, "b": {"command": b.command()}},
                        {"lookup_order": (lookup_order(), "a")})
    monkeypatch.chdir(repo)
    commit_all(repo, "a")
    result = cli("import", "tools", "--server", "b")
    assert result.exit_code == 0
    assert "already declares a tool 'lookup_order' (served by 'a')" in result.stderr
    assert "[name-taken]" in result.stderr


def test_usage_errors(declared_only: ToolServer, cli: CLI) -> None:
    assert "give either FILE" in cli("import", "tools").stderr
    result = cli("import", "tools", "--server", "shpo")
    assert result.exit_code == 2 and "did you mean 'shop'" in result.stderr
    result = cli("import", "tools", "--server", "shop", "--from", "openai")
    assert result.exit_code == 2 and "--from does not apply" in result.stderr
    declared_only.write([], behaviour="crash")
    result = cli("import", "tools", "--server", "shop")
    assert result.exit_code == 2 and "mcp server 'shop'" in result.stderr
    assert not Path("tools").exists()
    assert_stopped(declared_only.pids())


def test_add_inserts_the_served_tools_into_the_manifest(declared_only: ToolServer, cli: CLI) -> None:
    manifest = Path("agentcfg.yaml").read_text().replace("tools: {}\n", "# reviewed tools\ntools:\n")
    Path("agentcfg.yaml").write_text(manifest)
    result = cli("import", "tools", "--server", "shop", "--add")
    assert result.exit_code == 0, result
    assert "added 3 tools to agentcfg.yaml" in result.stderr
    manifest = Path("agentcfg.yaml").read_text()
    assert "# reviewed tools" in manifest and "file: tools/shop/lookup_order.yaml" in manifest
    assert cli("validate").exit_code == 0
    check = cli("check", "servers", "--fail-on", "low")
    assert check.exit_code == 0, check
    again = cli("import", "tools", "--server", "shop", "--add", "--force")
    assert again.exit_code == 2 and "lookup_order" in again.stderr  # already in tools: refused, nothing written
    assert_stopped(declared_only.pids())
