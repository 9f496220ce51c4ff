"""Contact persons of members. They are personal data: forgetting erases them for good.

This module owns the persons; ``members`` owns the companies (``find_member``) and calls here
to add, list and erase a member's contacts.
"""

from __future__ import annotations

from typing import Any

from filmklynge import identifiers
from filmklynge.dates import now_utc
from filmklynge.errors import InvalidInput, NotFound
from filmklynge.store import audit, erasure
from filmklynge.store.db import Database

FORGOTTEN = "(forgotten)"
PERSONAL = ("name", "role", "email", "phone")


def validate_contact(fields: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        value = identifiers.check_text(str(value).strip(), f"contact {key}")
        if key == "name":
            if not value:
                raise InvalidInput("A contact needs a name.")
            out[key] = value
        elif key == "email":
            out[key] = identifiers.check_email(value) if value else None
        elif key == "phone":
            out[key] = identifiers.check_phone(value) if value else None
        elif key == "role":
            out[key] = value or None
        else:  # pragma: no cover
            raise KeyError(key)
    if not partial and not out.get("name"):
        raise InvalidInput("A contact needs a name (--name).")
    return out


def insert_contact(db: Database, member_id: int, values: dict[str, Any]) -> int:
    """Insert a validated contact inside the caller's transaction."""
    if values.get("is_primary"):
        db.execute("UPDATE contacts SET is_primary = 0 WHERE member_id = ?", [member_id])
    stamp = now_utc()
    record = {
        "member_id": member_id,
        "is_primary": 1 if values.get("is_primary") else 0,
        **{k: values.get(k) for k in PERSONAL},
        "created_at": stamp,
        "updated_at": stamp,
    }
    contact_id = db.insert("contacts", record)
    audit.record(db, "create", "contact", contact_id, after=record)
    return contact_id


def add_contact(
    db: Database,
    member_ref: str,
    *,
    name: str,
    role: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    primary: bool = False,
) -> dict[str, Any]:
    from filmklynge.register.members import find_member

    values = validate_contact({"name": name, "role": role, "email": email, "phone": phone})
    with db.atomic():
        member = find_member(db, member_ref)
        has_primary = db.scalar(
            "SELECT count(*) FROM contacts WHERE member_id = ? AND is_primary = 1 "
            "AND forgotten_at IS NULL",
            [member["id"]],
        )
        values["is_primary"] = primary or not has_primary
        contact_id = insert_contact(db, member["id"], values)
    return get_contact(db, contact_id)


def get_contact(db: Database, contact_id: int | str) -> dict[str, Any]:
    try:
        number = int(contact_id)
    except ValueError:
        raise InvalidInput(f"Contact id {contact_id!r} must be a number.") from None
    row = db.one(
        "SELECT c.*, m.name AS member FROM contacts c JOIN members m ON m.id = c.member_id "
        "WHERE c.id = ?",
        [number],
    )
    if row is None:
        raise NotFound(f"No contact with id {contact_id}. Run 'filmklynge contacts list'.")
    return row


def contacts_of(db: Database, member_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, name, role, email, phone, is_primary, forgotten_at FROM contacts "
            "WHERE member_id = ? ORDER BY is_primary DESC, name",
            [member_id],
        )
    )


def list_contacts(
    db: Database, *, member: str | None = None, missing_email: bool = False
) -> list[dict[str, Any]]:
    where, params = ["c.forgotten_at IS NULL"], []
    if member:
        from filmklynge.register.members import find_member

        where.append("c.member_id = ?")
        params.append(find_member(db, member)["id"])
    if missing_email:
        where.append("(c.email IS NULL OR c.email = '')")
    return list(
        db.query(
            "SELECT c.id, c.member_id, m.name AS member, c.name, c.role, c.email, c.phone, "
            "c.is_primary FROM contacts c JOIN members m ON m.id = c.member_id "
            f"WHERE {' AND '.join(where)} "
            "ORDER BY norwegian(m.name), c.is_primary DESC, norwegian(c.name)",
            params,
        )
    )


