"""Growth: do members grow faster than comparable firms outside the cluster? Yearly
observations (turnover, employees, value added) per member or comparison firm, and the report of
growth from a base year with the difference in percentage points.
"""

from __future__ import annotations

import statistics
from typing import Any

from filmklynge import identifiers
from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput
from filmklynge.impact.batch import MAX_COUNT, ImportOutcome, import_rows, whole_number
from filmklynge.impact.productions import production_totals
from filmklynge.money import format_nok
from filmklynge.store import audit
from filmklynge.store.db import Database
from filmklynge.text import sort_key

IMPACT_HEADINGS = {
    "orgnr": ("orgnr", "organisasjonsnummer", "organisation_number"),
    "name": ("navn", "firma", "name", "company"),
    "year": ("år", "aar", "year"),
    "turnover": ("omsetning", "driftsinntekter", "turnover"),
    "employees": ("ansatte", "employees"),
    "value_added": ("verdiskaping", "value_added"),
    "source": ("kilde", "source"),
    "sector": ("bransje", "sector"),
    "county": ("fylke", "county"),
}


def _company(
    db: Database,
    *,
    member: str | None,
    orgnr: str | None,
    name: str | None,
    sector: str | None = None,
    county: str | None = None,
) -> tuple[str, int]:
    """('member', id) for a member, else ('firm', id) for a comparison firm (registered)."""
    if member:
        from filmklynge.register.members import find_member

        return "member", find_member(db, member)["id"]
    if not orgnr:
        raise InvalidInput(
            "Say whose figures these are: --member, or --orgnr (and --name) for a comparison firm."
        )
    compact = identifiers.check_orgnr(orgnr)
    row = db.one("SELECT id FROM members WHERE orgnr = ?", [compact])
    if row:
        return "member", row["id"]
    firm = db.one("SELECT id FROM comparison_firms WHERE orgnr = ?", [compact])
    if firm:
        return "firm", firm["id"]
    if not name or not name.strip():
        raise InvalidInput(
            f"{compact} is neither a member nor a known comparison firm; give "
            "its name (--name, or a name column) to register it."
        )
    record = {
        "orgnr": compact,
        "name": name.strip(),
        "sector": sector.strip().lower() if sector and sector.strip() else None,
        "county": identifiers.check_county(county) if county else None,
        "created_at": now_utc(),
    }
    firm_id = db.insert("comparison_firms", record)
    audit.record(db, "create", "comparison_firm", firm_id, after=record)
    return "firm", firm_id


def _check_figures(year: int, employees: int) -> None:
    if not 1990 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range; give a four-digit accounting year.")
    if employees < 0:
        raise InvalidInput("Employees cannot be negative.")
    if employees > MAX_COUNT:
        raise InvalidInput(f"{employees} employees is more than any company has; check it.")


def add_observation(
    db: Database,
    *,
    year: int,
    turnover_ore: int,
    employees: int,
    member: str | None = None,
    orgnr: str | None = None,
    name: str | None = None,
    sector: str | None = None,
    county: str | None = None,
    value_added_ore: int | None = None,
    source: str | None = None,
    replace: bool = False,
) -> str:
    """Record a company's figures for a year: 'added', 'replaced' or 'unchanged'.

    Figures already recorded for the company and year are refused unless they are the same
    (then nothing changes) or ``replace`` is given (restated accounts).
    """
    _check_figures(year, employees)
    with db.atomic():
        kind, company_id = _company(
            db, member=member, orgnr=orgnr, name=name, sector=sector, county=county
        )
        figures = {
            "turnover_ore": turnover_ore,
            "employees": employees,
            "value_added_ore": value_added_ore,
            "source": source,
        }
        if kind == "member":  # figures recorded while it was a comparison firm count too
            old = db.one(
                """SELECT * FROM impact_observations WHERE year = :y AND (member_id = :id
                   OR firm_id IN (SELECT f.id FROM comparison_firms f JOIN members m
                                  ON m.orgnr = f.orgnr WHERE m.id = :id))""",
                {"y": year, "id": company_id},
            )
        else:
            old = db.one(
                "SELECT * FROM impact_observations WHERE firm_id = ? AND year = ?",
                [company_id, year],
            )
        if old:
            before = {k: old[k] for k in figures}
            if before == figures:
                return "unchanged"
            if not replace:
                raise Conflict(
                    f"There are already other figures for this company in {year} (turnover "
                    f"{format_nok(old['turnover_ore'])}, {old['employees']} employees); "
                    "add --replace to overwrite them."
                )
            db.update("impact_observations", old["id"], figures)
            audit.record(
                db, "replace", "impact_observation", old["id"], before=before, after=figures
            )
            return "replaced"
        column = "member_id" if kind == "member" else "firm_id"
        record = {"year": year, column: company_id, **figures, "created_at": now_utc()}
        obs_id = db.insert("impact_observations", record)
        audit.record(db, "create", "impact_observation", obs_id, after=record)
    return "added"


