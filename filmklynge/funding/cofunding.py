"""Co-funding: do the members' own contributions match each grant, year by year?

Members' contributions are fee payments received (net of VAT) and valued in-kind work. Each
contribution counts for one grant only: an in-kind entry assigned to a grant goes to it; any
other contribution goes to the grants whose period covers its date, split in proportion to
the grants' amounts (exactly, to the øre). Contributions outside every grant count for none.

To stay fast on large registers the database sums contributions per member and per *segment*
(a stretch of days covered by the same grants, within one year) and the split happens on
those sums.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from filmklynge.ledger.balances import open_invoices_sql
from filmklynge.money import BASIS_POINTS, allocate, round_half_up
from filmklynge.store.db import Database


@dataclass(frozen=True)
class Segment:
    start: date
    end: date  # inclusive
    grant_ids: tuple[int, ...]

    @property
    def year(self) -> int:
        return self.start.year


def _grants(db: Database, grant: str | None) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT g.*, f.name AS funder, f.is_public FROM grants g "
            "JOIN funders f ON f.id = g.funder_id ORDER BY g.start_on, g.id"
        )
    )
    return rows


def segments(grants: list[dict[str, Any]]) -> list[Segment]:
    """Stretches of days with the same covering grants, split at new years (pure)."""
    if not grants:
        return []
    cuts = set()
    for g in grants:
        start, end = date.fromisoformat(g["start_on"]), date.fromisoformat(g["end_on"])
        cuts.add(start)
        cuts.add(end + timedelta(days=1))
        cuts.update(date(y, 1, 1) for y in range(start.year + 1, end.year + 1))
    points = sorted(cuts)
    out = []
    for a, b in pairwise(points):
        day = a.isoformat()
        covering = tuple(g["id"] for g in grants if g["start_on"] <= day <= g["end_on"])
        if covering:
            out.append(Segment(a, b - timedelta(days=1), covering))
    return out


def yearly_amounts(grant: dict[str, Any]) -> dict[int, int]:
    """The grant's amount spread over its calendar years by days, adding up exactly."""
    start, end = date.fromisoformat(grant["start_on"]), date.fromisoformat(grant["end_on"])
    years = list(range(start.year, end.year + 1))
    days = [(min(end, date(y, 12, 31)) - max(start, date(y, 1, 1))).days + 1 for y in years]
    return dict(zip(years, allocate(grant["amount_ore"], days), strict=True))


def _segment_case(segs: list[Segment], column: str) -> tuple[str, dict[str, str]]:
    """A CASE expression giving the segment a date column falls in, with its named parameters."""
    parts, params = [], {}
    for i, s in enumerate(segs):
        parts.append(f"WHEN {column} BETWEEN :start{i} AND :end{i} THEN {i}")
        params |= {f"start{i}": s.start.isoformat(), f"end{i}": s.end.isoformat()}
    return "CASE " + " ".join(parts) + " END", params


def _sums(db: Database, segs: list[Segment], as_of: date) -> dict[str, list[tuple]]:
    """(member, assigned grant or None, segment, øre) sums for in-kind, cash and forecast."""
    case_w, p_w = _segment_case(segs, "worked_on")
    inkind = db.execute(
        f"SELECT member_id, grant_id, seg, sum(value_ore) FROM (SELECT member_id, grant_id, "
        f"value_ore, {case_w} AS seg FROM inkind) WHERE seg IS NOT NULL "
        "GROUP BY member_id, grant_id, seg",
        p_w,
    ).fetchall()
    case_a, p_a = _segment_case(segs, "a.allocated_on")
    # Net of VAT, per allocation, rounded half-up: amount * net / total.
    cash = db.execute(
        f"SELECT member_id, NULL, seg, sum(net) FROM (SELECT i.member_id, {case_a} AS seg, "
        "(2 * a.amount_ore * i.net_ore + i.total_ore) / (2 * i.total_ore) AS net "
        "FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id "
        "WHERE i.kind = 'invoice' AND i.total_ore > 0 AND a.allocated_on <= :d) "
        "WHERE seg IS NOT NULL GROUP BY member_id, seg",
        {**p_a, "d": as_of.isoformat()},
    ).fetchall()
    case_i, p_i = _segment_case(segs, "i.issued_on")
    # What is still owed on each invoice as of the day, net of VAT the same way.
    forecast = db.execute(
        f"SELECT member_id, NULL, seg, sum(net) FROM (SELECT i.member_id, {case_i} AS seg, "
        "(2 * i.outstanding_ore * i.net_ore + i.total_ore) / (2 * i.total_ore) AS net "
        f"FROM ({open_invoices_sql(dated=True)}) i WHERE i.total_ore > 0) "
        "WHERE seg IS NOT NULL GROUP BY member_id, seg",
        {**p_i, "d": as_of.isoformat()},
    ).fetchall()
    return {"inkind": inkind, "cash": cash, "forecast": forecast}


