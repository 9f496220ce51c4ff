"""Co-funding: do the members' own contributions match each grant, year by year?

Members' contributions are fee payments received (net of VAT) and valued in-kind work by
companies that were members on the day of the work (in-kind by a company that had left, or not
yet joined, is recorded but not counted; it is reported apart). Each contribution counts for one
grant only: an in-kind entry assigned to a grant goes to it; any other contribution goes to the
grants whose period covers its date, split by what each grant requires on that day: its amount
per day (amount / days of its period), exactly to the øre with integer weights (``split_key``).
Contributions outside every grant count for none.

"As it stood then": a year of a grant that starts after ``as_of`` is ``not started`` (no rule
is judged, no shortfall); the total of a grant with such years is ``running``.

To stay fast on large registers the database sums contributions per member and per *segment*
(a stretch of days covered by the same grants, within one year) and the split happens on
those sums.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from math import lcm
from typing import Any

from filmklynge.errors import InvalidInput
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


SPLIT_RULE = (
    "A contribution on a day several grants cover is split by each grant's amount per day "
    "(grant amount / days of its period), exactly to the øre; one assigned to a grant counts "
    "for that grant only."
)


def grant_days(grant: dict[str, Any]) -> int:
    """Days of the grant's period, both ends included."""
    start, end = date.fromisoformat(grant["start_on"]), date.fromisoformat(grant["end_on"])
    return (end - start).days + 1


