"""Payments: bank-file import with KID matching, manual payments, allocation, member credit.

A payment's money reaches invoices through allocations. What a member paid and no invoice took
is a credit on the member (used by the next invoice, or refunded); a payment nobody could be
found for is unmatched until the treasurer allocates it.

This module owns payments, allocations and member credit; ``invoicing`` owns the invoices it
looks up (``find_invoice``) and calls back here to settle a new invoice from member credit.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from filmklynge import kid as kidlib
from filmklynge.dates import now_utc, today
from filmklynge.errors import InvalidInput, NotFound
from filmklynge.ledger import bankfiles
from filmklynge.ledger.balances import open_invoices_sql
from filmklynge.ledger.books import ensure_open
from filmklynge.store import audit
from filmklynge.store.db import Database

METHODS = ("manual", "bank", "cash", "ocr", "camt054", "camt053")

_OPEN_SQL = open_invoices_sql()


@dataclass
class ImportReport:
    file: str
    format: str
    sha256: str
    read: int = 0
    new: int = 0
    already_imported: int = 0
    matched: int = 0
    partly_matched: int = 0
    overpaid: int = 0
    unmatched: int = 0
    skipped: int = 0
    total_ore: int = 0
    dry_run: bool = False
    unmatched_payments: list[dict[str, Any]] = field(default_factory=list)
    skipped_why: list[str] = field(default_factory=list)  # one line per skipped entry
    notes: list[str] = field(default_factory=list)  # texts cut or cleaned on the way in

    def line(self) -> str:
        from filmklynge.money import format_nok

        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {self.file} ({self.format}): {self.read} payments read, {self.new} new, "
            f"{self.already_imported} already imported; {self.matched} matched, "
            f"{self.partly_matched} partly matched, {self.overpaid} overpaid, "
            f"{self.unmatched} unmatched, {self.skipped} skipped; "
            f"total {format_nok(self.total_ore)}."
        )


# With no membership or invoice yet, the earliest date a bank payment may carry: OCR giro
# dates have two-digit years, and netsgiro reads 69-99 as 1969-1999.
EARLIEST_PAYMENT = date(2000, 1, 1)


def first_day(db: Database) -> date:
    """The cluster's first recorded day: its earliest membership or invoice. No payment to the
    cluster is older."""
    found = db.scalar(
        "SELECT min(d) FROM (SELECT min(joined_on) AS d FROM memberships "
        "UNION ALL SELECT min(issued_on) FROM invoices)"
    )
    return date.fromisoformat(found) if found else EARLIEST_PAYMENT


def check_payment(db: Database, *, amount_ore: int, paid_on: date, what: str) -> None:
    """The rules every payment follows, typed by hand or read from a bank file: more than 0,
    at most ``MAX_PAYMENT_ORE``, dated neither in the future nor before the cluster's first
    recorded day."""
    from filmklynge.money import check_payment_amount

    check_payment_amount(amount_ore, what=what)
    if paid_on > today():
        raise InvalidInput(
            f"{what} is dated {paid_on.isoformat()}, in the future. Check the date (and the "
            "computer's)."
        )
    earliest = first_day(db)
    if paid_on < earliest:
        raise InvalidInput(
            f"{what} is dated {paid_on.isoformat()}, before the cluster's first recorded day "
            f"({earliest.isoformat()}: its earliest membership or invoice). Check the date."
        )


def open_invoices_by_kid(db: Database) -> dict[str, dict[str, Any]]:
    return {r["kid"]: r for r in db.query(_OPEN_SQL + " AND kid IS NOT NULL")}


def _kid_ok(kid: str | None) -> bool:
    return bool(kid) and (kidlib.is_valid(kid, "MOD10") or kidlib.is_valid(kid, "MOD11"))


@dataclass
class ImportPlan:
    """What importing a bank file would do: the report, and the rows to write."""

    report: ImportReport
    import_row: dict[str, Any]
    payments: list[tuple] = field(default_factory=list)
    allocations: list[tuple] = field(default_factory=list)


def plan_import(db: Database, path: Path) -> ImportPlan:
    """Read, check and match a bank file against the database, writing nothing.

    Payments already imported (by bank reference) are counted and left out; each new payment
    with a valid KID of an open invoice is allocated up to what the invoice still owes.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"No file {path}.")
    if path.is_file() and path.stat().st_size > bankfiles.MAX_BYTES:
        raise InvalidInput(
            f"{path.name} is larger than {bankfiles.MAX_BYTES // 1024 // 1024} MB; "
            "split it or check it is a payment file."
        )
    data = path.read_bytes()
    parsed = bankfiles.parse(data, name=path.name)
    report = ImportReport(
        file=path.name,
        format=parsed.format,
        sha256=bankfiles.sha256(data),
        read=len(parsed.payments),
        skipped=parsed.skipped,
        dry_run=True,
        skipped_why=parsed.skipped_why,
        notes=parsed.notes,
    )
    for p in parsed.payments:
        try:
            check_payment(
                db,
                amount_ore=p.amount_ore,
                paid_on=p.paid_on,
                what=f"{path.name}: payment {p.bank_ref[:60]}",
            )
        except InvalidInput as e:
            raise InvalidInput(f"{e} Nothing was imported.") from None
    known = {
        r[0]
        for r in db.execute("SELECT bank_ref FROM payments WHERE bank_ref IS NOT NULL").fetchall()
    }
    invoices = open_invoices_by_kid(db)
    next_id = (db.scalar("SELECT max(id) FROM payments") or 0) + 1
    stamp = now_utc()
    plan = ImportPlan(
        report,
        {
            "file_name": path.name,
            "file_sha256": report.sha256,
            "format": parsed.format,
            "imported_at": stamp,
        },
    )
    for p in parsed.payments:
        if p.bank_ref in known:
            report.already_imported += 1
            continue
        ensure_open(db, p.paid_on, f"payment {p.bank_ref} in {path.name}")
        known.add(p.bank_ref)
        report.new += 1
        report.total_ore += p.amount_ore
        inv = invoices.get(p.kid) if _kid_ok(p.kid) else None
        member_id = None
        if inv is not None:
            member_id = inv["member_id"]
            take = min(p.amount_ore, inv["outstanding_ore"])
            if take > 0:
                plan.allocations.append((next_id, inv["id"], take, p.paid_on.isoformat(), stamp))
                inv["outstanding_ore"] -= take
            if p.amount_ore == take and inv["outstanding_ore"] == 0:
                report.matched += 1
            elif p.amount_ore == take:
                report.partly_matched += 1
            else:
                report.overpaid += 1
        else:
            report.unmatched += 1
            report.unmatched_payments.append(
                {"id": next_id, "amount_ore": p.amount_ore, "kid": p.kid, "reference": p.reference}
            )
        plan.payments.append(
            (
                next_id,
                p.paid_on.isoformat(),
                p.value_on.isoformat() if p.value_on else None,
                p.amount_ore,
                parsed.format,
                member_id,
                p.kid,
                p.reference,
                p.payer_name,
                p.payer_account,
                p.bank_ref,
                stamp,
            )
        )
        next_id += 1
    return plan


