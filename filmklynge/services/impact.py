"""Impact: do members grow faster than comparable firms outside the cluster, and take a larger
share of national film productions? Observations per company and year; a productions register.
"""

from __future__ import annotations

import statistics
from typing import Any

from filmklynge import audit, identifiers
from filmklynge.dates import now_utc
from filmklynge.db import Database
from filmklynge.errors import Conflict, FilmklyngeError, InvalidInput

KINDS = ("feature", "documentary", "series", "short", "commercial")
IMPACT_HEADINGS = {
    "orgnr": ("orgnr", "organisasjonsnummer", "organisation_number"),
    "name": ("navn", "firma", "name", "company"),
    "year": ("år", "aar", "year"),
    "turnover": ("omsetning", "driftsinntekter", "turnover"),
    "employees": ("ansatte", "employees"),
    "value_added": ("verdiskaping", "value_added"),
    "source": ("kilde", "source"),
}
PRODUCTION_HEADINGS = {
    "year": ("år", "aar", "year"),
    "title": ("tittel", "title"),
    "kind": ("type", "kind"),
    "members": ("medlemmer", "members"),
}


def _company(
    db: Database, *, member: str | None, orgnr: str | None, name: str | None, create: bool = True
) -> tuple[str, int]:
    """('member', id) for a member, else ('firm', id) for a comparison firm (registered)."""
    if member:
        from filmklynge.services.members import find_member

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
    if not name:
        raise InvalidInput(
            f"{compact} is neither a member nor a known comparison firm; give "
            "its name (--name) to register it."
        )
    if not create:
        return "firm", 0
    firm_id = db.insert(
        "comparison_firms", {"orgnr": compact, "name": name.strip(), "created_at": now_utc()}
    )
    audit.record(db, "create", "comparison_firm", firm_id, after={"orgnr": compact, "name": name})
    return "firm", firm_id


