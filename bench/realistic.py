"""A project whose tool schemas look like real function-calling data sets, for the bench.

The M project's tools all share one small flat schema; real tool definitions (public function-
calling benchmarks, MCP servers, OpenAPI-derived tools) have nested objects and arrays, enums,
``anyOf`` for nullable fields, ``oneOf`` for variants, ``$defs``/``$ref``, formats, patterns,
long descriptions and non-ASCII text. :func:`generate_realistic` writes ``n`` such tools (3,000
by default), each a different schema built deterministically from its index, plus agents, prompts
and a graph that use them, and commits the project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import generate

N_TOOLS = 3000

_DOMAINS = ["orders", "flights", "invoices", "tickets", "repositories", "calendar events", "patients",
            "shipments", "listings", "pull requests", "songs", "datasets"]
_VERBS = ["search", "get", "create", "update", "cancel", "list", "export", "summarise", "book", "archive"]
_WORDS = ["Zürich", "São Paulo", "東京", "Kraków", "naïve", "façade", "Ελλάδα", "北京市", "Île-de-France", "résumé"]
_FORMATS = ["date-time", "date", "email", "uri", "uuid"]


def _text(i: int, sentences: int) -> str:
    """A long, deterministic, partly non-ASCII description."""
    base = [
        f"Use this tool to work with {_DOMAINS[i % len(_DOMAINS)]} in the customer's account.",
        "Only call it after you confirmed the identifiers with the user; never guess them.",
        f"Values such as '{_WORDS[i % len(_WORDS)]}' and '{_WORDS[(i + 3) % len(_WORDS)]}' are accepted as is.",
        "Results are paginated: pass the cursor from the previous page to continue.",
        "The call is rate limited to 10 requests per second per tenant; back off on HTTP 429.",
        "Dates are ISO 8601 in UTC unless the field says otherwise.",
    ]
    return " ".join(base[(i + k) % len(base)] for k in range(sentences))


def _leaf(i: int, k: int) -> dict[str, Any]:
    kind = (i + k) % 9
    if kind == 0:
        return {"type": "string", "description": _text(i + k, 1), "minLength": 1, "maxLength": 200}
    if kind == 1:
        return {"type": "integer", "minimum": 0, "maximum": 10_000, "description": "A count."}
    if kind == 2:
        return {"type": "number", "exclusiveMinimum": 0, "description": "An amount in the account's currency."}
    if kind == 3:
        return {"type": "boolean", "default": False}
    if kind == 4:
        return {"type": "string", "enum": [f"{w}_{i % 5}" for w in ("low", "medium", "high", "urgent")]}
    if kind == 5:
        return {"type": "string", "format": _FORMATS[(i + k) % len(_FORMATS)]}
    if kind == 6:
        return {"anyOf": [{"type": "string", "pattern": "^[A-Z]{2,4}-[0-9]{3,8}$"}, {"type": "null"}],
                "description": "An identifier such as ORD-000123, or null when unknown."}
    if kind == 7:
        return {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 20, "uniqueItems": True}
    return {"type": "string", "description": f"Free text; may contain {_WORDS[(i + k) % len(_WORDS)]}."}


def input_schema(i: int) -> dict[str, Any]:
    """Tool ``i``'s input schema: a different mix of shapes per index."""
    props: dict[str, Any] = {f"field_{k}": _leaf(i, k) for k in range(3 + i % 6)}
    defs: dict[str, Any] = {
        "address": {"type": "object", "additionalProperties": False, "required": ["country"],
                    "properties": {"street": {"type": "string"}, "city": {"type": "string"},
                                   "postal_code": {"type": "string", "pattern": "^[0-9A-Z -]{3,10}$"},
                                   "country": {"type": "string", "minLength": 2, "maxLength": 2}}},
        "money": {"type": "object", "required": ["amount", "currency"],
                  "properties": {"amount": {"type": "number", "minimum": 0},
                                 "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "JPY", "CHF"]}}},
    }
    props["filters"] = {
        "type": "object", "description": f"{_text(i, 2)} (Filters of tool {i}.)",  # every schema distinct
        "properties": {
            "status": {"type": "array", "items": {"type": "string", "enum": ["open", "pending", "closed", "void"]}},
            "created": {"type": "object", "properties": {"from": {"type": "string", "format": "date-time"},
                                                         "to": {"type": "string", "format": "date-time"}}},
            "owner": {"oneOf": [{"type": "object", "required": ["user_id"],
                                 "properties": {"user_id": {"type": "string"}}},
                                {"type": "object", "required": ["team"], "properties": {"team": {"type": "string"}}}]},
        },
    }
    if i % 2 == 0:
        props["shipping_address"] = {"$ref": "#/$defs/address"}
    if i % 3 == 0:
        props["total"] = {"$ref": "#/$defs/money"}
        props["lines"] = {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["sku", "quantity"],
            "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1},
                           "price": {"$ref": "#/$defs/money"}, "notes": {"type": ["string", "null"]}}}}
    return {"type": "object", "properties": props, "required": sorted(props)[: 1 + i % 3], "$defs": defs}


