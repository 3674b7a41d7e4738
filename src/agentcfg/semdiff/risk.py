"""THE risk table: every rule that gives a change its level, as data.

The engine (``agentcfg.semdiff.engine`` and ``agentcfg.semdiff.sections``) decides *which* rule a
change falls under; this table alone decides *how risky* that is and *why*. ``docs/risk.md``
holds the same table for people, and ``tests/test_diff_risk_table.py`` checks they agree, so the
docs can never drift from the code.

When several rules apply to one change (a description that now holds an API key), the highest
level wins and its reason is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from agentcfg.errors import UsageError


class RiskLevel(IntEnum):
    """How risky a change is, ordered: ``none < low < medium < high < critical``."""

    none = 0
    low = 1
    medium = 2
    high = 3
    critical = 4

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str | RiskLevel) -> RiskLevel:
        """``"High"`` → ``RiskLevel.high``; a UsageError (exit 2) for anything else."""
        if isinstance(text, RiskLevel):
            return text
        try:
            return cls[str(text).strip().lower()]
        except KeyError:
            names = ", ".join(level.name for level in cls)
            raise UsageError(f"'{text}' is not a risk level", hint=f"use one of: {names}") from None


@dataclass(frozen=True)
class Rule:
    """One row of the risk table: ``when`` says when it applies, ``reason`` why it has its level."""

    id: str
    level: RiskLevel
    when: str
    reason: str


C, H, M, L = RiskLevel.critical, RiskLevel.high, RiskLevel.medium, RiskLevel.low

_ROWS: tuple[Rule, ...] = (
    # --- anywhere ---------------------------------------------------------------------------
    Rule("secret-literal", C, "a secret-looking literal (API key, token, password) appears in a value",
         "it would be stored in git, the lock and every release file; use ${env:NAME} instead"),
    Rule("added-in-use", M, "an artefact is added and something already uses it",
         "new behaviour goes live with this change: review the whole definition"),
    Rule("added-unused", L, "an artefact is added and nothing uses it yet",
         "nothing runs it until an agent or graph references it"),
    Rule("removed-in-use", M, "an artefact that something used is removed",
         "the agents and graphs that used it changed with it: review them"),
    Rule("removed-unused", L, "an artefact that nothing used is removed",
         "nothing ran it"),
    Rule("renamed", L, "an artefact other than a tool is renamed, its content unchanged",
         "same content under a new name; references follow it"),
    Rule("reference-same-content", L,
         "a reference now names another artefact whose content is identical (e.g. after a rename)",
         "it resolves to the same definition as before"),
    Rule("list-reordered", L, "a list whose order carries no meaning is reordered (an agent's tools)",
         "the same members; only their order changed"),
    Rule("metadata", L, "descriptions, titles, labels, roles and other metadata",
         "documentation only: what runs does not change"),
    Rule("unclassified", M, "a field that no other rule covers changes",
         "no rule knows this field, so it is not assumed harmless: review it"),
    # --- tools ------------------------------------------------------------------------------
    Rule("tool-renamed", H, "a tool is renamed (its definition otherwise unchanged)",
         "the model sees a different tool name, and everything pinned to the old name breaks"),
    Rule("tool-gains-write", C, "readOnlyHint becomes false (effective value, MCP defaults applied)",
         "the tool may now change state"),
    Rule("tool-gains-destructive", C, "destructiveHint becomes true (effective value)",
         "the tool may now destroy or overwrite data"),
    Rule("tool-gains-open-world", C, "openWorldHint becomes true (effective value)",
         "the tool may now reach systems outside the agent's control"),
    Rule("tool-loses-approval", C, "approval changes from required to never",
         "calls no longer wait for a human to approve them"),
    Rule("tool-gains-approval", L, "approval changes from never to required",
         "stricter: a human approves every call"),
    Rule("tool-drops-side-effect", M,
         "a hint claims fewer side effects (readOnlyHint → true, destructiveHint or openWorldHint → false)",
         "approval policies stop applying to the tool: check its implementation really changed"),
    Rule("tool-idempotency-lost", M, "idempotentHint becomes false",
         "retries may now repeat the tool's side effects"),
    Rule("tool-idempotency-gained", L, "idempotentHint becomes true",
         "retries become safe, as far as the tool's author says"),
    Rule("tool-hint-declared", L, "an annotation is written out or removed, its effective value unchanged",
         "MCP's defaults give the same value as before"),
    Rule("tool-description", M, "a tool's description changes",
         "it steers the model as much as a prompt does, and is a prompt-injection vector"),
    Rule("tool-input-breaking", H,
         "a tool's input schema changes incompatibly (new required property, type change, "
         "removed property, enum narrowed, constraint tightened, a typed optional property added to an "
         "open object, a `oneOf` edited, anything agentcfg cannot prove compatible)",
         "arguments that callers send today may be refused"),
    Rule("tool-input-compatible", M,
         "a tool's input schema changes compatibly (proven: every argument object the old schema accepts, "
         "the new one accepts; a property test checks each such verdict against `jsonschema`)",
         "every argument valid before stays valid, but the model sees a different contract"),
    Rule("tool-output-changed", M, "a tool's output schema changes",
         "whatever reads the tool's result may read it differently"),
    Rule("tool-code-changed", H, "the code artefact implementing a tool changes",
         "a different implementation runs"),
    Rule("tool-handler-changed", H, "the handler a tool names (`module:function`) changes",
         "a different function runs when the tool is called"),
    Rule("tool-server-changed", H, "a tool is served by another MCP server (or starts or stops naming one)",
         "a different program answers the tool's calls"),
    # --- MCP servers ------------------------------------------------------------------------
    Rule("server-added", H, "an MCP server is declared",
         "a program nobody reviewed before can answer tool calls"),
    Rule("server-endpoint", H, "an MCP server's command or url changes",
         "different code answers every tool the server serves"),
    Rule("server-env", M, "an MCP server's environment (env) changes",
         "the same program runs with other credentials or settings"),
    Rule("server-headers", M, "the HTTP headers sent to an MCP server change",
         "the same endpoint is called with other credentials or settings"),
    Rule("server-tool-missing", H, "`check servers`: a live server no longer serves a declared tool",
         "agents that use the tool fail when they call it"),
    Rule("server-tool-undeclared", L, "`check servers`: a live server serves a tool the config does not declare",
         "agents cannot call it through agentcfg, but a client that lists tools would see it"),
    # --- models -----------------------------------------------------------------------------
    Rule("model-identity", H, "a model's id, provider, kind or dims change",
         "a different model answers"),
    Rule("model-floating", H, "a model id becomes a floating alias (or a new model's id floats)",
         "the provider can change the model under you without a commit"),
    Rule("embedder-model-changed", C,
         "an embedding model used by a memory store changes id, provider or dims, without a declared migration",
         "stored vectors were made by another model and become unreadable"),
    Rule("embedder-model-migrated", H,
         "as embedder-model-changed, with a newly declared migration on every memory store using it",
         "a migration handles it, but a config rollback cannot undo it"),
    Rule("model-parameters", M, "a model parameter (temperature, max_tokens, ...) changes",
         "the same model behaves differently"),
    Rule("model-fallback-added", H, "a model gains a fallback model",
         "another model may answer when the primary fails"),
    Rule("model-fallback-removed", M, "a model loses a fallback model",
         "fewer models to fail over to: outages hit harder"),
    Rule("model-fallback-order", M, "a model's fallbacks are reordered",
         "a different model answers first when the primary fails"),
    # --- prompts ----------------------------------------------------------------------------
    Rule("prompt-text", M, "a prompt template's text changes",
         "the model is instructed differently"),
    Rule("prompt-variables", M, "a prompt's declared variables change",
         "callers must supply different inputs"),
    Rule("prompt-format", M, "a prompt's template format changes",
         "the same text renders differently"),
    # --- memory -----------------------------------------------------------------------------
    Rule("memory-embedder", C,
         "a memory store's embedder, dims or schema_version changes without a newly declared migration",
         "stored vectors or state become unreadable"),
    Rule("memory-migrated", H,
         "a memory store's embedder, dims or schema_version changes with a newly declared migration",
         "a migration handles it, but a config rollback cannot undo it"),
    Rule("memory-orphaned", H, "a memory store's provider, url, collection or namespace changes",
         "what is stored under the old location is orphaned"),
    Rule("memory-ttl-shrinks", H, "a memory store's ttl gets shorter (or an unlimited ttl gets a limit)",
         "stored memory older than the new ttl is deleted"),
    Rule("memory-ttl-grows", M, "a memory store's ttl gets longer (or unlimited)",
         "memory is kept longer: check retention and privacy rules"),
    # --- orchestration ----------------------------------------------------------------------
    Rule("graph-entry", H, "a graph's entry node changes",
         "every run starts somewhere else"),
    Rule("graph-nodes", H, "a graph node is added, removed or changed (its agent, tool or human step)",
         "runs take different steps"),
    Rule("graph-edges", H, "a graph edge (matched by from → to) is added, removed or its condition changes",
         "runs take different paths"),
    Rule("graph-max-steps-grows", M, "a graph's max_steps grows or its bound is removed",
         "loops may run longer: cost and latency grow"),
    Rule("graph-max-steps-shrinks", M, "a graph's max_steps shrinks or a bound is set",
         "long runs are cut off earlier"),
    Rule("graph-state-schema", C, "a graph's state_schema_version changes without a newly declared migration",
         "checkpointed runs can no longer be resumed"),
    Rule("graph-state-migrated", H, "a graph's state_schema_version changes with a newly declared migration",
         "a migration handles it, but a config rollback cannot undo it"),
    # --- agents -----------------------------------------------------------------------------
    Rule("agent-model", H, "an agent's model changes",
         "a different model answers"),
    Rule("agent-prompt", M, "an agent's prompt changes to another prompt",
         "the agent is instructed differently"),
    Rule("agent-gains-tool", H, "an agent gains a tool",
         "the model can take an action it could not take before"),
    Rule("agent-loses-tool", M, "an agent loses a tool",
         "flows that need the tool fail"),
    Rule("agent-memory", H, "an agent's memory store is set, removed or changed",
         "the agent reads and writes other stored memory"),
    Rule("agent-code", H, "an agent's code artefact changes",
         "a different implementation runs"),
    # --- code and data ----------------------------------------------------------------------
    Rule("code-commit", H, "a code ref resolves to another commit (or its repo, path or tree changes)",
         "different code runs"),
    Rule("code-ref", L, "a code ref's requested ref changes but resolves to the same commit",
         "the same commit runs"),
    Rule("data-content", M, "a data artefact's content changes",
         "retrieval and evaluations see different data"),
    Rule("data-migrated", H, "a data artefact's content changes with a newly declared migration",
         "the migration changes stored data: a config rollback cannot undo it"),
    Rule("data-source-moved", L, "a data artefact's path, uri or version changes, its content unchanged",
         "the same bytes, read from a new place"),
    # --- policies ---------------------------------------------------------------------------
    Rule("policy-weakened", C,
         "a policy is weakened: frozen true → false, max_risk raised or removed, require_pinned_models "
         "true → false, a require_approval_for kind removed, a require_evidence requirement removed or "
         "loosened, or a policy with rules removed",
         "the environment's guard rails are lowered"),
    Rule("policy-strengthened", L, "a policy is added or made stricter",
         "promotions are checked more strictly"),
    # --- lock-file sides (digests only) -----------------------------------------------------
    Rule("digest-only-high", H,
         "one side is a lock file, so only digests are known, and the artefact is code, a model, tool, "
         "memory store, graph, agent or policy",
         "a lock file holds only digests, and a change of this kind is often high or critical: diff rendered "
         "configs (a revision, env:NAME or '.') to see the exact level"),
    Rule("digest-only-medium", M,
         "one side is a lock file, so only digests are known, and the artefact is a prompt or data",
         "a lock file holds only digests, and a change of this kind is usually medium: diff rendered configs "
         "(a revision, env:NAME or '.') to see the exact level"),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _ROWS}
"""Every rule by id, in table order (the order of docs/risk.md)."""

assert len(RULES) == len(_ROWS), "duplicate rule id in the risk table"


def rule(rule_id: str) -> Rule:
    """The row for ``rule_id`` (a KeyError here is a bug in the engine, never a user error)."""
    return RULES[rule_id]


def strongest(rule_ids: list[str] | tuple[str, ...]) -> Rule:
    """The highest-level rule among ``rule_ids``; the first one listed wins a tie."""
    best = RULES[rule_ids[0]]
    for rid in rule_ids[1:]:
        if RULES[rid].level > best.level:
            best = RULES[rid]
    return best


__all__ = ["RULES", "RiskLevel", "Rule", "rule", "strongest"]
