"""Importing members (with one contact each) from CSV: validate every row, then write all or none.

Accepted column headings, Norwegian or English, any case (this table is the documentation):

| field            | Norwegian headings                 | English headings                |
|------------------|------------------------------------|---------------------------------|
| name             | navn, firma, firmanavn             | name, company                   |
| orgnr            | orgnr, organisasjonsnummer, org.nr | organisation_number, org_number |
| country          | land                               | country                         |
| vat_id           | mva, mva-nummer, mva_nummer        | vat_id, vat                     |
| legal_form       | selskapsform, organisasjonsform    | legal_form                      |
| sector           | bransje, sektor                    | sector                          |
| tier             | nivå, niva, kontingentnivå         | tier                            |
| municipality     | kommune                            | municipality                    |
| county           | fylke                              | county                          |
| address_line     | adresse                            | address                         |
| postal_code      | postnr, postnummer                 | postal_code, zip                |
| city             | poststed, sted                     | city                            |
| website          | nettside, hjemmeside               | website                         |
| employees        | ansatte, antall_ansatte            | employees                       |
| invoice_email    | faktura_epost, fakturaepost        | invoice_email                   |
| invoice_delivery | fakturalevering, levering          | invoice_delivery, delivery      |
| buyer_reference  | deres_ref, fakturareferanse        | buyer_reference                 |
| joined           | innmeldt, medlem_fra               | joined, joined_on               |
| left             | sluttet, utmeldt                   | left, left_on                   |
| contact_name     | kontaktperson, kontakt             | contact_name, contact           |
| contact_email    | epost, e-post                      | contact_email, email            |
| contact_phone    | telefon, mobil                     | contact_phone, phone            |
| contact_role     | rolle, stilling                    | contact_role, role              |
| notes            | merknad, notat                     | notes                           |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from filmklynge.dates import parse_date, today
from filmklynge.errors import FilmklyngeError
from filmklynge.store.db import Database

HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("navn", "firma", "firmanavn", "name", "company"),
    "orgnr": (
        "orgnr",
        "organisasjonsnummer",
        "org.nr",
        "org.nr.",
        "org_nr",
        "organisation_number",
        "organization_number",
        "org_number",
    ),
    "country": ("land", "country"),
    "vat_id": ("mva", "mva-nummer", "mva_nummer", "vat_id", "vat"),
    "legal_form": ("selskapsform", "organisasjonsform", "legal_form"),
    "sector": ("bransje", "sektor", "sector"),
    "tier": ("nivå", "niva", "kontingentnivå", "tier"),
    "municipality": ("kommune", "municipality"),
    "county": ("fylke", "county"),
    "address_line": ("adresse", "address"),
    "postal_code": ("postnr", "postnummer", "postal_code", "zip"),
    "city": ("poststed", "sted", "city"),
    "website": ("nettside", "hjemmeside", "website"),
    "employees": ("ansatte", "antall_ansatte", "employees"),
    "invoice_email": ("faktura_epost", "fakturaepost", "faktura-epost", "invoice_email"),
    "invoice_delivery": ("fakturalevering", "levering", "invoice_delivery", "delivery"),
    "buyer_reference": (
        "deres_ref",
        "deres_ref.",
        "fakturareferanse",
        "buyer_reference",
    ),
    "joined": ("innmeldt", "medlem_fra", "joined", "joined_on"),
    "left": ("sluttet", "utmeldt", "left", "left_on"),
    "contact_name": ("kontaktperson", "kontakt", "contact_name", "contact"),
    "contact_email": ("epost", "e-post", "contact_email", "email"),
    "contact_phone": ("telefon", "mobil", "contact_phone", "phone"),
    "contact_role": ("rolle", "stilling", "contact_role", "role"),
    "notes": ("merknad", "notat", "notes"),
}


@dataclass
class ImportResult:
    valid: list[dict[str, Any]] = field(default_factory=list)  # {"line", "member", ...}
    errors: list[str] = field(default_factory=list)  # "line N, field: message"
    bad_lines: set[int] = field(default_factory=set)
    imported: int = 0


def validate(db: Database, text: str) -> ImportResult:
    from filmklynge.register.contacts import validate_contact
    from filmklynge.register.members import EDITABLE, prepare_member
    from filmklynge.tablefile import read_table

    rows = read_table(text, HEADINGS, required=("name",), noun="member")
    result = ImportResult()
    seen_orgnr: dict[str, int] = {}
    existing = {
        r["orgnr"]: (r["id"], r["name"])
        for r in db.query("SELECT id, name, orgnr FROM members WHERE orgnr IS NOT NULL")
    }
    for line, row in rows:

        def fail(fieldname: str, message: str, line: int = line) -> None:
            result.errors.append(f"line {line}, {fieldname}: {message}")
            result.bad_lines.add(line)

        member_fields = {k: row.get(k) for k in EDITABLE if k in HEADINGS if row.get(k)}
        joined = left = None
        try:
            joined = parse_date(row["joined"], field="joined") if row.get("joined") else today()
        except FilmklyngeError as e:
            fail("joined", str(e))
        try:
            left = parse_date(row["left"], field="left") if row.get("left") else None
        except FilmklyngeError as e:
            fail("left", str(e))
        record = None
        # Validate field by field so that every problem of the row is reported.
        from filmklynge.register.members import validate_fields

        country = (member_fields.get("country") or "NO").strip().upper()
        for key, value in member_fields.items():
            try:
                validate_fields(db, {key: value}, country=country)
            except FilmklyngeError as e:
                fail(key, str(e))
        if line not in result.bad_lines and joined:
            try:
                record = prepare_member(db, member_fields, joined_on=joined, left_on=left)
            except FilmklyngeError as e:
                fail("row", str(e))
        contact = None
        contact_fields = {
            k.removeprefix("contact_"): row.get(k)
            for k in ("contact_name", "contact_email", "contact_phone", "contact_role")
            if row.get(k)
        }
        if contact_fields:
            if "name" not in contact_fields:
                fail("contact_name", "a contact's e-mail or phone is given without a name")
            else:
                try:
                    contact = validate_contact(contact_fields)
                except FilmklyngeError as e:
                    fail("contact", str(e))
        if record and record.get("orgnr"):
            orgnr = record["orgnr"]
            if orgnr in seen_orgnr:
                fail("orgnr", f"organisation number {orgnr} is also on line {seen_orgnr[orgnr]}")
            elif orgnr in existing:
                member_id, name = existing[orgnr]
                fail("orgnr", f"organisation number {orgnr} is already member {member_id}: {name}")
            seen_orgnr.setdefault(orgnr, line)
        if line not in result.bad_lines and record is not None:
            result.valid.append(
                {
                    "line": line,
                    "member": record,
                    "joined_on": joined,
                    "left_on": left,
                    "contact": contact,
                }
            )
    return result


def apply(db: Database, result: ImportResult) -> int:
    """Write the valid rows in one transaction."""
    from filmklynge.register.members import add_member

    with db.atomic():
        for item in result.valid:
            fields = dict(item["member"])
            add_member(
                db,
                joined_on=item["joined_on"],
                left_on=item["left_on"],
                contact=item["contact"],
                **{k: v for k, v in fields.items() if k != "tier_id"},
                tier=_tier_code(db, fields.get("tier_id")),
            )
    result.imported = len(result.valid)
    return result.imported


def _tier_code(db: Database, tier_id: int | None) -> str | None:
    if tier_id is None:
        return None
    return db.scalar("SELECT code FROM tiers WHERE id = ?", [tier_id])


def summary_line(result: ImportResult, *, dry_run: bool) -> str:
    verb = "Would import" if dry_run else "Imported"
    return f"{verb} {len(result.valid)} members" + (
        f"; skipped {len(result.bad_lines)} invalid rows." if result.bad_lines else "."
    )
