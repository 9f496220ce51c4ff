"""Fee tiers (size classes) and their fee per year, in a membership part and a service part."""

from __future__ import annotations

from typing import Any

from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.register.profile import check_vat_code
from filmklynge.store import audit
from filmklynge.store.db import Database


def list_tiers(db: Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            """SELECT t.*, (SELECT count(*) FROM members m WHERE m.tier_id = t.id) AS members
               FROM tiers t ORDER BY t.sort_order, t.code"""
        )
    )


def find_tier(db: Database, ref: str | int) -> dict[str, Any]:
    """A tier by code (case-insensitive) or id."""
    text = str(ref).strip()
    row = db.one("SELECT * FROM tiers WHERE lower(code) = lower(?)", [text])
    if row is None and text.isdigit():
        row = db.get("tiers", int(text))
    if row is None:
        codes = ", ".join(t["code"] for t in list_tiers(db)) or "none yet"
        raise NotFound(
            f"No tier {ref!r}. Known tiers: {codes}. Add one with 'filmklynge tiers add'."
        )
    return row


def add_tier(
    db: Database,
    *,
    code: str,
    name: str,
    description: str | None = None,
    sort_order: int | None = None,
) -> dict[str, Any]:
    code = code.strip()
    if not code or " " in code:
        raise InvalidInput(f"Tier code {code!r} must be one word, like 'small' or 'enk'.")
    if not name.strip():
        raise InvalidInput("A tier needs a name.")
    with db.atomic():
        if db.one("SELECT id FROM tiers WHERE lower(code) = lower(?)", [code]):
            raise Conflict(f"Tier {code!r} already exists. See 'filmklynge tiers show {code}'.")
        order = (
            sort_order
            if sort_order is not None
            else (db.scalar("SELECT coalesce(max(sort_order), 0) + 1 FROM tiers"))
        )
        record = {
            "code": code,
            "name": name.strip(),
            "description": description,
            "sort_order": order,
            "created_at": now_utc(),
        }
        tier_id = db.insert("tiers", record)
        audit.record(db, "create", "tier", tier_id, after=record)
    return find_tier(db, tier_id)


def set_fee(
    db: Database,
    tier_ref: str,
    *,
    year: int,
    membership_ore: int,
    service_ore: int,
    membership_vat: str = "E",
    service_vat: str = "S",
) -> dict[str, Any]:
    """Set (or replace) a tier's fee for one year. Issued invoices keep their amounts."""
    if not 2000 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range (2000–2100).")
    if membership_ore < 0 or service_ore < 0:
        raise InvalidInput("A fee part cannot be negative.")
    membership_vat = check_vat_code(db, membership_vat)
    service_vat = check_vat_code(db, service_vat)
    with db.atomic():
        tier = find_tier(db, tier_ref)
        before = db.one(
            "SELECT * FROM tier_fees WHERE tier_id = ? AND year = ?", [tier["id"], year]
        )
        record = {
            "tier_id": tier["id"],
            "year": year,
            "membership_ore": membership_ore,
            "membership_vat": membership_vat,
            "service_ore": service_ore,
            "service_vat": service_vat,
        }
        if before:
            db.update("tier_fees", before["id"], record)
            old, new = audit.changed(before, record)
            audit.record(db, "update", "tier_fee", before["id"], before=old, after=new)
        else:
            fee_id = db.insert("tier_fees", {**record, "created_at": now_utc()})
            audit.record(db, "create", "tier_fee", fee_id, after=record)
    return fee_for(db, tier["id"], year)


def fee_for(db: Database, tier_id: int, year: int) -> dict[str, Any] | None:
    return db.one("SELECT * FROM tier_fees WHERE tier_id = ? AND year = ?", [tier_id, year])


def fees_of(db: Database, tier_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            """SELECT f.*, f.membership_ore + f.service_ore AS total_ore
               FROM tier_fees f WHERE tier_id = ? ORDER BY year""",
            [tier_id],
        )
    )


def fee_table(db: Database) -> list[dict[str, Any]]:
    """Every tier with its fees per year, for `tiers list`."""
    return list(
        db.query(
            """SELECT t.code, t.name, f.year, f.membership_ore, f.membership_vat,
                      f.service_ore, f.service_vat, f.membership_ore + f.service_ore AS total_ore,
                      (SELECT count(*) FROM members m WHERE m.tier_id = t.id) AS members
               FROM tiers t LEFT JOIN tier_fees f ON f.tier_id = t.id
               ORDER BY t.sort_order, t.code, f.year"""
        )
    )