def apply_import(db: Database, plan: ImportPlan) -> ImportReport:
    """Write a planned import in one transaction (with the audit entry) and return its report.

    Call it inside the transaction that made the plan (``import_file`` does), so that nothing
    can change between planning and writing.
    """
    report = replace(plan.report, dry_run=False)
    with db.atomic():
        import_id = None
        if not db.one("SELECT id FROM payment_imports WHERE file_sha256 = ?", [report.sha256]):
            import_id = db.insert(
                "payment_imports",
                {
                    **plan.import_row,
                    "payments_read": report.read,
                    "payments_new": report.new,
                    "total_ore": report.total_ore,
                },
            )
        db.executemany(
            "INSERT INTO payments (id, paid_on, value_on, amount_ore, method, member_id, kid, "
            "reference, payer_name, payer_account, bank_ref, import_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:11], import_id, row[11]) for row in plan.payments],
        )
        db.executemany(
            "INSERT INTO payment_allocations (payment_id, invoice_id, amount_ore, allocated_on, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            plan.allocations,
        )
        lists = ("unmatched_payments", "skipped_why", "notes")
        summary = {k: v for k, v in asdict(report).items() if k not in lists}
        audit.record(db, "import", "payment_import", import_id, after=summary)
    return report


def import_file(db: Database, path: Path) -> ImportReport:
    """Plan and apply a bank file in one transaction; importing it again adds 0."""
    with db.atomic():
        return apply_import(db, plan_import(db, path))


def preview_file(db: Database, path: Path) -> ImportReport:
    """What importing the file would do (``--dry-run``); nothing is written."""
    return plan_import(db, path).report


# ---- allocation and member credit -----------------------------------------------------------


def _outstanding(db: Database, invoice_id: int) -> int:
    row = db.one(_OPEN_SQL + " AND id = ?", [invoice_id])
    return max(0, row["outstanding_ore"]) if row else 0


