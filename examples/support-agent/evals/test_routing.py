"""A small offline eval of support_flow's routing, run against the release being attested.

`agentcfg attest staging --name support_evals --junit reports/support_evals.xml -- python -m pytest evals
--junit-xml reports/support_evals.xml` runs it with AGENTCFG_RELEASE pointing at the release file
of the digest being measured, so the result is evidence about exactly that config. Real evals
would call the models; this one needs no network: it checks that every golden ticket in the eval
set can be routed where it is expected to go, and that money never moves without a person.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _release() -> dict:
    path = os.environ.get("AGENTCFG_RELEASE") or PROJECT / "releases" / "staging.json"
    return json.loads(Path(path).read_text(encoding="utf-8"))


CONFIG = _release()["config"]
FLOW = CONFIG["orchestration"]["support_flow"]
EVAL_SET = PROJECT / CONFIG["data"]["support_evals"]["path"]
CASES = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _routes() -> dict[str, str]:
    """route name -> node, from the entry node's `route == '...'` edges."""
    out = {}
    for edge in FLOW["edges"]:
        when = edge.get("when") or ""
        if edge["from"] == FLOW["entry"] and when.startswith("route == "):
            out[when.removeprefix("route == ").strip("'\"")] = edge["to"]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_expected_route_leads_to_a_node(case: dict) -> None:
    routes = _routes()
    assert case["expected_route"] in routes, (
        f"{case['id']}: triage has no edge for route '{case['expected_route']}' (routes: {sorted(routes)})")
    assert routes[case["expected_route"]] in FLOW["nodes"]


def test_refunds_pass_a_human_before_money_moves() -> None:
    refund_nodes = {name for name, node in FLOW["nodes"].items() if node.get("tool") == "issue_refund"}
    for edge in FLOW["edges"]:
        if edge["to"] in refund_nodes:
            assert "human" in FLOW["nodes"][edge["from"]], f"{edge['from']} → {edge['to']} skips approval"


def test_route_coverage(record_testsuite_property) -> None:
    routes = _routes()
    covered = sum(case["expected_route"] in routes for case in CASES) / len(CASES)
    record_testsuite_property("route_coverage", round(covered, 4))
    assert covered == 1.0
