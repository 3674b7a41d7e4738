"""The risk table in the code, in docs/risk.md and the baseline contract agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentcfg.semdiff.risk import RULES, RiskLevel, strongest
from agentcfg.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(?P<id>[a-z-]+)` \| (?P<level>[a-z]+) \| (?P<when>.+?) \| (?P<why>.+?) \|$")

# The baseline contract, level by level (an independent statement of what the table must say).
BASELINE_LEVELS = {
    "tool-gains-write": "critical", "tool-gains-destructive": "critical", "tool-gains-open-world": "critical",
    "tool-loses-approval": "critical", "policy-weakened": "critical", "memory-embedder": "critical",
    "embedder-model-changed": "critical", "secret-literal": "critical", "graph-state-schema": "critical",
    "model-identity": "high", "model-floating": "high", "agent-gains-tool": "high", "graph-nodes": "high",
    "graph-edges": "high", "graph-entry": "high", "code-commit": "high", "tool-input-breaking": "high",
    "tool-renamed": "high", "memory-orphaned": "high", "memory-ttl-shrinks": "high",
    "prompt-text": "medium", "tool-description": "medium", "model-parameters": "medium", "data-content": "medium",
    "graph-max-steps-grows": "medium", "tool-input-compatible": "medium",
    "metadata": "low", "added-unused": "low",
}


def docs_table() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in (ROOT / "docs" / "risk.md").read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            assert m["id"] not in rows, f"{m['id']} twice in docs/risk.md"
            rows[m["id"]] = (m["level"], m["when"], m["why"])
    return rows


def test_docs_table_is_the_code_table() -> None:
    docs = docs_table()
    code = {r.id: (r.level.name, r.when, r.reason) for r in RULES.values()}
    assert list(docs) == list(code), "same rules, in the same order"
    for rule_id, row in code.items():
        assert docs[rule_id] == row, f"docs/risk.md disagrees with risk.py on {rule_id}"


def test_spec_baseline_levels() -> None:
    for rule_id, level in BASELINE_LEVELS.items():
        assert RULES[rule_id].level.name == level, rule_id


def test_every_rule_has_a_reason() -> None:
    for rule in RULES.values():
        assert rule.reason.strip() and rule.when.strip(), rule.id


def test_json_schema_lists_every_rule() -> None:
    schema = json.loads((ROOT / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["change"]["properties"]["rule"]["enum"] == sorted(RULES)


def test_risk_level_order_and_parse() -> None:
    assert RiskLevel.none < RiskLevel.low < RiskLevel.medium < RiskLevel.high < RiskLevel.critical
    assert RiskLevel.parse("High") is RiskLevel.high
    assert RiskLevel.parse(RiskLevel.low) is RiskLevel.low
    assert str(RiskLevel.critical) == "critical"
    with pytest.raises(UsageError, match="not a risk level"):
        RiskLevel.parse("severe")


def test_strongest_prefers_the_higher_level_then_the_first() -> None:
    assert strongest(["tool-description", "secret-literal"]).id == "secret-literal"
    assert strongest(["model-floating", "model-identity"]).id == "model-floating"