def add_observation(
    db: Database,
    *,
    year: int,
    turnover_ore: int,
    employees: int,
    member: str | None = None,
    orgnr: str | None = None,
    name: str | None = None,
    value_added_ore: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    if not 1990 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range.")
    if employees < 0:
        raise InvalidInput("Employees cannot be negative.")
    with db.atomic():
        kind, company_id = _company(db, member=member, orgnr=orgnr, name=name)
        column = "member_id" if kind == "member" else "firm_id"
        if db.one(
            f"SELECT 1 FROM impact_observations WHERE {column} = ? AND year = ?", [company_id, year]
        ):
            raise Conflict(f"There are already figures for this company in {year}.")
        record = {
            "year": year,
            column: company_id,
            "turnover_ore": turnover_ore,
            "employees": employees,
            "value_added_ore": value_added_ore,
            "source": source,
            "created_at": now_utc(),
        }
        obs_id = db.insert("impact_observations", record)
        audit.record(db, "create", "impact_observation", obs_id, after=record)
    return record


def import_observations(
    db: Database, text: str, *, skip_invalid: bool = False, dry_run: bool = False
) -> tuple[int, list[str]]:
    from filmklynge.money import parse_nok
    from filmklynge.services.tablefile import read_table

    rows = read_table(text, IMPACT_HEADINGS, required=("orgnr", "year", "turnover", "employees"))
    errors, done = [], 0
    seen: set[tuple[str, int]] = set()
    with db.atomic():
        for line, row in rows:
            try:
                year = int(row.get("year", ""))
                key = (identifiers.check_orgnr(row.get("orgnr", "")), year)
                if key in seen:
                    raise InvalidInput(f"{key[0]} {year} is listed twice")
                seen.add(key)
                with db.atomic():
                    add_observation(
                        db,
                        year=year,
                        orgnr=row["orgnr"],
                        name=row.get("name") or None,
                        turnover_ore=parse_nok(
                            row.get("turnover", ""), allow_negative=True, field="turnover"
                        ),
                        employees=int(row.get("employees", "").replace(" ", "")),
                        value_added_ore=parse_nok(row["value_added"], allow_negative=True)
                        if row.get("value_added")
                        else None,
                        source=row.get("source") or None,
                    )
                done += 1
            except (FilmklyngeError, ValueError) as e:
                message = str(e) if isinstance(e, FilmklyngeError) else "not a whole number"
                errors.append(f"line {line}: {message}")
        if (errors and not skip_invalid) or dry_run:
            raise _Rollback(done, errors)  # undoes every row written above
    return done, errors


class _Rollback(Exception):
    def __init__(self, done: int, errors: list[str]):
        self.done, self.errors = done, errors


def import_observations_safely(
    db: Database, text: str, *, skip_invalid: bool = False, dry_run: bool = False
) -> tuple[int, list[str]]:
    """All or nothing (unless skip_invalid); a dry run reports without writing."""
    try:
        return import_observations(db, text, skip_invalid=skip_invalid, dry_run=dry_run)
    except _Rollback as stop:
        return (stop.done if dry_run and not (stop.errors and not skip_invalid) else 0, stop.errors)


def _growth(base: int, value: int) -> float | None:
    return None if base <= 0 else round((value / base - 1) * 100, 1)


def report(db: Database, *, base: int, years: list[int]) -> dict[str, Any]:
    """Growth from the base year for members and comparison firms, and production shares."""
    if not years or any(y <= base for y in years):
        raise InvalidInput("--years must be after --base, e.g. --base 2017 --years 2018,2019.")
    obs = list(
        db.query(
            """SELECT o.year, o.member_id, o.firm_id, o.turnover_ore, o.employees,
                  coalesce(m.name, f.name) AS name
           FROM impact_observations o LEFT JOIN members m ON m.id = o.member_id
           LEFT JOIN comparison_firms f ON f.id = o.firm_id"""
        )
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
        missing = sorted(names[k] for k in keys if k not in complete)
        per_year = []
        for y in years:
            row: dict[str, Any] = {"year": y, "firms": len(complete)}
            for measure in ("turnover_ore", "employees"):
                b = sum(companies[k][base][measure] for k in complete)
                v = sum(companies[k][y][measure] for k in complete)
                firm_growth = [
                    g
                    for k in complete
                    if (g := _growth(companies[k][base][measure], companies[k][y][measure]))
                    is not None
                ]
                label = "turnover" if measure == "turnover_ore" else "employees"
                row[f"{label}_base"] = b
                row[f"{label}"] = v
                row[f"{label}_growth_pct"] = _growth(b, v)
                row[f"{label}_median_growth_pct"] = (
                    round(statistics.median(firm_growth), 1) if firm_growth else None
                )
            per_year.append(row)
        groups[group] = {"firms": len(complete), "left_out": missing, "years": per_year}
    difference = []
    for m, c in zip(groups["members"]["years"], groups["comparison"]["years"], strict=True):
        diff = {"year": m["year"]}
        for key in (
            "turnover_growth_pct",
            "turnover_median_growth_pct",
            "employees_growth_pct",
            "employees_median_growth_pct",
        ):
            diff[key.replace("_pct", "_pp")] = (
                round(m[key] - c[key], 1) if m[key] is not None and c[key] is not None else None
            )
        difference.append(diff)
    return {
        "base": base,
        "years": years,
        **groups,
        "difference": difference,
        "productions": production_shares(db, [base, *years]),
    }


def production_shares(db: Database, years: list[int]) -> list[dict[str, Any]]:
    out = []
    for y in years:
        members = db.scalar("SELECT count(*) FROM productions WHERE year = ?", [y])
        national = db.scalar("SELECT count FROM national_productions WHERE year = ?", [y])
        out.append(
            {
                "year": y,
                "member_productions": members,
                "national": national,
                "share_pct": round(members / national * 100, 1) if national else None,
            }
        )
    return out


def add_production(
    db: Database, *, year: int, title: str, kind: str, members: list[str]
) -> dict[str, Any]:
    from filmklynge.services.members import find_member

    if kind not in KINDS:
        raise InvalidInput(f"Kind {kind!r} must be one of: {', '.join(KINDS)}.")
    if not title.strip():
        raise InvalidInput("A production needs a title.")
    if not members:
        raise InvalidInput("Name at least one member company involved (--member).")
    with db.atomic():
        ids = sorted({find_member(db, m)["id"] for m in members})
        prod_id = db.insert(
            "productions",
            {"year": year, "title": title.strip(), "kind": kind, "created_at": now_utc()},
        )
        db.executemany(
            "INSERT INTO production_members (production_id, member_id) VALUES (?, ?)",
            [(prod_id, m) for m in ids],
        )
        audit.record(
            db,
            "create",
            "production",
            prod_id,
            after={"title": title, "year": year, "members": ids},
        )
    return {"id": prod_id, "year": year, "title": title, "kind": kind, "members": ids}


def set_national_total(db: Database, *, year: int, count: int, source: str | None) -> None:
    if count < 0:
        raise InvalidInput("A national total cannot be negative.")
    with db.atomic():
        db.execute(
            "INSERT INTO national_productions (year, count, source) VALUES (?, ?, ?) "
            "ON CONFLICT(year) DO UPDATE SET count = excluded.count, "
            "source = excluded.source",
            [year, count, source],
        )
        audit.record(db, "set", "national_productions", year, after={"count": count})


def list_productions(db: Database, *, year: int | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE p.year = ?", [year]) if year else ("", [])
    return list(
        db.query(
            f"""SELECT p.id, p.year, p.title, p.kind,
                   group_concat(m.name, '; ') AS members
            FROM productions p JOIN production_members pm ON pm.production_id = p.id
            JOIN members m ON m.id = pm.member_id {where}
            GROUP BY p.id ORDER BY p.year, p.title""",
            params,
        )
    )


def import_productions(db: Database, text: str) -> tuple[int, list[str]]:
    from filmklynge.services.tablefile import read_table

    rows = read_table(text, PRODUCTION_HEADINGS, required=("year", "title", "kind", "members"))
    errors, done = [], 0
    try:
        with db.atomic():
            for line, row in rows:
                try:
                    add_production(
                        db,
                        year=int(row.get("year", "")),
                        title=row.get("title", ""),
                        kind=row.get("kind", ""),
                        members=[m for m in row.get("members", "").split("|") if m.strip()],
                    )
                    done += 1
                except (FilmklyngeError, ValueError) as e:
                    errors.append(
                        f"line {line}: {e if isinstance(e, FilmklyngeError) else 'bad year'}"
                    )
            if errors:
                raise _Rollback(0, errors)
    except _Rollback:
        return 0, errors
    return done, errors
