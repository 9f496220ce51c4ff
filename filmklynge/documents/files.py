"""Which documents a command asks for, their file names, and writing them atomically."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.store.db import Database

_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")


@dataclass(frozen=True)
class Document:
    """One PDF to write: what it is, its default file name, and how to render it."""

    kind: str  # invoice | credit | reminder
    number: int
    seq: int | None
    file_name: str
    render: Callable[[], bytes]
    label: str


def check_period(period: str) -> str:
    """``2026``, ``2026-H1``, ``2026-q3`` -> the stored form (``2026-Q3``)."""
    value = str(period).strip().upper()
    if not _PERIOD.match(value):
        raise InvalidInput(
            f"Period {period!r} is not a period. Write a year or a half or quarter of it, "
            "like 2026, 2026-H1 or 2026-Q3."
        )
    return value


def default_name(kind: str, number: int, seq: int | None = None) -> str:
    if kind == "reminder":
        return f"purring-{number}-{seq}.pdf"
    return f"{'kreditnota' if kind == 'credit' else 'faktura'}-{number}.pdf"


def invoice_by_number(db: Database, number: int) -> dict[str, Any]:
    row = db.one("SELECT * FROM invoices WHERE number = ?", [number])
    if row is None:
        raise NotFound(
            f"No invoice or credit note number {number}. "
            "Run 'filmklynge invoices list' to see the numbers."
        )
    return row


def _invoice_document(db: Database, row: dict[str, Any], lang: str | None) -> Document:
    from filmklynge.documents.pdf import invoice_pdf

    kind = "credit" if row["kind"] == "credit" else "invoice"
    label = f"{'credit note' if kind == 'credit' else 'invoice'} {row['number']}"
    return Document(
        kind=kind,
        number=row["number"],
        seq=None,
        file_name=default_name(kind, row["number"]),
        render=lambda: invoice_pdf(db, row["id"], lang=lang),
        label=f"{label} ({row['buyer_name']})",
    )


def invoice_document(db: Database, number: int, *, lang: str | None = None) -> Document:
    """The invoice or credit note with ``number``."""
    return _invoice_document(db, invoice_by_number(db, number), lang)


def reminder_document(db: Database, number: int, seq: int, *, lang: str | None = None) -> Document:
    """Reminder ``seq`` (1, 2 ...) of invoice ``number``."""
    from filmklynge.documents.pdf import reminder_pdf

    invoice = invoice_by_number(db, number)
    row = db.one("SELECT * FROM reminders WHERE invoice_id = ? AND seq = ?", [invoice["id"], seq])
    if row is None:
        sent = [
            str(r["seq"])
            for r in db.query(
                "SELECT seq FROM reminders WHERE invoice_id = ? ORDER BY seq", [invoice["id"]]
            )
        ]
        hint = f"it has reminder {', '.join(sent)}" if sent else "it has had no reminder"
        raise NotFound(
            f"Invoice {number} has no reminder {seq} ({hint}). "
            "Send one with 'filmklynge invoices remind'."
        )
    return Document(
        kind="reminder",
        number=number,
        seq=seq,
        file_name=default_name("reminder", number, seq),
        render=lambda: reminder_pdf(db, row["id"], lang=lang),
        label=f"reminder {seq} of invoice {number} ({invoice['buyer_name']})",
    )


def period_documents(db: Database, period: str, *, lang: str | None = None) -> list[Document]:
    """Every invoice and credit note of ``period``, by number."""
    value = check_period(period)
    rows = list(db.query("SELECT * FROM invoices WHERE period = ? ORDER BY number", [value]))
    if not rows:
        raise NotFound(
            f"No invoices for period {value}. Run 'filmklynge invoices list' to see the periods."
        )
    return [_invoice_document(db, row, lang) for row in rows]


def check_targets(paths: list[Path], *, force: bool = False) -> None:
    """Refuse, before anything is written, a target that cannot be written: a folder, or an
    SQLite database. An existing file is replaced, as every command replaces the file it is
    told to write (``filmklynge.safe_write``); ``force`` is kept for old scripts."""
    for p in paths:
        if p.is_dir():
            raise InvalidInput(f"{p} is a folder. Give a file name with --output.")
        if p.is_file():
            with p.open("rb") as f:
                if f.read(16) == b"SQLite format 3\x00":
                    raise Conflict(
                        f"{p} is an SQLite database; filmklynge never writes output over one. "
                        "Choose another file name."
                    )
