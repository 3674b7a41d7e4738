"""Implementations of the support tools declared in tools/*.yaml (in-memory data for the example).

A real deployment talks to the order system and the payment provider; these keep the example
runnable anywhere. The manifest names them (`handler: support_tools:lookup_order`), so
`Config.toolbox("refunds")` finds them when this folder is on the import path, and it pins this
folder as the `support_tools` code ref, so a change here shows up in `agentcfg diff` as a new commit.
Each function takes the tool's arguments as keyword arguments and returns what its outputSchema
describes; the toolbox checks both sides.
"""

from __future__ import annotations

from typing import Any

ORDERS: dict[str, dict[str, Any]] = {
    "ORD-000123": {"order_id": "ORD-000123", "status": "delivered", "total": 42.5, "currency": "EUR",
                   "delivered_at": "2026-11-28T14:05:00Z"},
    "ORD-104233": {"order_id": "ORD-104233", "status": "shipped", "total": 89.0, "currency": "EUR",
                   "delivered_at": None},
}
REFUNDS: list[dict[str, Any]] = []


def lookup_order(order_id: str) -> dict[str, Any]:
    """Read-only: one order by id."""
    order = ORDERS.get(order_id)
    if order is None:
        raise LookupError(f"no order {order_id}")
    return dict(order)


def issue_refund(order_id: str, amount: float, reason: str, note: str = "") -> dict[str, Any]:
    """Destructive: the toolbox asks a person first (`approval: required` in the manifest)."""
    order = lookup_order(order_id)
    if amount > order["total"] - sum(r["amount"] for r in REFUNDS if r["order_id"] == order_id):
        raise ValueError(f"{amount} is more than what is left to refund on {order_id}")
    refund = {"refund_id": f"RF-{order_id[4:]}-{len(REFUNDS) + 1}", "status": "pending"}
    REFUNDS.append({**refund, "order_id": order_id, "amount": amount, "reason": reason, "note": note})
    return refund