def split_contributions(
    segs: list[Segment], grants: dict[int, dict[str, Any]], sums: list[tuple]
) -> dict[tuple[int, int, int], int]:
    """(grant, year, member) -> øre; every øre of every sum goes to exactly one grant."""
    out: dict[tuple[int, int, int], int] = defaultdict(int)
    for member_id, assigned, seg, amount in sums:
        s = segs[seg]
        if assigned is not None:
            out[(assigned, s.year, member_id)] += amount
            continue
        weights = [grants[g]["amount_ore"] for g in s.grant_ids]
        for g, part in zip(s.grant_ids, allocate(amount, weights), strict=True):
            out[(g, s.year, member_id)] += part
    return out


def _rules(row: dict[str, Any], grant: dict[str, Any]) -> dict[str, Any]:
    granted = row["granted_ore"]
    contributed = row["members_cash_ore"] + row["inkind_ore"]
    required = round_half_up(granted * grant["match_ratio_bp"], BASIS_POINTS)
    public = granted if grant["is_public"] else 0
    total = granted + contributed
    needed_total = -(-public * BASIS_POINTS // grant["max_public_share_bp"])  # ceil
    forecast_contributed = contributed + row["forecast_cash_ore"]
    row.update(
        {
            "public_ore": public,
            "other_private_ore": 0 if grant["is_public"] else granted,
            "total_ore": total,
            "contribution_ratio": round(contributed / granted, 4) if granted else None,
            "match_required_ore": required,
            "match_ok": contributed >= required,
            "match_shortfall_ore": max(0, required - contributed),
            "public_share": round(public / total, 4) if total else None,
            "public_cap": grant["max_public_share_bp"] / BASIS_POINTS,
            "public_ok": public * BASIS_POINTS <= total * grant["max_public_share_bp"],
            "public_shortfall_ore": max(0, needed_total - total),
            "forecast_match_ok": forecast_contributed >= required,
            "forecast_shortfall_ore": max(0, required - forecast_contributed),
        }
    )
    row["ok"] = row["match_ok"] and row["public_ok"]
    return row


def cofunding(
    db: Database,
    *,
    as_of: date,
    grant: str | None = None,
    year: int | None = None,
    by_member: bool = False,
) -> dict[str, Any]:
    """The co-funding table per grant, per year of it and in total."""
    all_grants = _grants(db, None)
    by_id = {g["id"]: g for g in all_grants}
    segs = segments(all_grants)
    parts = {}
    if segs:
        sums = _sums(db, segs, as_of)
        parts = {k: split_contributions(segs, by_id, v) for k, v in sums.items()}
    received = defaultdict(int)
    for r in db.query(
        "SELECT grant_id, substr(received_on, 1, 4) AS y, sum(amount_ore) AS s "
        "FROM disbursements WHERE received_on <= ? GROUP BY grant_id, y",
        [as_of.isoformat()],
    ):
        received[(r["grant_id"], int(r["y"]))] = r["s"]
    names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM members")}
    chosen = all_grants
    if grant:
        from filmklynge.funding.grants import find_grant

        chosen = [by_id[find_grant(db, grant)["id"]]]
    result = []
    for g in chosen:
        years = []
        per_member: dict[int, dict[str, int]] = defaultdict(
            lambda: {"cash_ore": 0, "inkind_ore": 0}
        )
        for y, granted in yearly_amounts(g).items():
            if year and y != year:
                continue
            row = {"year": y, "granted_ore": granted, "received_ore": received[(g["id"], y)]}
            for key, field in (
                ("cash", "members_cash_ore"),
                ("inkind", "inkind_ore"),
                ("forecast", "forecast_cash_ore"),
            ):
                found = {
                    m: v
                    for (gid, yy, m), v in parts.get(key, {}).items()
                    if gid == g["id"] and yy == y
                }
                row[field] = sum(found.values())
                if key != "forecast":
                    for m, v in found.items():
                        per_member[m][f"{key}_ore"] += v
            years.append(_rules(row, g))
        keys = (
            "granted_ore",
            "received_ore",
            "members_cash_ore",
            "inkind_ore",
            "forecast_cash_ore",
        )
        total = _rules({"year": "total", **{k: sum(r[k] for r in years) for k in keys}}, g)
        entry = {
            "grant": g["reference"],
            "grant_id": g["id"],
            "funder": g["funder"],
            "public": bool(g["is_public"]),
            "amount_ore": g["amount_ore"],
            "start_on": g["start_on"],
            "end_on": g["end_on"],
            "match_ratio": g["match_ratio_bp"] / BASIS_POINTS,
            "years": years,
            "total": total,
        }
        if by_member:
            entry["members"] = sorted(
                (
                    {
                        "member_id": m,
                        "member": names.get(m, "?"),
                        **v,
                        "total_ore": v["cash_ore"] + v["inkind_ore"],
                    }
                    for m, v in per_member.items()
                ),
                key=lambda r: (-r["total_ore"], r["member"]),
            )
        result.append(entry)
    return {"as_of": as_of.isoformat(), "grants": result}
