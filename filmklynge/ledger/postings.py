"""Postings for the accounting system: one balanced voucher per ledger event.

The accounting system keeps the books; filmklynge is the subledger that hands over:

| source     | type | number         | debit               | credit                          |
|------------|------|----------------|---------------------|---------------------------------|
| invoice    | 1    | invoice number | receivables (gross) | income per fee part and VAT     |
|            |      |                |                     | code (net), output VAT          |
| credit     | 1    | its number     | as an invoice, the amounts negative (the sides swap)  |
| payment    | 2    | payment id     | bank                | member credit                   |
| allocation | 3    | allocation id  | member credit       | receivables (the invoice)       |
| refund     | 4    | refund id      | member credit       | bank                            |
| reminder   | 5    | reminder id    | receivables (fee)   | reminder fees (no VAT)          |

A payment first lands on the members' credit account (2900) and reaches the invoice when it
is allocated (a KID match allocates on the day it was paid), exactly as the ledger records it:
so per member the receivable account equals ``dues`` and the credit account equals the
member's unallocated money. Receivable lines carry the member number, invoice number, KID
and due date; income lines carry the VAT code and its SAF-T standard tax code.

Amounts are integer øre, debit positive and credit negative; every voucher sums to zero or the
export refuses to write anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TextIO

from filmklynge.errors import CheckFailed, Conflict, InvalidInput
from filmklynge.ledger.books import account_map
from filmklynge.store.db import Database

FORMATS = ("gbat10", "beancount", "csv", "json")
VOUCHER_TYPES = {"invoice": 1, "payment": 2, "allocation": 3, "refund": 4, "reminder": 5}


@dataclass
class Line:
    account: str
    amount_ore: int  # debit positive, credit negative
    text: str
    vat_code: str | None = None  # S, E, Z on income and VAT lines
    saft_code: str | None = None
    member_id: int | None = None
    member: str | None = None
    invoice: int | None = None
    kid: str | None = None
    due_on: str | None = None


@dataclass
class Voucher:
    source: str  # invoice | payment | allocation | refund
    source_id: int
    number: int
    on: str
    text: str
    lines: list[Line] = field(default_factory=list)

    @property
    def type(self) -> int:
        return VOUCHER_TYPES[self.source]

    def check_balanced(self) -> None:
        total = sum(line.amount_ore for line in self.lines)
        if total != 0:
            raise CheckFailed(
                f"Voucher {self.type}-{self.number} ({self.text}) does not balance: debit and "
                f"credit differ by {total} øre. Nothing was written; please report this as a bug."
            )


def vouchers(db: Database, *, start: date, end: date) -> list[Voucher]:
    """Every voucher dated from ``start`` to ``end``, in date order, each checked to balance."""
    accounts = account_map(db)
    saft = {r["code"]: r["saft_code"] for r in db.query("SELECT code, saft_code FROM vat_codes")}
    span = {"a": start.isoformat(), "b": end.isoformat()}
    out: list[Voucher] = []
    out += _invoices(db, span, accounts, saft)
    out += _payments(db, span, accounts)
    out += _allocations(db, span, accounts)
    out += _refunds(db, span, accounts)
    out += _reminder_fees(db, span, accounts)
    out.sort(key=lambda v: (v.on, v.type, v.number))
    for v in out:
        v.check_balanced()
    return out


def _invoices(db: Database, span: dict, accounts: dict, saft: dict) -> list[Voucher]:
    rows = db.query(
        """SELECT i.id, i.number, i.kind, i.issued_on, i.due_on, i.kid, i.member_id,
                  i.buyer_name, i.total_ore, l.fee_part, l.vat_code,
                  sum(l.net_ore) AS net_ore, sum(l.vat_ore) AS vat_ore
           FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
           WHERE i.issued_on BETWEEN :a AND :b
           GROUP BY i.id, l.fee_part, l.vat_code ORDER BY i.id, min(l.line_no)""",
        span,
    )
    out: list[Voucher] = []
    current: Voucher | None = None
    vat: dict[str, int] = {}
    for r in rows:
        if current is None or current.source_id != r["id"]:
            _close_invoice(current, vat, accounts, saft)
            word = "Kreditnota" if r["kind"] == "credit" else "Faktura"
            current = Voucher("invoice", r["id"], r["number"], r["issued_on"], "")
            current.text = f"{word} {r['number']} {r['buyer_name']}"
            current.lines.append(
                Line(
                    accounts["receivables"],
                    r["total_ore"],
                    current.text,
                    member_id=r["member_id"],
                    member=r["buyer_name"],
                    invoice=r["number"],
                    kid=r["kid"],
                    due_on=r["due_on"],
                )
            )
            out.append(current)
            vat = {}
        key = f"{r['fee_part']}_{r['vat_code']}"
        code = r["vat_code"]
        if r["fee_part"] == "reminder_fee":
            # A credit note waiving reminder fees: no VAT code, as on the fee's own voucher (a
            # fee is not a sale; vat.report leaves the waiver out too).
            key, code = "reminder_fees", None
        current.lines.append(
            Line(
                accounts.get(key) or accounts[f"membership_{r['vat_code']}"],
                -r["net_ore"],
                current.text,
                vat_code=code,
                saft_code=saft.get(code),
                invoice=r["number"],
            )
        )
        vat[r["vat_code"]] = vat.get(r["vat_code"], 0) + r["vat_ore"]
    _close_invoice(current, vat, accounts, saft)
    return out


def _close_invoice(v: Voucher | None, vat: dict[str, int], accounts: dict, saft: dict) -> None:
    """Add the output VAT lines (one per VAT code that carries VAT) to an invoice voucher."""
    if v is None:
        return
    for code, amount in vat.items():
        if amount:
            v.lines.append(
                Line(
                    accounts["output_vat"],
                    -amount,
                    f"Utgående mva {v.text}",
                    vat_code=code,
                    saft_code=saft.get(code),
                    invoice=v.number,
                )
            )


def _payments(db: Database, span: dict, accounts: dict) -> list[Voucher]:
    out = []
    for r in db.query(
        """SELECT p.id, p.paid_on, p.amount_ore, p.member_id, m.name AS member, p.kid,
                  p.reference, p.payer_name
           FROM payments p LEFT JOIN members m ON m.id = p.member_id
           WHERE p.paid_on BETWEEN :a AND :b ORDER BY p.id""",
        span,
    ):
        who = r["member"] or r["payer_name"] or "ukjent innbetaler"
        text = f"Innbetaling {r['id']} {who}"
        v = Voucher("payment", r["id"], r["id"], r["paid_on"], text)
        v.lines.append(Line(accounts["bank"], r["amount_ore"], text, kid=r["kid"]))
        v.lines.append(
            Line(
                accounts["member_credit"],
                -r["amount_ore"],
                text,
                member_id=r["member_id"],
                member=r["member"],
                kid=r["kid"],
            )
        )
        out.append(v)
    return out


def _allocations(db: Database, span: dict, accounts: dict) -> list[Voucher]:
    out = []
    for r in db.query(
        """SELECT a.id, a.allocated_on, a.amount_ore, a.payment_id, i.number, i.kid, i.due_on,
                  i.member_id, m.name AS member
           FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
           JOIN members m ON m.id = i.member_id
           WHERE a.allocated_on BETWEEN :a AND :b ORDER BY a.id""",
        span,
    ):
        text = f"Innbetaling {r['payment_id']} til faktura {r['number']} {r['member']}"
        v = Voucher("allocation", r["id"], r["id"], r["allocated_on"], text)
        common = {"member_id": r["member_id"], "member": r["member"], "kid": r["kid"]}
        v.lines.append(Line(accounts["member_credit"], r["amount_ore"], text, **common))
        v.lines.append(
            Line(
                accounts["receivables"],
                -r["amount_ore"],
                text,
                invoice=r["number"],
                due_on=r["due_on"],
                **common,
            )
        )
        out.append(v)
    return out


def _reminder_fees(db: Database, span: dict, accounts: dict) -> list[Voucher]:
    """A reminder's fee is owed like the invoice (ledger.balances): receivable against income,
    outside the VAT act."""
    out = []
    for r in db.query(
        """SELECT r.id, r.seq, r.sent_on, r.due_on, r.fee_ore, i.number, i.kid, i.member_id,
                  i.buyer_name
           FROM reminders r JOIN invoices i ON i.id = r.invoice_id
           WHERE r.fee_ore > 0 AND r.sent_on BETWEEN :a AND :b ORDER BY r.id""",
        span,
    ):
        text = f"Purregebyr purring {r['seq']} faktura {r['number']} {r['buyer_name']}"
        v = Voucher("reminder", r["id"], r["id"], r["sent_on"], text)
        v.lines.append(
            Line(
                accounts["receivables"],
                r["fee_ore"],
                text,
                member_id=r["member_id"],
                member=r["buyer_name"],
                invoice=r["number"],
                kid=r["kid"],
                due_on=r["due_on"],
            )
        )
        v.lines.append(Line(accounts["reminder_fees"], -r["fee_ore"], text))
        out.append(v)
    return out


def _refunds(db: Database, span: dict, accounts: dict) -> list[Voucher]:
    out = []
    for r in db.query(
        """SELECT f.id, f.refunded_on, f.amount_ore, f.member_id, m.name AS member, f.reference
           FROM refunds f JOIN members m ON m.id = f.member_id
           WHERE f.refunded_on BETWEEN :a AND :b ORDER BY f.id""",
        span,
    ):
        text = f"Tilbakebetaling {r['id']} {r['member']}"
        v = Voucher("refund", r["id"], r["id"], r["refunded_on"], text)
        v.lines.append(
            Line(
                accounts["member_credit"],
                r["amount_ore"],
                text,
                member_id=r["member_id"],
                member=r["member"],
            )
        )
        v.lines.append(Line(accounts["bank"], -r["amount_ore"], text))
        out.append(v)
    return out


# ---- what was exported before ------------------------------------------------------------


def already_exported(db: Database, found: Iterable[Voucher]) -> dict[tuple[str, int], int]:
    """(source, id) -> the export that took each of these vouchers before."""
    done = {
        (r["source"], r["source_id"]): r["export_id"]
        for r in db.query("SELECT source, source_id, export_id FROM exported_vouchers")
    }
    return {key: done[key] for v in found if (key := (v.source, v.source_id)) in done}


def select(
    db: Database, *, start: date, end: date, new: bool = False, again: bool = False
) -> list[Voucher]:
    """The vouchers an export writes. Without ``new`` or ``again``, a range that holds vouchers
    exported before is refused, naming the earlier exports: nothing is exported twice unasked."""
    if end < start:
        raise InvalidInput(
            f"--from {start.isoformat()} is after --to {end.isoformat()}; swap them."
        )
    if new and again:
        raise InvalidInput("Give --new or --again, not both.")
    found = vouchers(db, start=start, end=end)
    if again:
        return found
    before = already_exported(db, found)
    if not before:
        return found
    if new:
        return [v for v in found if (v.source, v.source_id) not in before]
    exports = sorted(set(before.values()))
    dates = [
        db.scalar("SELECT substr(exported_at, 1, 10) FROM posting_exports WHERE id = ?", [e])
        for e in exports
    ]
    listed = ", ".join(f"#{e} on {d}" for e, d in zip(exports, dates, strict=True))
    raise Conflict(
        f"{len(before)} of the {len(found)} vouchers from {start.isoformat()} to "
        f"{end.isoformat()} were exported before (export {listed}). Use --new to export only "
        "the others, or --again to export them all once more."
    )


def record_export(
    db: Database, found: list[Voucher], *, start: date, end: date, fmt: str, target: str
) -> int:
    """Remember what was exported (one transaction); returns the export's number."""
    from filmklynge.dates import now_utc
    from filmklynge.store import audit

    with db.atomic():
        export_id = db.insert(
            "posting_exports",
            {
                "exported_at": now_utc(),
                "from_on": start.isoformat(),
                "to_on": end.isoformat(),
                "format": fmt,
                "vouchers": len(found),
                "target": target,
            },
        )
        db.executemany(
            "INSERT OR IGNORE INTO exported_vouchers (export_id, source, source_id) "
            "VALUES (?, ?, ?)",
            [(export_id, v.source, v.source_id) for v in found],
        )
        audit.record(
            db,
            "export",
            "postings",
            export_id,
            after={"from": start.isoformat(), "to": end.isoformat(), "vouchers": len(found)},
        )
    return export_id


