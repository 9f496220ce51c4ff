"""Events (gatherings, regional meetings, webinars, festivals) and who attended them.

Attendance turns into in-kind work in one step, once: each attendance row makes at most one
in-kind entry (a unique index on inkind.attendance_id). Attendance by a company that was not a
member on the event's day is recorded and reported, and its in-kind is not counted for
co-funding (``funding.cofunding``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.dates import now_utc, parse_date
from filmklynge.errors import FilmklyngeError, InvalidInput, NotFound
from filmklynge.identifiers import check_text
from filmklynge.store import audit
from filmklynge.store.db import Database
from filmklynge.text import best_matches, fold, matched_note

KINDS = ("gathering", "regional", "webinar", "festival", "workshop", "other")
ATTENDANCE_HEADINGS = {
    "member": ("medlem", "orgnr", "firma", "member", "company"),
    "person": ("deltaker", "navn", "person", "name", "participant"),
    "hours": ("timer", "hours"),
}


def add_event(
    db: Database,
    *,
    name: str,
    kind: str,
    held_on: date,
    hours_x100: int,
    place: str | None = None,
    online: bool = False,
) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInput(f"Event kind {kind!r} must be one of: {', '.join(KINDS)}.")
    if not name.strip():
        raise InvalidInput("An event needs a name.")
    if not 0 < hours_x100 <= 2400:
        raise InvalidInput("An event's hours must be more than 0 and at most 24.")
    with db.atomic():
        event_id = db.insert(
            "events",
            {
                "name": name.strip(),
                "kind": kind,
                "held_on": held_on.isoformat(),
                "hours_x100": hours_x100,
                "place": place,
                "online": 1 if online else 0,
                "created_at": now_utc(),
            },
        )
        audit.record(
            db, "create", "event", event_id, after={"name": name, "held_on": held_on.isoformat()}
        )
    return find_event(db, str(event_id))


def find_event(db: Database, ref: str) -> dict[str, Any]:
    text = str(ref).strip()
    row = db.get("events", int(text)) if text.isdigit() else None
    if row is None:
        rows = best_matches(
            text,
            list(
                db.query(
                    "SELECT * FROM events WHERE instr(fold(name), ?) > 0 ORDER BY held_on",
                    [fold(text)],
                )
            ),
        )
        if len(rows) > 1:
            raise InvalidInput(f"{text!r} matches several events; use the id.")
        row = rows[0] if rows else None
        if row is not None and (said := matched_note(text, row["name"])):
            db.inform(said)
    if row is None:
        raise NotFound(f"No event {ref!r}. See 'filmklynge events list'.")
    return row


def list_events(db: Database, *, year: int | None = None) -> list[dict[str, Any]]:
    where, params = "", []
    if year:
        where, params = "WHERE e.held_on BETWEEN ? AND ?", [f"{year}-01-01", f"{year}-12-31"]
    return list(
        db.query(
            f"""SELECT e.id, e.held_on, e.name, e.kind, e.hours_x100 / 100.0 AS hours, e.place,
                   e.online, count(a.id) AS participants, count(DISTINCT a.member_id) AS members
            FROM events e LEFT JOIN attendance a ON a.event_id = e.id {where}
            GROUP BY e.id ORDER BY e.held_on""",
            params,
        )
    )


def event_details(db: Database, ref: str) -> dict[str, Any]:
    e = find_event(db, ref)
    people = list(
        db.query(
            """SELECT a.id, m.name AS member, a.person, a.hours_x100 / 100.0 AS hours,
                  (SELECT i.id FROM inkind i WHERE i.attendance_id = a.id) AS inkind_id
           FROM attendance a JOIN members m ON m.id = a.member_id WHERE a.event_id = ?
           ORDER BY norwegian(m.name), norwegian(a.person)""",
            [e["id"]],
        )
    )
    return {**e, "attendance": people}


def _attendance_rows(db: Database, event: dict[str, Any], rows, *, skip_invalid: bool):
    from filmklynge.funding.inkind import parse_hours

    by_orgnr = {
        r["orgnr"]: r for r in db.query("SELECT id, name, orgnr FROM members") if r["orgnr"]
    }
    by_name = {}
    for r in db.query("SELECT id, name, orgnr FROM members"):
        by_name.setdefault(r["name"].casefold(), []).append(r)
    good, errors, seen = [], [], set()
    for line, row in rows:
        ref = (row.get("member") or "").strip()
        member = by_orgnr.get(ref.replace(" ", ""))
        if member is None:
            matches = by_name.get(ref.casefold(), [])
            member = matches[0] if len(matches) == 1 else None
        person = (row.get("person") or "").strip()
        try:
            if member is None:
                raise InvalidInput(
                    f"no member {ref!r} (give the organisation number or the exact name)"
                )
            if not person:
                raise InvalidInput("the participant's name is missing")
            check_text(person, "the participant's name")
            hours = parse_hours(row["hours"]) if row.get("hours") else event["hours_x100"]
        except FilmklyngeError as e:
            errors.append(f"line {line}: {e}")
            continue
        key = (member["id"], person.casefold())
        if key in seen:
            errors.append(f"line {line}: {person} of {member['name']} is listed twice")
            continue
        seen.add(key)
        good.append((line, (event["id"], member["id"], person, hours)))
    if errors and not skip_invalid:
        return [], errors
    return good, errors


def record_attendance(
    db: Database, event_ref: str, rows, *, skip_invalid: bool = False, dry_run: bool = False
) -> tuple[int, int, list[str], list[str]]:
    """Add attendance rows (member ref, person, hours); returns (added, already, errors, rows
    by companies that were not members on the event's day: recorded, not counted)."""
    from filmklynge.register.members import active_member_ids

    with db.atomic():
        event = find_event(db, event_ref)
        good, errors = _attendance_rows(db, event, rows, skip_invalid=skip_invalid)
        if errors and not skip_invalid:
            return 0, 0, errors, []
        held_on = parse_date(event["held_on"])
        members_then = active_member_ids(db, held_on)
        names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM members")}
        apart = [
            f"line {line}: {person} of {names[member_id]}: the company was not a member on "
            f"{event['held_on']}: recorded, not counted in co-funding"
            for line, (_, member_id, person, _) in good
            if member_id not in members_then
        ]
        good = [g for _, g in good]
        existing = {
            (r["member_id"], r["person"].casefold())
            for r in db.query(
                "SELECT member_id, person FROM attendance WHERE event_id = ?", [event["id"]]
            )
        }
        new = [g for g in good if (g[1], g[2].casefold()) not in existing]
        if not dry_run and new:
            db.executemany(
                "INSERT INTO attendance (event_id, member_id, person, hours_x100) "
                "VALUES (?, ?, ?, ?)",
                new,
            )
            audit.record(db, "attend", "event", event["id"], after={"participants": len(new)})
    return len(new), len(good) - len(new), errors, apart


def import_attendance(
    db: Database, event_ref: str, text: str, *, skip_invalid: bool = False, dry_run: bool = False
) -> tuple[int, int, list[str], list[str]]:
    from filmklynge.tablefile import read_table

    rows = read_table(text, ATTENDANCE_HEADINGS, required=("member", "person"))
    return record_attendance(db, event_ref, rows, skip_invalid=skip_invalid, dry_run=dry_run)


def to_inkind(
    db: Database, event_ref: str, *, grant: str | None = None, rate_ore: int | None = None
) -> tuple[int, int, int]:
    """Turn the event's attendance into in-kind entries, once; returns (made, already, made
    for companies that were not members that day: recorded, not counted)."""
    from filmklynge.funding import inkind
    from filmklynge.funding.grants import find_grant
    from filmklynge.register.members import active_member_ids

    with db.atomic():
        event = find_event(db, event_ref)
        g = find_grant(db, grant) if grant else None
        if rate_ore is None and not (g and g["fixed_hourly_rate_ore"]):
            raise InvalidInput(
                "Give --rate KR, or --grant with a fixed hourly rate, to value the attendance."
            )
        rows = list(
            db.query(
                """SELECT a.*, m.name, m.legal_form FROM attendance a
               JOIN members m ON m.id = a.member_id
               WHERE a.event_id = ? AND a.id NOT IN (SELECT attendance_id FROM inkind
                                                     WHERE attendance_id IS NOT NULL)""",
                [event["id"]],
            )
        )
        already = db.scalar(
            "SELECT count(*) FROM inkind i JOIN attendance a ON "
            "a.id = i.attendance_id WHERE a.event_id = ?",
            [event["id"]],
        )
        booked: dict = {}
        entries = []
        for r in rows:
            member = {"id": r["member_id"], "name": r["name"], "legal_form": r["legal_form"]}
            entry = inkind.prepare(
                db,
                member=member,
                person=r["person"],
                worked_on=parse_date(event["held_on"]),
                hours_x100=r["hours_x100"],
                activity=f"{event['kind']}: {event['name']}",
                rule="fixed",
                grant=g,
                fixed_rate_ore=rate_ore,
                booked_hours=booked,
            )
            entries.append({**entry, "event_id": event["id"], "attendance_id": r["id"]})
        inkind.insert_entries(db, entries)
        members_then = active_member_ids(db, parse_date(event["held_on"]))
        apart = sum(e["member_id"] not in members_then for e in entries)
    return len(entries), already, apart
