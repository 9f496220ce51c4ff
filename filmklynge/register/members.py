"""Member companies and their membership periods.

A member's status is derived from its periods: ``active`` on a day a period covers, ``pending``
before its first period starts, ``resigned`` after its last period ended. ``left_on`` is the last
day of membership.

Members and ``contacts`` need each other: this module owns the company and its periods and
enrols a member with its first contact through ``contacts``; ``contacts`` owns the persons and
finds their member here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge import identifiers
from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.store import audit
from filmklynge.store.db import Database
from filmklynge.text import best_matches, fold, matched_note

DELIVERY = ("email", "ehf", "post")
MAX_EMPLOYEES = 1_000_000  # more than any company has; a larger number is a typing mistake
STATUSES = ("active", "pending", "resigned")
SORTS = {
    "name": "norwegian(m.name)",
    "id": "m.id",
    "joined": "p.joined_on, norwegian(m.name)",
    "county": "coalesce(m.county, m.country), norwegian(m.name)",
    "tier": "t.sort_order, norwegian(m.name)",
}

# Fields `members edit` may change, in the order `show` lists them.
EDITABLE = (
    "name",
    "orgnr",
    "country",
    "vat_id",
    "legal_form",
    "sector",
    "tier",
    "municipality",
    "county",
    "address_line",
    "postal_code",
    "city",
    "website",
    "employees",
    "invoice_email",
    "buyer_reference",
    "invoice_delivery",
    "attach_ehf",
    "language",
    "vat_treatment",
    "notes",
)
# How a member's invoices treat VAT: 'domestic' (the tier's VAT codes), or 'export' for a
# business abroad buying services from Norway, zero-rated under merverdiavgiftsloven § 6-22
# (VAT code G). The treasurer decides with the accountant; a Norwegian member is domestic.
VAT_TREATMENTS = ("domestic", "export")


def member_status(periods: list[dict[str, Any]], on: date) -> str:
    """active, pending or resigned on ``on``, from the member's periods (pure)."""
    day = on.isoformat()
    for p in periods:
        if p["joined_on"] <= day and (p["left_on"] is None or p["left_on"] >= day):
            return "active"
    if periods and all(p["joined_on"] > day for p in periods):
        return "pending"
    return "resigned"


def membership_periods(db: Database, member_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, joined_on, left_on, left_reason FROM memberships "
            "WHERE member_id = ? ORDER BY joined_on",
            [member_id],
        )
    )


def active_member_ids(db: Database, on: date) -> set[int]:
    day = on.isoformat()
    return {
        r["member_id"]
        for r in db.query(
            "SELECT DISTINCT member_id FROM memberships "
            "WHERE joined_on <= ? AND (left_on IS NULL OR left_on >= ?)",
            [day, day],
        )
    }


def not_a_member_on(db: Database, member_id: int, on: date) -> str | None:
    """Why the company was not a member on ``on`` ("had left on D", "joins on D", ...), or None
    when it was."""
    periods = membership_periods(db, member_id)
    if member_status(periods, on) == "active":
        return None
    day = on.isoformat()
    later = [p["joined_on"] for p in periods if p["joined_on"] > day]
    left = [p["left_on"] for p in periods if p["left_on"] is not None and p["left_on"] < day]
    if left:
        return f"left on {max(left)}" + (f", rejoined on {min(later)}" if later else "")
    if later:
        return f"joined only on {min(later)}"
    return "never a member"


def find_member(db: Database, ref: str | int) -> dict[str, Any]:
    """A member by id, organisation number, or an unambiguous name fragment."""
    text = str(ref).strip()
    if not text:
        raise InvalidInput("Say which member: an id, an organisation number or part of the name.")
    compact = text.replace(" ", "")
    if compact.isdigit():
        if len(compact) == 9:
            row = db.one("SELECT * FROM members WHERE orgnr = ?", [compact])
            if row:
                return row
        row = db.get("members", int(compact))
        if row:
            return row
        raise NotFound(
            f"No member with id or organisation number {text}. "
            "Run 'filmklynge members list' to see them."
        )
    # Names as Norwegians type them (filmklynge.text): "tromso", "tromsoe" and "Tromsø" alike.
    key = fold(text)
    rows = best_matches(
        text,
        list(
            db.query(
                "SELECT * FROM members WHERE instr(fold(name), ?) > 0 "
                "ORDER BY fold(name) = ? DESC, norwegian(name) LIMIT 11",
                [key, key],
            )
        ),
    )
    if not rows:
        raise NotFound(f"No member matches {text!r}. Run 'filmklynge members list' to see them.")
    if len(rows) > 1:
        names = "; ".join(f"{r['id']}: {r['name']}" for r in rows[:10])
        raise InvalidInput(f"{text!r} matches several members ({names}). Use the id instead.")
    if said := matched_note(text, rows[0]["name"]):
        db.inform(said)
    return rows[0]


