"""Exports for the other systems a cluster uses: CSV (plain or Norwegian Excel), JSON, XLSX.

Rows come from the same queries as the listings (so the same filters apply); this module
chooses and orders the fields. ``filmklynge.tablefile`` writes the format and neutralises text
a spreadsheet would run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from filmklynge.errors import InvalidInput
from filmklynge.store.db import Database

DEFAULT_FIELDS = {
    "members": [
        "id",
        "name",
        "orgnr",
        "country",
        "vat_id",
        "legal_form",
        "sector",
        "tier",
        "municipality",
        "county",
        "address_line",
        "postal_code",
        "city",
        "website",
        "employees",
        "invoice_email",
        "invoice_delivery",
        "status",
        "joined_on",
        "left_on",
    ],
    "invoices": [
        "number",
        "kind",
        "member_id",
        "member",
        "period",
        "issued_on",
        "due_on",
        "kid",
        "net_ore",
        "vat_ore",
        "total_ore",
        "credited_ore",
        "paid_ore",
        "outstanding_ore",
        "status",
    ],
    "payments": [
        "id",
        "paid_on",
        "amount_ore",
        "method",
        "kid",
        "member_id",
        "member",
        "invoices",
        "allocated_ore",
        "unallocated_ore",
        "reference",
        "payer_name",
    ],
    "inkind": [
        "id",
        "worked_on",
        "member",
        "person",
        "hours",
        "activity",
        "rule",
        "rate_ore",
        "value_ore",
        "grant",
        "basis",
    ],
}
# --public: what a website may show. No organisation-internal or personal data.
PUBLIC_FIELDS = {"members": ["name", "sector", "municipality", "website"]}


def choose_fields(what: str, fields: str | None, public: bool) -> list[str]:
    if public:
        if what not in PUBLIC_FIELDS:
            raise InvalidInput(f"--public is for members only, not {what}.")
        allowed = PUBLIC_FIELDS[what]
    else:
        allowed = DEFAULT_FIELDS[what]
    if not fields:
        return list(allowed)
    chosen = [f.strip() for f in fields.split(",") if f.strip()]
    if not chosen:
        raise InvalidInput(f"--fields names no field; choose from: {', '.join(allowed)}.")
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise InvalidInput(
            f"Unknown field(s) {', '.join(unknown)} for {what}"
            + (" with --public" if public else "")
            + f"; choose from: {', '.join(allowed)}."
        )
    if len(set(chosen)) != len(chosen):
        raise InvalidInput("--fields names a field twice.")
    return chosen


def export_rows(
    db: Database, what: str, fields: list[str], *, as_of: date, **filters: Any
) -> Iterable[Sequence[Any]]:
    """The rows to export, each a sequence of values in the order of ``fields``.

    Members come straight from one SQL query (an export of 100,000 members stays fast); the
    others from the listing services, whose computed fields (status, paid, value) are Python.
    """
    if what == "members":
        from filmklynge.register.members import members_query

        sql, params = members_query(db, as_of=as_of, fields=fields, **filters)
        return db.execute(sql, params)
    if what == "invoices":
        from filmklynge.ledger.invoicing import list_invoices

        rows = list_invoices(db, as_of=as_of, **filters)
    elif what == "payments":
        from filmklynge.ledger.payments import list_payments

        rows = list_payments(db, **filters)
    elif what == "inkind":
        from filmklynge.funding.inkind import list_entries

        rows = list_entries(db, **filters)
    else:
        raise InvalidInput(f"Nothing to export called {what!r}.")
    return ([row.get(f) for f in fields] for row in rows)
