"""diff_configs: matching by name, renames, redaction, details, and robustness."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diff_support import FakeResolver, manifest, render

from agentcfg.semdiff import RiskLevel, diff_configs, diff_digests
from agentcfg.semdiff.sides import lock_digests

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "diff.schema.json").read_text())
SECRET = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2"


def rows(result: Any) -> list[tuple[str, str, str, str]]:
    return [(c.artefact, c.kind, c.path, c.rule) for c in result.changes]


def test_identical_and_reordered_configs_have_no_changes() -> None:
    config = render(manifest())
    shuffled = json.loads(json.dumps(config))
    shuffled["tools"] = dict(reversed(list(shuffled["tools"].items())))
    shuffled["tools"]["refund_order"] = dict(reversed(list(shuffled["tools"]["refund_order"].items())))
    result = diff_configs(config, shuffled)
    assert result.empty and result.max_risk is RiskLevel.none
    assert result.counts == {"none": 0, "low": 0, "medium": 0, "high": 0, "critical": 0}


def test_true_and_one_differ_as_they_do_in_digests() -> None:
    old = render(manifest())
    new = copy.deepcopy(old)
    new["models"]["chat"]["parameters"]["temperature"] = 1
    old["models"]["chat"]["parameters"]["temperature"] = True
    assert rows(diff_configs(old, new)) == [("models/chat", "changed", "parameters.temperature", "model-parameters")]


def test_edges_are_matched_by_from_and_to_not_position() -> None:
    old_doc, new_doc = manifest(), manifest()
    edges = new_doc["orchestration"]["flow"]["edges"]
    edges.reverse()
    edges.insert(2, {"from": "r", "to": "END", "when": "nothing_to_refund"})
    result = diff_configs(render(old_doc), render(new_doc))
    assert rows(result) == [("orchestration/flow", "added", "edges[r->END]", "graph-edges")]
    assert result.changes[0].new == {"from": "r", "to": "END", "when": "nothing_to_refund"}


def test_edges_only_reordered_is_low() -> None:
    new_doc = manifest()
    new_doc["orchestration"]["flow"]["edges"].reverse()
    assert rows(diff_configs(render(manifest()), render(new_doc))) == [
        ("orchestration/flow", "changed", "edges", "list-reordered")]


def test_graph_nodes_and_fallbacks_are_matched_by_name() -> None:
    new_doc = manifest()
    new_doc["models"]["spare"] = {"provider": "openai", "id": "gpt-4o-mini-2024-07-18"}
    new_doc["models"]["chat"]["fallbacks"] = ["spare", "backup"]  # inserted in front of the old one
    new_doc["orchestration"]["flow"]["nodes"]["approve"]["human"]["approvers"] = ["leads", "finance"]
    got = rows(diff_configs(render(manifest()), render(new_doc)))
    assert ("models/chat", "added", "fallbacks[spare]", "model-fallback-added") in got
    assert not [r for r in got if r[2] == "fallbacks"]  # no spurious reorder: backup kept its relative place
    assert ("orchestration/flow", "changed", "nodes.approve.human.approvers", "graph-nodes") in got


def test_tool_rename_is_one_row_and_references_follow_it() -> None:
    new_doc = manifest()
    new_doc["tools"]["issue_refund"] = new_doc["tools"].pop("refund_order")
    for agent in ("triage", "refunds"):
        new_doc["agents"][agent]["tools"] = ["lookup_order", "issue_refund"]
    new_doc["orchestration"]["flow"]["nodes"]["pay"] = {"tool": "issue_refund"}
    result = diff_configs(render(manifest()), render(new_doc))
    assert rows(result) == [
        ("tools/issue_refund", "renamed", "", "tool-renamed"),
        ("orchestration/flow", "changed", "nodes.pay.tool", "reference-same-content"),
        ("agents/refunds", "renamed", "tools[issue_refund]", "reference-same-content"),
        ("agents/triage", "renamed", "tools[issue_refund]", "reference-same-content"),
    ]
    rename = result.changes[0]
    assert (rename.old, rename.new, rename.risk) == ("refund_order", "issue_refund", RiskLevel.high)
    assert rename.impact == ["agents/refunds", "agents/triage", "orchestration/flow"]


def test_rename_with_changed_content_is_remove_plus_add() -> None:
    new_doc = manifest()
    new_doc["prompts"]["spare"] = {"template": "A"}
    old_doc = manifest()
    old_doc["prompts"]["extra"] = {"template": "B"}
    assert rows(diff_configs(render(old_doc), render(new_doc))) == [
        ("prompts/extra", "removed", "", "removed-unused"),
        ("prompts/spare", "added", "", "added-unused"),
    ]


def test_embedder_pointing_at_an_identical_model_is_low() -> None:
    new_doc = manifest()
    new_doc["models"]["embedder_v1"] = dict(new_doc["models"]["embedder"], description="same model, new name")
    new_doc["memory"]["history"]["embedder"] = "embedder_v1"
    got = rows(diff_configs(render(manifest()), render(new_doc)))
    assert ("memory/history", "changed", "embedder", "reference-same-content") in got


def test_embedder_pointing_at_another_model_is_critical_and_irreversible() -> None:
    new_doc = manifest()
    new_doc["models"]["big"] = {"provider": "openai", "id": "text-embedding-3-large", "kind": "embedding",
                                "dims": 1536}
    new_doc["memory"]["history"]["embedder"] = "big"
    result = diff_configs(render(manifest()), render(new_doc))
    change = next(c for c in result.changes if c.path == "embedder")
    assert (change.rule, change.risk, change.irreversible) == ("memory-embedder", RiskLevel.critical, True)
    assert result.irreversible == [change]


def test_an_old_migration_does_not_cover_a_new_change() -> None:
    old_doc, new_doc = manifest(), manifest()
    old_doc["memory"]["history"]["migration"] = new_doc["memory"]["history"]["migration"] = "v1 → v2 (done)"
    new_doc["memory"]["history"]["schema_version"] = "3"
    (change,) = diff_configs(render(old_doc), render(new_doc)).changes
    assert change.rule == "memory-embedder" and change.risk is RiskLevel.critical


def test_secrets_are_redacted_and_flagged_env_references_shown() -> None:
    new_doc = manifest()
    new_doc["prompts"]["triage"]["template"] += f"Use key {SECRET} for the API.\n"
    new_doc["memory"]["history"]["store"]["url"] = "https://app:${env:QDRANT_PASSWORD}@qdrant.internal"
    result = diff_configs(render(manifest()), render(new_doc))
    dumped = json.dumps(result.to_dict())
    assert SECRET not in dumped and SECRET[:12] not in dumped
    prompt = next(c for c in result.changes if c.artefact == "prompts/triage")
    assert prompt.rule == "secret-literal" and prompt.risk is RiskLevel.critical
    assert f"<redacted: {len(SECRET)} chars>" in prompt.new and "<redacted" in (prompt.text_diff or "")
    url = next(c for c in result.changes if c.artefact == "memory/history")
    assert url.new == "https://app:${env:QDRANT_PASSWORD}@qdrant.internal"
    assert url.rule == "memory-orphaned"


def test_secret_already_present_is_not_reported_again() -> None:
    old, new = render(manifest()), render(manifest())
    old["tools"]["send_email"]["description"] = f"key {SECRET}"
    new["tools"]["send_email"]["description"] = f"key {SECRET}, now documented"
    (change,) = diff_configs(old, new).changes
    assert change.rule == "tool-description" and SECRET not in json.dumps(change.to_dict())


def test_prompt_diff_names_variables_added_and_removed() -> None:
    new_doc = manifest()
    new_doc["prompts"]["triage"]["template"] = "You triage tickets for {{brand}}.\nBe brief with {{customer}}.\n"
    new_doc["prompts"]["triage"]["variables"] = ["brand", "customer"]
    result = diff_configs(render(manifest()), render(new_doc))
    template, variables = result.changes
    assert template.details == {"variables_added": ["brand", "customer"], "variables_removed": ["company"]}
    assert variables.details == template.details
    assert template.text_diff is not None
    assert "-You triage tickets for {{company}}." in template.text_diff
    assert "+Be brief with {{customer}}." in template.text_diff


def test_data_size_and_file_count_are_details_of_the_content_change() -> None:
    result = diff_configs(render(manifest()), render(manifest(), FakeResolver(data={"faq": "a longer corpus"})))
    (change,) = result.changes
    assert change.path == "digest" and change.details["size"]["new"] == len("a longer corpus")


def test_policies() -> None:
    old_doc, new_doc = manifest(), manifest()
    old_doc["policies"]["production"]["frozen"] = True
    new_doc["policies"]["production"]["require_approval_for"] = []
    del new_doc["policies"]["staging"]
    new_doc["policies"]["qa"] = {"require_pinned_models": True}
    got = rows(diff_configs(render(old_doc), render(new_doc)))
    assert got == [
        ("policies/production", "changed", "frozen", "policy-weakened"),
        ("policies/production", "removed", "require_approval_for[destructive]", "policy-weakened"),
        ("policies/qa", "added", "", "policy-strengthened"),
        ("policies/staging", "removed", "", "removed-unused"),  # max_risk critical: no rule lost
    ]
    old_doc["policies"]["staging"]["max_risk"] = "medium"
    assert ("policies/staging", "removed", "", "policy-weakened") in rows(diff_configs(render(old_doc),
                                                                                        render(new_doc)))


def test_added_model_with_a_floating_id_is_high() -> None:
    new_doc = manifest()
    new_doc["models"]["fast"] = {"provider": "openai", "id": "gpt-4o-mini"}
    (change,) = diff_configs(render(manifest()), render(new_doc)).changes
    assert (change.kind, change.rule, change.risk) == ("added", "model-floating", RiskLevel.high)


def test_from_nothing_everything_is_added() -> None:
    config = render(manifest())
    result = diff_configs(None, config)
    assert {c.kind for c in result.changes} == {"added"}
    assert len(result.changes) == sum(len(config[s]) for s in config
                                      if isinstance(config[s], dict)) + 2  # + name, format_version
    jsonschema.validate(result.to_dict(), SCHEMA)


def test_only_changed_artefacts_are_walked(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentcfg.semdiff import compare, engine

    doc = manifest()
    for i in range(2000):
        doc["prompts"][f"p{i:04d}"] = {"template": f"Prompt {i}.\n"}
    old = render(doc)
    new = copy.deepcopy(old)
    for i in range(0, 2000, 100):
        new["prompts"][f"p{i:04d}"]["template"] = f"Prompt {i}, edited.\n"
    walked: list[str] = []
    original = compare.COMPARERS["prompts"]
    monkeypatch.setitem(engine.COMPARERS, "prompts", lambda pair: walked.append(pair.name) or original(pair))
    result = diff_configs(old, new)
    assert len(walked) == 20 and len(result.changes) == 20


def test_lock_sides_give_digest_level_changes() -> None:
    lock = {"format_version": 1, "artefacts": {"tools/a": {"digest": "sha256:1"}, "prompts/p": {"digest": "sha256:2"},
                                                "data/d": {"digest": "sha256:3"}},
            "environments": {"prod": {"digest": "x", "artefacts": {"prompts/p": {"digest": "sha256:9"},
                                                                   "data/d": None}}}}
    base, prod = lock_digests(lock, None), lock_digests(lock, "prod")
    assert prod == {"tools/a": "sha256:1", "prompts/p": "sha256:9"}
    result = diff_digests(base, prod)
    assert rows(result) == [("data/d", "removed", "", "digest-only-medium"),
                            ("prompts/p", "changed", "", "digest-only-medium")]
    jsonschema.validate(result.to_dict(), SCHEMA)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
sections = st.sampled_from(["code", "data", "models", "prompts", "tools", "memory", "orchestration", "agents",
                            "policies", "name"])
# Field names the comparers know, so odd values reach their special cases too.
FIELDS = ["id", "provider", "kind", "dims", "parameters", "fallbacks", "pinned", "template", "variables", "format",
          "annotations", "inputSchema", "outputSchema", "approval", "code", "description", "store", "embedder",
          "ttl", "namespace", "schema_version", "migration", "nodes", "edges", "entry", "max_steps",
          "state_schema_version", "model", "prompt", "tools", "memory", "commit", "ref", "digest", "size", "path",
          "frozen", "max_risk", "require_approval_for", "require_pinned_models"]
artefacts = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4) | json_values
configs = st.dictionaries(sections, st.dictionaries(st.sampled_from(["a", "b", "c"]), artefacts, max_size=3),
                          max_size=5)


@settings(max_examples=300, deadline=None)
@given(configs, configs)
def test_any_input_diffs_without_raising_and_a_config_equals_itself(old: Any, new: Any) -> None:
    assert diff_configs(old, copy.deepcopy(old)).empty
    result = diff_configs(old, new)
    jsonschema.validate(result.to_dict(), SCHEMA)
    assert all(c.risk >= RiskLevel.low for c in result.changes)


def test_odd_shapes_are_reported_not_raised() -> None:
    odd = [
        ({"agents": {"a": {"tools": True}}}, {"agents": {"a": {"tools": ["x", 1]}}}),
        ({"policies": {"p": {"require_approval_for": [{}]}}}, {"policies": {"p": {"require_approval_for": [[1]]}}}),
        ({"tools": {"t": {"inputSchema": {"type": [1, {}], "properties": [1], "required": [[1]], "enum": [{}]}}}},
         {"tools": {"t": {"annotations": [1], "inputSchema": {"type": 3, "required": 5, "enum": 3, "minimum": "a"}}}}),
        ({"memory": {"m": {"ttl": "5d", "embedder": ["x"]}}}, {"memory": {"m": {"ttl": [1], "embedder": {}}}}),
        ({"orchestration": {"g": {"edges": [{"from": [1]}], "max_steps": True}}},
         {"orchestration": {"g": {"edges": "x", "max_steps": "many"}}}),
        ({"prompts": {"p": {"template": "{0}", "format": "f-string", "variables": "abc"}}},
         {"prompts": {"p": {"template": 3, "format": [1], "variables": [1, 2]}}}),
    ]
    for old, new in odd:
        result = diff_configs(old, new)
        assert result.changes and all(c.risk >= RiskLevel.low for c in result.changes)
        jsonschema.validate(result.to_dict(), SCHEMA)


def test_impact_follows_fallbacks_memory_and_code() -> None:
    new_doc = manifest()
    new_doc["models"]["backup"]["id"] = "claude-3-5-sonnet-20250101"  # runs refunds, and is chat's fallback
    new_doc["code"]["shop_tools"]["ref"] = "v2"  # implements refund_order, and runs the refunds agent
    result = diff_configs(render(manifest()), render(new_doc))
    impact = {c.artefact: tuple(c.impact) for c in result.changes}
    assert impact["models/backup"] == ("agents/mailer", "agents/refunds", "agents/triage", "orchestration/flow")
    assert impact["code/shop_tools"] == ("agents/refunds", "agents/triage", "orchestration/flow")