def _tier_id(db: Database, code: str | None) -> int | None:
    if code in (None, ""):
        return None
    from filmklynge.register.tiers import find_tier

    return find_tier(db, code)["id"]


def validate_fields(db: Database, fields: dict[str, Any], *, country: str) -> dict[str, Any]:
    """Check and normalise member fields (given in `EDITABLE` names); returns stored columns."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            # Printable text of a bounded length, whatever the field: a name with ESC or a
            # bidi override would act on the terminal of whoever lists members later.
            identifiers.check_text(
                value,
                key.replace("_", " "),
                multiline=key == "notes",
                max_length=identifiers.MAX_NOTES if key == "notes" else identifiers.MAX_TEXT,
            )
        if value == "" and key not in ("name", "vat_treatment"):
            out[key if key != "tier" else "tier_id"] = None
            continue
        if key == "name":
            if not value:
                raise InvalidInput("A member needs a name.")
            out[key] = value
        elif key == "orgnr":
            out[key] = identifiers.check_orgnr(value)
        elif key == "country":
            out[key] = identifiers.check_country(value)
        elif key == "vat_id":
            out[key] = (
                identifiers.check_vat_number(value)
                if country == "NO"
                else identifiers.check_foreign_vat_id(value, country)
            )
        elif key == "legal_form":
            out[key] = identifiers.check_legal_form(value)
        elif key == "sector":
            from filmklynge.register.profile import check_sector

            out[key] = check_sector(db, value)
        elif key == "tier":
            out["tier_id"] = _tier_id(db, value)
        elif key == "county":
            out[key] = identifiers.check_county(value)
        elif key == "postal_code":
            out[key] = identifiers.check_postal_code(value, country)
        elif key == "website":
            out[key] = identifiers.check_website(value)
        elif key == "employees":
            try:
                number = int(str(value).replace(" ", ""))
            except ValueError:
                raise InvalidInput(f"Employees {value!r} is not a whole number.") from None
            if number < 0:
                raise InvalidInput("Employees cannot be negative.")
            if number > MAX_EMPLOYEES:
                raise InvalidInput(
                    f"Employees {str(value)[:20]!r} is more than a million; check the number."
                )
            out[key] = number
        elif key == "invoice_email":
            out[key] = identifiers.check_email(value)
        elif key == "invoice_delivery":
            if str(value).lower() not in DELIVERY:
                raise InvalidInput(f"Invoice delivery {value!r} must be one of: email, ehf, post.")
            out[key] = str(value).lower()
        elif key == "language":
            if value not in ("nb", "en"):
                raise InvalidInput(f"Language {value!r} must be nb or en.")
            out[key] = value
        elif key == "vat_treatment":
            if str(value).lower() not in VAT_TREATMENTS:
                raise InvalidInput(f"VAT treatment {value!r} must be domestic or export.")
            out[key] = str(value).lower()
        elif key == "attach_ehf":  # the EHF XML beside the PDF in invoice e-mails
            out[key] = 1 if value else 0
        elif key == "buyer_reference":  # the member's reference on its invoices (EHF)
            if len(value) > 100 or not value.isprintable():
                raise InvalidInput(
                    "A buyer reference is one line of at most 100 characters, "
                    "like an order number or the name of the person who approves invoices."
                )
            out[key] = value
        elif key in ("municipality", "address_line", "city", "notes"):
            out[key] = value
        else:  # pragma: no cover - a programming error
            raise KeyError(key)
    return out


def _check_identity(db: Database, record: dict[str, Any], *, exclude_id: int | None = None) -> None:
    if record.get("orgnr"):
        other = db.one("SELECT id, name FROM members WHERE orgnr = ?", [record["orgnr"]])
        if other and other["id"] != exclude_id:
            raise Conflict(
                f"Organisation number {identifiers.format_orgnr(record['orgnr'])} is already "
                f"member {other['id']}: {other['name']}. "
                f"See 'filmklynge members show {other['id']}'."
            )
    if record.get("vat_id") and record.get("country", "NO") != "NO":
        other = db.one(
            "SELECT id, name FROM members WHERE vat_id = ? AND country = ?",
            [record["vat_id"], record["country"]],
        )
        if other and other["id"] != exclude_id:
            raise Conflict(
                f"VAT id {record['vat_id']} is already member {other['id']}: {other['name']}."
            )


def check_registration(member: dict[str, Any]) -> None:
    """What every member must have, whoever enrols or edits it: a name; a Norwegian member an
    organisation number and a county; a foreign member no Norwegian organisation number; a
    member who gets invoices by EHF an organisation number (EHF is addressed by it)."""
    if not member.get("name"):
        raise InvalidInput("A member needs a name (--name).")
    if (member.get("country") or "NO") == "NO":
        if not member.get("orgnr"):
            raise InvalidInput(
                "A Norwegian member needs an organisation number (--orgnr); "
                "for a foreign member give --country."
            )
        if not member.get("county"):
            raise InvalidInput("A Norwegian member needs a county (--county), e.g. Nordland.")
    elif member.get("orgnr"):
        raise InvalidInput("A foreign member has no Norwegian organisation number; use --vat-id.")
    if member.get("vat_treatment") == "export" and (member.get("country") or "NO") == "NO":
        raise InvalidInput(
            "VAT treatment export (zero-rated export of services, merverdiavgiftsloven § 6-22) "
            "is for a business abroad; a Norwegian member is domestic."
        )
    if member.get("invoice_delivery") == "ehf" and not member.get("orgnr"):
        raise InvalidInput(
            f"{member['name']} has no organisation number, which EHF is addressed by; "
            "use --invoice-delivery email or post."
        )


def prepare_member(
    db: Database, fields: dict[str, Any], *, joined_on: date, left_on: date | None = None
) -> dict[str, Any]:
    """Validate a new member completely, without writing. Returns the row to insert."""
    country = identifiers.check_country(fields.get("country") or "NO")
    record = validate_fields(db, {**fields, "country": country}, country=country)
    check_registration(record)
    if left_on is not None and left_on < joined_on:
        raise InvalidInput(
            f"Leaving date {left_on.isoformat()} is before the joining date "
            f"{joined_on.isoformat()}."
        )
    record.setdefault("invoice_delivery", "email")
    return record


def add_member(
    db: Database,
    *,
    joined_on: date,
    left_on: date | None = None,
    contact: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Enrol a member with its first membership period and, optionally, a first contact."""
    record = prepare_member(db, fields, joined_on=joined_on, left_on=left_on)
    if contact:
        from filmklynge.register.contacts import validate_contact

        contact = validate_contact(contact)
    with db.atomic():
        _check_identity(db, record)
        stamp = now_utc()
        member_id = db.insert("members", {**record, "created_at": stamp, "updated_at": stamp})
        period = {
            "member_id": member_id,
            "joined_on": joined_on.isoformat(),
            "left_on": left_on.isoformat() if left_on else None,
        }
        db.insert("memberships", period)
        audit.record(db, "create", "member", member_id, after={**record, **period})
        if contact:
            from filmklynge.register.contacts import insert_contact

            insert_contact(db, member_id, {**contact, "is_primary": 1})
    return find_member(db, member_id)


