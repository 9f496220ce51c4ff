"""Exports for the other systems a cluster uses: CSV (plain or Norwegian Excel), JSON, XLSX.

Rows come from the same services as the listings (so the same filters apply); this module
chooses and orders the fields, neutralises text a spreadsheet would run as a formula, and
writes the format. Money stays integer øre in CSV and JSON; in Excel CSV and XLSX it is kroner
(the column is renamed ``*_kr``) so a spreadsheet can add it up.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from filmklynge.db import Database
from filmklynge.errors import InvalidInput

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

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


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows_for(db: Database, what: str, *, as_of: date, **filters: Any) -> list[dict[str, Any]]:
    if what == "members":
        from filmklynge.services.members import list_members

        return list_members(db, as_of=as_of, **filters)
    if what == "invoices":
        from filmklynge.services.invoicing import list_invoices

        return list_invoices(db, as_of=as_of, **filters)
    if what == "payments":
        from filmklynge.services.payments import list_payments

        return list_payments(db, **filters)
    if what == "inkind":
        from filmklynge.services.inkind import list_entries

        return list_entries(db, **filters)
    raise InvalidInput(f"Nothing to export called {what!r}.")  # pragma: no cover


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
    unknown = [f for f in chosen if f not in allowed]
    if unknown:
        raise InvalidInput(
            f"Unknown field(s) {', '.join(unknown)} for {what}"
            + (" with --public" if public else "")
            + f"; choose from: {', '.join(allowed)}."
        )
    return chosen


def _kroner_header(field: str) -> str:
    return field[:-4] + "_kr" if field.endswith("_ore") else field


def _excel_number(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"{sign}{kroner},{rest:02d}"


def to_csv(rows: list[dict[str, Any]], fields: list[str], *, excel: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(
        buf, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n"
    )
    writer.writerow([_kroner_header(f) if excel else f for f in fields])
    money = {f for f in fields if f.endswith("_ore")} if excel else set()

    def cell(f: str, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return "'" + value if value.startswith(FORMULA_START) else value
        if f in money and isinstance(value, int):
            return _excel_number(value)
        if excel and isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        return value

    writer.writerows([cell(f, row.get(f)) for f in fields] for row in rows)
    return ("\ufeff" if excel else "") + buf.getvalue()


def to_json(rows: list[dict[str, Any]], fields: list[str]) -> str:
    return (
        json.dumps([{f: row.get(f) for f in fields} for row in rows], ensure_ascii=False, indent=2)
        + "\n"
    )


def write_xlsx(rows: list[dict[str, Any]], fields: list[str], path: Path, *, sheet: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([_kroner_header(f) for f in fields])
    for row in rows:
        values = []
        for f in fields:
            value = row.get(f)
            if f.endswith("_ore") and isinstance(value, int):
                values.append(value / 100)
            else:
                values.append(neutralise(value))
        ws.append(values)
    for i, f in enumerate(fields, start=1):
        if f.endswith("_ore"):
            for cell in ws.iter_cols(min_col=i, max_col=i, min_row=2):
                for c in cell:
                    c.number_format = "#,##0.00"
    ws.freeze_panes = "A2"
    wb.save(path)