# ---- formats -----------------------------------------------------------------------------


def _decimal(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"{sign}{kroner}.{rest:02d}"


def _ymd(iso: str | None) -> str:
    return iso.replace("-", "") if iso else ""


def _field(text: Any) -> str:
    """GBAT10 has no quoting: a separator or line break inside a text becomes a space."""
    return re.sub(r"[;\r\n]+", " ", str(text or "")).strip()


def write_gbat10(stream: TextIO, found: list[Voucher]) -> None:
    """GBAT10 (Mamut/Visma voucher import; Tripletex and PowerOffice read it): 30 fields per
    line separated by ';', dates YYYYMMDD, amounts with two decimals and a point."""
    for v in found:
        year, month = v.on[:4], str(int(v.on[5:7]))
        for line in v.lines:
            fields = [""] * 30
            fields[0:9] = [
                "GBAT10",
                str(v.number),
                _ymd(v.on),
                str(v.type),
                month,
                year,
                line.account,
                line.saft_code or "0",
                _decimal(line.amount_ore),
            ]
            if line.member_id is not None and line.invoice is not None:
                fields[9] = str(line.member_id)  # customer number: on receivable lines
                fields[11] = _field(line.member)
            fields[15] = str(line.invoice or "") if line.member_id else ""
            fields[16] = (line.kid or "") if line.member_id else ""
            fields[17] = _ymd(line.due_on)
            fields[20] = _field(line.text)
            fields[21] = _field(line.text) if fields[9] else ""
            stream.write(";".join(fields) + "\r\n")


ROOTS = {"1": "Assets", "2": "Liabilities", "3": "Income", "8": "Income"}


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("ø", "o").replace("Ø", "O"))
    ascii_name = ascii_name.replace("æ", "ae").replace("Æ", "Ae")
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)[:3]
    return "-".join(w.capitalize() for w in words) or "Konto"