def import_observations(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    replace: bool = False,
) -> ImportOutcome:
    """Yearly figures from CSV, all or nothing (unless ``skip_invalid``).

    A row already recorded with the same figures is counted as unchanged, so importing a file
    again adds nothing; a row with other figures for the same company and year is an error
    unless ``replace``.
    """
    from filmklynge.money import parse_nok
    from filmklynge.tablefile import read_table

    rows = read_table(text, IMPACT_HEADINGS, required=("orgnr", "year", "turnover", "employees"))
    seen: set[tuple[str, int]] = set()

    def write_row(row: dict[str, str]) -> str:
        year = whole_number(row.get("year", ""), "Year")
        key = (identifiers.check_orgnr(row.get("orgnr", "")), year)
        if key in seen:
            raise InvalidInput(f"{key[0]} {year} is listed twice in the file")
        seen.add(key)
        return add_observation(
            db,
            year=year,
            orgnr=row["orgnr"],
            name=row.get("name") or None,
            sector=row.get("sector") or None,
            county=row.get("county") or None,
            turnover_ore=parse_nok(row.get("turnover", ""), allow_negative=True, field="turnover"),
            employees=whole_number(row.get("employees", ""), "Employees"),
            value_added_ore=parse_nok(row["value_added"], allow_negative=True, field="value added")
            if row.get("value_added")
            else None,
            source=row.get("source") or None,
            replace=replace,
        )

    return import_rows(db, rows, write_row, skip_invalid=skip_invalid, dry_run=dry_run)


def _growth(base: int, value: int) -> float | None:
    """Growth in per cent (unrounded); None where the base is not positive."""
    return None if base <= 0 else (value / base - 1) * 100


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# (name, the column of a year's figure, the report's key for the base year's figure)
MEASURES = (
    ("turnover", "turnover_ore", "turnover_base_ore"),
    ("employees", "employees", "employees_base"),
)


def report(db: Database, *, base: int, years: list[int]) -> dict[str, Any]:
    """Growth from the base year for members and comparison firms, and production shares.

    Members are the companies in the member register (a comparison firm that has since
    enrolled counts as a member); the comparison group is the firms registered for comparison
    only. A company needs figures for the base year and every year asked for, or it is left
    out of its group and listed. Per group and year: the firms' totals, the growth of the
    totals, and the median of the firms' own growth (which one large firm cannot swing).
    The difference is members minus comparison, in percentage points.
    """
    years = sorted(set(years))
    if not years or any(y <= base for y in years):
        raise InvalidInput("--years must be after --base, e.g. --base 2017 --years 2018,2019.")
    obs = db.query(
        """SELECT o.year, o.turnover_ore, o.employees,
                  coalesce(o.member_id, fm.id) AS member_id, o.firm_id,
                  coalesce(m.name, fm.name, f.name) AS name
           FROM impact_observations o
           LEFT JOIN members m ON m.id = o.member_id
           LEFT JOIN comparison_firms f ON f.id = o.firm_id
           LEFT JOIN members fm ON fm.orgnr = f.orgnr
           ORDER BY o.member_id IS NOT NULL"""  # a member's own figures win over older ones
    )
    companies: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}
    names = {}
    for o in obs:
        key = ("members", o["member_id"]) if o["member_id"] else ("comparison", o["firm_id"])
        companies.setdefault(key, {})[o["year"]] = o
        names[key] = o["name"]
    groups: dict[str, Any] = {}
    for group in ("members", "comparison"):
        keys = [k for k in companies if k[0] == group]
        complete = [k for k in keys if all(y in companies[k] for y in [base, *years])]
        rows = []
        for y in years:
            row: dict[str, Any] = {"year": y, "firms": len(complete)}
            for label, column, base_key in MEASURES:
                pairs = [(companies[k][base][column], companies[k][y][column]) for k in complete]
                firm_growth = [g for b, v in pairs if (g := _growth(b, v)) is not None]
                total_base, total = sum(b for b, _ in pairs), sum(v for _, v in pairs)
                row[base_key] = total_base
                row[column] = total
                row[f"{label}_growth_pct"] = _growth(total_base, total)
                row[f"{label}_median_growth_pct"] = (
                    statistics.median(firm_growth) if firm_growth else None
                )
            rows.append(row)
        groups[group] = {
            "firms": len(complete),
            "included": sorted((names[k] for k in complete), key=sort_key),
            "left_out": sorted((names[k] for k in keys if k not in complete), key=sort_key),
            "years": rows,
        }
    difference = []
    for m, c in zip(groups["members"]["years"], groups["comparison"]["years"], strict=True):
        diff: dict[str, Any] = {"year": m["year"]}
        for label, *_ in MEASURES:
            for kind in ("growth", "median_growth"):
                a, b = m[f"{label}_{kind}_pct"], c[f"{label}_{kind}_pct"]
                diff[f"{label}_{kind}_pp"] = (
                    _round(a - b) if a is not None and b is not None else None
                )
        difference.append(diff)
    for g in groups.values():  # round only now, so the difference is not built on rounded parts
        for row in g["years"]:
            for key in [k for k in row if k.endswith("_pct")]:
                row[key] = _round(row[key])
    return {
        "base": base,
        "years": years,
        **groups,
        "difference": difference,
        "productions": [
            {k: t[k] for k in ("year", "member_productions", "national", "share_pct")}
            for t in production_totals(db, [base, *years])
        ],
    }
