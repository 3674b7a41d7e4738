"""Implementations of the support tools declared in tools/*.yaml (a sketch for the example).

A real deployment serves these over MCP; the manifest pins this folder as the `support_tools`
code ref, so a change here shows up in `agentcfg diff` as a new commit.
"""

from __future__ import annotations

ORDERS = {
    "ORD-104233": {"order_id": "ORD-104233", "status": "shipped", "total": 89.0, "currency": "EUR",
                   "delivered_at": None},
}


def lookup_order(order_id: str) -> dict:
    """Read-only: one order by id."""
    order = ORDERS.get(order_id)
    if order is None:
        raise KeyError(f"no order {order_id}")
    return dict(order)


def issue_refund(order_id: str, amount: float, reason: str, note: str = "") -> dict:
    """Destructive: called only after the approval step (the manifest sets `approval: required`)."""
    order = lookup_order(order_id)
    if not 0 < amount <= order["total"]:
        raise ValueError("amount must be positive and at most the order total")
    return {"refund_id": f"RF-{order_id[4:]}", "status": "pending"}