def edit_member(db: Database, ref: str, **changes: Any) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise InvalidInput("Nothing to change. See 'filmklynge members edit --help'.")
    with db.atomic():
        before = find_member(db, ref)
        country = identifiers.check_country(changes.get("country") or before["country"])
        values = validate_fields(db, changes, country=country)
        merged = {**before, **values}
        check_registration(merged)
        _check_identity(db, merged, exclude_id=before["id"])
        values["updated_at"] = now_utc()
        db.update("members", before["id"], values)
        old, new = audit.changed(before, values)
        audit.record(db, "update", "member", before["id"], before=old, after=new)
    return find_member(db, before["id"])


def resign(db: Database, ref: str, *, on: date, reason: str | None = None) -> dict[str, Any]:
    with db.atomic():
        member = find_member(db, ref)
        periods = membership_periods(db, member["id"])
        open_periods = [p for p in periods if p["left_on"] is None]
        if not open_periods:
            raise Conflict(
                f"{member['name']} has already left (last day "
                f"{periods[-1]['left_on'] if periods else '?'})."
            )
        period = open_periods[-1]
        if on.isoformat() < period["joined_on"]:
            raise InvalidInput(
                f"Leaving date {on.isoformat()} is before the joining date {period['joined_on']}."
            )
        changes = {"left_on": on.isoformat(), "left_reason": reason}
        db.update("memberships", period["id"], changes)
        audit.record(db, "resign", "member", member["id"], before={"left_on": None}, after=changes)
    return member


