"""Build sample.db: a fictional North-Norwegian film cluster, through filmklynge's own services.

    python scripts/make_sample.py [PATH]        (default: sample.db at the repository root)

The result is repeatable: the clock, the OS user and every random choice are fixed, so running
it twice gives the same data (tests/test_sample.py checks the committed file is current).
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SAMPLE_TODAY = date(2026, 11, 20)
FIXED_ENV = {
    "FILMKLYNGE_TODAY": SAMPLE_TODAY.isoformat(),
    "FILMKLYNGE_NOW": f"{SAMPLE_TODAY.isoformat()}T12:00:00+00:00",
    "LOGNAME": "sample",
}


def _set_day(day: date) -> None:
    os.environ["FILMKLYNGE_TODAY"] = day.isoformat()
    os.environ["FILMKLYNGE_NOW"] = f"{day.isoformat()}T12:00:00+00:00"


def build(path: Path) -> None:
    os.environ.update(FIXED_ENV)
    from sample_data import CLUSTER, FOREIGN, MEMBERS, RESIGNED, ROLES, TIERS, orgnr_from, person

    from filmklynge.db import open_db
    from filmklynge.services import members, profile, tiers

    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(2026)
    db = open_db(path)
    db.command = "python scripts/make_sample.py"

    _set_day(date(2024, 1, 2))
    profile.init_profile(db, **CLUSTER)
    for code, name, fees in TIERS:
        tiers.add_tier(db, code=code, name=name)
        for year, (membership, service) in fees.items():
            tiers.set_fee(
                db, code, year=year, membership_ore=membership * 100, service_ore=service * 100
            )

    used: set[str] = set()
    member_ids = []
    for i, (
        name,
        form,
        sector,
        tier,
        municipality,
        county,
        postal,
        city,
        employees,
        joined,
    ) in enumerate(MEMBERS):
        orgnr = orgnr_from(rng)
        while orgnr in used or orgnr == CLUSTER["orgnr"]:
            orgnr = orgnr_from(rng)
        used.add(orgnr)
        slug = name.split()[0].lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
        slug = "".join(ch for ch in slug if ch.isalnum())
        who = person(rng)
        contact = {
            "name": who,
            "role": "festivalsjef" if sector == "festival" else rng.choice(ROLES),
            # every ninth contact has no e-mail, so the summary has something to point at
            "email": None if i % 9 == 4 else f"{who.split()[0].lower()}@{slug}.example",
            "phone": f"9{rng.randrange(1000000, 9999999)}",
        }
        joined_on = date.fromisoformat(joined)
        _set_day(joined_on)
        member = members.add_member(
            db,
            name=name,
            orgnr=orgnr,
            legal_form=form,
            sector=sector,
            tier=tier,
            municipality=municipality,
            county=county,
            address_line=f"Postboks {100 + i}",
            postal_code=postal,
            city=city,
            website=f"https://{slug}.example",
            employees=employees,
            invoice_email=f"faktura@{slug}.example",
            joined_on=joined_on,
            contact=contact,
        )
        member_ids.append(member["id"])
        if employees > 4:
            members_second = {
                "name": person(rng),
                "role": "produsent",
                "email": f"produsent@{slug}.example",
                "phone": None,
            }
            from filmklynge.services import contacts

            contacts.add_contact(db, str(member["id"]), **members_second)

    name, country, vat_id, sector, tier, address, postal, city, employees, joined = FOREIGN
    _set_day(date.fromisoformat(joined))
    members.add_member(
        db,
        name=name,
        country=country,
        vat_id=vat_id,
        legal_form="foreign",
        sector=sector,
        tier=tier,
        address_line=address,
        postal_code=postal,
        city=city,
        employees=employees,
        invoice_email="faktura@kirunabild.example",
        language="en",
        joined_on=date.fromisoformat(joined),
        contact={"name": "Lars Andersson", "role": "VD", "email": "lars@kirunabild.example"},
    )
    for index, left in RESIGNED:
        day = date.fromisoformat(left)
        _set_day(day - timedelta(days=30))
        members.resign(db, str(member_ids[index]), on=day, reason="Avvikla drifta")

    _set_day(SAMPLE_TODAY)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("VACUUM")
    db.close()


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample.db"
    build(target)
    print(f"Wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