def unallocated(db: Database, payment_id: int) -> int:
    return (
        db.scalar(
            "SELECT p.amount_ore - coalesce((SELECT sum(amount_ore) FROM payment_allocations a "
            "WHERE a.payment_id = p.id), 0) FROM payments p WHERE p.id = ?",
            [payment_id],
        )
        or 0
    )


def member_credit(db: Database, member_id: int, on: date | None = None) -> int:
    """Money the member paid that no invoice took, less what was refunded (as of ``on``: the
    payments, allocations and refunds dated by then)."""
    day = on.isoformat() if on else "9999-12-31"
    paid = db.scalar(
        "SELECT coalesce(sum(amount_ore), 0) FROM payments WHERE member_id = ? AND paid_on <= ?",
        [member_id, day],
    )
    allocated = db.scalar(
        "SELECT coalesce(sum(a.amount_ore), 0) FROM payment_allocations a "
        "JOIN payments p ON p.id = a.payment_id WHERE p.member_id = ? AND a.allocated_on <= ?",
        [member_id, day],
    )
    refunded = db.scalar(
        "SELECT coalesce(sum(amount_ore), 0) FROM refunds WHERE member_id = ? AND refunded_on <= ?",
        [member_id, day],
    )
    return paid - allocated - refunded


def apply_member_credit(db: Database, member_id: int, invoice_id: int, on: date) -> int:
    """Settle an invoice from the member's credit, oldest payments first; returns øre used."""
    available = member_credit(db, member_id)
    need = _outstanding(db, invoice_id)
    use = min(available, need)
    if use <= 0:
        return 0
    used = 0
    with db.atomic():
        ensure_open(db, on, "settling an invoice from member credit")
        for p in db.query(
            "SELECT p.id, p.amount_ore - coalesce((SELECT sum(a.amount_ore) FROM "
            "payment_allocations a WHERE a.payment_id = p.id), 0) AS free FROM payments p "
            "WHERE p.member_id = ? ORDER BY p.paid_on, p.id",
            [member_id],
        ):
            if used >= use:
                break
            take = min(p["free"], use - used)
            if take > 0:
                db.insert(
                    "payment_allocations",
                    {
                        "payment_id": p["id"],
                        "invoice_id": invoice_id,
                        "amount_ore": take,
                        "allocated_on": on.isoformat(),
                        "created_at": now_utc(),
                    },
                )
                used += take
        audit.record(
            db,
            "allocate",
            "invoice",
            invoice_id,
            after={"from_member_credit": used, "member_id": member_id},
        )
    return used


def _allocate_to_invoice(db: Database, payment_id: int, invoice: dict[str, Any], on: date) -> int:
    take = min(unallocated(db, payment_id), _outstanding(db, invoice["id"]))
    if take > 0:
        db.insert(
            "payment_allocations",
            {
                "payment_id": payment_id,
                "invoice_id": invoice["id"],
                "amount_ore": take,
                "allocated_on": on.isoformat(),
                "created_at": now_utc(),
            },
        )
    return take


def _settle_member(db: Database, payment_id: int, member_id: int, on: date) -> int:
    """Apply a payment to a member's open invoices, oldest due first."""
    used = 0
    for inv in db.query(
        _OPEN_SQL + " AND member_id = ? AND outstanding_ore > 0 ORDER BY due_on, number",
        [member_id],
    ):
        if unallocated(db, payment_id) <= 0:
            break
        used += _allocate_to_invoice(db, payment_id, inv, on)
    return used


def payment_warning(
    db: Database,
    *,
    amount_ore: int,
    paid_on: date,
    invoice: str | None = None,
    kid: str | None = None,
) -> str | None:
    """Why a payment about to be registered by hand on an invoice (by number or KID) looks
    wrong, or None: the invoice owes nothing (already paid or credited), or the payment is more
    than twice what it owes. What is not owed becomes a credit on the member, so the CLI asks
    before registering it. A payment for a member (``--member``) is not asked about: paying in
    advance is what it is for. Reads only."""
    from filmklynge.ledger.invoicing import find_invoice
    from filmklynge.money import format_nok

    check_payment(db, amount_ore=amount_ore, paid_on=paid_on, what="The payment")
    if invoice is None and kid is None:
        return None
    target = (
        find_invoice(db, invoice)
        if invoice is not None
        else db.one("SELECT * FROM invoices WHERE kid = ?", [kid.strip()])
    )
    if target is None or target["kind"] != "invoice":
        return None  # add_payment says what is wrong
    owed = _outstanding(db, target["id"])
    what = f"Invoice {target['number']}"
    if owed <= 0:
        return (
            f"{what} owes nothing (already paid); all {format_nok(amount_ore)} would become "
            "credit on the member."
        )
    if amount_ore > 2 * owed:
        return (
            f"{format_nok(amount_ore)} is more than twice what {what} owes "
            f"({format_nok(owed)}); {format_nok(amount_ore - owed)} would become credit on "
            "the member."
        )
    return None


