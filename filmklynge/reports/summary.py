"""The register at a glance: counts and breakdowns for `summary` (data only, no rendering)."""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.store.db import Database
from filmklynge.text import sort_key

# A membership period covers a day when it started on or before it and had not ended before it
# (left_on is the last day of membership).
_ACTIVE = "m.joined_on <= :d AND (m.left_on IS NULL OR m.left_on >= :d)"


def _breakdown(db: Database, column_sql: str, as_of: date) -> list[dict[str, Any]]:
    return list(
        db.query(
            f"""SELECT coalesce({column_sql}, '(none)') AS name, count(DISTINCT mem.id) AS members
                FROM members mem JOIN memberships m ON m.member_id = mem.id
                LEFT JOIN tiers t ON t.id = mem.tier_id
                WHERE {_ACTIVE}
                GROUP BY 1 ORDER BY members DESC, norwegian(coalesce({column_sql}, '(none)'))""",
            {"d": as_of.isoformat()},
        )
    )


def member_summary(db: Database, *, as_of: date) -> dict[str, Any]:
    d = as_of.isoformat()
    year_start, year_end = f"{as_of.year}-01-01", f"{as_of.year}-12-31"
    active = db.scalar(
        f"""SELECT count(DISTINCT mem.id) FROM members mem
            JOIN memberships m ON m.member_id = mem.id WHERE {_ACTIVE}""",
        {"d": d},
    )
    pending = db.scalar(
        """SELECT count(DISTINCT mem.id) FROM members mem
            JOIN memberships m ON m.member_id = mem.id
            WHERE m.joined_on > :d AND mem.id NOT IN (
                SELECT q.member_id FROM memberships q WHERE q.joined_on <= :d)""",
        {"d": d},
    )
    joined = db.scalar(
        "SELECT count(*) FROM memberships WHERE joined_on BETWEEN ? AND ? AND joined_on <= ?",
        [year_start, year_end, d],
    )
    left = db.scalar(
        "SELECT count(*) FROM memberships WHERE left_on BETWEEN ? AND ? AND left_on <= ?",
        [year_start, year_end, d],
    )
    without_tier = list(
        db.query(
            f"""SELECT DISTINCT mem.id, mem.name FROM members mem
                JOIN memberships m ON m.member_id = mem.id
                WHERE {_ACTIVE} AND mem.tier_id IS NULL ORDER BY norwegian(mem.name)""",
            {"d": d},
        )
    )
    missing_email = list(
        db.query(
            f"""SELECT c.id, mem.name AS member FROM contacts c JOIN members mem
                ON mem.id = c.member_id
                WHERE (c.email IS NULL OR c.email = '') AND c.forgotten_at IS NULL
                AND mem.id IN (SELECT m.member_id FROM memberships m WHERE {_ACTIVE})
                ORDER BY norwegian(mem.name)""",
            {"d": d},
        )
    )
    return {
        "as_of": d,
        "year": as_of.year,
        "active": active,
        "pending": pending,
        "joined_this_year": joined,
        "left_this_year": left,
        "by_tier": _breakdown(db, "t.name", as_of),
        "by_county": _breakdown(db, "coalesce(mem.county, mem.country || ' (abroad)')", as_of),
        "by_sector": _breakdown(db, "mem.sector", as_of),
        "without_tier": without_tier,
        "contacts_missing_email": len(missing_email),
        "contacts_missing_email_members": sorted(
            {r["member"] for r in missing_email}, key=sort_key
        ),
    }


def _owed() -> str:
    from filmklynge.ledger.balances import open_invoices_sql

    return f"WITH owed AS ({open_invoices_sql(dated=True)})"