def beancount_account(number: str, name: str, member_id: int | None = None) -> str:
    """'1500', 'Kundefordringer', 7 -> 'Assets:Kundefordringer-1500:M7'."""
    root = ROOTS.get(number[0], "Expenses")
    account = f"{root}:{_slug(name)}-{number}"
    return f"{account}:M{member_id}" if member_id is not None else account


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_beancount(stream: TextIO, found: list[Voucher], names: dict[str, str], title: str):
    """A beancount journal (bean-check accepts it): one transaction per voucher, receivables
    and member credit kept per member in sub-accounts ``...:M<member number>``."""

    def name_of(line: Line) -> str:
        member = line.member_id if line.account in per_member else None
        return beancount_account(line.account, names.get(line.account, "Konto"), member)

    per_member = {a for v in found for line in v.lines if line.member_id for a in [line.account]}
    stream.write(f'option "title" {_quote(title)}\n')
    stream.write('option "operating_currency" "NOK"\n\n')
    opened: dict[str, str] = {}
    for v in found:
        for line in v.lines:
            opened.setdefault(name_of(line), v.on)
    for account, on in sorted(opened.items(), key=lambda kv: (kv[1], kv[0])):
        stream.write(f"{on} open {account} NOK\n")
    for v in found:
        stream.write(f"\n{v.on} * {_quote(v.text)}\n")
        stream.write(f'  voucher: "{v.type}-{v.number}"\n')
        for line in v.lines:
            stream.write(f"  {name_of(line):<60} {_decimal(line.amount_ore):>15} NOK\n")
            if line.invoice is not None and line.member_id is not None:
                stream.write(f'    invoice: "{line.invoice}"\n')
            if line.kid:
                stream.write(f'    kid: "{line.kid}"\n')
            if line.vat_code:
                stream.write(f'    vat_code: "{line.vat_code}"\n')


CSV_FIELDS = (
    "voucher_type",
    "voucher",
    "date",
    "source",
    "account",
    "amount_ore",
    "vat_code",
    "saft_code",
    "member_id",
    "member",
    "invoice",
    "kid",
    "due_on",
    "text",
)


def rows(found: list[Voucher]) -> Iterable[list[Any]]:
    for v in found:
        for line in v.lines:
            yield [
                v.type,
                v.number,
                v.on,
                v.source,
                line.account,
                line.amount_ore,
                line.vat_code,
                line.saft_code,
                line.member_id,
                line.member,
                line.invoice,
                line.kid,
                line.due_on,
                line.text,
            ]


def as_json(found: list[Voucher]) -> list[dict[str, Any]]:
    return [
        {
            "voucher_type": v.type,
            "voucher": v.number,
            "date": v.on,
            "source": v.source,
            "text": v.text,
            "lines": [asdict(line) for line in v.lines],
        }
        for v in found
    ]
