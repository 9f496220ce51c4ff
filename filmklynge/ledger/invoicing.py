"""Invoicing the membership fee: periods and pro rata, plans, numbering and KID, credit notes.

An invoice run is planned first (pure reads, returns a ``Plan``) and then applied in one
transaction. Issued invoices are never changed: the database refuses it, and corrections are
credit notes in the same number series with negative amounts.

Invoicing and ``payments`` need each other: this module owns invoices (numbers, KID, lines,
credit notes) and calls ``payments.apply_member_credit`` when a new invoice can be settled from
a member's credit; ``payments`` owns money received and looks invoices up here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from filmklynge import identifiers
from filmklynge import kid as kidlib
from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.ledger.books import ensure_open
from filmklynge.money import allocate, format_nok, net_of, prorate, vat_of
from filmklynge.store import audit
from filmklynge.store.db import Database

PERIODS: dict[str, tuple[int, int]] = {
    "year": (1, 12),
    "h1": (1, 6),
    "h2": (7, 12),
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
}
_NB = {
    "year": "",
    "h1": "1. halvår ",
    "h2": "2. halvår ",
    "q1": "1. kvartal ",
    "q2": "2. kvartal ",
    "q3": "3. kvartal ",
    "q4": "4. kvartal ",
}
_EN = {
    "year": "",
    "h1": "first half ",
    "h2": "second half ",
    "q1": "Q1 ",
    "q2": "Q2 ",
    "q3": "Q3 ",
    "q4": "Q4 ",
}
# ---- periods and pro rata (pure) ----------------------------------------------------------


def period_bounds(year: int, period: str = "year") -> tuple[date, date, str]:
    """First and last day of a billing period and its key ('2026', '2026-H1', '2026-Q3')."""
    name = str(period).strip().lower()
    if name not in PERIODS:
        raise InvalidInput(f"Unknown period {period!r}; use one of: {', '.join(PERIODS)}.")
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range (2000–2100).")
    first, last = PERIODS[name]
    start = date(year, first, 1)
    end = (date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)) - timedelta(days=1)
    key = str(year) if name == "year" else f"{year}-{name.upper()}"
    return start, end, key


def parse_period_key(key: str) -> tuple[int, str]:
    """'2026' -> (2026, 'year'); '2026-h1' -> (2026, 'h1')."""
    text = str(key).strip().lower()
    year_text, _, name = text.partition("-")
    if not year_text.isdigit() or (name and name not in PERIODS):
        raise InvalidInput(f"Period {key!r} must look like 2026, 2026-H1 or 2026-Q3.")
    return int(year_text), name or "year"


def _month_count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _month_end(d: date) -> date:
    return (date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)) - timedelta(
        days=1
    )


def billed_span(
    joined_on: date, start: date, end: date, left_on: date | None = None
) -> tuple[date, date] | None:
    """First and last day of the whole months billed in the period ``start``–``end``: from the
    month of joining (or the period's start) to the month of leaving (or the period's end).
    None when the membership does not touch the period. A member pays the month it joins in
    and the month it leaves in, whole."""
    first = max(start, date(joined_on.year, joined_on.month, 1))
    last = end if left_on is None else min(end, _month_end(left_on))
    if first > last:
        return None
    return first, last


def months_billable(
    joined_on: date, start: date, end: date, left_on: date | None = None
) -> tuple[int, int]:
    """Whole months billed and months in the period: from the month of joining to the month
    of leaving (see ``billed_span``)."""
    of = _month_count(start, end)
    span = billed_span(joined_on, start, end, left_on)
    return (0 if span is None else _month_count(*span)), of


def billed_period(invoice: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[str, str] | None:
    """First and last day (ISO) of the months an invoice or credit note bills: the one
    definition the PDF, the EHF ``InvoicePeriod`` and ``invoices show`` use.

    Invoices store the months billed in period_start_on/period_end_on. Invoices issued before
    that (the m012 migration) stored the whole period; for those, the months of their pro rata
    lines, counted back from the period's end, narrow it (members then paid from the month of
    joining to the period's end)."""
    start, end = invoice.get("period_start_on"), invoice.get("period_end_on")
    if not start or not end:
        return None
    months = [
        int(line["months"])
        for line in lines
        if line.get("months") and line.get("months_of") and line["months"] < line["months_of"]
    ]
    if months and len(months) == len(lines):
        from filmklynge.dates import add_months

        last = date.fromisoformat(end)
        first = add_months(date(last.year, last.month, 1), -(max(months) - 1))
        start = max(start, first.isoformat())
    return start, end


# ---- plans ----------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    fee_part: str
    description: str
    months: int
    months_of: int
    full_ore: int
    net_ore: int
    vat_code: str
    vat_rate_bp: int
    vat_ore: int
    vat_text: str | None


