"""Build the bundled sample: a fictional North-Norwegian film cluster, through filmklynge's own
services. It ships inside the package (filmklynge/data/sample.db), and 'filmklynge demo' copies
it for users; so do the tests, the README walkthrough and the benchmarks.

    python scripts/make_sample.py [PATH]        (default: filmklynge/data/sample.db)

The result is repeatable: the clock, the OS user and every random choice are fixed, so running
it twice gives the same data (tests/test_sample.py checks the committed file is current). It is
a demo database frozen at SAMPLE_TODAY (migration m013): every command on it, or on a copy,
takes that day as today, so its dashboard does not age with the calendar.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "filmklynge" / "data" / "sample.db"
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

    from filmklynge.register import members, profile, tiers
    from filmklynge.store.db import open_db

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
            from filmklynge.register import contacts

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

    _bill_and_collect(db, rng)
    _fund(db, rng)
    _impact(db, rng)
    _set_day(SAMPLE_TODAY)
    with db.atomic():  # a demo: today is SAMPLE_TODAY in it, whenever it is opened
        db.execute("INSERT INTO demo (id, frozen_on) VALUES (1, ?)", [SAMPLE_TODAY.isoformat()])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("VACUUM")
    db.close()


def _bill_and_collect(db, rng: random.Random) -> None:
    """Three fee years of invoices; payments through OCR giro and camt.054 files; a credit
    note; reminders. 2026 is left with some members partly paid and some overdue."""
    import tempfile

    from filmklynge.ledger import invoicing, payments, reminders
    from filmklynge.ledger.bankfile_writers import make_camt, make_ocr

    workdir = Path(tempfile.mkdtemp(prefix="filmklynge-sample-"))
    for year in (2024, 2025, 2026):
        issued = date(year, 1, 15)
        _set_day(issued)
        plan = invoicing.plan_run(db, year=year, issued_on=issued)
        invoicing.apply_run(db, plan)
        if year == 2025:
            # The treasurer billed Lofotlys in the wrong tier: a partial credit note.
            number = db.scalar(
                "SELECT number FROM invoices WHERE period = '2025' "
                "AND buyer_name = 'Lofotlys Produksjon AS'"
            )
            _set_day(date(2025, 1, 20))
            invoicing.credit_invoice(
                db, number, amount_ore=100_000, reason="Feil nivå", issued_on=date(2025, 1, 20)
            )
        open_rows = list(
            db.query(
                "SELECT i.number, i.kid, i.total_ore + coalesce((SELECT sum(c.total_ore) FROM "
                "invoices c WHERE c.credits_invoice_id = i.id), 0) AS due, i.buyer_name "
                "FROM invoices i WHERE i.kind = 'invoice' AND i.period = ? ORDER BY i.number",
                [str(year)],
            )
        )
        if year < 2026:
            # Everyone pays through OCR giro, one member a month late.
            paid_on = date(year, 2, 3)
            _set_day(paid_on)
            data = make_ocr(
                [(r["kid"], r["due"]) for r in open_rows[1:]],
                on=paid_on,
                transmission=f"{year % 100:02d}00001",
                assignment=f"{year:07d}",
            )
            path = workdir / f"OCR.D{paid_on:%d%m%y}.txt"
            path.write_bytes(data)
            payments.import_file(db, path)
            late = date(year, 3, 10)
            _set_day(late)
            reminders.apply_reminders(db, reminders.plan_reminders(db, on=date(year, 2, 10)))
            camt = make_camt(
                "054",
                [(f"LATE-{year}", open_rows[0]["kid"], f"{open_rows[0]['due'] / 100:.2f}")],
                booked=late.isoformat(),
            )
            path = workdir / f"camt054-{late.isoformat()}.xml"
            path.write_text(camt, encoding="utf-8")
            payments.import_file(db, path)
        else:
            # 2026: most pay by KID, some pay part, some nothing yet, one forgets the KID.
            paid_on = date(2026, 2, 5)
            _set_day(paid_on)
            txs, skip = [], {3, 11, 19}
            for i, r in enumerate(open_rows):
                if i in skip:
                    continue
                amount = r["due"] if i % 7 else r["due"] // 2  # every seventh pays half
                txs.append((f"NO-2026-{i:03d}", r["kid"], f"{amount / 100:.2f}"))
            txs.append(("NO-2026-999", None, "1450.00"))  # no KID: unmatched
            camt = make_camt("054", txs, booked=paid_on.isoformat())
            path = workdir / f"camt054-{paid_on.isoformat()}.xml"
            path.write_text(camt, encoding="utf-8")
            payments.import_file(db, path)
            _set_day(date(2026, 2, 20))
            reminders.apply_reminders(db, reminders.plan_reminders(db, on=date(2026, 2, 20)))
            _set_day(date(2026, 3, 20))
            reminders.apply_reminders(db, reminders.plan_reminders(db, on=date(2026, 3, 20)))
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()
    rng.random()


def _fund(db, rng: random.Random) -> None:
    """Innovasjon Norge (three years) and Kulturnæringsstiftelsen grants, gatherings and
    webinars with attendance turned into in-kind work, project hours on salary. 2024 and 2025
    pass the match rule; 2026 is short, so the treasurer sees what that looks like."""
    from filmklynge.funding import events, grants, inkind

    _set_day(date(2024, 1, 5))
    grants.add_funder(db, name="Innovasjon Norge", public=True)
    grants.add_funder(db, name="Kulturnæringsstiftelsen", public=False)
    grants.add_grant(
        db,
        funder="Innovasjon Norge",
        reference="IN-2024-0117",
        amount_ore=60_000_000,
        start_on=date(2024, 1, 1),
        end_on=date(2026, 12, 31),
    )
    _set_day(date(2024, 2, 1))
    grants.disburse(db, "IN-2024-0117", amount_ore=18_000_000, received_on=date(2024, 2, 1))
    _set_day(date(2025, 3, 1))
    grants.disburse(db, "IN-2024-0117", amount_ore=30_000_000, received_on=date(2025, 3, 1))
    _set_day(date(2025, 6, 20))
    grants.add_grant(
        db,
        funder="Kulturnæringsstiftelsen",
        reference="KNS-2025-42",
        amount_ore=15_000_000,
        start_on=date(2025, 7, 1),
        end_on=date(2026, 6, 30),
        fixed_hourly_rate_ore=50_000,
    )
    _set_day(date(2025, 8, 1))
    grants.disburse(db, "KNS-2025-42", amount_ore=11_250_000, received_on=date(2025, 8, 1))
    people = [
        (r["member_id"], r["orgnr"] or r["member"], r["name"])
        for r in db.query(
            "SELECT c.member_id, m.orgnr, m.name AS member, c.name FROM contacts c "
            "JOIN members m ON m.id = c.member_id ORDER BY c.id"
        )
    ]
    plan = [
        ("Klyngesamling Tromsø", "gathering", date(2024, 3, 14), 600, "Tromsø", 24),
        ("Webinar: finansiering av dokumentar", "webinar", date(2024, 5, 22), 200, None, 18),
        ("Klyngesamling under festivalen", "festival", date(2024, 10, 10), 700, "Tromsø", 26),
        ("Regionmøte Finnmark", "regional", date(2025, 2, 6), 400, "Alta", 12),
        ("Klyngesamling Bodø", "gathering", date(2025, 4, 3), 600, "Bodø", 25),
        ("Klyngesamling under festivalen", "festival", date(2025, 10, 9), 700, "Tromsø", 27),
        ("Webinar: produksjonsinsentiv", "webinar", date(2026, 3, 5), 200, None, 15),
    ]
    for name, kind, day, hours, place, size in plan:
        _set_day(day)
        event = events.add_event(
            db,
            name=name,
            kind=kind,
            held_on=day,
            hours_x100=hours,
            place=place,
            online=place is None,
        )
        chosen = rng.sample(people, size)
        rows = [
            (i + 2, {"member": ref, "person": person, "hours": ""})
            for i, (_, ref, person) in enumerate(chosen)
        ]
        events.record_attendance(db, str(event["id"]), rows)
        events.to_inkind(db, str(event["id"]), rate_ore=50_000)
    # Project work valued on salary (two producers, monthly in 2024 and 2025)
    for year in (2024, 2025):
        for month in range(2, 12, 2):
            _set_day(date(year, month, 20))
            for ref in ("Polarlys Film AS", "Bodø Animasjon AS"):
                member = db.one("SELECT * FROM members WHERE name = ?", [ref])
                rows = [
                    inkind.prepare(
                        db,
                        member=member,
                        person=f"Produsent {member['id']}",
                        worked_on=date(year, month, 15 + d),
                        hours_x100=750,
                        activity="Felles utviklingsprosjekt",
                        rule="project",
                        salary_ore=72_000_000,
                    )
                    for d in range(5)
                ]
                inkind.insert_entries(db, rows)


def _impact(db, rng: random.Random) -> None:
    """Turnover and employees 2017–2019 for members and 30 comparison firms elsewhere in Norway
    (members grow faster), some figures missing, and a register of the productions members took
    part in, with national totals."""
    from sample_data import COMPARISON_FIRMS, PRODUCTIONS, orgnr_from

    from filmklynge.impact import growth, productions

    _set_day(date(2026, 9, 1))
    used = {r["orgnr"] for r in db.query("SELECT orgnr FROM members WHERE orgnr IS NOT NULL")}
    members = list(
        db.query("SELECT id, name, employees FROM members WHERE country = 'NO' ORDER BY id")
    )
    for m in members:
        turnover = 400_000_00 * max(1, m["employees"] or 1) * rng.uniform(0.6, 1.4)
        staff = max(1, (m["employees"] or 1) - rng.randint(0, 2))
        for year in (2017, 2018, 2019):
            if m["id"] % 11 == 5 and year == 2018:
                continue  # a member with a missing year, left out and listed
            growth.add_observation(
                db,
                year=year,
                member=str(m["id"]),
                turnover_ore=int(turnover),
                employees=staff,
                source="Brønnøysundregistrene",
            )
            turnover *= rng.uniform(1.00, 1.20)
            staff += rng.choice((0, 0, 0, 1))
    for i, (name, county, sector) in enumerate(COMPARISON_FIRMS):
        orgnr = orgnr_from(rng)
        while orgnr in used:
            orgnr = orgnr_from(rng)
        used.add(orgnr)
        turnover = 350_000_00 * rng.randint(1, 12) * rng.uniform(0.6, 1.4)
        staff = rng.randint(1, 15)
        for year in (2017, 2018, 2019):
            if i % 13 == 7 and year == 2019:
                continue  # accounts not yet filed: left out and listed
            growth.add_observation(
                db,
                year=year,
                orgnr=orgnr,
                name=name,
                county=county,
                sector=sector,
                turnover_ore=int(turnover),
                employees=staff,
                source="Brønnøysundregistrene",
            )
            turnover *= rng.uniform(0.96, 1.10)
            staff += rng.choice((-1, 0, 0, 0, 1)) if staff > 1 else 0
    for year, national in ((2017, 152), (2018, 160), (2019, 148)):
        productions.set_national_total(db, year=year, count=national, source="Norsk filminstitutt")
        for title, kind in PRODUCTIONS[year]:
            involved = rng.sample(members, rng.choice((1, 1, 2)))
            productions.add_production(
                db, year=year, title=title, kind=kind, members=[str(m["id"]) for m in involved]
            )


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    build(target)
    if target == SAMPLE:
        # Package data, fictional: readable like the rest of the package (filmklynge creates
        # its databases 0600, and a wheel would carry that mode).
        target.chmod(0o644)
    print(f"Wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
