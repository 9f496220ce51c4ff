"""In-kind work (egeninnsats): hours members put in, valued by the approved rate rules.

Rules (data in ``inkind_rates``, valid from a date, never constants here):
- ``fixed``: the grant's fixed hourly rate;
- ``salary``: 1.2 ‰ of gross annual salary per hour, capped (NOK 600/h);
- ``project``: as salary, with the higher cap for documented cluster-project costs (NOK 1 200/h);
- owners of one-person firms (ENK) and partners in ANS/DA at most the owner cap (NOK 350/h);
- at most 1 850 hours per person per year.

Only members' in-kind counts for co-funding: work by a company that was not a member on the day
(it had left, or not yet joined) is recorded, reported when it is entered, and left out of
``cofunding`` (shown apart there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from filmklynge.dates import now_utc, parse_date
from filmklynge.errors import FilmklyngeError, InvalidInput, NotFound
from filmklynge.identifiers import check_text
from filmklynge.money import format_nok, round_half_up
from filmklynge.store import audit
from filmklynge.store.db import Database

RULES = ("fixed", "salary", "project")
OWNER_FORMS = ("ENK", "ANS", "DA")


def rates_on(db: Database, day: date) -> dict[str, Any]:
    row = db.one(
        "SELECT * FROM inkind_rates WHERE valid_from <= ? ORDER BY valid_from DESC LIMIT 1",
        [day.isoformat()],
    )
    if row is None:
        raise NotFound(
            f"No in-kind rates are valid on {day.isoformat()}; add them with "
            "'filmklynge inkind rates --from DATE ...'."
        )
    return row


def list_rates(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM inkind_rates ORDER BY valid_from"))


def add_rates(
    db: Database,
    *,
    valid_from: date,
    salary_permille_x10: int,
    cap_ore: int,
    project_cap_ore: int,
    owner_cap_ore: int,
    max_hours_year: int,
    note: str | None = None,
) -> dict[str, Any]:
    values = {
        "valid_from": valid_from.isoformat(),
        "salary_permille_x10": salary_permille_x10,
        "cap_ore": cap_ore,
        "project_cap_ore": project_cap_ore,
        "owner_cap_ore": owner_cap_ore,
        "max_hours_year": max_hours_year,
        "note": note,
    }
    if min(salary_permille_x10, cap_ore, project_cap_ore, owner_cap_ore, max_hours_year) <= 0:
        raise InvalidInput("In-kind rates and limits must be more than 0.")
    with db.atomic():
        if db.one("SELECT 1 FROM inkind_rates WHERE valid_from = ?", [values["valid_from"]]):
            raise InvalidInput(f"Rates valid from {valid_from} already exist.")
        rate_id = db.insert("inkind_rates", values)
        audit.record(db, "create", "inkind_rates", rate_id, after=values)
    return values


@dataclass(frozen=True)
class Valuation:
    rule: str
    rate_ore: int
    value_ore: int
    basis: str


def value_of(
    *,
    rule: str,
    hours_x100: int,
    rates: dict[str, Any],
    salary_ore: int | None,
    fixed_rate_ore: int | None,
    owner: bool,
) -> Valuation:
    """The hourly rate and value of one entry (pure)."""
    if rule not in RULES:
        raise InvalidInput(f"Rule {rule!r} must be one of: {', '.join(RULES)}.")
    if rule == "fixed":
        if not fixed_rate_ore:
            raise InvalidInput(
                "The fixed rule needs a grant with a fixed hourly rate "
                "(--grant, set with 'grants add --hourly-rate')."
            )
        rate, basis = fixed_rate_ore, f"fast sats {format_nok(fixed_rate_ore)}/t"
    else:
        if not salary_ore or salary_ore <= 0:
            raise InvalidInput(
                f"The {rule} rule needs the person's gross annual salary (--salary)."
            )
        cap = rates["cap_ore"] if rule == "salary" else rates["project_cap_ore"]
        by_salary = round_half_up(salary_ore * rates["salary_permille_x10"], 10_000)
        rate = min(by_salary, cap)
        permille = f"{rates['salary_permille_x10'] / 10:.1f}".replace(".", ",")
        basis = f"{permille} ‰ av {format_nok(salary_ore)}" + (
            f", tak {format_nok(cap)}/t" if by_salary > cap else ""
        )
    if owner and rate > rates["owner_cap_ore"]:
        rate = rates["owner_cap_ore"]
        basis += f", eiertak {format_nok(rate)}/t"
    return Valuation(rule, rate, round_half_up(rate * hours_x100, 100), basis)


def parse_hours(value: str | float) -> int:
    """Hours as hundredths: '7,5' -> 750. Zero, negative or above 24 in a day is refused."""
    text = str(value).strip().replace(",", ".")
    try:
        hours_x100 = round(float(text) * 100)
    except ValueError:
        raise InvalidInput(f"Hours {value!r} is not a number.") from None
    if not 0 < hours_x100 <= 2400:
        raise InvalidInput(f"Hours {value!r} must be more than 0 and at most 24 in a day.")
    return hours_x100


def hours_in_year(db: Database, member_id: int, person: str, year: int) -> int:
    return db.scalar(
        "SELECT coalesce(sum(hours_x100), 0) FROM inkind WHERE member_id = ? "
        "AND lower(person) = lower(?) AND worked_on BETWEEN ? AND ?",
        [member_id, person.strip(), f"{year}-01-01", f"{year}-12-31"],
    )


def prepare(
    db: Database,
    *,
    member: dict[str, Any],
    person: str,
    worked_on: date,
    hours_x100: int,
    activity: str,
    rule: str | None = None,
    salary_ore: int | None = None,
    grant: dict[str, Any] | None = None,
    owner: bool = False,
    fixed_rate_ore: int | None = None,
    booked_hours: dict[tuple[int, str, int], int] | None = None,
) -> dict[str, Any]:
    """Validate and value one entry; returns the row to insert (nothing written)."""
    person = check_text(person.strip(), "person")
    if not person:
        raise InvalidInput("In-kind work needs the person who did it (--person).")
    if not check_text(activity.strip(), "activity"):
        raise InvalidInput("In-kind work needs an activity (--activity).")
    if not 0 < hours_x100 <= 2400:
        raise InvalidInput("Hours must be more than 0 and at most 24 in a day.")
    if grant is not None and not grant["start_on"] <= worked_on.isoformat() <= grant["end_on"]:
        raise InvalidInput(
            f"{worked_on.isoformat()} is outside grant {grant['reference']} "
            f"({grant['start_on']}–{grant['end_on']})."
        )
    rates = rates_on(db, worked_on)
    fixed = fixed_rate_ore or (grant["fixed_hourly_rate_ore"] if grant else None)
    chosen = rule or ("salary" if salary_ore else "fixed")
    is_owner = owner or member.get("legal_form") == "ENK"
    valuation = value_of(
        rule=chosen,
        hours_x100=hours_x100,
        rates=rates,
        salary_ore=salary_ore,
        fixed_rate_ore=fixed,
        owner=is_owner,
    )
    key = (member["id"], person.casefold(), worked_on.year)
    before = (booked_hours or {}).get(key)
    if before is None:
        before = hours_in_year(db, member["id"], person, worked_on.year)
    limit = rates["max_hours_year"] * 100
    if before + hours_x100 > limit:
        raise InvalidInput(
            f"{person} ({member['name']}) already has {before / 100:g} hours in "
            f"{worked_on.year}; {hours_x100 / 100:g} more would pass the limit of "
            f"{rates['max_hours_year']} hours a year."
        )
    if booked_hours is not None:
        booked_hours[key] = before + hours_x100
    return {
        "member_id": member["id"],
        "person": person,
        "worked_on": worked_on.isoformat(),
        "hours_x100": hours_x100,
        "activity": activity.strip(),
        "rule": valuation.rule,
        "gross_salary_ore": salary_ore,
        "rate_ore": valuation.rate_ore,
        "value_ore": valuation.value_ore,
        "grant_id": grant["id"] if grant else None,
        "basis": valuation.basis,
    }


def insert_entries(db: Database, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    stamp = now_utc()
    keys = [*rows[0], "created_at"]
    db.executemany(
        f"INSERT INTO inkind ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
        [[*r.values(), stamp] for r in rows],
    )
    audit.record(
        db,
        "create",
        "inkind",
        None,
        after={
            "entries": len(rows),
            "hours": sum(r["hours_x100"] for r in rows) / 100,
            "value_ore": sum(r["value_ore"] for r in rows),
        },
    )
    return len(rows)


def add_entry(
    db: Database,
    *,
    member: str,
    person: str,
    worked_on: date,
    hours_x100: int,
    activity: str,
    rule: str | None = None,
    salary_ore: int | None = None,
    grant: str | None = None,
    owner: bool = False,
) -> dict[str, Any]:
    from filmklynge.funding.grants import find_grant
    from filmklynge.register.members import find_member

    with db.atomic():
        m = find_member(db, member)
        g = find_grant(db, grant) if grant else None
        row = prepare(
            db,
            member=m,
            person=person,
            worked_on=worked_on,
            hours_x100=hours_x100,
            activity=activity,
            rule=rule,
            salary_ore=salary_ore,
            grant=g,
            owner=owner,
        )
        insert_entries(db, [row])
    return {**row, "member": m["name"], "not_counted": not_counted(db, m, worked_on)}


def not_counted(db: Database, member: dict[str, Any], day: date) -> str | None:
    """Why in-kind by ``member`` on ``day`` does not count for co-funding, or None when it does."""
    from filmklynge.register.members import not_a_member_on

    why = not_a_member_on(db, member["id"], day)
    if why is None:
        return None
    return (
        f"{member['name']} was not a member on {day.isoformat()} ({why}): "
        "recorded, not counted in co-funding"
    )


def list_entries(
    db: Database, *, member: str | None = None, year: int | None = None, grant: str | None = None
) -> list[dict[str, Any]]:
    clauses, params = [], []
    if member:
        from filmklynge.register.members import find_member

        clauses.append("i.member_id = ?")
        params.append(find_member(db, member)["id"])
    if year:
        clauses.append("i.worked_on BETWEEN ? AND ?")
        params += [f"{year}-01-01", f"{year}-12-31"]
    if grant:
        from filmklynge.funding.grants import find_grant

        clauses.append("i.grant_id = ?")
        params.append(find_grant(db, grant)["id"])
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(
        db.query(
            f"""SELECT i.id, i.worked_on, m.name AS member, i.person, i.hours_x100 / 100.0 AS hours,
                   i.activity, i.rule, i.rate_ore, i.value_ore, g.reference AS grant, i.basis
            FROM inkind i JOIN members m ON m.id = i.member_id
            LEFT JOIN grants g ON g.id = i.grant_id {where}
            ORDER BY i.worked_on, norwegian(m.name), norwegian(i.person)""",
            params,
        )
    )


INKIND_HEADINGS = {
    "member": ("medlem", "orgnr", "member"),
    "person": ("person", "navn", "name"),
    "date": ("dato", "date", "worked_on"),
    "hours": ("timer", "hours"),
    "activity": ("aktivitet", "activity"),
    "rule": ("regel", "rule"),
    "salary": ("lønn", "lonn", "salary"),
    "grant": ("tilskudd", "grant"),
    "owner": ("eier", "owner"),
}


def import_entries(
    db: Database, text: str, *, skip_invalid: bool = False, dry_run: bool = False
) -> tuple[int, list[str], list[str]]:
    """Validate every row, then write all (or, with skip_invalid, the valid ones).

    Returns (rows written, row errors, rows by non-members: written but not counted)."""
    from filmklynge.funding.grants import find_grant
    from filmklynge.money import parse_nok
    from filmklynge.register.members import find_member
    from filmklynge.tablefile import read_table

    rows = read_table(
        text, INKIND_HEADINGS, required=("member", "person", "date", "hours", "activity")
    )
    good, errors, apart = [], [], []
    booked: dict[tuple[int, str, int], int] = {}
    for line, raw in rows:
        row = {k: raw.get(k, "") for k in INKIND_HEADINGS}
        try:
            m = find_member(db, row["member"])
            g = find_grant(db, row["grant"]) if row.get("grant") else None
            worked_on = parse_date(row["date"])
            good.append(
                prepare(
                    db,
                    member=m,
                    person=row["person"],
                    worked_on=worked_on,
                    hours_x100=parse_hours(row["hours"]),
                    activity=row["activity"],
                    rule=row.get("rule") or None,
                    salary_ore=parse_nok(row["salary"]) if row.get("salary") else None,
                    grant=g,
                    owner=(row.get("owner") or "").lower() in ("ja", "yes", "1", "x"),
                    booked_hours=booked,
                )
            )
            why = not_counted(db, m, worked_on)
            if why:
                apart.append(f"line {line}: {why}")
        except FilmklyngeError as e:
            errors.append(f"line {line}: {e}")
    if errors and not skip_invalid:
        return 0, errors, []
    if not dry_run:
        with db.atomic():
            insert_entries(db, good)
    return len(good), errors, apart
