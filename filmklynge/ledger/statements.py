"""A member's account: invoices, credit notes, payments and refunds with a running balance.

The balance is what the member owes (positive) or has to its credit (negative): invoices and
reminder fees add, credit notes and payments subtract, refunds of credit add back. The closing
balance is the member's outstanding in ``dues`` less its unallocated credit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.errors import InvalidInput
from filmklynge.ledger.balances import open_invoices_sql
from filmklynge.store.db import Database

_ENTRIES = """
SELECT issued_on AS on_, CASE kind WHEN 'credit' THEN 'credit' ELSE 'invoice' END AS kind,
       number AS ref, total_ore AS amount_ore, period AS text, due_on, kid, id AS sort_id
  FROM invoices WHERE member_id = :m
UNION ALL
SELECT paid_on, 'payment', id, -amount_ore, coalesce(reference, ''), NULL, kid, id
  FROM payments WHERE member_id = :m
UNION ALL
SELECT refunded_on, 'refund', id, amount_ore, coalesce(reference, ''), NULL, NULL, id
  FROM refunds WHERE member_id = :m
UNION ALL
SELECT r.sent_on, 'reminder fee', i.number, r.fee_ore, 'purring ' || r.seq, r.due_on, i.kid, r.id
  FROM reminders r JOIN invoices i ON i.id = r.invoice_id
 WHERE i.member_id = :m AND r.fee_ore > 0
"""
_ORDER = {"invoice": 0, "reminder fee": 1, "credit": 2, "payment": 3, "refund": 4}


def statement(db: Database, member: str, *, start: date | None = None, end: date) -> dict[str, Any]:
    """The member's entries from ``start`` (or the first) to ``end``, with the opening balance
    carried from before ``start`` and a running balance after each entry."""
    from filmklynge.ledger.payments import member_credit
    from filmklynge.register.members import find_member

    if start is not None and start > end:
        raise InvalidInput(f"--from {start.isoformat()} is after --to {end.isoformat()}.")
    m = find_member(db, member)
    entries = sorted(
        db.query(_ENTRIES, {"m": m["id"]}),
        key=lambda e: (e["on_"], _ORDER[e["kind"]], e["sort_id"]),
    )
    first = start.isoformat() if start else ""
    opening = sum(e["amount_ore"] for e in entries if e["on_"] < first)
    balance = opening
    shown = []
    for e in entries:
        if first <= e["on_"] <= end.isoformat():
            balance += e["amount_ore"]
            shown.append(
                {
                    "date": e.pop("on_"),
                    **{k: v for k, v in e.items() if k != "sort_id"},
                    "balance_ore": balance,
                }
            )
    owed = db.scalar(
        f"SELECT coalesce(sum(outstanding_ore), 0) FROM ({open_invoices_sql(dated=True)}) "
        "WHERE member_id = :m",
        {"d": end.isoformat(), "m": m["id"]},
    )
    return {
        "member_id": m["id"],
        "member": m["name"],
        "language": m.get("language") or ("nb" if (m.get("country") or "NO") == "NO" else "en"),
        "from": first or None,
        "to": end.isoformat(),
        "opening_balance_ore": opening,
        "entries": shown,
        "closing_balance_ore": balance,
        "outstanding_ore": owed,
        "credit_ore": member_credit(db, m["id"], end),
    }
