"""Payment reminders (purringer) for overdue invoices.

Rules (inkassoloven § 9 and the profile's settings): a reminder is sent when an invoice is still
unpaid ``reminder_after_days`` after its due date (or after the previous reminder's due date);
it gives at least 14 days to pay; a reminder fee may be added only when the reminder is sent at
least 14 days after the original due date, never above the profile's cap nor the legal maximum
in force on the reminder's date (dated rows in ``reminder_fee_limits``: kr 70 through 2024,
kr 35 from 2025), and on at most ``reminder_max_fees`` reminders; at most
``reminder_max_count`` reminders per invoice.
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
        if profile.get("legal_fee_max_ore") is not None:  # the law in force on the day
            fee = min(fee, profile["legal_fee_max_ore"])
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
    from filmklynge.register.profile import get_profile, reminder_fee_limit

    profile = get_profile(db)
    limit = reminder_fee_limit(db, on)
    profile["legal_fee_max_ore"] = limit["max_fee_ore"] if limit else None
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


def why_none_due(db: Database, *, on: date) -> str:
    """Why no overdue invoice gets a reminder on ``on``, in one sentence: none is overdue,
    their reminders are used up (the profile's most per invoice: then the next step is debt
    collection), or the next one may be sent only later. Reads only."""
    from filmklynge.ledger.invoicing import invoice_balances
    from filmklynge.register.profile import get_profile

    profile = get_profile(db)
    overdue = [
        r
        for r in invoice_balances(db, as_of=on, where="i.kind = 'invoice'")
        if r["status"] == "overdue"
    ]
    if not overdue:
        return f"No invoices need a reminder: none is overdue on {on.strftime('%d.%m.%Y')}."
    counts: dict[int, int] = {}
    for r in db.query("SELECT invoice_id FROM reminders"):
        counts[r["invoice_id"]] = counts.get(r["invoice_id"], 0) + 1
    used_up = [
        r["number"] for r in overdue if counts.get(r["id"], 0) >= profile["reminder_max_count"]
    ]
    parts = []
    if used_up:
        numbers = ", ".join(str(n) for n in used_up)
        parts.append(
            f"invoice(s) {numbers} have had the {profile['reminder_max_count']} reminders the "
            f"profile allows; consider debt collection for invoices {numbers}"
        )
    waiting = len(overdue) - len(used_up)
    if waiting:
        parts.append(
            f"{waiting} overdue invoice(s) were reminded less than "
            f"{profile['reminder_after_days']} days after the last reminder fell due; "
            "remind them later"
        )
    return "No invoices need a reminder: " + "; ".join(parts) + "."


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


# ---- waiving reminder fees ---------------------------------------------------------------

FEE_WAIVER_TEXT = {
    "nb": "Purregebyr frafalt",
    "en": "Reminder fee waived",
}
FEE_VAT_TEXT = "Purregebyr er ikke omsetning etter merverdiavgiftsloven"


def plan_waiver(db: Database, number: int | str, *, issued_on: date) -> dict[str, Any]:
    """The credit note ``waive_fees`` would issue, read without writing: the invoice, the
    fees waived (what is still owed of them) and the note's number."""
    from filmklynge.ledger import invoicing
    from filmklynge.ledger.balances import open_invoices_sql
    from filmklynge.ledger.books import ensure_open

    ensure_open(db, issued_on, "a credit note")
    inv = invoicing.find_invoice(db, number)
    if inv["kind"] != "invoice":
        raise InvalidInput(f"{inv['number']} is a credit note; waive fees on the invoice.")
    fees = db.scalar(
        "SELECT coalesce(sum(fee_ore), 0) FROM reminders WHERE invoice_id = ?", [inv["id"]]
    )
    waived = -db.scalar(
        "SELECT coalesce(sum(l.net_ore), 0) FROM invoice_lines l JOIN invoices c "
        "ON c.id = l.invoice_id WHERE c.credits_invoice_id = ? "
        "AND l.fee_part = 'reminder_fee'",
        [inv["id"]],
    )
    owed = db.one(open_invoices_sql() + " AND id = ?", [inv["id"]])["outstanding_ore"]
    amount = min(fees - waived, owed)
    if fees == 0:
        raise InvalidInput(f"Invoice {inv['number']} has no reminder fee.")
    if amount <= 0:
        raise InvalidInput(
            f"The reminder fees on invoice {inv['number']} are already waived or paid; "
            "to give paid money back, use 'filmklynge payments refund'."
        )
    return {
        "invoice": inv,
        "amount_ore": amount,
        "number": invoicing.next_number(db),
        "issued_on": issued_on,
    }


def waive_fees(
    db: Database, number: int | str, *, issued_on: date, reason: str | None = None
) -> dict[str, Any]:
    """A credit note for the reminder fees still owed on an invoice (a fee is a receivable;
    waiving it is a correction of what the member owes, in the same number series)."""
    from filmklynge.ledger import invoicing
    from filmklynge.store import audit

    with db.atomic():
        plan = plan_waiver(db, number, issued_on=issued_on)
        inv, amount = plan["invoice"], plan["amount_ore"]
        credit_id, credit_number = invoicing.insert_credit_note(
            db, inv, net_ore=-amount, vat_ore=0, issued_on=issued_on, reason=reason
        )
        language = inv["language"] if inv["language"] in FEE_WAIVER_TEXT else "nb"
        db.insert(
            "invoice_lines",
            {
                "invoice_id": credit_id,
                "line_no": 1,
                "fee_part": "reminder_fee",
                "description": f"{FEE_WAIVER_TEXT[language]} ({inv['number']})",
                "net_ore": -amount,
                "vat_code": "E",
                "vat_rate_bp": 0,
                "vat_ore": 0,
                "vat_text": FEE_VAT_TEXT,
            },
        )
        audit.record(
            db,
            "issue",
            "credit_note",
            credit_id,
            after={"number": credit_number, "waives_fees_of": inv["number"], "total_ore": -amount},
        )
    return {"number": credit_number, "total_ore": -amount, "credits": inv["number"]}
