"""The support tools as a small MCP server (stdio), written with the official `mcp` SDK.

agentcfg.yaml declares it under `mcp_servers: support` and marks `lookup_order` and
`search_faq` with `server: support`. `agentcfg check servers` starts it, lists its tools and
compares them with the reviewed definitions in tools/*.yaml; an agent does the same at run time
with `await cfg.verify_server("support", session)`. Changing a definition below (its
description, a hint, a required argument) without a reviewed change of tools/*.yaml is exactly
the drift those checks catch.

    python3 src/support_mcp_server.py      # speaks MCP on stdin/stdout (needs `pip install mcp`)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True  # importing support_tools must not leave __pycache__ in the working tree

import anyio  # noqa: E402
import mcp_types as types  # noqa: E402
from mcp.server.lowlevel import Server  # noqa: E402
from mcp.server.stdio import stdio_server  # noqa: E402

from support_tools import lookup_order  # noqa: E402

READ_ONLY = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}

TOOLS: list[dict[str, Any]] = [
    {
        "name": "lookup_order",
        "title": "Look up an order",
        "description": ("Fetch one order by its id: items, amounts, shipping status and delivery date. "
                        "Use it before routing or deciding any refund. Read-only."),
        "inputSchema": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$",
                                        "description": "The order id as printed on the receipt, e.g. ORD-104233."}},
            "required": ["order_id"],
            "additionalProperties": False,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string"},
                "status": {"type": "string", "enum": ["placed", "shipped", "delivered", "lost", "returned"]},
                "total": {"type": "number", "minimum": 0},
                "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                "delivered_at": {"type": ["string", "null"], "format": "date-time"},
            },
            "required": ["order_id", "status", "total", "currency"],
        },
        "annotations": {"title": "Look up an order", **READ_ONLY},
    },
    {
        "name": "search_faq",
        "title": "Search the help centre",
        "description": ("Semantic search over the help-centre articles (the `faq` data set). Returns the best "
                        "matching passages with their article titles and links. Read-only."),
        "inputSchema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 3, "description": "The customer's question, in their words."},
                "top_k": {"type": "integer", "minimum": 1, "maximum": 10, "default": 4},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                                       "passage": {"type": "string"}, "score": {"type": "number"}},
                        "required": ["title", "passage"],
                    },
                },
            },
            "required": ["results"],
        },
        "annotations": {"title": "Search the help centre", **READ_ONLY},
    },
]

FAQ = Path(__file__).resolve().parent.parent / "data" / "faq"


def search_faq(query: str, top_k: int = 4) -> dict[str, Any]:
    """Rank the help-centre articles by the words they share with the query (no model needed)."""
    words = {w.lower().strip(".,?!") for w in query.split() if len(w) > 2}
    scored = []
    for article in sorted(FAQ.glob("*.md")):
        text = article.read_text(encoding="utf-8")
        score = sum(text.lower().count(w) for w in words)
        if score:
            title = text.splitlines()[0].lstrip("# ").strip() if text else article.stem
            scored.append({"title": title, "passage": text[:300], "score": float(score),
                           "url": f"https://help.example.com/{article.stem}"})
    return {"results": sorted(scored, key=lambda r: -r["score"])[:top_k]}


HANDLERS = {"lookup_order": lookup_order, "search_faq": search_faq}


async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
    return types.ListToolsResult(tools=[types.Tool.model_validate(t) for t in TOOLS])


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    handler = HANDLERS.get(params.name)
    if handler is None:
        return types.CallToolResult(content=[types.TextContent(type="text", text=f"unknown tool {params.name}")],
                                    is_error=True)
    try:
        result = handler(**(params.arguments or {}))
    except (LookupError, TypeError, ValueError) as exc:
        return types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))], is_error=True)
    return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(result))],
                                structured_content=result)


server: Server[Any] = Server("acme-support", version="1.0", on_list_tools=list_tools, on_call_tool=call_tool)


async def main() -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