def dues_summary(db: Database, *, as_of: date) -> dict[str, Any]:
    """Invoiced, paid, outstanding and overdue for this fee year and last, as of a date.

    Everything is summed in SQL: the summary must stay fast on a million invoices.
    """
    d = as_of.isoformat()
    zero = dict.fromkeys(("invoiced_ore", "paid_ore", "outstanding_ore", "overdue_ore"), 0)
    years = {str(y): dict(zero) for y in (as_of.year, as_of.year - 1)}
    for row in db.query(  # one pass for both fee years (a period is 2026 or 2026-H1 ...)
        _owed()
        + """SELECT substr(period, 1, 4) AS year,
                    sum(total_ore + credited_ore + fees_ore) AS invoiced_ore,
                    sum(paid_ore) AS paid_ore,
                    sum(outstanding_ore) AS outstanding_ore,
                    coalesce(sum(CASE WHEN due_on < :d THEN outstanding_ore END), 0) AS overdue_ore
             FROM owed WHERE substr(period, 1, 4) IN (:y, :last) GROUP BY 1""",
        {"d": d, "y": str(as_of.year), "last": str(as_of.year - 1)},
    ):
        years[row.pop("year")] = row
    overdue_members = list(
        db.query(
            _owed()
            + """SELECT m.name AS member, sum(o.outstanding_ore) AS overdue_ore,
                        julianday(:d) - julianday(min(o.due_on)) AS days
                 FROM owed o JOIN members m ON m.id = o.member_id
                 WHERE o.due_on < :d AND o.outstanding_ore > 0
                 GROUP BY o.member_id ORDER BY overdue_ore DESC, norwegian(m.name)""",
            {"d": d},
        )
    )
    for m in overdue_members:
        m["days"] = int(m["days"])
    unmatched = db.scalar(
        "SELECT count(*) FROM payments p WHERE p.member_id IS NULL AND p.amount_ore > "
        "coalesce((SELECT sum(amount_ore) FROM payment_allocations a WHERE a.payment_id = p.id), 0)"
    )
    return {
        "years": years,
        "members_with_overdue": overdue_members,
        "unmatched_payments": unmatched,
    }


def cofunding_status(db: Database, *, as_of: date) -> list[dict[str, Any]]:
    """Pass or shortfall per grant for the year of ``as_of`` (grants running that year)."""
    from filmklynge.funding.cofunding import cofunding

    out = []
    for g in cofunding(db, as_of=as_of, year=as_of.year)["grants"]:
        for y in g["years"]:
            out.append(
                {
                    "grant": g["grant"],
                    "funder": g["funder"],
                    "year": y["year"],
                    "granted_ore": y["granted_ore"],
                    "contributed_ore": y["members_cash_ore"] + y["inkind_ore"],
                    "match_ok": y["match_ok"],
                    "match_shortfall_ore": y["match_shortfall_ore"],
                    "public_ok": y["public_ok"],
                    "public_shortfall_ore": y["public_shortfall_ore"],
                    "forecast_shortfall_ore": y["forecast_shortfall_ore"],
                    # ok, short, or "not started" (the grant starts later this year)
                    "status": y["status"],
                }
            )
    return out


def inkind_near_cap(db: Database, *, as_of: date, share: float = 0.9) -> list[dict[str, Any]]:
    """Persons whose in-kind hours this year reach ``share`` of the yearly maximum."""
    from filmklynge.errors import NotFound
    from filmklynge.funding.inkind import rates_on

    try:
        limit = rates_on(db, as_of)["max_hours_year"]
    except NotFound:
        return []
    return [
        {**r, "hours": r["hours_x100"] / 100, "limit": limit}
        for r in db.query(
            """SELECT m.name AS member, i.person, sum(i.hours_x100) AS hours_x100
               FROM inkind i JOIN members m ON m.id = i.member_id
               WHERE i.worked_on BETWEEN ? AND ? GROUP BY i.member_id, lower(i.person)
               HAVING sum(i.hours_x100) >= ? ORDER BY hours_x100 DESC""",
            [f"{as_of.year}-01-01", as_of.isoformat(), int(limit * 100 * share)],
        )
    ]