def output_schema(i: int) -> dict[str, Any]:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "score": {"type": "number"}, "label": {"type": "string"}}}},
        "next_cursor": {"type": ["string", "null"]}}}


def tool_document(i: int) -> dict[str, Any]:
    verb, domain = _VERBS[i % len(_VERBS)], _DOMAINS[(i // len(_VERBS)) % len(_DOMAINS)]
    writes = verb in ("create", "update", "cancel", "book", "archive")
    return {
        "name": f"rt_{i:04}",
        "title": f"{verb.title()} {domain} ({i})",
        "description": _text(i, 4 + i % 3),
        "inputSchema": input_schema(i),
        "outputSchema": output_schema(i),
        "annotations": {"readOnlyHint": not writes, "destructiveHint": verb in ("cancel", "archive"),
                        "idempotentHint": not writes, "openWorldHint": i % 4 == 0},
        "approval": "required" if verb in ("cancel", "archive") else "never",
    }


def generate_realistic(root: Path, n_tools: int = N_TOOLS) -> Path:
    """A committed project with ``n_tools`` realistic tools (JSON files), 100 agents and a graph."""
    generate.init_repo(root)
    (root / "tools").mkdir()
    (root / "prompts").mkdir()
    for i in range(n_tools):
        # JSON is valid YAML, and it is how tools exported from real data sets look.
        (root / "tools" / f"rt_{i:04}.yaml").write_text(json.dumps(tool_document(i), ensure_ascii=False, indent=2))
    n_agents = max(1, n_tools // 30)
    for a in range(n_agents):
        (root / "prompts" / f"agent_{a:03}.md").write_text(
            f"You are agent {a}. Help {{{{customer_name}}}} with their request. {_text(a, 3)}\n")
    out = ["format_version: 1", "name: realistic-schemas", "environments: [staging, production]", "",
           "models:", "  chat: {provider: openai, id: gpt-4o-2024-08-06, parameters: {temperature: 0.2}}", "",
           "prompts:"]
    out += [f"  agent_{a:03}: {{file: prompts/agent_{a:03}.md, variables: [customer_name]}}" for a in range(n_agents)]
    out += ["", "tools:"]
    out += [f"  rt_{i:04}: {{file: tools/rt_{i:04}.yaml}}" for i in range(n_tools)]
    out += ["", "agents:"]
    for a in range(n_agents):
        tools = ", ".join(f"rt_{(a * 30 + k) % n_tools:04}" for k in range(30))
        out += [f"  agent_{a:03}:", "    model: chat", f"    prompt: agent_{a:03}", f"    tools: [{tools}]"]
    out += ["", "orchestration:", "  flow:", "    entry: n0", "    max_steps: 50", "    nodes:"]
    out += [f"      n{a}: {{agent: agent_{a:03}}}" for a in range(min(n_agents, 20))]
    out += ["    edges:"]
    out += [f"      - {{from: n{a}, to: n{a + 1}}}" for a in range(min(n_agents, 20) - 1)]
    out += [f"      - {{from: n{min(n_agents, 20) - 1}, to: END}}", ""]
    (root / "agentcfg.yaml").write_text("\n".join(out))
    generate.commit_all(root, "realistic-schemas project")
    return root