@dataclass
class PlannedInvoice:
    member_id: int
    member_name: str
    language: str
    buyer_orgnr: str | None
    buyer_vat_id: str | None
    buyer_address: str
    lines: list[PlannedLine]
    billed_from: str = ""  # first and last day of the months billed (ISO)
    billed_to: str = ""

    @property
    def net_ore(self) -> int:
        return sum(line.net_ore for line in self.lines)

    @property
    def vat_ore(self) -> int:
        return sum(line.vat_ore for line in self.lines)

    @property
    def total_ore(self) -> int:
        return self.net_ore + self.vat_ore


@dataclass
class Plan:
    year: int
    period: str
    key: str
    start: date
    end: date
    issued_on: date
    due_on: date
    invoices: list[PlannedInvoice] = field(default_factory=list)
    already_invoiced: int = 0
    untiered: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "member_id": p.member_id,
                "member": p.member_name,
                "lines": "; ".join(line.description for line in p.lines),
                "net_ore": p.net_ore,
                "vat_ore": p.vat_ore,
                "total_ore": p.total_ore,
            }
            for p in self.invoices
        ]

    def totals(self) -> dict[str, int]:
        return {
            "invoices": len(self.invoices),
            "net_ore": sum(p.net_ore for p in self.invoices),
            "vat_ore": sum(p.vat_ore for p in self.invoices),
            "total_ore": sum(p.total_ore for p in self.invoices),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "period": self.key,
            "start_on": self.start.isoformat(),
            "end_on": self.end.isoformat(),
            "issued_on": self.issued_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "already_invoiced": self.already_invoiced,
            "skipped_untiered": self.untiered,
            **self.totals(),
            "invoices": [
                {**asdict(p), "net_ore": p.net_ore, "vat_ore": p.vat_ore, "total_ore": p.total_ore}
                for p in self.invoices
            ],
        }


def _profile(db: Database) -> dict[str, Any]:
    from filmklynge.register.profile import get_profile

    return get_profile(db)


def buyer_address(member: dict[str, Any]) -> str:
    lines = [member.get("address_line") or ""]
    place = " ".join(p for p in (member.get("postal_code"), member.get("city")) if p)
    lines.append(place)
    if member.get("country") and member["country"] != "NO":
        lines.append(identifiers.country_name(member["country"]))
    return "\n".join(line for line in lines if line)


# A member's VAT treatment (members.vat_treatment): 'domestic', or 'export' for export of
# services to a business abroad, zero-rated under merverdiavgiftsloven § 6-22 (VAT code G,
# EN 16931 "Export outside the EU"). Export zero-rates what would otherwise carry VAT (S, Z);
# a fee outside the VAT Act (E, § 3-13) stays outside it.
VAT_TREATMENTS = ("domestic", "export")
EXPORT_CODE = "G"


def line_vat_code(tier_code: str, treatment: str | None) -> str:
    """The VAT code of an invoice line: the tier fee's code, or G for a member whose VAT
    treatment is export when the fee would otherwise carry or zero-rate VAT."""
    if treatment == "export" and tier_code in ("S", "Z"):
        return EXPORT_CODE
    return tier_code


def _describe(part: str, lang: str, period: str, year: int, months: int, of: int) -> str:
    if lang == "en":
        label = "membership fee" if part == "membership" else "service fee"
        if months == of:
            return f"{label.capitalize()} {_EN[period]}{year}"
        whole = "annual fee" if part == "membership" else "annual service fee"
        if period != "year":
            whole = f"{label} {_EN[period].strip()}"
        return f"{months}/{of} of {whole} {year}"
    if months == of:
        label = "Medlemskontingent" if part == "membership" else "Serviceavgift"
        return f"{label} {_NB[period]}{year}"
    if period == "year":
        whole = "årskontingent" if part == "membership" else "årlig serviceavgift"
    else:
        whole = ("kontingent " if part == "membership" else "serviceavgift ") + _NB[period].strip()
    return f"{months}/{of} av {whole} {year}"


