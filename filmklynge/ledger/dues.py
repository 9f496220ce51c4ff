"""Who owes what on a date: per member invoiced, credited, reminder fees, paid, outstanding,
overdue; aging. Outstanding = invoiced + credited + reminder fees − paid (ledger.balances).

Credits are negative here as in every listing and export (credit notes, ``credited_ore`` of
``invoices list/show``, the exports and the books): a credit reduces what is owed."""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.ledger.balances import open_invoices_sql
from filmklynge.store.db import Database
from filmklynge.text import sort_key

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")

_SQL = (
    "SELECT b.id, b.member_id, b.due_on, b.total_ore, b.credited_ore, b.fees_ore, b.paid_ore, "
    f"b.outstanding_ore, m.name AS member FROM ({open_invoices_sql(dated=True)}) b "
    "JOIN members m ON m.id = b.member_id"
)


def bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "1_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "over_90"


def dues(db: Database, *, as_of: date, overdue_only: bool = False) -> dict[str, Any]:
    """Per-member balances and the aging table on ``as_of`` (credits and payments up to then)."""
    members: dict[int, dict[str, Any]] = {}
    aging = dict.fromkeys(BUCKETS, 0)
    for r in db.query(_SQL, {"d": as_of.isoformat()}):
        m = members.setdefault(
            r["member_id"],
            {
                "member_id": r["member_id"],
                "member": r["member"],
                "invoiced_ore": 0,
                "credited_ore": 0,
                "fees_ore": 0,
                "paid_ore": 0,
                "outstanding_ore": 0,
                "overdue_ore": 0,
                "oldest_overdue_days": 0,
            },
        )
        outstanding = r["outstanding_ore"]
        m["invoiced_ore"] += r["total_ore"]
        m["credited_ore"] += r["credited_ore"]  # negative, as everywhere
        m["fees_ore"] += r["fees_ore"]
        m["paid_ore"] += r["paid_ore"]
        m["outstanding_ore"] += outstanding
        days = (as_of - date.fromisoformat(r["due_on"])).days
        if outstanding:
            aging[bucket(days)] += outstanding
            if days > 0:
                m["overdue_ore"] += outstanding
                m["oldest_overdue_days"] = max(m["oldest_overdue_days"], days)
    rows = sorted(members.values(), key=lambda m: (-m["overdue_ore"], sort_key(m["member"])))
    if overdue_only:
        rows = [m for m in rows if m["overdue_ore"] > 0]
    keys = (
        "invoiced_ore",
        "credited_ore",
        "fees_ore",
        "paid_ore",
        "outstanding_ore",
        "overdue_ore",
    )
    totals = {k: sum(m[k] for m in rows) for k in keys}
    return {
        "as_of": as_of.isoformat(),
        "members": rows,
        "aging": {f"{k}_ore": v for k, v in aging.items()},
        "totals": totals,
    }
