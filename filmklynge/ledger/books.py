"""Closed periods: once the accountant has taken the figures through a date, nothing dated on or
before it can be created or changed (invoices, credit notes, payments, allocations, refunds,
reminders). The chart of accounts the postings use is kept here too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.dates import norwegian, today
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.store import audit
from filmklynge.store.db import Database


def closed_through(db: Database) -> date | None:
    value = db.scalar("SELECT books_closed_through FROM profile WHERE id = 1")
    return date.fromisoformat(value) if value else None


def ensure_open(db: Database, day: date, what: str) -> None:
    """Refuse to record ``what`` dated ``day`` when the books are closed through that day."""
    closed = closed_through(db)
    if closed is not None and day <= closed:
        raise Conflict(
            f"The books are closed through {norwegian(closed)}: {what} dated "
            f"{norwegian(day)} cannot be recorded. Date it after {norwegian(closed)}, "
            "or correct it in the next period."
        )


def plan_close(db: Database, *, through: date) -> dict[str, Any]:
    """Check that the books can be closed through ``through`` (never backwards, never into
    the future), reading only: returns the day closed through now and the day asked for."""
    if through >= today():
        raise InvalidInput(
            f"{norwegian(through)} is not over yet; the books can be closed through yesterday "
            "at the latest."
        )
    before = closed_through(db)
    if before is not None and through <= before:
        raise Conflict(
            f"The books are already closed through {norwegian(before)}; a closed period "
            "cannot be reopened or closed again."
        )
    return {
        "closed_through": before.isoformat() if before else None,
        "through": through.isoformat(),
    }


def close(db: Database, *, through: date) -> dict[str, Any]:
    """Close the books through ``through`` (never backwards, never into the future)."""
    with db.atomic():
        plan = plan_close(db, through=through)
        db.execute(
            "UPDATE profile SET books_closed_through = ? WHERE id = 1", [through.isoformat()]
        )
        audit.record(
            db,
            "close",
            "books",
            None,
            before={"closed_through": plan["closed_through"]},
            after={"closed_through": through.isoformat()},
        )
    return status(db)


def status(db: Database) -> dict[str, Any]:
    closed = closed_through(db)
    last = db.one("SELECT * FROM posting_exports ORDER BY id DESC LIMIT 1")
    return {
        "closed_through": closed.isoformat() if closed else None,
        "last_export": last,
        "vouchers_exported": db.scalar("SELECT count(*) FROM exported_vouchers"),
    }


# ---- the chart of accounts ----------------------------------------------------------------


def accounts(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT key, account, name FROM ledger_accounts ORDER BY id"))


def account_map(db: Database) -> dict[str, str]:
    return {r["key"]: r["account"] for r in db.query("SELECT key, account FROM ledger_accounts")}


def set_account(db: Database, key: str, account: str) -> dict[str, Any]:
    """Point a posting key (receivables, bank, membership_S ...) at another 4-digit account."""
    account = str(account).strip()
    if not (len(account) == 4 and account.isdigit()):
        raise InvalidInput(f"Account {account!r} must be a 4-digit number, like 1500.")
    with db.atomic():
        row = db.one("SELECT * FROM ledger_accounts WHERE key = ?", [key])
        if row is None:
            keys = ", ".join(r["key"] for r in accounts(db))
            raise NotFound(f"No posting key {key!r}; the keys are: {keys}.")
        db.execute("UPDATE ledger_accounts SET account = ? WHERE key = ?", [account, key])
        audit.record(
            db,
            "update",
            "ledger_account",
            row["id"],
            before={key: row["account"]},
            after={key: account},
        )
    return {**row, "account": account}
