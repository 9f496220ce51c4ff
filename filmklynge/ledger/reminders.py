"""Payment reminders (purringer) for overdue invoices.

Rules (inkassoloven § 9 and the profile's settings): a reminder is sent when an invoice is still
unpaid ``reminder_after_days`` after its due date (or after the previous reminder's due date);
it gives at least 14 days to pay; a reminder fee may be added only when the reminder is sent at
least 14 days after the original due date, never above the profile's cap, and on at most
``reminder_max_fees`` reminders; at most ``reminder_max_count`` reminders per invoice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from filmklynge.errors import InvalidInput
from filmklynge.store.db import Database

MIN_DAYS_TO_PAY = 14
FEE_AFTER_DAYS = 14


@dataclass
class PlannedReminder:
    invoice_id: int
    number: int
    member: str
    seq: int
    sent_on: str
    due_on: str
    fee_ore: int
    outstanding_ore: int


def next_reminder(
    invoice: dict[str, Any], previous: list[dict[str, Any]], profile: dict[str, Any], on: date
) -> tuple[PlannedReminder | None, str]:
    """The reminder to send for one unpaid invoice on ``on``, or None and the reason (pure)."""
    due = date.fromisoformat(invoice["due_on"])
    if invoice["outstanding_ore"] <= 0:
        return None, f"invoice {invoice['number']} has nothing outstanding"
    if on <= due:
        return None, f"Invoice {invoice['number']} is not due until {due.strftime('%d.%m.%Y')}"
    if len(previous) >= profile["reminder_max_count"]:
        return None, (
            f"invoice {invoice['number']} already has {len(previous)} reminders "
            f"(the most the profile allows)"
        )
    last_due = max((date.fromisoformat(r["due_on"]) for r in previous), default=due)
    earliest = last_due + timedelta(days=profile["reminder_after_days"])
    if on < earliest:
        return None, (
            f"invoice {invoice['number']} can be reminded from {earliest.strftime('%d.%m.%Y')}"
        )
    fees_so_far = sum(1 for r in previous if r["fee_ore"] > 0)
    fee = 0
    if (
        profile["reminder_fee_ore"] > 0
        and (on - due).days >= FEE_AFTER_DAYS
        and fees_so_far < profile["reminder_max_fees"]
    ):
        fee = min(profile["reminder_fee_ore"], profile["reminder_fee_cap_ore"])
    return PlannedReminder(
        invoice_id=invoice["id"],
        number=invoice["number"],
        member=invoice["member"],
        seq=len(previous) + 1,
        sent_on=on.isoformat(),
        due_on=(on + timedelta(days=MIN_DAYS_TO_PAY)).isoformat(),
        fee_ore=fee,
        outstanding_ore=invoice["outstanding_ore"],
    ), ""


def plan_reminders(db: Database, *, on: date, number: int | None = None) -> list[PlannedReminder]:
    from filmklynge.ledger.invoicing import find_invoice, invoice_balances
    from filmklynge.register.profile import get_profile

    profile = get_profile(db)
    if number is not None:
        inv = find_invoice(db, number)
        rows = invoice_balances(db, as_of=on, where="i.id = ?", params=[inv["id"]])
    else:
        rows = [
            r
            for r in invoice_balances(db, as_of=on, where="i.kind = 'invoice'")
            if r["status"] == "overdue"
        ]
    previous: dict[int, list[dict[str, Any]]] = {}
    for r in db.query("SELECT invoice_id, seq, due_on, fee_ore FROM reminders ORDER BY seq"):
        previous.setdefault(r["invoice_id"], []).append(r)
    planned = []
    for row in rows:
        if row["kind"] != "invoice":
            raise InvalidInput(f"{row['number']} is a credit note; it cannot be reminded.")
        reminder, why = next_reminder(row, previous.get(row["id"], []), profile, on)
        if reminder:
            planned.append(reminder)
        elif number is not None:
            raise InvalidInput(why[0].upper() + why[1:] + ".")
    return planned


def apply_reminders(db: Database, planned: list[PlannedReminder]) -> int:
    from filmklynge.dates import now_utc
    from filmklynge.ledger.books import ensure_open
    from filmklynge.store import audit

    with db.atomic():
        for p in planned:
            ensure_open(db, date.fromisoformat(p.sent_on), "a reminder")
            record = {k: v for k, v in asdict(p).items() if k not in ("number", "member")}
            reminder_id = db.insert("reminders", {**record, "created_at": now_utc()})
            audit.record(
                db, "remind", "invoice", p.invoice_id, after={"reminder_id": reminder_id, **record}
            )
    return len(planned)
