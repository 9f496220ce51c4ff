"""`db check`: every problem in the file, collected (beancount style), never just the first."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from filmklynge import identifiers
from filmklynge.errors import FilmklyngeError
from filmklynge.store.db import Database


@dataclass(frozen=True)
class Problem:
    kind: str
    entity: str
    id: int | None
    message: str


def _sqlite(db: Database) -> list[Problem]:
    problems = []
    for (result,) in db.execute("PRAGMA integrity_check").fetchall():
        if result != "ok":
            # A row breaking a CHECK or NOT NULL rule is a data problem, not a damaged file.
            rule = result.startswith(("CHECK constraint", "NULL value"))
            problems.append(
                Problem("constraint" if rule else "integrity", "database", None, result)
            )
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(
            Problem(
                "foreign key", table, rowid, f"{table} {rowid} points to a missing {parent} row"
            )
        )
    return problems


def _profile(db: Database) -> list[Problem]:
    row = db.one("SELECT * FROM profile WHERE id = 1")
    if row is None:
        return [Problem("profile", "profile", None, "no cluster profile; run 'filmklynge init'")]
    problems = []
    for field, check in (
        ("orgnr", identifiers.check_orgnr),
        ("account_no", identifiers.check_account),
    ):
        try:
            check(row[field])
        except FilmklyngeError as e:
            problems.append(Problem("profile", "profile", 1, str(e)))
    return problems


def _members(db: Database, today: date) -> list[Problem]:
    problems = []
    for m in db.query("SELECT * FROM members"):
        if m["country"] == "NO":
            try:
                identifiers.check_orgnr(m["orgnr"] or "")
            except FilmklyngeError as e:
                problems.append(Problem("member", "member", m["id"], f"{m['name']}: {e}"))
            if m["county"]:
                try:
                    identifiers.check_county(m["county"])
                except FilmklyngeError as e:
                    problems.append(Problem("member", "member", m["id"], f"{m['name']}: {e}"))
    periods: dict[int, list[dict[str, Any]]] = {}
    for p in db.query("SELECT * FROM memberships ORDER BY member_id, joined_on"):
        periods.setdefault(p["member_id"], []).append(p)
    names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM members")}
    for member_id, name in names.items():
        mine = periods.get(member_id, [])
        if not mine:
            problems.append(
                Problem("membership", "member", member_id, f"{name} has no membership period")
            )
        for p in mine:
            if p["left_on"] and p["left_on"] < p["joined_on"]:
                problems.append(
                    Problem(
                        "membership",
                        "member",
                        member_id,
                        f"{name} left ({p['left_on']}) before joining ({p['joined_on']})",
                    )
                )
        for a, b in pairwise(mine):
            if a["left_on"] is None or a["left_on"] >= b["joined_on"]:
                problems.append(
                    Problem(
                        "membership",
                        "member",
                        member_id,
                        f"{name} has overlapping membership periods from {b['joined_on']}",
                    )
                )
    day = today.isoformat()
    for r in db.query(
        "SELECT DISTINCT m.id, m.name FROM members m JOIN memberships p ON p.member_id = m.id "
        "WHERE m.tier_id IS NULL AND p.joined_on <= ? AND (p.left_on IS NULL OR p.left_on >= ?)",
        [day, day],
    ):
        problems.append(
            Problem(
                "member",
                "member",
                r["id"],
                f"{r['name']} is active but has "
                "no tier; set one with 'filmklynge members edit ID --tier CODE'",
            )
        )
    for c in db.query("SELECT id, email FROM contacts WHERE email IS NOT NULL AND email != ''"):
        try:
            identifiers.check_email(c["email"])
        except FilmklyngeError as e:
            problems.append(Problem("contact", "contact", c["id"], str(e)))
    return problems


def _invoices(db: Database) -> list[Problem]:
    from filmklynge.ledger.invoicing import check_invoices

    return [Problem("invoice", "invoice", None, message) for message in check_invoices(db)]


def _payments(db: Database) -> list[Problem]:
    """Amounts no payment may have (the schema forbids them since m009; a file written
    before, or by another tool, may still hold them)."""
    from filmklynge.money import MAX_PAYMENT_ORE, format_nok

    problems = []
    for p in db.query(
        "SELECT id, amount_ore, paid_on, bank_ref FROM payments "
        "WHERE amount_ore <= 0 OR amount_ore > ? ORDER BY id",
        [MAX_PAYMENT_ORE],
    ):
        what = "not more than 0 kr" if p["amount_ore"] <= 0 else "above the largest payment"
        problems.append(
            Problem(
                "payment",
                "payment",
                p["id"],
                f"payment {p['id']} of {p['paid_on']} is {format_nok(p['amount_ore'])}, {what}"
                + (f" (from the bank, {p['bank_ref'][:40]})" if p["bank_ref"] else ""),
            )
        )
    for a in db.query(
        "SELECT id, payment_id FROM payment_allocations WHERE amount_ore <= 0 ORDER BY id"
    ):
        problems.append(
            Problem(
                "payment",
                "payment",
                a["payment_id"],
                f"allocation {a['id']} of payment {a['payment_id']} is not more than 0 kr",
            )
        )
    return problems


def integrity(db: Database) -> list[Problem]:
    """SQLite's own checks; a file too damaged to check is one problem, never an exception."""
    try:
        return _sqlite(db)
    except sqlite3.DatabaseError as e:
        return [Problem("integrity", "database", None, f"the file cannot be read: {e}")]


def check(db: Database, *, today: date, with_integrity: bool = True) -> list[Problem]:
    """All problems found; an empty list means the file is sound. A damaged page met by a
    domain check is reported as a problem too."""
    problems = integrity(db) if with_integrity else []
    for section in (
        _profile,
        lambda d: _members(d, today),
        _invoices,
        _payments,
    ):
        try:
            problems += section(db)
        except sqlite3.DatabaseError as e:
            problems.append(Problem("integrity", "database", None, f"reading failed: {e}"))
    return problems


def as_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    return [asdict(p) for p in problems]