def add_payment(
    db: Database,
    *,
    amount_ore: int,
    paid_on: date,
    invoice: str | None = None,
    member: str | None = None,
    kid: str | None = None,
    reference: str | None = None,
    method: str = "manual",
    payer: str | None = None,
) -> dict[str, Any]:
    """Register a payment by hand; it settles the invoice (or the member's oldest invoices)."""
    from filmklynge.ledger.invoicing import find_invoice
    from filmklynge.register.members import find_member

    check_payment(db, amount_ore=amount_ore, paid_on=paid_on, what="The payment")
    if method not in ("manual", "bank", "cash"):
        raise InvalidInput(f"Method {method!r} must be manual, bank or cash.")
    if sum(x is not None for x in (invoice, member, kid)) != 1:
        raise InvalidInput(
            "Say what the payment is for: exactly one of --invoice, --member, --kid."
        )
    with db.atomic():
        ensure_open(db, paid_on, "a payment")
        target = None
        if invoice is not None:
            target = find_invoice(db, invoice)
        elif kid is not None:
            target = db.one("SELECT * FROM invoices WHERE kid = ?", [kid.strip()])
            if target is None:
                raise NotFound(f"No invoice has KID {kid}. Use --member to record it as credit.")
        if target is not None and target["kind"] != "invoice":
            raise InvalidInput(f"{target['number']} is a credit note; pay the invoice instead.")
        member_id = target["member_id"] if target else find_member(db, member)["id"]
        payment_id = db.insert(
            "payments",
            {
                "paid_on": paid_on.isoformat(),
                "amount_ore": amount_ore,
                "method": method,
                "member_id": member_id,
                "kid": target["kid"] if target else None,
                "reference": reference,
                "payer_name": payer,
                "created_at": now_utc(),
            },
        )
        if target is not None:
            _allocate_to_invoice(db, payment_id, target, paid_on)
        else:
            _settle_member(db, payment_id, member_id, paid_on)
        audit.record(
            db,
            "create",
            "payment",
            payment_id,
            after={
                "amount_ore": amount_ore,
                "paid_on": paid_on.isoformat(),
                "member_id": member_id,
                "invoice": target["number"] if target else None,
                "method": method,
            },
        )
    return payment_detail(db, payment_id)


def payment_detail(db: Database, payment_id: int) -> dict[str, Any]:
    row = db.one(_PAYMENTS_SQL + " WHERE p.id = ?", [payment_id])
    if row is None:
        raise NotFound(f"No payment {payment_id}. Run 'filmklynge payments list'.")
    return row


def allocate(
    db: Database,
    payment_id: int,
    *,
    invoice: str | None = None,
    member: str | None = None,
    on: date,
) -> dict[str, Any]:
    """Settle an unmatched (or partly unallocated) payment against an invoice or a member."""
    from filmklynge.ledger.invoicing import find_invoice
    from filmklynge.register.members import find_member

    if (invoice is None) == (member is None):
        raise InvalidInput("Give exactly one of --invoice or --member.")
    with db.atomic():
        ensure_open(db, on, "an allocation")
        payment = db.get("payments", payment_id)
        if payment is None:
            raise NotFound(f"No payment {payment_id}. See 'filmklynge payments unmatched'.")
        free = unallocated(db, payment_id)
        if free <= 0:
            raise InvalidInput(f"Payment {payment_id} is already fully allocated.")
        if invoice is not None:
            target = find_invoice(db, invoice)
            if target["kind"] != "invoice":
                raise InvalidInput(f"{target['number']} is a credit note.")
            if payment["member_id"] not in (None, target["member_id"]):
                raise InvalidInput(
                    f"Payment {payment_id} belongs to another member than "
                    f"invoice {target['number']}."
                )
            if _outstanding(db, target["id"]) <= 0:
                raise InvalidInput(f"Invoice {target['number']} has nothing outstanding.")
            member_id = target["member_id"]
            db.update("payments", payment_id, {"member_id": member_id})
            used = _allocate_to_invoice(db, payment_id, target, on)
        else:
            member_id = find_member(db, member)["id"]
            if payment["member_id"] not in (None, member_id):
                raise InvalidInput(
                    f"Payment {payment_id} already belongs to member {payment['member_id']}."
                )
            db.update("payments", payment_id, {"member_id": member_id})
            used = _settle_member(db, payment_id, member_id, on)
        audit.record(
            db,
            "allocate",
            "payment",
            payment_id,
            before={"member_id": payment["member_id"]},
            after={"member_id": member_id, "allocated_ore": used, "invoice": invoice},
        )
    return payment_detail(db, payment_id)