def split_weights(grants: list[dict[str, Any]]) -> list[int]:
    """Integer weights proportional to each grant's amount per day (pure, exact).

    amount / days for each grant, scaled by the least common multiple of the day counts:
    amount × (LCM / days) is a whole number with the same proportions."""
    days = [grant_days(g) for g in grants]
    common = lcm(*days)
    return [g["amount_ore"] * (common // d) for g, d in zip(grants, days, strict=True)]


def split_on(db: Database, day: date) -> dict[str, Any]:
    """How a contribution dated ``day`` is split: the active grants and their shares."""
    active = [g for g in _grants(db, None) if g["start_on"] <= day.isoformat() <= g["end_on"]]
    if not active:
        raise InvalidInput(
            f"No grant is active on {day.isoformat()}: a contribution that day counts for none. "
            "See 'filmklynge grants list'."
        )
    return {"on": day.isoformat(), "rule": SPLIT_RULE, "grants": _key_rows(active)}


def _key_rows(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    weights = split_weights(grants)
    total = sum(weights)
    return [
        {
            "grant": g["reference"],
            "amount_ore": g["amount_ore"],
            "days": grant_days(g),
            "per_day_ore": round_half_up(g["amount_ore"], grant_days(g)),
            "weight": w,
            "share": round(w / total, 4),
        }
        for g, w in zip(grants, weights, strict=True)
    ]


def split_key(segs: list[Segment], grants: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The overlaps (stretches of days covered by more than one grant) and their split."""
    out: list[dict[str, Any]] = []
    for s in segs:
        if len(s.grant_ids) < 2:
            continue
        last = out[-1] if out else None
        if (
            last
            and last["grant_ids"] == s.grant_ids
            and date.fromisoformat(last["to"]) + timedelta(days=1) == s.start
        ):
            last["to"] = s.end.isoformat()
            continue
        out.append(
            {
                "from": s.start.isoformat(),
                "to": s.end.isoformat(),
                "grant_ids": s.grant_ids,
                "grants": _key_rows([grants[g] for g in s.grant_ids]),
            }
        )
    for o in out:
        del o["grant_ids"]
    return out


def _segment_case(segs: list[Segment], column: str) -> tuple[str, dict[str, str]]:
    """A CASE expression giving the segment a date column falls in, with its named parameters."""
    parts, params = [], {}
    for i, s in enumerate(segs):
        parts.append(f"WHEN {column} BETWEEN :start{i} AND :end{i} THEN {i}")
        params |= {f"start{i}": s.start.isoformat(), f"end{i}": s.end.isoformat()}
    return "CASE " + " ".join(parts) + " END", params


# True when the in-kind entry ``i`` was done on a day its company was a member.
MEMBER_ON_DAY = (
    "SELECT 1 FROM memberships p WHERE p.member_id = i.member_id AND p.joined_on <= i.worked_on "
    "AND (p.left_on IS NULL OR p.left_on >= i.worked_on)"
)


def _sums(db: Database, segs: list[Segment], as_of: date) -> dict[str, list[tuple]]:
    """(member, assigned grant or None, segment, øre) sums for in-kind, cash and forecast."""
    case_w, p_w = _segment_case(segs, "worked_on")
    # Only members' in-kind counts: the company was a member on the day of the work.
    inkind, inkind_not_counted = (
        db.execute(
            f"SELECT member_id, grant_id, seg, sum(value_ore) FROM (SELECT member_id, grant_id, "
            f"value_ore, {case_w} AS seg FROM inkind i WHERE worked_on <= :d "
            f"AND {negate}EXISTS ({MEMBER_ON_DAY})) "
            "WHERE seg IS NOT NULL GROUP BY member_id, grant_id, seg",
            {**p_w, "d": as_of.isoformat()},
        ).fetchall()
        for negate in ("", "NOT ")
    )
    case_a, p_a = _segment_case(segs, "a.allocated_on")
    # Net of VAT, per allocation, rounded half-up: amount * net / total. A reminder fee is owed
    # but is no contribution: money allocated beyond the invoice's total paid its fees, so each
    # allocation counts only up to what was left of the total (the invoice is paid first).
    cash = db.execute(
        f"SELECT member_id, NULL, seg, sum(net) FROM (SELECT i.member_id, {case_a} AS seg, "
        "(2 * min(a.amount_ore, max(0, i.total_ore - a.before_ore)) * i.net_ore + i.total_ore)"
        " / (2 * i.total_ore) AS net "
        "FROM (SELECT invoice_id, allocated_on, amount_ore, sum(amount_ore) OVER (PARTITION BY "
        "invoice_id ORDER BY allocated_on, id ROWS UNBOUNDED PRECEDING) - amount_ore "
        "AS before_ore FROM payment_allocations WHERE allocated_on <= :d) a "
        "JOIN invoices i ON i.id = a.invoice_id WHERE i.kind = 'invoice' AND i.total_ore > 0) "
        "WHERE seg IS NOT NULL GROUP BY member_id, seg",
        {**p_a, "d": as_of.isoformat()},
    ).fetchall()
    case_i, p_i = _segment_case(segs, "i.issued_on")
    # What is still owed on each invoice as of the day (its reminder fees left out), net of VAT
    # the same way.
    forecast = db.execute(
        f"SELECT member_id, NULL, seg, sum(net) FROM (SELECT i.member_id, {case_i} AS seg, "
        "(2 * max(0, i.total_ore + i.credited_ore - i.paid_ore) * i.net_ore + i.total_ore)"
        " / (2 * i.total_ore) AS net "
        f"FROM ({open_invoices_sql(dated=True)}) i WHERE i.total_ore > 0) "
        "WHERE seg IS NOT NULL GROUP BY member_id, seg",
        {**p_i, "d": as_of.isoformat()},
    ).fetchall()
    return {
        "inkind": inkind,
        "cash": cash,
        "forecast": forecast,
        "inkind_not_counted": inkind_not_counted,
    }


def split_contributions(
    segs: list[Segment], grants: dict[int, dict[str, Any]], sums: list[tuple]
) -> dict[tuple[int, int, int], int]:
    """(grant, year, member) -> øre; every øre of every sum goes to exactly one grant."""
    out: dict[tuple[int, int, int], int] = defaultdict(int)
    weights_of: dict[tuple[int, ...], list[int]] = {}
    for member_id, assigned, seg, amount in sums:
        s = segs[seg]
        if assigned is not None:
            out[(assigned, s.year, member_id)] += amount
            continue
        weights = weights_of.get(s.grant_ids)
        if weights is None:
            weights = weights_of[s.grant_ids] = split_weights([grants[g] for g in s.grant_ids])
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
    row["status"] = "ok" if row["ok"] else "short"
    return row


def _not_started(row: dict[str, Any]) -> dict[str, Any]:
    """A year that starts after the as-of date: figures shown, no rule judged, no shortfall."""
    for k in ("match_ok", "public_ok", "forecast_match_ok", "ok"):
        row[k] = None
    for k in ("match_shortfall_ore", "public_shortfall_ore", "forecast_shortfall_ore"):
        row[k] = 0
    row["status"] = "not started"
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
    not_counted = list(
        db.query(
            "SELECT i.id, i.worked_on, m.name AS member, i.person, i.value_ore FROM inkind i "
            f"JOIN members m ON m.id = i.member_id WHERE NOT EXISTS ({MEMBER_ON_DAY}) "
            "AND i.worked_on <= ? ORDER BY i.worked_on, norwegian(m.name)",
            [as_of.isoformat()],
        )
    )
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
                ("inkind_not_counted", "inkind_not_counted_ore"),
            ):
                found = {
                    m: v
                    for (gid, yy, m), v in parts.get(key, {}).items()
                    if gid == g["id"] and yy == y
                }
                row[field] = sum(found.values())
                if key in ("cash", "inkind"):
                    for m, v in found.items():
                        per_member[m][f"{key}_ore"] += v
            _rules(row, g)
            if max(g["start_on"], f"{y}-01-01") > as_of.isoformat():
                _not_started(row)
            years.append(row)
        if year and not years:
            continue  # the grant has no day in the chosen year: nothing to judge there
        keys = (
            "granted_ore",
            "received_ore",
            "members_cash_ore",
            "inkind_ore",
            "forecast_cash_ore",
            "inkind_not_counted_ore",
        )
        total = _rules({"year": "total", **{k: sum(r[k] for r in years) for k in keys}}, g)
        waiting = sum(r["status"] == "not started" for r in years)
        if years and waiting == len(years):
            _not_started(total)
        elif waiting:
            # The whole grant against what has come in so far: not yet a pass or a shortfall.
            total["status"] = "running"
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
    return {
        "as_of": as_of.isoformat(),
        "grants": result,
        "split_rule": SPLIT_RULE,
        "split_key": split_key(segs, by_id),
        "inkind_not_counted": {
            "rule": "In-kind by a company that was not a member on the day of the work "
            "(it had left, or not yet joined) is recorded but not counted.",
            "value_ore": sum(r["value_ore"] for r in not_counted),
            "entries": not_counted,
        },
    }
