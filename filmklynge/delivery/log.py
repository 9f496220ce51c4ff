"""The delivery log: every attempt to send a document, by which channel, to whom, and how it went.

An attempt is written ``pending`` before anything leaves the machine and becomes ``sent`` (the
server or access point accepted it) or ``failed`` afterwards, each in its own transaction. A
``pending`` row that stays pending is an attempt whose outcome is unknown (cut short, or no
answer in time): it is shown for attention and only sent again with ``--resend``.
"""

from __future__ import annotations

from typing import Any

from filmklynge.dates import now_utc
from filmklynge.errors import InvalidInput
from filmklynge.store import audit
from filmklynge.store.db import Database

STATUSES = ("sent", "failed", "pending")
CHANNELS = ("ehf", "email", "print")
KINDS = ("invoice", "credit", "reminder")


def start(
    db: Database,
    *,
    invoice_id: int,
    reminder_id: int | None,
    kind: str,
    channel: str,
    recipient: str,
) -> int:
    """Record an attempt about to be made (``pending``); returns its id."""
    with db.atomic():
        return db.insert(
            "deliveries",
            {
                "invoice_id": invoice_id,
                "reminder_id": reminder_id,
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "attempted_at": now_utc(),
                "status": "pending",
            },
        )


def finish(
    db: Database,
    delivery_id: int,
    *,
    status: str,
    message_id: str | None = None,
    error: str | None = None,
) -> None:
    """Record how an attempt ended: ``sent`` only when the other side accepted the document."""
    assert status in STATUSES
    with db.atomic():
        row = db.get("deliveries", delivery_id)
        assert row is not None
        db.update(
            "deliveries", delivery_id, {"status": status, "message_id": message_id, "error": error}
        )
        audit.record(
            db,
            "deliver",
            "invoice",
            row["invoice_id"],
            after={
                "delivery_id": delivery_id,
                "kind": row["kind"],
                "reminder_id": row["reminder_id"],
                "channel": row["channel"],
                "recipient": row["recipient"],
                "status": status,
                "message_id": message_id,
                "error": error,
            },
        )


def record_failure(
    db: Database,
    *,
    invoice_id: int,
    reminder_id: int | None,
    kind: str,
    channel: str,
    recipient: str,
    error: str,
) -> int:
    """An attempt that could not be made at all (no address, a document the rules refuse)."""
    with db.atomic():
        delivery_id = start(
            db,
            invoice_id=invoice_id,
            reminder_id=reminder_id,
            kind=kind,
            channel=channel,
            recipient=recipient,
        )
        finish(db, delivery_id, status="failed", error=error)
    return delivery_id


_SELECT = """SELECT d.id, i.number, d.kind, r.seq AS reminder, m.name AS member, d.channel,
                    d.recipient, d.attempted_at, d.status, d.message_id, d.error
             FROM deliveries d JOIN invoices i ON i.id = d.invoice_id
             JOIN members m ON m.id = i.member_id
             LEFT JOIN reminders r ON r.id = d.reminder_id"""


def list_deliveries(
    db: Database, *, status: str | None = None, invoice_id: int | None = None
) -> list[dict[str, Any]]:
    """Log rows, oldest first; filtered by status and by the document's invoice."""
    clauses, params = [], []
    if status is not None:
        wanted = status.strip().lower()
        if wanted not in STATUSES:
            raise InvalidInput(f"Status {status!r} must be one of: sent, failed, pending.")
        clauses.append("d.status = ?")
        params.append(wanted)
    if invoice_id is not None:
        clauses.append("d.invoice_id = ?")
        params.append(invoice_id)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(db.query(f"{_SELECT}{where} ORDER BY d.id", params))


def delivered(db: Database) -> dict[tuple[int, int | None], dict[str, Any]]:
    """Per document (invoice id, reminder id): its last attempt that went out or may have
    (``sent`` or ``pending``). A document in here is not sent again without ``--resend``."""
    out: dict[tuple[int, int | None], dict[str, Any]] = {}
    for r in db.query(
        "SELECT invoice_id, reminder_id, channel, recipient, attempted_at, status "
        "FROM deliveries WHERE status IN ('sent', 'pending') ORDER BY id"
    ):
        out[(r["invoice_id"], r["reminder_id"])] = r
    return out


def sent_count(db: Database, *, invoice_id: int, reminder_id: int | None, channel: str) -> int:
    """How many times the document went out by ``channel`` (for idempotency keys)."""
    return int(
        db.scalar(
            "SELECT count(*) FROM deliveries WHERE invoice_id = ? AND reminder_id IS ? "
            "AND channel = ? AND status = 'sent'",
            [invoice_id, reminder_id, channel],
        )
    )


def needing_attention(db: Database) -> list[dict[str, Any]]:
    """Documents whose latest attempt failed or is still pending (nothing sent since)."""
    return list(
        db.query(
            f"""{_SELECT}
                WHERE d.id IN (SELECT max(id) FROM deliveries GROUP BY invoice_id, reminder_id)
                AND d.status IN ('failed', 'pending')
                ORDER BY d.id"""
        )
    )