def plan_run(
    db: Database,
    *,
    year: int,
    period: str = "year",
    issued_on: date,
    skip_untiered: bool = False,
    member_ids: set[int] | None = None,
) -> Plan:
    """Plan the invoices of a period; reads only. Raises on missing fees or tiers, and when the
    issue date lies in a closed period."""
    ensure_open(db, issued_on, "invoices")
    start, end, key = period_bounds(year, period)
    name = str(period).strip().lower()
    profile = _profile(db)
    vat = {r["code"]: r for r in db.query("SELECT * FROM vat_codes")}
    plan = Plan(
        year=year,
        period=name,
        key=key,
        start=start,
        end=end,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=profile["payment_terms_days"]),
    )
    rows = list(
        db.query(
            """SELECT m.*, min(p.joined_on) AS first_joined, t.code AS tier_code,
                  CASE WHEN count(p.left_on) = count(*) THEN max(p.left_on) END AS last_left,
                  EXISTS (SELECT 1 FROM invoices i WHERE i.member_id = m.id AND i.kind = 'invoice'
                          AND (i.period = :key OR (i.period_start_on <= :end
                                                   AND i.period_end_on >= :start))) AS invoiced
           FROM members m JOIN memberships p ON p.member_id = m.id
           LEFT JOIN tiers t ON t.id = m.tier_id
           WHERE p.joined_on <= :end AND (p.left_on IS NULL OR p.left_on >= :start)
           GROUP BY m.id ORDER BY m.name COLLATE NOCASE""",
            {"key": key, "start": start.isoformat(), "end": end.isoformat()},
        )
    )
    if member_ids is not None:
        rows = [r for r in rows if r["id"] in member_ids]
    fees = {r["tier_id"]: r for r in db.query("SELECT * FROM tier_fees WHERE year = ?", [year])}
    untiered = [r for r in rows if not r["invoiced"] and r["tier_id"] is None]
    if untiered and not skip_untiered:
        names = ", ".join(f"{r['id']}: {r['name']}" for r in untiered)
        raise InvalidInput(
            f"{len(untiered)} members have no tier ({names}). Give them one with "
            "'filmklynge members edit ID --tier CODE', or add --skip-untiered."
        )
    plan.untiered = [r["name"] for r in untiered]
    missing = sorted(
        {
            r["tier_code"]
            for r in rows
            if r["tier_id"] is not None and not r["invoiced"] and r["tier_id"] not in fees
        }
    )
    if missing:
        raise InvalidInput(
            f"No fee for {year} is set for tier(s) {', '.join(missing)}. Set it with "
            f"'filmklynge tiers set-fee TIER --year {year} --membership KR --service KR'."
        )
    for r in rows:
        if r["invoiced"]:
            plan.already_invoiced += 1
            continue
        if r["tier_id"] is None:
            continue
        fee = fees[r["tier_id"]]
        lang = r["language"] or ("en" if r["country"] != "NO" else profile["language"])
        joined = date.fromisoformat(r["first_joined"])
        left = date.fromisoformat(r["last_left"]) if r["last_left"] else None
        months, of = months_billable(joined, start, end, left)
        span = billed_span(joined, start, end, left)
        lines = []
        for part in ("membership", "service"):
            yearly = fee[f"{part}_ore"]
            if yearly == 0 or months == 0:
                continue
            code = vat[line_vat_code(fee[f"{part}_vat"], r.get("vat_treatment"))]
            net = prorate(yearly, months, 12)
            lines.append(
                PlannedLine(
                    fee_part=part,
                    description=_describe(part, lang, name, year, months, of),
                    months=months,
                    months_of=of,
                    full_ore=prorate(yearly, of, 12),
                    net_ore=net,
                    vat_code=code["code"],
                    vat_rate_bp=code["rate_bp"],
                    vat_ore=vat_of(net, code["rate_bp"]),
                    vat_text=(code["text_en"] if lang == "en" else code["text_nb"]) or None,
                )
            )
        if not lines:
            continue
        plan.invoices.append(
            PlannedInvoice(
                member_id=r["id"],
                member_name=r["name"],
                language=lang,
                buyer_orgnr=r["orgnr"],
                buyer_vat_id=r["vat_id"],
                buyer_address=buyer_address(r),
                lines=lines,
                billed_from=span[0].isoformat() if span else start.isoformat(),
                billed_to=span[1].isoformat() if span else end.isoformat(),
            )
        )
    return plan


def _next_number(db: Database, profile: dict[str, Any]) -> int:
    top = db.scalar("SELECT max(number) FROM invoices")
    return profile["first_invoice_no"] if top is None else top + 1


def next_number(db: Database) -> int:
    """The number the next invoice or credit note gets (for a plan to show)."""
    return _next_number(db, _profile(db))


def apply_run(db: Database, plan: Plan) -> list[dict[str, Any]]:
    """Write the planned invoices in one transaction; returns number, member, KID and total."""
    created: list[dict[str, Any]] = []
    if not plan.invoices:
        return created
    stamp = now_utc()
    with db.atomic():
        ensure_open(db, plan.issued_on, "invoices")
        profile = _profile(db)
        number = _next_number(db, profile)
        next_id = (db.scalar("SELECT max(id) FROM invoices") or 0) + 1
        invoices, lines, audits = [], [], []
        for p in plan.invoices:
            net, vat = p.net_ore, p.vat_ore
            kid = kidlib.make_kid(p.member_id, number, profile["kid_length"])
            if not kidlib.is_valid(kid, "MOD10", min_length=kidlib.KID_MIN_LENGTH):
                raise InvalidInput(f"Generated KID {kid} does not validate.")  # pragma: no cover
            invoices.append(
                (
                    next_id,
                    number,
                    "invoice",
                    p.member_id,
                    None,
                    plan.key,
                    p.billed_from or plan.start.isoformat(),
                    p.billed_to or plan.end.isoformat(),
                    plan.issued_on.isoformat(),
                    plan.due_on.isoformat(),
                    kid,
                    "NOK",
                    p.language,
                    p.member_name,
                    p.buyer_orgnr,
                    p.buyer_vat_id,
                    p.buyer_address,
                    net,
                    vat,
                    net + vat,
                    None,
                    stamp,
                )
            )
            for i, line in enumerate(p.lines, start=1):
                lines.append(
                    (
                        next_id,
                        i,
                        line.fee_part,
                        line.description,
                        line.months,
                        line.months_of,
                        line.full_ore,
                        line.net_ore,
                        line.vat_code,
                        line.vat_rate_bp,
                        line.vat_ore,
                        line.vat_text,
                    )
                )
            after = {
                "number": number,
                "member_id": p.member_id,
                "period": plan.key,
                "kid": kid,
                "total_ore": net + vat,
            }
            audits.append(("issue", "invoice", next_id, None, after))
            created.append(
                {
                    "id": next_id,
                    "number": number,
                    "member_id": p.member_id,
                    "member": p.member_name,
                    "kid": kid,
                    "total_ore": net + vat,
                }
            )
            number += 1
            next_id += 1
        _insert_invoices(db, invoices, lines)
        audit.record_many(db, audits)
        _use_member_credit(db, created, plan.issued_on)
    return created


