"""What makes a change of an MCP server entry risky: which program or endpoint answers the tools.

A new ``command`` or ``url`` means different code answers every tool the server serves, so it
is rated like a code change. ``env`` and ``headers`` carry credentials and feature switches: the
same code, but acting as someone else or behaving differently.
"""

from __future__ import annotations

from agentcfg.semdiff.compare.base import Pair, Row, generic, row


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key in ("command", "url"):
            if old != new:
                # A switch of transport (command → url) is one row per key: both are high.
                rows.append(row(key, old, new, "server-endpoint"))
        elif key == "env":
            rows += generic(pair, key, lambda _: "server-env")
        elif key == "headers":
            rows += generic(pair, key, lambda _: "server-headers")
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