def rejoin(db: Database, ref: str, *, on: date) -> dict[str, Any]:
    with db.atomic():
        member = find_member(db, ref)
        periods = membership_periods(db, member["id"])
        if any(p["left_on"] is None for p in periods):
            raise Conflict(f"{member['name']} is still a member; resign first or edit the period.")
        last_left = max(p["left_on"] for p in periods) if periods else None
        if last_left and on.isoformat() <= last_left:
            raise InvalidInput(
                f"Rejoining date {on.isoformat()} must be after the last day of the previous "
                f"membership ({last_left})."
            )
        period = {"member_id": member["id"], "joined_on": on.isoformat(), "left_on": None}
        db.insert("memberships", period)
        audit.record(db, "rejoin", "member", member["id"], after=period)
    return member


# The period that applies on :d is the latest one started on or before it (or, for a member who
# joins later, the first). Periods never overlap, so a member is active when that period covers
# :d, pending when its first period starts after :d, and resigned otherwise. The listing is "as
# it stood then": nothing after :d shows, neither a leaving date (a member who left after :d is
# active with no leaving date) nor a later rejoining (a member between periods is resigned). A
# member whose first period starts after :d is listed as pending with its joining date, as an
# enrolment made ahead of time is. Each lookup is an index search on
# memberships(member_id, joined_on): the listing stays linear in the number of members.
_STATUS_SQL = """CASE
  WHEN p.joined_on <= :d AND (p.left_on IS NULL OR p.left_on >= :d) THEN 'active'
  WHEN p.joined_on > :d THEN 'pending'
  ELSE 'resigned' END"""
_LIST_FROM = """
FROM members m
LEFT JOIN tiers t ON t.id = m.tier_id
LEFT JOIN memberships p ON p.member_id = m.id AND p.joined_on = coalesce(
  (SELECT max(joined_on) FROM memberships q WHERE q.member_id = m.id AND q.joined_on <= :d),
  (SELECT min(joined_on) FROM memberships q WHERE q.member_id = m.id))
"""
# Listed fields that are not columns of members.
_DERIVED = {
    "tier": "t.code",
    "status": _STATUS_SQL,
    "joined_on": "p.joined_on",
    "left_on": "CASE WHEN p.left_on <= :d THEN p.left_on END",
}


def members_query(
    db: Database,
    *,
    as_of: date,
    fields: list[str] | None = None,
    status: str | None = None,
    tier: str | None = None,
    county: str | None = None,
    sector: str | None = None,
    search: str | None = None,
    sort: str = "name",
) -> tuple[str, dict[str, Any]]:
    """The SQL (and parameters) listing members with their status on ``as_of``.

    ``fields`` chooses and orders the result columns (member columns or tier, status,
    joined_on, left_on); by default every member column and those four.
    """
    where, params = [], {"d": as_of.isoformat()}
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"Status {status!r} must be one of: {', '.join(STATUSES)}.")
        where.append(f"({_STATUS_SQL}) = :status")
        params["status"] = status
    if tier:
        from filmklynge.register.tiers import find_tier

        where.append("m.tier_id = :tier")
        params["tier"] = find_tier(db, tier)["id"]
    if county:
        where.append("m.county = :county")
        params["county"] = identifiers.check_county(county)
    if sector:
        where.append("m.sector = :sector")
        params["sector"] = sector.strip().lower()
    if search:
        where.append(
            "(instr(fold(m.name), :q) OR instr(m.orgnr, :q) OR instr(fold(m.city), :q) "
            "OR instr(fold(m.municipality), :q))"
        )
        params["q"] = fold(search)
    if sort not in SORTS:
        raise InvalidInput(f"Sort {sort!r} must be one of: {', '.join(SORTS)}.")
    if fields is None:
        select = "m.*, " + ", ".join(f"{sql} AS {name}" for name, sql in _DERIVED.items())
    else:
        columns = {r[0] for r in db.execute("SELECT name FROM pragma_table_info('members')")}
        unknown = [f for f in fields if f not in columns and f not in _DERIVED]
        if unknown:
            raise InvalidInput(f"Members have no field(s) {', '.join(unknown)}.")
        select = ", ".join(f"{_DERIVED[f]} AS {f}" if f in _DERIVED else f'm."{f}"' for f in fields)
    sql = f"SELECT {select} {_LIST_FROM}" + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY {SORTS[sort]}"
    return sql, params


