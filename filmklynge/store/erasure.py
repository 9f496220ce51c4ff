"""Where a person's data lives in the file, and erasing it everywhere (GDPR art. 17).

A contact person is stored in ``contacts`` (erased by ``register.contacts``), and traces of
the person end up elsewhere. This module knows those places, next to the schema they are in:

- ``inkind.person`` and ``attendance.person``: the name, replaced by a numbered placeholder
  ("(forgotten person 3)") so the hours, their value and the yearly cap per person stay right;
- ``members.invoice_email``, ``members.buyer_reference`` and ``members.notes``: the e-mail or
  name, cleared or blanked out;
- ``deliveries.recipient`` and ``deliveries.error``: the e-mail an invoice was sent to;
- the audit log: the recorded command lines (``members add --contact-name ...``, ``inkind add
  --person ...``, ``events attend --person ...``) and the before/after JSON, where every
  mention is replaced by "(erased)" and the rest of the entry is kept.

Kept, because bookkeeping law requires it for five years: invoices as issued (buyer name and
address), and payments as the bank reported them (the payer's name and account).

Everything here runs inside the caller's transaction; ``Database.purge`` afterwards makes the
old bytes leave the file.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from filmklynge.store.db import Database

ERASED = "(erased)"
PERSON = "(forgotten person {n})"
_PERSON_GLOB = "(forgotten person [0-9]*)"


@dataclass
class Person:
    """What identifies one person in stored text: names, e-mail addresses, phone numbers."""

    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def pattern(self) -> re.Pattern[str] | None:
        """One case-insensitive pattern for every mention: whole words for a name (so 'Ola'
        does not touch 'Olav'), the whole address for an e-mail, the digits of a phone number
        with or without spaces, dashes and the country code."""
        parts = []
        for name in {n.strip() for n in self.names if n and n.strip()}:
            parts.append(rf"(?<!\w){re.escape(name)}(?!\w)")
        for email in {e.strip() for e in self.emails if e and e.strip()}:
            parts.append(rf"(?<![\w.+-]){re.escape(email)}(?![\w.-])")
        for phone in {p for p in self.phones if p}:
            digits = re.sub(r"\D", "", phone)
            if phone.startswith("+47") and len(digits) == 10:
                digits, prefix = digits[2:], r"(?:(?:\+|00)47[\s.-]*)?"
            else:
                prefix = r"(?:\+|00)?"
            if len(digits) >= 5:
                body = r"[\s.-]*".join(digits)
                parts.append(rf"(?<![\d+]){prefix}{body}(?!\d)")
        if not parts:
            return None
        return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _scrub_text(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(ERASED, text)


def _scrub_json(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, pattern)
    if isinstance(value, list):
        return [_scrub_json(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, pattern) for k, v in value.items()}
    return value


def _scrub_command(command: str, pattern: re.Pattern[str]) -> str:
    """The command line with every argument that mentions the person blanked out; read as the
    shell words it was recorded as, so a quoted name ('O'"'"'Brien') is found too."""
    try:
        words = shlex.split(command)
    except ValueError:
        return _scrub_text(command, pattern)
    return shlex.join(_scrub_text(w, pattern) for w in words)


def scrub_audit(db: Database, person: Person) -> int:
    """Blank out every mention of ``person`` in the audit log; returns the entries changed."""
    pattern = person.pattern()
    if pattern is None:
        return 0
    changed = []
    for row in db.query("SELECT id, command, before_json, after_json FROM audit_log"):
        new = dict(row)
        if row["command"] and pattern.search(row["command"]):
            new["command"] = _scrub_command(row["command"], pattern)
        for column in ("before_json", "after_json"):
            if row[column] and pattern.search(row[column]):
                data = _scrub_json(json.loads(row[column]), pattern)
                new[column] = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if new != row:
            changed.append((new["command"], new["before_json"], new["after_json"], row["id"]))
    db.executemany(
        "UPDATE audit_log SET command = ?, before_json = ?, after_json = ? WHERE id = ?", changed
    )
    return len(changed)


def _next_placeholder(db: Database) -> int:
    numbers = [
        int(re.sub(r"\D", "", r[0]))
        for r in db.execute(
            "SELECT person FROM inkind WHERE person GLOB ? "
            "UNION SELECT person FROM attendance WHERE person GLOB ?",
            [_PERSON_GLOB, _PERSON_GLOB],
        )
    ]
    return max(numbers, default=0) + 1


def find_persons(db: Database, member_id: int, names: list[str] | None) -> dict[str, str]:
    """The persons named on the member's in-kind work and attendance that an erasure of
    ``names`` (None: every person of the member) replaces, casefolded name -> a spelling as
    stored. Placeholders of persons forgotten before are not counted. Reads only."""
    wanted = None if names is None else {n.casefold() for n in names}
    found: dict[str, str] = {}
    for table in ("inkind", "attendance"):
        for (name,) in db.execute(
            f"SELECT DISTINCT person FROM {table} WHERE member_id = ?", [member_id]
        ):
            if re.fullmatch(r"\(forgotten person \d+\)", name):
                continue
            if wanted is None or name.casefold() in wanted:
                found.setdefault(name.casefold(), name)
    return found


def erase_persons(db: Database, member_id: int, names: list[str] | None) -> list[str]:
    """Replace the names of persons in the member's in-kind work and attendance by numbered
    placeholders (one per person, the same in both tables); ``names`` None means every
    person of the member. Returns the names replaced (to scrub from the audit log)."""
    found = find_persons(db, member_id, names)
    n = _next_placeholder(db)
    for key in sorted(found):
        placeholder = PERSON.format(n=n)
        n += 1
        for table in ("inkind", "attendance"):
            rows = [
                r[0]
                for r in db.execute(
                    f"SELECT id, person FROM {table} WHERE member_id = ?", [member_id]
                )
                if r[1].casefold() == key
            ]
            db.executemany(
                f"UPDATE {table} SET person = ? WHERE id = ?", [(placeholder, i) for i in rows]
            )
    return list(found.values())


@dataclass
class Traces:
    """What erasing a person changes in the member's row and its in-kind work and
    attendance: the plan ``erase_member_traces`` carries out, and a dry run shows."""

    persons: list[str]  # names on in-kind work and attendance, to become placeholders
    member_changes: dict[str, Any]  # columns of the member's row: cleared or blanked out
    person: Person  # the person, with what was found to mention them (e-mail, reference)


def plan_member_traces(
    db: Database, member_id: int, person: Person, *, whole_member: bool
) -> Traces:
    """What ``erase_member_traces`` will change outside ``contacts`` (reads only); besides
    these, every mention left in the delivery log and the audit log is blanked out."""
    persons = list(find_persons(db, member_id, None if whole_member else person.names).values())
    person = Person(
        names=[*person.names, *persons], emails=list(person.emails), phones=list(person.phones)
    )
    member = db.one(
        "SELECT invoice_email, buyer_reference, notes FROM members WHERE id = ?", [member_id]
    )
    pattern = person.pattern()
    changes: dict[str, Any] = {}
    if member:
        email = member["invoice_email"]
        if email and (
            whole_member or email.casefold() in {e.casefold() for e in person.emails if e}
        ):
            person.emails = [*person.emails, email]
            changes["invoice_email"] = None
        reference = member["buyer_reference"]
        if reference and (whole_member or (pattern and pattern.search(reference))):
            person.names = [*person.names, reference]
            changes["buyer_reference"] = None
        if member["notes"] and pattern and pattern.search(member["notes"]):
            changes["notes"] = _scrub_text(member["notes"], pattern)
    return Traces(persons=persons, member_changes=changes, person=person)


def erase_member_traces(
    db: Database, member_id: int, person: Person, *, whole_member: bool
) -> dict[str, Any]:
    """Erase ``person`` (or with ``whole_member`` every person) from the member's rows outside
    ``contacts``, the delivery log and the audit log. Returns what was done, for the report."""
    done: dict[str, Any] = {}
    plan = plan_member_traces(db, member_id, person, whole_member=whole_member)
    erase_persons(db, member_id, None if whole_member else person.names)
    done["inkind_and_attendance_persons"] = len(plan.persons)
    person = plan.person
    changes = plan.member_changes
    if changes:
        db.update("members", member_id, changes)
    done["member_fields"] = sorted(changes)
    pattern = person.pattern()
    if pattern is not None:
        rows = []
        for r in db.query(
            "SELECT d.id, d.recipient, d.error FROM deliveries d "
            "JOIN invoices i ON i.id = d.invoice_id WHERE i.member_id = ?",
            [member_id],
        ):
            recipient = _scrub_text(r["recipient"], pattern) if r["recipient"] else None
            error = _scrub_text(r["error"], pattern) if r["error"] else None
            if (recipient, error) != (r["recipient"], r["error"]):
                rows.append((recipient, error, r["id"]))
        db.executemany("UPDATE deliveries SET recipient = ?, error = ? WHERE id = ?", rows)
        done["deliveries"] = len(rows)
    done["audit_entries"] = scrub_audit(db, person)
    return done