def edit_contact(
    db: Database, contact_id: str, *, primary: bool | None = None, **changes: Any
) -> dict[str, Any]:
    values = validate_contact({k: v for k, v in changes.items() if v is not None}, partial=True)
    if not values and primary is None:
        raise InvalidInput("Nothing to change. See 'filmklynge contacts edit --help'.")
    with db.atomic():
        before = get_contact(db, contact_id)
        if before["forgotten_at"]:
            raise InvalidInput(f"Contact {contact_id} has been forgotten; add a new contact.")
        if primary:
            db.execute(
                "UPDATE contacts SET is_primary = 0 WHERE member_id = ?", [before["member_id"]]
            )
            values["is_primary"] = 1
        elif primary is False:
            values["is_primary"] = 0
        values["updated_at"] = now_utc()
        db.update("contacts", before["id"], values)
        old, new = audit.changed(before, values)
        audit.record(db, "update", "contact", before["id"], before=old, after=new)
    return get_contact(db, before["id"])


def _person(contact: dict[str, Any]) -> erasure.Person:
    return erasure.Person(
        names=[contact["name"]] if contact["name"] != FORGOTTEN else [],
        emails=[contact["email"]] if contact["email"] else [],
        phones=[contact["phone"]] if contact["phone"] else [],
    )


def remove_contact(db: Database, contact_id: str) -> dict[str, Any]:
    """Delete a contact (someone who left the company); the audit keeps no personal data.
    Their name stays on in-kind work and attendance they took part in (use forget for that)."""
    with db.atomic():
        before = get_contact(db, contact_id)
        db.execute("DELETE FROM contacts WHERE id = ?", [before["id"]])
        _scrub_audit(db, before["id"])
        erasure.scrub_audit(db, _person(before))
        audit.record(
            db, "delete", "contact", before["id"], before={"member_id": before["member_id"]}
        )
    db.purge()
    return before


def _scrub_audit(db: Database, contact_id: int) -> None:
    """Earlier audit entries must not be a way to recover a person's data."""
    db.execute(
        "UPDATE audit_log SET before_json = NULL, after_json = '{\"erased\": true}', "
        "command = '(erased)' WHERE entity = 'contact' AND entity_id = ?",
        [contact_id],
    )


def erase_contact(db: Database, contact_id: int) -> None:
    """Erase one person's data inside the caller's transaction."""
    db.update(
        "contacts",
        contact_id,
        {
            "name": FORGOTTEN,
            "role": None,
            "email": None,
            "phone": None,
            "is_primary": 0,
            "forgotten_at": now_utc(),
            "updated_at": now_utc(),
        },
    )
    _scrub_audit(db, contact_id)
    audit.record(db, "forget", "contact", contact_id, after={"erased": list(PERSONAL)})


def plan_forget_contact(db: Database, contact_id: str) -> dict[str, Any]:
    """What ``forget_contact`` will erase, read without writing (the same keys as
    ``members.plan_forget_member``): the contact, the member's fields that name the person,
    and the person's name on the member's in-kind work and attendance."""
    before = get_contact(db, contact_id)
    if before["forgotten_at"]:
        raise InvalidInput(f"Contact {contact_id} is already forgotten.")
    traces = erasure.plan_member_traces(
        db, before["member_id"], _person(before), whole_member=False
    )
    return {
        "member": {"id": before["member_id"], "name": before["member"]},
        "contacts": [before],
        "member_fields": sorted(traces.member_changes),
        "persons": traces.persons,
    }


def forget_contact(db: Database, contact_id: str) -> dict[str, Any]:
    """Erase one person everywhere (``store.erasure`` lists the places), then make the old
    bytes leave the file. Returns the contact as it was, with ``erased`` (what else was
    changed) and ``purged`` (False if another program kept old bytes in the WAL for now)."""
    with db.atomic():
        before = get_contact(db, contact_id)
        if before["forgotten_at"]:
            raise InvalidInput(f"Contact {contact_id} is already forgotten.")
        erase_contact(db, before["id"])
        erased = erasure.erase_member_traces(
            db, before["member_id"], _person(before), whole_member=False
        )
    return {**before, "erased": erased, "purged": db.purge()}