_INVOICE_COLUMNS = (
    "id, number, kind, member_id, credits_invoice_id, period, period_start_on, period_end_on, "
    "issued_on, due_on, kid, currency, language, buyer_name, buyer_orgnr, buyer_vat_id, "
    "buyer_address, net_ore, vat_ore, total_ore, note, created_at"
)
_LINE_COLUMNS = (
    "invoice_id, line_no, fee_part, description, months, months_of, full_ore, net_ore, "
    "vat_code, vat_rate_bp, vat_ore, vat_text"
)


def _insert_invoices(db: Database, invoices: list[tuple], lines: list[tuple]) -> None:
    try:
        db.executemany(
            f"INSERT INTO invoices ({_INVOICE_COLUMNS}) VALUES ({', '.join('?' * 22)})", invoices
        )
    except sqlite3.IntegrityError as e:  # the unique indexes are the last guard against duplicates
        raise Conflict(f"An invoice would be duplicated ({e}); nothing was written.") from None
    db.executemany(
        f"INSERT INTO invoice_lines ({_LINE_COLUMNS}) VALUES ({', '.join('?' * 12)})", lines
    )


def _use_member_credit(db: Database, created: list[dict[str, Any]], on: date) -> None:
    """Money members paid in advance (overpayments) settles their new invoices."""
    from filmklynge.ledger.payments import apply_member_credit  # the two need each other

    members_with_credit = {
        r["member_id"]
        for r in db.query("SELECT DISTINCT member_id FROM payments WHERE member_id IS NOT NULL")
    }
    for inv in created:
        if inv["member_id"] in members_with_credit:
            apply_member_credit(db, inv["member_id"], inv["id"], on)


def billing_period_for(db: Database, on: date) -> str:
    """The period a new member joins: the year, or its half/quarter if billed that way."""
    keys = [
        r["period"]
        for r in db.query(
            "SELECT DISTINCT period FROM invoices WHERE period LIKE ? AND kind = 'invoice'",
            [f"{on.year}-%"],
        )
    ]
    if any("-H" in k for k in keys):
        return "h1" if on.month <= 6 else "h2"
    if any("-Q" in k for k in keys):
        return f"q{(on.month - 1) // 3 + 1}"
    return "year"


def invoice_new_member(db: Database, member_id: int, *, issued_on: date) -> dict[str, Any] | None:
    """Invoice a new member at once for the rest of the current period (None: nothing due)."""
    with db.atomic():
        period = billing_period_for(db, issued_on)
        member = db.get("members", member_id)
        if member is None:
            raise NotFound(f"No member with id {member_id}.")
        if member["tier_id"] is None:
            return None
        if (
            db.one(
                "SELECT 1 FROM tier_fees WHERE tier_id = ? AND year = ?",
                [member["tier_id"], issued_on.year],
            )
            is None
        ):
            return None
        plan = plan_run(
            db, year=issued_on.year, period=period, issued_on=issued_on, member_ids={member_id}
        )
        created = apply_run(db, plan)
    return created[0] if created else None


# ---- balances and status ------------------------------------------------------------------


def status_of(row: dict[str, Any], as_of: date) -> str:
    """open, partly paid, paid, overdue or credited (credit notes: 'credit note')."""
    if row["kind"] == "credit":
        return "credit note"
    due = row["total_ore"] + row["credited_ore"] + row.get("fees_ore", 0)
    if due <= 0:
        return "credited"
    if row["paid_ore"] >= due:
        return "paid"
    if row["due_on"] < as_of.isoformat():
        return "overdue"
    return "partly paid" if row["paid_ore"] > 0 else "open"


