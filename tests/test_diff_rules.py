"""Every row of the risk table, exercised by a before/after pair ("done when").

Each case edits the shared manifest (or its resolutions), diffs old against new, and asserts
that the expected artefact/field is reported under the rule, with the table's level and reason
and the expected impact. ``test_every_rule_has_a_case`` keeps this list complete.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from test_diff_support import FakeResolver, manifest, render

from agentcfg.semdiff import RULES, artefact_digests, diff_configs, diff_digests
from agentcfg.semdiff.result import Change, DiffResult

Doc = dict[str, Any]
FLOW = "orchestration/flow"
REFUND_USERS = ("agents/refunds", "agents/triage", FLOW)
CHAT_USERS = ("agents/mailer", "agents/triage", FLOW)


@dataclass
class Case:
    rule: str
    edit: Callable[[Doc], None] | None  # edits the new manifest (the old one is BASE)
    artefact: str
    path: str
    impact: tuple[str, ...]
    edit_old: Callable[[Doc], None] | None = None
    old_resolver: FakeResolver | None = None
    new_resolver: FakeResolver | None = None
    digest_only: bool = False
    irreversible: bool = False


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """An edit setting ``a.b.c`` (creating mappings on the way)."""
    def edit(doc: Doc) -> None:
        keys = path.split(".")
        node = doc
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = copy.deepcopy(value)  # one edit may be applied to both sides
    return edit


def _all(*edits: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        for e in edits:
            e(doc)
    return edit


def _rename(section: str, old: str, new: str, fix: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        doc[section][new] = doc[section].pop(old)
        fix(doc)
    return edit


def _drop(path: str) -> Callable[[Doc], None]:
    def edit(doc: Doc) -> None:
        keys = path.split(".")
        node = doc
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
    return edit


SPARE_MODEL = _set("models.spare", {"provider": "openai", "id": "gpt-4o-mini-2024-07-18"})
OTHER_CODE = _set("code.other_tools", {"repo": ".", "ref": "other-branch"})
SHOP_SERVER = _set("mcp_servers.shop", {"command": ["shop-mcp", "stdio"]})
SHOP_SERVES_LOOKUP = _all(SHOP_SERVER, _set("tools.lookup_order.server", "shop"))
SHOP_HTTP = _all(_set("mcp_servers.shop", {"url": "https://shop.example/mcp"}), _set("tools.lookup_order.server", "shop"))
# Rules that only `check servers` applies (a live server against a config): tests/test_servers_check.py.
CHECK_ONLY_RULES = {"server-tool-missing", "server-tool-undeclared"}

CASES = [
    Case("secret-literal", _set("tools.send_email.description", "Send mail. Key: sk-proj-abcdefghijklmnopqrstuvwx12"),
         "tools/send_email", "description", ("agents/mailer",)),
    Case("added-in-use", _all(_set("tools.cancel_order", {"description": "Cancel."}),
                              _set("agents.mailer.tools", ["send_email", "cancel_order"])),
         "tools/cancel_order", "", ("agents/mailer",)),
    Case("added-unused", _set("prompts.spare", {"template": "Spare."}), "prompts/spare", "", ()),
    Case("removed-in-use", _all(_drop("tools.send_email"), _set("agents.mailer.tools", [])),
         "tools/send_email", "", ("agents/mailer",)),
    Case("removed-unused", None, "prompts/spare", "", (), edit_old=_set("prompts.spare", {"template": "Spare."})),
    Case("renamed", _rename("prompts", "refunds", "refund_policy", _set("agents.refunds.prompt", "refund_policy")),
         "prompts/refund_policy", "", ("agents/refunds", FLOW)),
    Case("reference-same-content",
         _rename("prompts", "refunds", "refund_policy", _set("agents.refunds.prompt", "refund_policy")),
         "agents/refunds", "prompt", ("agents/refunds", FLOW)),
    Case("list-reordered", _set("agents.triage.tools", ["refund_order", "lookup_order"]),
         "agents/triage", "tools", ("agents/triage", FLOW)),
    Case("metadata", _set("agents.triage.description", "Routes every ticket."), "agents/triage", "description",
         ("agents/triage", FLOW)),
    Case("unclassified", None, "tools/send_email", "x-vendor", ("agents/mailer",)),  # edited on the config below
    Case("tool-renamed", _rename("tools", "send_email", "email_customer",
                                 _set("agents.mailer.tools", ["email_customer"])),
         "tools/email_customer", "", ("agents/mailer",)),
    Case("tool-gains-write", _set("tools.lookup_order.annotations.readOnlyHint", False), "tools/lookup_order",
         "annotations.readOnlyHint", REFUND_USERS),
    Case("tool-gains-destructive", _set("tools.refund_order.annotations.destructiveHint", True), "tools/refund_order",
         "annotations.destructiveHint", REFUND_USERS),
    Case("tool-gains-open-world", _set("tools.refund_order.annotations.openWorldHint", True), "tools/refund_order",
         "annotations.openWorldHint", REFUND_USERS),
    Case("tool-loses-approval", _set("tools.refund_order.approval", "never"), "tools/refund_order", "approval",
         REFUND_USERS),
    Case("tool-gains-approval", _set("tools.send_email.approval", "required"), "tools/send_email", "approval",
         ("agents/mailer",)),
    Case("tool-drops-side-effect", _set("tools.send_email.annotations.readOnlyHint", True), "tools/send_email",
         "annotations.readOnlyHint", ("agents/mailer",)),
    Case("tool-idempotency-lost", _set("tools.refund_order.annotations.idempotentHint", False), "tools/refund_order",
         "annotations.idempotentHint", REFUND_USERS),
    Case("tool-idempotency-gained", _set("tools.send_email.annotations.idempotentHint", True), "tools/send_email",
         "annotations.idempotentHint", ("agents/mailer",)),
    Case("tool-hint-declared", _set("tools.lookup_order.annotations.destructiveHint", False), "tools/lookup_order",
         "annotations.destructiveHint", REFUND_USERS),
    Case("tool-description", _set("tools.lookup_order.description", "Look up any order."), "tools/lookup_order",
         "description", REFUND_USERS),
    Case("tool-input-breaking", _set("tools.refund_order.inputSchema.required", ["order_id", "amount", "reason"]),
         "tools/refund_order", "inputSchema", REFUND_USERS),
    Case("tool-input-compatible", _set("tools.refund_order.inputSchema.properties.note", {"description": "free text"}),
         "tools/refund_order", "inputSchema", REFUND_USERS),
    Case("tool-output-changed", _set("tools.lookup_order.outputSchema", {"type": "object"}), "tools/lookup_order",
         "outputSchema", REFUND_USERS),
    Case("tool-code-changed", _all(OTHER_CODE, _set("tools.refund_order.code", "other_tools")), "tools/refund_order",
         "code", REFUND_USERS, edit_old=OTHER_CODE),
    Case("tool-handler-changed", _set("tools.refund_order.handler", "billing.refunds:issue"), "tools/refund_order",
         "handler", REFUND_USERS),
    Case("tool-server-changed", SHOP_SERVES_LOOKUP, "tools/lookup_order", "server", REFUND_USERS,
         edit_old=SHOP_SERVER),
    Case("server-added", SHOP_SERVER, "mcp_servers/shop", "", ()),
    Case("server-endpoint", _set("mcp_servers.shop.command", ["shop-mcp", "stdio", "--v2"]), "mcp_servers/shop",
         "command", REFUND_USERS, edit_old=SHOP_SERVES_LOOKUP),
    Case("server-env", _set("mcp_servers.shop.env", {"SHOP_TOKEN": "${env:SHOP_TOKEN}"}), "mcp_servers/shop",
         "env", REFUND_USERS, edit_old=SHOP_SERVES_LOOKUP),
    Case("server-headers", _set("mcp_servers.shop.headers", {"Authorization": "Bearer ${env:SHOP_TOKEN}"}),
         "mcp_servers/shop", "headers", REFUND_USERS, edit_old=SHOP_HTTP),
    Case("model-identity", _set("models.chat.id", "gpt-4o-2024-11-20"), "models/chat", "id", CHAT_USERS),
    Case("model-floating", _set("models.chat.id", "gpt-4o"), "models/chat", "id", CHAT_USERS),
    Case("embedder-model-changed", _set("models.embedder.id", "text-embedding-3-large"), "models/embedder", "id",
         ("agents/triage", FLOW), irreversible=True),
    Case("embedder-model-migrated", _all(_set("models.embedder.id", "text-embedding-3-large"),
                                         _set("memory.history.migration", "re-embed history (runbook 12)")),
         "models/embedder", "id", ("agents/triage", FLOW), irreversible=True),
    Case("model-parameters", _set("models.chat.parameters.temperature", 0.7), "models/chat", "parameters.temperature",
         CHAT_USERS),
    Case("model-fallback-added", _all(SPARE_MODEL, _set("models.chat.fallbacks", ["backup", "spare"])), "models/chat",
         "fallbacks[spare]", CHAT_USERS, edit_old=SPARE_MODEL),
    Case("model-fallback-removed", _set("models.chat.fallbacks", []), "models/chat", "fallbacks[backup]", CHAT_USERS),
    Case("model-fallback-order", _all(SPARE_MODEL, _set("models.chat.fallbacks", ["spare", "backup"])), "models/chat",
         "fallbacks", CHAT_USERS, edit_old=_all(SPARE_MODEL, _set("models.chat.fallbacks", ["backup", "spare"]))),
    Case("prompt-text", _set("prompts.triage.template", "You triage tickets for {{company}}.\nBe kind.\n"),
         "prompts/triage", "template", CHAT_USERS),
    Case("prompt-variables", _all(_set("prompts.refunds.template", "Refund at most {{limit}} {{currency}}.\n"),
                                  _set("prompts.refunds.variables", ["limit", "currency"])),
         "prompts/refunds", "variables", ("agents/refunds", FLOW)),
    Case("prompt-format", _set("prompts.triage.format", "jinja2"), "prompts/triage", "format", CHAT_USERS),
    Case("memory-embedder", _set("memory.history.dims", 3072), "memory/history", "dims", ("agents/triage", FLOW),
         irreversible=True),
    Case("memory-migrated", _all(_set("memory.history.schema_version", "2"),
                                 _set("memory.history.migration", "migrations/history_v2.py")),
         "memory/history", "schema_version", ("agents/triage", FLOW), irreversible=True),
    Case("memory-orphaned", _set("memory.history.store.collection", "history_v2"), "memory/history",
         "store.collection", ("agents/triage", FLOW)),
    Case("memory-ttl-shrinks", _set("memory.history.ttl", "30d"), "memory/history", "ttl", ("agents/triage", FLOW)),
    Case("memory-ttl-grows", _set("memory.history.ttl", "26w"), "memory/history", "ttl", ("agents/triage", FLOW)),
    Case("graph-entry", _set("orchestration.flow.entry", "r"), FLOW, "entry", (FLOW,)),
    Case("graph-nodes", _set("orchestration.flow.nodes.audit", {"agent": "mailer"}), FLOW, "nodes.audit", (FLOW,)),
    Case("graph-edges", _set("orchestration.flow.edges", [
        {"from": "t", "to": "r", "when": "refund_requested"}, {"from": "t", "to": "END"},
        {"from": "r", "to": "approve"},
        {"from": "approve", "to": "pay", "when": "approved"}, {"from": "pay", "to": "END"}]),
        FLOW, "edges[t->r].when", (FLOW,)),
    Case("graph-max-steps-grows", _set("orchestration.flow.max_steps", 50), FLOW, "max_steps", (FLOW,)),
    Case("graph-max-steps-shrinks", _set("orchestration.flow.max_steps", 5), FLOW, "max_steps", (FLOW,)),
    Case("graph-state-schema", _set("orchestration.flow.state_schema_version", "2"), FLOW, "state_schema_version",
         (FLOW,), irreversible=True),
    Case("graph-state-migrated", _all(_set("orchestration.flow.state_schema_version", "2"),
                                      _set("orchestration.flow.migration", "drain runs, then convert checkpoints")),
         FLOW, "state_schema_version", (FLOW,), irreversible=True),
    Case("agent-model", _set("agents.mailer.model", "backup"), "agents/mailer", "model", ("agents/mailer",)),
    Case("agent-prompt", _set("agents.mailer.prompt", "refunds"), "agents/mailer", "prompt", ("agents/mailer",)),
    Case("agent-gains-tool", _set("agents.mailer.tools", ["send_email", "lookup_order"]), "agents/mailer",
         "tools[lookup_order]", ("agents/mailer",)),
    Case("agent-loses-tool", _set("agents.triage.tools", ["lookup_order"]), "agents/triage", "tools[refund_order]",
         ("agents/triage", FLOW)),
    Case("agent-memory", _set("agents.mailer.memory", "history"), "agents/mailer", "memory", ("agents/mailer",)),
    Case("agent-code", _set("agents.mailer.code", "shop_tools"), "agents/mailer", "code", ("agents/mailer",)),
    Case("code-commit", None, "code/shop_tools", "commit", ("agents/refunds", "agents/triage", FLOW),
         new_resolver=FakeResolver(commits={"shop_tools": "b" * 40})),
    Case("code-ref", _set("code.shop_tools.ref", "v1.2.0"), "code/shop_tools", "ref",
         ("agents/refunds", "agents/triage", FLOW), old_resolver=FakeResolver(commits={"shop_tools": "a" * 40}),
         new_resolver=FakeResolver(commits={"shop_tools": "a" * 40})),
    Case("data-content", None, "data/faq", "digest", (), new_resolver=FakeResolver(data={"faq": "new answers"})),
    Case("data-migrated", _set("data.faq.migration", "re-index the FAQ vectors"), "data/faq", "digest", (),
         new_resolver=FakeResolver(data={"faq": "new answers"}), irreversible=True),
    Case("data-source-moved", _set("data.faq.path", "data/help-centre"), "data/faq", "path", ()),
    Case("policy-weakened", _set("policies.production.max_risk", "critical"), "policies/production", "max_risk", ()),
    Case("policy-strengthened", _set("policies.staging.require_pinned_models", True), "policies/staging",
         "require_pinned_models", ()),
    Case("digest-only-high", _set("tools.lookup_order.title", "Order lookup"), "tools/lookup_order", "", (),
         digest_only=True),
    Case("digest-only-medium", _set("prompts.triage.description", "Triage"), "prompts/triage", "", (),
         digest_only=True),
]


def run_case(case: Case) -> DiffResult:
    old_doc, new_doc = manifest(), manifest()
    if case.edit_old:
        case.edit_old(old_doc)
        case.edit_old(new_doc)
    if case.edit:
        case.edit(new_doc)
    if case.rule == "removed-unused":
        new_doc["prompts"].pop("spare")
    old, new = render(old_doc, case.old_resolver), render(new_doc, case.new_resolver)
    if case.rule == "unclassified":
        new["tools"]["send_email"]["x-vendor"] = {"tier": 2}
    if case.digest_only:
        return diff_digests(artefact_digests(old), artefact_digests(new))
    return diff_configs(old, new)


def find(result: DiffResult, artefact: str, path: str) -> Change:
    hits = [c for c in result.changes if c.artefact == artefact and c.path == path]
    assert len(hits) == 1, (f"{artefact} {path!r} not reported exactly once: "
                            f"{[(c.artefact, c.path) for c in result.changes]}")
    return hits[0]


def test_every_rule_has_a_case() -> None:
    assert sorted(c.rule for c in CASES) == sorted(set(RULES) - CHECK_ONLY_RULES)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule(case: Case) -> None:
    result = run_case(case)
    change = find(result, case.artefact, case.path)
    expected = RULES[case.rule]
    assert change.rule == case.rule, change
    assert change.risk == expected.level
    assert change.reason == expected.reason
    assert change.impact == list(case.impact)
    assert change.irreversible is case.irreversible
    assert result.max_risk >= expected.level
