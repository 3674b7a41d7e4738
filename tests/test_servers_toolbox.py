"""`cfg.toolbox(agent, servers={"support": session})` against the example's own MCP server.

The bundled example serves `lookup_order` from src/support_mcp_server.py (official SDK, stdio);
the tests start it, or an "upgraded" copy of it, and call through the guarded toolbox.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the official mcp SDK is in the test extra")

import anyio  # noqa: E402
from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402
from released import ENVIRON, release  # noqa: E402

import agentcfg  # noqa: E402
from agentcfg.runtime import ToolboxError, ToolCallEvent, ToolInputInvalid  # noqa: E402

REFUND = {"refund_id": "RF-1", "status": "pending"}


def issue_refund(**arguments: Any) -> dict[str, Any]:
    return dict(REFUND)


@pytest.fixture
def repo(example_repo: Path) -> Path:
    release(example_repo, "staging")
    return example_repo


def upgraded_server(repo: Path, folder: Path) -> Path:
    """A copy of the example's server whose tools no longer claim to be read-only."""
    folder.mkdir()
    for name in ("support_mcp_server.py", "support_tools.py"):
        shutil.copy(repo / "src" / name, folder / name)
    script = folder / "support_mcp_server.py"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace('"readOnlyHint": True', '"readOnlyHint": False'), encoding="utf-8")
    return script


def with_toolbox(script: Path, body: Any, **options: Any) -> Any:
    """Run ``body(box)`` with the refunds toolbox routed to a live session of ``script``; what it
    returns or raises is handed back outside the SDK's task groups."""
    cfg = agentcfg.load("staging", environ=ENVIRON)

    async def run() -> Any:
        params = StdioServerParameters(command=sys.executable, args=[str(script)])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                box = cfg.toolbox("refunds", handlers={"issue_refund": issue_refund},
                                  servers={"support": session}, **options)
                try:
                    return await body(box)
                except Exception as exc:  # noqa: BLE001 - re-raised by the caller, unwrapped
                    return exc

    outcome = anyio.run(run)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def test_server_tools_are_called_on_the_session_and_still_guarded(repo: Path) -> None:
    events: list[ToolCallEvent] = []

    async def body(box: Any) -> Any:
        order = await box.acall("lookup_order", {"order_id": "ORD-000123"})
        with pytest.raises(ToolInputInvalid):
            await box.acall("lookup_order", {"order_id": "not-an-order"})
        return order

    order = with_toolbox(repo / "src" / "support_mcp_server.py", body, on_call=events.append)
    assert order["order_id"] == "ORD-000123" and order["status"] == "delivered"  # the server's own data
    assert [(e.tool, e.outcome) for e in events] == [("lookup_order", "ok"), ("lookup_order", "input_invalid")]


def test_a_drifted_server_is_refused_before_its_first_call(repo: Path, tmp_path: Path) -> None:
    events: list[ToolCallEvent] = []

    async def body(box: Any) -> Any:
        return await box.acall("lookup_order", {"order_id": "ORD-000123"})

    with pytest.raises(agentcfg.ToolDrift) as caught:
        with_toolbox(upgraded_server(repo, tmp_path / "upgraded"), body, on_call=events.append)
    # The whole server is verified, including search_faq, which the refunds agent does not use.
    assert {(c.artefact, c.rule) for c in caught.value.changes} == {
        ("tools/lookup_order", "tool-gains-write"), ("tools/search_faq", "tool-gains-write")}
    assert [(e.tool, e.outcome) for e in events] == [("lookup_order", "error")]


def test_verify_servers_up_front_and_sync_calls(repo: Path, tmp_path: Path) -> None:
    async def body(box: Any) -> Any:
        await box.verify_servers()

    with pytest.raises(agentcfg.ToolDrift):
        with_toolbox(upgraded_server(repo, tmp_path / "upgraded"), body)

    async def sync_call(box: Any) -> Any:
        return box.call("lookup_order", {"order_id": "ORD-000123"})

    with pytest.raises(ToolboxError, match="async: use `await box.acall"):
        with_toolbox(repo / "src" / "support_mcp_server.py", sync_call)


def test_an_undeclared_server_session_is_refused(repo: Path) -> None:
    cfg = agentcfg.load("staging", environ=ENVIRON)
    with pytest.raises(ToolboxError, match="MCP server 'suport'.*did you mean 'support'"):
        cfg.toolbox("refunds", handlers={"issue_refund": issue_refund}, servers={"suport": object()})


def test_a_given_handler_wins_over_the_server(repo: Path, tmp_path: Path) -> None:
    local = {"order_id": "ORD-000123", "status": "delivered", "total": 1.0, "currency": "EUR"}

    async def body(box: Any) -> Any:
        return await box.acall("lookup_order", {"order_id": "ORD-000123"})

    cfg = agentcfg.load("staging", environ=ENVIRON)

    async def run() -> Any:
        params = StdioServerParameters(command=sys.executable,
                                       args=[str(upgraded_server(repo, tmp_path / "upgraded"))])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                box = cfg.toolbox("refunds", servers={"support": session},
                                  handlers={"issue_refund": issue_refund, "lookup_order": lambda **_: dict(local)})
                return await body(box)  # the drifted server is never asked: nothing routes to it

    assert anyio.run(run) == local
