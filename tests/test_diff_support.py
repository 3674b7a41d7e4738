"""Shared builders for the diff tests: a small but complete config, rendered without git.

Not a test module in itself (no tests here); the diff tests import it. Configs are made the
way every real config is: a manifest dict → the pydantic model → ``render_manifest`` with a
resolver that pins data and code from in-memory content instead of disk and git.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from agentcfg.canonical import digest_bytes

BASE: dict[str, Any] = {
    "format_version": 1,
    "name": "shop",
    "environments": ["staging", "production"],
    "code": {"shop_tools": {"repo": ".", "ref": "main", "path": "src"}},
    "data": {"faq": {"path": "data/faq", "role": "corpus"}},
    "models": {
        "chat": {"provider": "openai", "id": "gpt-4o-2024-08-06", "parameters": {"temperature": 0.2},
                 "fallbacks": ["backup"]},
        "backup": {"provider": "anthropic", "id": "claude-3-5-sonnet-20241022"},
        "embedder": {"provider": "openai", "id": "text-embedding-3-small", "kind": "embedding", "dims": 1536},
    },
    "prompts": {
        "triage": {"template": "You triage tickets for {{company}}.\nBe brief.\n", "variables": ["company"]},
        "refunds": {"template": "Refund at most {{limit}}.\n", "variables": ["limit"]},
    },
    "tools": {
        "lookup_order": {"description": "Look up an order by id.",
                         "inputSchema": {"type": "object", "properties": {"order_id": {"type": "string"}},
                                         "required": ["order_id"]},
                         "annotations": {"readOnlyHint": True, "openWorldHint": False}},
        "refund_order": {"description": "Refund an order.",
                         "inputSchema": {"type": "object",
                                         "properties": {"order_id": {"type": "string"},
                                                        "amount": {"type": "number", "maximum": 500},
                                                        "reason": {"type": "string",
                                                                   "enum": ["damaged", "late", "other"]}},
                                         "required": ["order_id", "amount"]},
                         "annotations": {"readOnlyHint": False, "destructiveHint": False,
                                         "idempotentHint": True, "openWorldHint": False},
                         "approval": "required", "code": "shop_tools"},
        "send_email": {"description": "Send an email to the customer.",
                       "annotations": {"readOnlyHint": False, "destructiveHint": False}},
    },
    "memory": {
        "history": {"store": {"provider": "qdrant", "collection": "history", "url": "${env:QDRANT_URL}"},
                    "embedder": "embedder", "dims": 1536, "namespace": "shop", "ttl": "90d",
                    "schema_version": "1"},
    },
    "agents": {
        "triage": {"model": "chat", "prompt": "triage", "tools": ["lookup_order", "refund_order"],
                   "memory": "history", "description": "Routes tickets."},
        "refunds": {"model": "backup", "prompt": "refunds", "tools": ["lookup_order", "refund_order"],
                    "code": "shop_tools"},
        "mailer": {"model": "chat", "prompt": "triage", "tools": ["send_email"]},
    },
    "orchestration": {
        "flow": {"entry": "t", "max_steps": 10, "state_schema_version": "1",
                 "nodes": {"t": {"agent": "triage"}, "r": {"agent": "refunds"},
                           "approve": {"human": {"approvers": ["leads"]}}, "pay": {"tool": "refund_order"}},
                 "edges": [{"from": "t", "to": "r", "when": "wants_refund"}, {"from": "t", "to": "END"},
                           {"from": "r", "to": "approve"}, {"from": "approve", "to": "pay", "when": "approved"},
                           {"from": "pay", "to": "END"}]},
    },
    "policies": {
        "staging": {"max_risk": "critical"},
        "production": {"require_pinned_models": True, "require_approval_for": ["destructive"],
                       "max_risk": "high", "frozen": False},
    },
}


class FakeResolver:
    """Pins code to a commit derived from (repo, ref) and data to a digest of given content."""

    def __init__(self, data: dict[str, str] | None = None, commits: dict[str, str] | None = None) -> None:
        self.contents = data or {}
        self.commits = commits or {}

    def code(self, name: str, ref: Any) -> dict[str, Any]:
        sha = self.commits.get(name) or hashlib.sha1(f"{ref.repo}@{ref.ref}".encode()).hexdigest()
        return {"commit": sha}

    def data(self, name: str, ds: Any) -> dict[str, Any]:
        content = self.contents.get(name, f"content of {name}").encode()
        return {"digest": digest_bytes(content), "size": len(content), "files": 1}


def manifest(**changes: Any) -> dict[str, Any]:
    """A deep copy of BASE (callers edit it freely)."""
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def render(doc: dict[str, Any], resolver: FakeResolver | None = None) -> dict[str, Any]:
    """The rendered config of a manifest dict (type-checked by the real model)."""
    from agentcfg.manifest.model import Manifest
    from agentcfg.rendering import render_manifest

    return render_manifest(Manifest.model_validate(doc), resolver or FakeResolver()).config