def refund(
    db: Database, *, member: str, amount_ore: int, on: date, reference: str | None = None
) -> dict[str, Any]:
    from filmklynge.money import format_nok
    from filmklynge.register.members import find_member

    if amount_ore <= 0:
        raise InvalidInput("A refund must be more than 0 kr.")
    if on > today():
        raise InvalidInput(f"Refund date {on.isoformat()} is in the future.")
    with db.atomic():
        ensure_open(db, on, "a refund")
        m = find_member(db, member)
        credit = member_credit(db, m["id"])
        if amount_ore > credit:
            raise InvalidInput(
                f"{m['name']} has {format_nok(credit)} in credit; cannot refund "
                f"{format_nok(amount_ore)}."
            )
        refund_id = db.insert(
            "refunds",
            {
                "member_id": m["id"],
                "amount_ore": amount_ore,
                "refunded_on": on.isoformat(),
                "reference": reference,
                "created_at": now_utc(),
            },
        )
        audit.record(
            db,
            "create",
            "refund",
            refund_id,
            after={"member_id": m["id"], "amount_ore": amount_ore},
        )
    return {
        "id": refund_id,
        "member": m["name"],
        "amount_ore": amount_ore,
        "credit_left_ore": credit - amount_ore,
    }


# ---- listings -----------------------------------------------------------------------------

_PAYMENTS_SQL = """
SELECT p.id, p.paid_on, p.amount_ore, p.method, p.kid, p.member_id, m.name AS member,
       (SELECT group_concat(i.number, ' ') FROM payment_allocations a JOIN invoices i
        ON i.id = a.invoice_id WHERE a.payment_id = p.id) AS invoices,
       coalesce((SELECT sum(a.amount_ore) FROM payment_allocations a WHERE a.payment_id = p.id),
                0) AS allocated_ore,
       p.amount_ore - coalesce((SELECT sum(a.amount_ore) FROM payment_allocations a
                                WHERE a.payment_id = p.id), 0) AS unallocated_ore,
       p.reference, p.payer_name, p.payer_account, p.bank_ref
FROM payments p LEFT JOIN members m ON m.id = p.member_id
"""


def list_payments(
    db: Database,
    *,
    since: date | None = None,
    until: date | None = None,
    member: str | None = None,
    method: str | None = None,
    unmatched: bool = False,
) -> list[dict[str, Any]]:
    clauses, params = [], []
    if since:
        clauses.append("p.paid_on >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append("p.paid_on <= ?")
        params.append(until.isoformat())
    if member:
        from filmklynge.register.members import find_member

        clauses.append("p.member_id = ?")
        params.append(find_member(db, member)["id"])
    if method:
        if method not in METHODS:
            raise InvalidInput(f"Method {method!r} must be one of: {', '.join(METHODS)}.")
        clauses.append("p.method = ?")
        params.append(method)
    if unmatched:
        clauses.append("p.member_id IS NULL")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(db.query(_PAYMENTS_SQL + where + " ORDER BY p.paid_on, p.id", params))


def unmatched_with_suggestions(db: Database) -> list[dict[str, Any]]:
    """Payments no member could be found for, with the invoice they most likely pay."""
    rows = list_payments(db, unmatched=True)
    open_rows = list(db.query(_OPEN_SQL + " AND outstanding_ore > 0"))
    numbers = {str(r["number"]): r for r in open_rows}
    for row in rows:
        suggestion = None
        for token in re.findall(r"\d{4,}", f"{row['reference'] or ''} {row['kid'] or ''}"):
            if token in numbers:
                suggestion = (numbers[token]["number"], f"text names invoice {token}")
                break
        if suggestion is None:
            same = [r for r in open_rows if r["outstanding_ore"] == row["unallocated_ore"]]
            if len(same) == 1:
                suggestion = (same[0]["number"], "amount equals what is outstanding")
        row["suggested_invoice"] = suggestion[0] if suggestion else None
        row["why"] = suggestion[1] if suggestion else None
        if row["kid"] and not _kid_ok(row["kid"]):
            row["why"] = (row["why"] + "; " if row["why"] else "") + "KID has a bad check digit"
    return rows