def list_members(db: Database, *, as_of: date, **filters: Any) -> list[dict[str, Any]]:
    """Members with their status on ``as_of`` and the membership period that applies then."""
    sql, params = members_query(db, as_of=as_of, **filters)
    return list(db.query(sql, params))


def member_details(db: Database, ref: str, *, as_of: date) -> dict[str, Any]:
    from filmklynge.register.contacts import contacts_of

    member = find_member(db, ref)
    periods = membership_periods(db, member["id"])
    tier = db.one("SELECT code, name FROM tiers WHERE id = ?", [member["tier_id"]])
    return {
        **member,
        "tier": tier["code"] if tier else None,
        "tier_name": tier["name"] if tier else None,
        "status": member_status(periods, as_of),
        "memberships": periods,
        "contacts": contacts_of(db, member["id"]),
    }


def plan_forget_member(db: Database, ref: str) -> dict[str, Any]:
    """What ``forget_member`` will erase, read without writing: the member, its contact
    persons not yet forgotten, the member's fields cleared, and the names on its in-kind work
    and attendance (besides every mention of them in the delivery and audit logs)."""
    from filmklynge.store import erasure

    member = find_member(db, ref)
    contacts = list(
        db.query(
            "SELECT c.id, c.name, m.name AS member FROM contacts c "
            "JOIN members m ON m.id = c.member_id "
            "WHERE c.member_id = ? AND c.forgotten_at IS NULL ORDER BY c.id",
            [member["id"]],
        )
    )
    traces = erasure.plan_member_traces(db, member["id"], erasure.Person(), whole_member=True)
    fields = set(traces.member_changes) | ({"notes"} if member["notes"] else set())
    return {
        "member": member,
        "contacts": contacts,
        "member_fields": sorted(fields),
        "persons": traces.persons,
    }


def forget_member(db: Database, ref: str) -> dict[str, Any]:
    """Erase the personal data held on a member: its contacts, notes, invoice e-mail, buyer
    reference and the persons named on its in-kind work and attendance (``store.erasure``
    lists every place); the company, its invoices and payments stay."""
    from filmklynge.register.contacts import _person, erase_contact
    from filmklynge.store import erasure

    with db.atomic():
        member = find_member(db, ref)
        contacts = list(
            db.query(
                "SELECT id, name, email, phone FROM contacts WHERE member_id = ? "
                "AND forgotten_at IS NULL",
                [member["id"]],
            )
        )
        person = erasure.Person()
        for contact in contacts:
            erase_contact(db, contact["id"])
            found = _person(contact)
            person.names += found.names
            person.emails += found.emails
            person.phones += found.phones
        if member["notes"]:
            db.update("members", member["id"], {"notes": None, "updated_at": now_utc()})
        erased = erasure.erase_member_traces(db, member["id"], person, whole_member=True)
        _scrub_member_audit(db, member["id"])
        audit.record(
            db,
            "forget",
            "member",
            member["id"],
            after={
                "erased": ["contacts", "notes", *erased["member_fields"], "persons"],
                "contacts": len(contacts),
            },
        )
    return {
        "member": member,
        "contacts_erased": len(contacts),
        "erased": erased,
        "purged": db.purge(),
    }


def _scrub_member_audit(db: Database, member_id: int) -> None:
    """Drop notes and the command lines (which may name persons) from the member's audit trail."""
    import json

    for row in list(
        db.query(
            "SELECT id, before_json, after_json FROM audit_log WHERE entity = 'member' "
            "AND entity_id = ?",
            [member_id],
        )
    ):
        changes = {"command": "(erased)"}
        for column in ("before_json", "after_json"):
            if row[column]:
                data = json.loads(row[column])
                if isinstance(data, dict) and "notes" in data:
                    data["notes"] = "(erased)" if data["notes"] else None
                    changes[column] = json.dumps(data, ensure_ascii=False, sort_keys=True)
        db.update("audit_log", row["id"], changes)