def _with_status(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    row["member"] = row.pop("buyer_name")
    row["status"] = status_of(row, as_of)
    return row


def invoice_balances(
    db: Database, *, as_of: date, where: str = "", params: Any = ()
) -> list[dict[str, Any]]:
    """Every invoice (and credit note) with credited, paid, outstanding and status.

    ``where`` filters on the columns of ``balances.balances_sql`` (alias ``i``)."""
    from filmklynge.ledger.balances import balances_sql

    sql = (
        f"SELECT * FROM ({balances_sql()}) i"
        + (f" WHERE {where}" if where else "")
        + " ORDER BY i.number"
    )
    return [_with_status(r, as_of) for r in db.query(sql, params)]


STATUSES = ("open", "partly paid", "paid", "overdue", "credited", "credit note")


def list_invoices(
    db: Database,
    *,
    as_of: date,
    year: int | None = None,
    period: str | None = None,
    status: str | None = None,
    member: str | None = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    clauses, params = [], []
    if year:
        clauses.append("(i.period = ? OR i.period LIKE ?)")
        params += [str(year), f"{year}-%"]
    if period:
        y, name = parse_period_key(period)
        clauses.append("i.period = ?")
        params.append(period_bounds(y, name)[2])
    if member:
        from filmklynge.register.members import find_member

        clauses.append("i.member_id = ?")
        params.append(find_member(db, member)["id"])
    rows = invoice_balances(db, as_of=as_of, where=" AND ".join(clauses), params=params)
    if status:
        wanted = status.strip().lower().replace("-", " ").replace("_", " ")
        if wanted not in STATUSES:
            raise InvalidInput(f"Status {status!r} must be one of: {', '.join(STATUSES)}.")
        rows = [r for r in rows if r["status"] == wanted]
    if overdue:
        rows = [r for r in rows if r["status"] == "overdue"]
    return rows


def find_invoice(db: Database, number: int | str) -> dict[str, Any]:
    try:
        value = int(str(number).strip())
    except ValueError:
        raise InvalidInput(f"Invoice number {number!r} must be a number.") from None
    row = db.one("SELECT * FROM invoices WHERE number = ?", [value])
    if row is None:
        raise NotFound(f"No invoice number {number}. Run 'filmklynge invoices list'.")
    return row


def invoice_details(db: Database, number: int | str, *, as_of: date) -> dict[str, Any]:
    from filmklynge.ledger.vat import breakdown

    inv = find_invoice(db, number)
    balance = invoice_balances(db, as_of=as_of, where="i.id = ?", params=[inv["id"]])[0]
    lines = list(
        db.query("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", [inv["id"]])
    )
    credits = list(
        db.query(
            "SELECT number, issued_on, total_ore, note FROM invoices WHERE credits_invoice_id = ? "
            "ORDER BY number",
            [inv["id"]],
        )
    )
    payments = list(
        db.query(
            """SELECT a.payment_id, a.amount_ore, a.allocated_on, p.paid_on, p.method, p.reference
           FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
           WHERE a.invoice_id = ? ORDER BY a.allocated_on, a.id""",
            [inv["id"]],
        )
    )
    reminders = list(
        db.query(
            "SELECT seq, sent_on, due_on, fee_ore, outstanding_ore FROM reminders "
            "WHERE invoice_id = ? ORDER BY seq",
            [inv["id"]],
        )
    )
    credited = None
    if inv["credits_invoice_id"]:
        credited = db.scalar(
            "SELECT number FROM invoices WHERE id = ?", [inv["credits_invoice_id"]]
        )
    billed = billed_period(inv, lines) or (None, None)
    return {
        **inv,
        "billed_start_on": billed[0],  # the months billed, as the PDF and the EHF show them
        "billed_end_on": billed[1],
        "credits_invoice": credited,
        "credited_ore": balance["credited_ore"],
        "paid_ore": balance["paid_ore"],
        "outstanding_ore": balance["outstanding_ore"],
        "status": balance["status"],
        "lines": lines,
        "vat_by_code": breakdown(lines),
        "credit_notes": credits,
        "payments": payments,
        "reminders": reminders,
    }


# ---- credit notes -------------------------------------------------------------------------


def _remaining_lines(db: Database, inv: dict[str, Any]) -> list[dict[str, Any]]:
    """Each line of the invoice with what is left to credit of it (net and VAT)."""
    return list(
        db.query(
            """SELECT l.*, l.net_ore + coalesce(sum(cl.net_ore), 0) AS left_net,
                  l.vat_ore + coalesce(sum(cl.vat_ore), 0) AS left_vat
           FROM invoice_lines l
           LEFT JOIN invoices c ON c.credits_invoice_id = l.invoice_id AND c.kind = 'credit'
           LEFT JOIN invoice_lines cl ON cl.invoice_id = c.id AND cl.line_no = l.line_no
           WHERE l.invoice_id = ? GROUP BY l.id ORDER BY l.line_no""",
            [inv["id"]],
        )
    )


def insert_credit_note(
    db: Database,
    inv: dict[str, Any],
    *,
    net_ore: int,
    vat_ore: int,
    issued_on: date,
    reason: str | None,
) -> tuple[int, int]:
    """Write the head of a credit note for ``inv`` (amounts negative), next in the number
    series; returns its id and number. The caller adds its lines in the same transaction."""
    number = _next_number(db, _profile(db))
    credit_id = db.insert(
        "invoices",
        {
            "number": number,
            "kind": "credit",
            "member_id": inv["member_id"],
            "credits_invoice_id": inv["id"],
            "period": inv["period"],
            "period_start_on": inv["period_start_on"],
            "period_end_on": inv["period_end_on"],
            "issued_on": issued_on.isoformat(),
            "due_on": issued_on.isoformat(),
            "kid": None,
            "currency": inv["currency"],
            "language": inv["language"],
            "buyer_name": inv["buyer_name"],
            "buyer_orgnr": inv["buyer_orgnr"],
            "buyer_vat_id": inv["buyer_vat_id"],
            "buyer_address": inv["buyer_address"],
            "net_ore": net_ore,
            "vat_ore": vat_ore,
            "total_ore": net_ore + vat_ore,
            "note": reason,
            "created_at": now_utc(),
        },
    )
    return credit_id, number


@dataclass
class CreditPlan:
    """A credit note to issue: what it credits of each line of the invoice (positive amounts,
    at most what is left of the line). ``apply_credit`` writes it; a dry run shows it."""

    invoice: dict[str, Any]
    number: int  # the number it gets: the next in the series
    issued_on: date
    lines: list[tuple[dict[str, Any], int, int]]  # (invoice line, net, VAT) credited

    @property
    def net_ore(self) -> int:
        return -sum(c[1] for c in self.lines)

    @property
    def vat_ore(self) -> int:
        return -sum(c[2] for c in self.lines)

    @property
    def total_ore(self) -> int:
        return self.net_ore + self.vat_ore

    def rows(self) -> list[dict[str, Any]]:
        """The credit note's lines as it will be issued (amounts negative)."""
        return [
            {
                "line_no": r["line_no"],
                "description": r["description"],
                "net_ore": -net,
                "vat_code": r["vat_code"],
                "vat_ore": -vat,
            }
            for r, net, vat in self.lines
        ]


def plan_credit(
    db: Database,
    number: int | str,
    *,
    amount_ore: int | None = None,
    line_nos: list[int] | None = None,
    issued_on: date,
) -> CreditPlan:
    """The credit note for all, some lines of, or an amount (incl. VAT) of an invoice; reads
    only, and refuses what ``apply_credit`` would."""
    if amount_ore is not None and line_nos:
        raise InvalidInput("Give either --amount or --line, not both.")
    ensure_open(db, issued_on, "a credit note")
    inv = find_invoice(db, number)
    if inv["kind"] != "invoice":
        raise InvalidInput(f"{inv['number']} is a credit note; credit the invoice instead.")
    remaining = _remaining_lines(db, inv)
    left_total = sum(r["left_net"] + r["left_vat"] for r in remaining)
    if left_total <= 0:
        raise InvalidInput(f"Invoice {inv['number']} is already fully credited.")
    credit_lines: list[tuple[dict[str, Any], int, int]] = []  # (line, net, vat) positive
    if line_nos:
        by_no = {r["line_no"]: r for r in remaining}
        for no in line_nos:
            if no not in by_no:
                raise InvalidInput(
                    f"Invoice {inv['number']} has no line {no}; lines are "
                    f"{', '.join(str(n) for n in by_no)}."
                )
            r = by_no[no]
            if r["left_net"] + r["left_vat"] <= 0:
                raise InvalidInput(f"Line {no} of invoice {inv['number']} is already credited.")
            credit_lines.append((r, r["left_net"], r["left_vat"]))
    elif amount_ore is not None:
        if amount_ore <= 0:
            raise InvalidInput("A credit amount must be more than 0.")
        if amount_ore > left_total:
            raise InvalidInput(
                f"{format_nok(amount_ore)} is more than what is left to credit on invoice "
                f"{inv['number']} ({format_nok(left_total)})."
            )
        open_lines = [r for r in remaining if r["left_net"] + r["left_vat"] > 0]
        parts = allocate(amount_ore, [r["left_net"] + r["left_vat"] for r in open_lines])
        for r, gross in zip(open_lines, parts, strict=True):
            if gross == 0:
                continue
            # VAT out of the gross, but never more net or VAT than is left of the line: after
            # earlier credits rounded, the line's last øre may be VAT only (or net only).
            net = min(max(net_of(gross, r["vat_rate_bp"]), gross - r["left_vat"]), r["left_net"])
            credit_lines.append((r, net, gross - net))
    else:
        credit_lines = [
            (r, r["left_net"], r["left_vat"])
            for r in remaining
            if r["left_net"] + r["left_vat"] > 0
        ]
    return CreditPlan(
        invoice=inv,
        number=next_number(db),
        issued_on=issued_on,
        lines=credit_lines,
    )


def apply_credit(db: Database, plan: CreditPlan, *, reason: str | None) -> dict[str, Any]:
    """Issue the planned credit note (in the caller's transaction, or one of its own)."""
    inv = plan.invoice
    with db.atomic():
        credit_id, new_number = insert_credit_note(
            db,
            inv,
            net_ore=plan.net_ore,
            vat_ore=plan.vat_ore,
            issued_on=plan.issued_on,
            reason=reason,
        )
        db.executemany(
            f"INSERT INTO invoice_lines ({_LINE_COLUMNS}) VALUES ({', '.join('?' * 12)})",
            [
                (
                    credit_id,
                    r["line_no"],
                    r["fee_part"],
                    r["description"],
                    r["months"],
                    r["months_of"],
                    r["full_ore"],
                    -n,
                    r["vat_code"],
                    r["vat_rate_bp"],
                    -v,
                    r["vat_text"],
                )
                for r, n, v in plan.lines
            ],
        )
        audit.record(
            db,
            "issue",
            "credit_note",
            credit_id,
            after={
                "number": new_number,
                "credits": inv["number"],
                "total_ore": plan.total_ore,
                "reason": reason,
            },
        )
    return find_invoice(db, new_number)


def credit_invoice(
    db: Database,
    number: int | str,
    *,
    amount_ore: int | None = None,
    line_nos: list[int] | None = None,
    reason: str | None = None,
    issued_on: date,
) -> dict[str, Any]:
    """Issue a credit note for all, some lines of, or an amount (incl. VAT) of an invoice."""
    with db.atomic():
        plan = plan_credit(
            db, number, amount_ore=amount_ore, line_nos=line_nos, issued_on=issued_on
        )
        return apply_credit(db, plan, reason=reason)


# ---- a leaver's unused months --------------------------------------------------------------


@dataclass
class UnusedCredit:
    """What crediting a leaver's unused months would issue for one invoice: whole months after
    the month of leaving, to the end of the months the invoice bills."""

    invoice_number: int
    member_id: int
    member: str
    unused_from: str  # first and last day of the months credited (ISO)
    unused_to: str
    months: int  # months credited
    unused_months: int  # months unused (the most that may be credited)
    lines: list[dict[str, Any]] = field(default_factory=list)  # line_no, net_ore, vat_ore > 0

    @property
    def total_ore(self) -> int:
        return sum(line["net_ore"] + line["vat_ore"] for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "total_ore": self.total_ore}


def plan_unused_credit(
    db: Database, member_id: int, *, left_on: date, months: int | None = None
) -> list[UnusedCredit]:
    """The credit notes that give a member who leaves on ``left_on`` back the whole months it
    was invoiced for after the month of leaving (the leaving month itself is paid, as a leaver
    invoiced after resigning pays it). Reads only.

    Each line gives back what the kept months would not have cost: the line's amount less the
    pro rata of its full amount for the months kept, so that the invoice less the credit note
    is what a member leaving then would have been invoiced. ``months`` credits fewer months
    (the last ones); more than are unused is refused."""
    last_kept = _month_end(left_on)
    plans: list[UnusedCredit] = []
    invoices = list(
        db.query(
            "SELECT * FROM invoices WHERE member_id = ? AND kind = 'invoice' ORDER BY number",
            [member_id],
        )
    )
    for inv in invoices:
        lines = list(
            db.query(
                "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", [inv["id"]]
            )
        )
        span = billed_period(inv, lines)
        if span is None:
            continue
        first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
        if last <= last_kept:
            continue
        unused_first = max(first, last_kept + timedelta(days=1))
        unused = _month_count(unused_first, last)
        wanted = unused if months is None else months
        if wanted > unused:
            raise InvalidInput(
                f"Invoice {inv['number']} has {unused} unused whole months "
                f"({_nb_date(unused_first)}–{_nb_date(last)}); {wanted} is more than that."
            )
        if wanted <= 0:
            raise InvalidInput("The months to credit must be 1 or more.")
        from filmklynge.dates import add_months

        credit_from = add_months(date(last.year, last.month, 1), -(wanted - 1))
        plan = UnusedCredit(
            invoice_number=inv["number"],
            member_id=member_id,
            member=inv["buyer_name"],
            unused_from=credit_from.isoformat(),
            unused_to=last.isoformat(),
            months=wanted,
            unused_months=unused,
        )
        left = {r["line_no"]: r for r in _remaining_lines(db, inv)}
        for line in lines:
            billed = int(line["months"] or line["months_of"] or 12)
            of = int(line["months_of"] or 12)
            full = line["full_ore"] if line["full_ore"] is not None else line["net_ore"]
            kept = max(billed - wanted, 0)
            net = line["net_ore"] - prorate(full, kept, of)
            vat = line["vat_ore"] - vat_of(line["net_ore"] - net, line["vat_rate_bp"])
            if net <= 0 and vat <= 0:
                continue
            r = left[line["line_no"]]
            if net > r["left_net"] or vat > r["left_vat"]:
                raise InvalidInput(
                    f"Invoice {inv['number']} line {line['line_no']} has only "
                    f"{format_nok(r['left_net'] + r['left_vat'])} left to credit; the unused "
                    f"months are {format_nok(net + vat)}. Credit it with "
                    f"'filmklynge invoices credit {inv['number']} --amount ...'."
                )
            plan.lines.append(
                {
                    "line_no": line["line_no"],
                    "fee_part": line["fee_part"],
                    "months": wanted,
                    "months_of": of,
                    "full_ore": line["full_ore"],
                    "net_ore": net,
                    "vat_ore": vat,
                }
            )
        if plan.lines:
            plans.append(plan)
    return plans


def _nb_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def credit_unused(
    db: Database, plans: list[UnusedCredit], *, issued_on: date, reason: str | None = None
) -> list[dict[str, Any]]:
    """Issue the planned credit notes for a leaver's unused months; returns them."""
    out = []
    with db.atomic():
        ensure_open(db, issued_on, "a credit note")
        for plan in plans:
            inv = find_invoice(db, plan.invoice_number)
            year, name = parse_period_key(inv["period"])
            lang = inv["language"]
            originals = {
                r["line_no"]: r
                for r in db.query("SELECT * FROM invoice_lines WHERE invoice_id = ?", [inv["id"]])
            }
            when = f"{_nb_date(date.fromisoformat(plan.unused_from))}–" + _nb_date(
                date.fromisoformat(plan.unused_to)
            )
            note = reason or (
                f"Unused months {when} credited: the member has left."
                if lang == "en"
                else f"Ubrukte måneder {when} kreditert: medlemmet har meldt seg ut."
            )
            net = -sum(line["net_ore"] for line in plan.lines)
            vat = -sum(line["vat_ore"] for line in plan.lines)
            credit_id = db.insert(
                "invoices",
                {
                    "number": _next_number(db, _profile(db)),
                    "kind": "credit",
                    "member_id": inv["member_id"],
                    "credits_invoice_id": inv["id"],
                    "period": inv["period"],
                    "period_start_on": plan.unused_from,
                    "period_end_on": plan.unused_to,
                    "issued_on": issued_on.isoformat(),
                    "due_on": issued_on.isoformat(),
                    "kid": None,
                    "currency": inv["currency"],
                    "language": lang,
                    "buyer_name": inv["buyer_name"],
                    "buyer_orgnr": inv["buyer_orgnr"],
                    "buyer_vat_id": inv["buyer_vat_id"],
                    "buyer_address": inv["buyer_address"],
                    "net_ore": net,
                    "vat_ore": vat,
                    "total_ore": net + vat,
                    "note": note,
                    "created_at": now_utc(),
                },
            )
            db.executemany(
                f"INSERT INTO invoice_lines ({_LINE_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                [
                    (
                        credit_id,
                        line["line_no"],
                        line["fee_part"],
                        _describe(
                            line["fee_part"], lang, name, year, line["months"], line["months_of"]
                        ),
                        line["months"],
                        line["months_of"],
                        line["full_ore"],
                        -line["net_ore"],
                        originals[line["line_no"]]["vat_code"],
                        originals[line["line_no"]]["vat_rate_bp"],
                        -line["vat_ore"],
                        originals[line["line_no"]]["vat_text"],
                    )
                    for line in plan.lines
                ],
            )
            row = db.get("invoices", credit_id)
            audit.record(
                db,
                "issue",
                "credit_note",
                credit_id,
                after={
                    "number": row["number"],
                    "credits": inv["number"],
                    "total_ore": net + vat,
                    "reason": note,
                    "unused_months": plan.months,
                },
            )
            out.append(row)
    return out


# ---- checks for `db check` --------------------------------------------------------------


def check_invoices(db: Database) -> list[str]:
    """Problems in the invoice register: number gaps, bad KIDs, totals, over-credited."""
    problems: list[str] = []
    profile = db.one("SELECT first_invoice_no FROM profile WHERE id = 1")
    numbers = [r["number"] for r in db.query("SELECT number FROM invoices ORDER BY number")]
    if numbers:
        expected = profile["first_invoice_no"] if profile else numbers[0]
        for n in numbers:
            if n != expected:
                problems.append(
                    f"invoice numbers jump from {expected - 1} to {n} (missing {expected}–{n - 1})"
                )
            expected = n + 1
    for r in db.query("SELECT number, kid FROM invoices WHERE kind = 'invoice'"):
        if not r["kid"] or not kidlib.is_valid(r["kid"], "MOD10"):
            problems.append(f"invoice {r['number']} has an invalid KID {r['kid']!r}")
    for r in db.query(
        """SELECT i.number, i.net_ore, i.vat_ore, i.total_ore,
                  coalesce(sum(l.net_ore), 0) AS lines_net, coalesce(sum(l.vat_ore), 0) AS lines_vat
           FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id GROUP BY i.id"""
    ):
        if (r["net_ore"], r["vat_ore"]) != (r["lines_net"], r["lines_vat"]) or r["total_ore"] != r[
            "net_ore"
        ] + r["vat_ore"]:
            problems.append(f"invoice {r['number']} totals do not match its lines")
    for r in db.query(
        """SELECT i.number, i.total_ore, sum(c.total_ore) AS credited FROM invoices i
           JOIN invoices c ON c.credits_invoice_id = i.id GROUP BY i.id"""
    ):
        if r["total_ore"] + r["credited"] < 0:
            problems.append(f"invoice {r['number']} is credited for more than its total")
    return problems
