"""Issue 12, points 3, 4, 8 and 9: leavers pay to the month they leave, the invoice shows the
months billed, export of services is a VAT treatment the document shows, and small things
that misled. Every figure is computed by hand in the test, from the tier fees."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from helpers import VALID, rows, run_year
from pypdf import PdfReader

from filmklynge.documents import ehf

NS = {"cac": ehf.CAC, "cbc": ehf.CBC}


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


def invoice_of(db_path, name, kind="invoice"):
    return rows(
        db_path,
        "SELECT * FROM invoices WHERE buyer_name = ? AND kind = ? ORDER BY number",
        name,
        kind,
    )


# ---- 3. leavers pay to the month they leave ------------------------------------------------


def test_a_member_who_left_before_the_run_pays_to_the_month_of_leaving(billed, db_path):
    # Polarlys (small tier: membership 2 000 E, service 3 000 S + 25 %) leaves on 15.07.2026,
    # before the 2026 run: billed January–July, 7 whole months (July is paid whole).
    billed("members", "resign", "Polarlys", "--on", "2026-07-15")
    run_year(billed, "--yes")
    (inv,) = invoice_of(db_path, "Polarlys Film AS")
    lines = rows(db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ?", inv["id"])
    # membership 2 000,00 × 7/12 = 1 166,666… → 1 166,67
    # service    3 000,00 × 7/12 = 1 750,00; VAT 25 % of 1 750,00 = 437,50
    # total 1 166,67 + 1 750,00 + 437,50 = 3 354,17
    assert [(ln["description"], ln["net_ore"], ln["vat_ore"]) for ln in lines] == [
        ("7/12 av årskontingent 2026", 116_667, 0),
        ("7/12 av årlig serviceavgift 2026", 175_000, 43_750),
    ]
    assert inv["total_ore"] == 335_417
    assert (inv["period_start_on"], inv["period_end_on"]) == ("2026-01-01", "2026-07-31")
    # Juni Film joins 15.06.2026: June–December, 7 months, the same figures and its own dates.
    (juni,) = invoice_of(db_path, "Juni Film AS")
    assert juni["total_ore"] == 335_417
    assert (juni["period_start_on"], juni["period_end_on"]) == ("2026-06-01", "2026-12-31")


def test_resign_credits_the_unused_months_after_showing_the_amount(invoiced, db_path):
    run, _ = invoiced
    # Invoice 10003: Polarlys, whole 2026, 2 000 E + 3 000 S + 750 VAT = 5 750,00.
    # Leaving 31.07.2026 keeps January–July (7 months); August–December (5) are unused.
    # membership 2 000,00 − 2 000,00 × 7/12 (1 166,67)       =   833,33
    # service    3 000,00 − 3 000,00 × 7/12 (1 750,00)       = 1 250,00
    # VAT          750,00 − 25 % of 1 750,00 (437,50)        =   312,50
    # credit 833,33 + 1 250,00 + 312,50                      = 2 395,83
    # left to pay 5 750,00 − 2 395,83 = 3 354,17, what a leaver invoiced now pays.
    before = rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"]
    refused = run("members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", code=2)
    assert "2 395,83" in refused.stderr and "add --yes" in refused.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == before
    assert (
        rows(db_path, "SELECT left_on FROM memberships WHERE member_id = 1")[0]["left_on"] is None
    )

    too_many = run(
        "members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", "--months", 6,
        "--yes", code=2,
    )  # fmt: skip
    assert "5 unused whole months" in too_many.stderr
    lines = too_many.stderr.strip().splitlines()  # which member the fragment matched, the error
    assert lines[0] == "Matched 'Polarlys Film AS'" and len(lines) == 2

    done = run(
        "members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", "--yes",
        "--issued-on", "2026-03-01",
    )  # fmt: skip
    assert "5 unused months (01.08.2026–31.12.2026), credit kr 2 395,83" in done.stderr
    (note,) = invoice_of(db_path, "Polarlys Film AS", "credit")
    assert note["total_ore"] == -239_583
    assert (note["period_start_on"], note["period_end_on"]) == ("2026-08-01", "2026-12-31")
    lines = rows(db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ?", note["id"])
    assert [(ln["description"], ln["net_ore"], ln["vat_ore"]) for ln in lines] == [
        ("5/12 av årskontingent 2026", -83_333, 0),
        ("5/12 av årlig serviceavgift 2026", -125_000, -31_250),
    ]
    shown = json.loads(run("invoices", "show", 10003, "--format", "json").stdout)
    assert shown["outstanding_ore"] == 335_417


# ---- 4. the invoice shows the months billed ------------------------------------------------


def test_part_year_invoice_shows_the_months_billed_everywhere(invoiced, db_path, tmp_path):
    run, _ = invoiced
    # Invoice 10002: Juni Film joined 15.06.2026, billed June–December.
    shown = json.loads(run("invoices", "show", 10002, "--format", "json").stdout)
    assert (shown["billed_start_on"], shown["billed_end_on"]) == ("2026-06-01", "2026-12-31")
    run("invoices", "pdf", 10002, "--output", tmp_path / "nb.pdf")
    assert "Periode: 01.06.2026–31.12.2026" in pdf_text(tmp_path / "nb.pdf")
    run("invoices", "pdf", 10002, "--language", "en", "--output", tmp_path / "en.pdf")
    assert "Period: 01.06.2026–31.12.2026" in pdf_text(tmp_path / "en.pdf")
    # A whole-year invoice says the whole year.
    shown = json.loads(run("invoices", "show", 10003, "--format", "json").stdout)
    assert (shown["billed_start_on"], shown["billed_end_on"]) == ("2026-01-01", "2026-12-31")


def test_invoices_issued_before_the_billed_months_were_stored_still_show_them():
    # Stored before m012: the whole period, with 7-of-12-month lines (joined in June).
    from filmklynge.ledger.invoicing import billed_period

    old = {"period_start_on": "2026-01-01", "period_end_on": "2026-12-31"}
    lines = [{"months": 7, "months_of": 12}, {"months": 7, "months_of": 12}]
    assert billed_period(old, lines) == ("2026-06-01", "2026-12-31")
    assert billed_period(old, [{"months": 12, "months_of": 12}]) == ("2026-01-01", "2026-12-31")


# ---- 8. export of services ------------------------------------------------------------------


@pytest.fixture
def exporting(run, tmp_path):
    """A VAT-registered cluster; a German member buying services (export) and Juni Film."""
    run(
        "init", "--name", "Nordnorsk Filmklynge SA", "--orgnr", "923609016",
        "--account", "8601 11 17947", "--bic", "DNBANOKK", "--vat", "--foretaksregisteret",
        "--address", "Storgata 12", "--postal-code", "9008", "--city", "Tromsø",
        "--no-input",
    )  # fmt: skip
    run("tiers", "add", "both", "--name", "Both")
    run(
        "tiers", "set-fee", "both", "--year", 2026, "--membership", "2 000",
        "--membership-vat", "E", "--service", "3 000", "--service-vat", "S",
    )  # fmt: skip
    run(
        "members", "add", "--name", "Nordlicht Film GmbH", "--country", "DE",
        "--vat-id", "DE123456789", "--tier", "both", "--joined", "2025-01-01",
        "--address", "Hafenstraße 1", "--postal-code", "20457", "--city", "Hamburg",
        "--vat-treatment", "export", "--no-input",
    )  # fmt: skip
    run(
        "members", "add", "--name", "Juni Film AS", "--orgnr", VALID[5], "--county", "Troms",
        "--tier", "both", "--joined", "2026-06-15", "--address", "Sjøgata 3",
        "--postal-code", "9008", "--city", "Tromsø", "--no-input",
    )  # fmt: skip
    run("invoices", "run", "--year", 2026, "--issued-on", "2026-01-10", "--yes")
    return run


def test_export_member_is_zero_rated_with_the_legal_reference(exporting, db_path, tmp_path):
    run = exporting
    (inv,) = invoice_of(db_path, "Nordlicht Film GmbH")
    lines = rows(db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ?", inv["id"])
    # membership 2 000,00 stays outside the VAT Act (E, § 3-13);
    # service 3 000,00 is exported: G at 0 %, no VAT; total 2 000,00 + 3 000,00 = 5 000,00.
    assert [(ln["vat_code"], ln["net_ore"], ln["vat_ore"]) for ln in lines] == [
        ("E", 200_000, 0),
        ("G", 300_000, 0),
    ]
    assert inv["total_ore"] == 500_000
    assert "merverdiavgiftsloven § 6-22" in lines[1]["vat_text"] or "6-22" in lines[1]["vat_text"]
    run("invoices", "pdf", inv["number"], "--output", tmp_path / "de.pdf")
    assert "section 6-22" in pdf_text(tmp_path / "de.pdf")  # English for a member abroad
    run("invoices", "pdf", inv["number"], "--language", "nb", "--output", tmp_path / "nb.pdf")
    assert "merverdiavgiftsloven § 6-22" in pdf_text(tmp_path / "nb.pdf")

    out = tmp_path / "ehf"
    result = run("invoices", "ehf", "--period", 2026, "--all", "-o", out, "--validate")
    assert "0 fatal" in result.stderr
    root = ET.parse(out / f"{inv['number']}.xml").getroot()
    groups = {
        s.find("cac:TaxCategory/cbc:ID", NS).text: s for s in root.findall(".//cac:TaxSubtotal", NS)
    }
    export = groups["G"]
    assert export.find("cbc:TaxableAmount", NS).text == "3000.00"
    assert export.find("cbc:TaxAmount", NS).text == "0.00"
    assert "6-22" in export.find("cac:TaxCategory/cbc:TaxExemptionReason", NS).text
    # Point 4 in the EHF: Juni Film's InvoicePeriod is June–December.
    (juni,) = invoice_of(db_path, "Juni Film AS")
    period = ET.parse(out / f"{juni['number']}.xml").getroot().find("cac:InvoicePeriod", NS)
    assert period.find("cbc:StartDate", NS).text == "2026-06-01"
    assert period.find("cbc:EndDate", NS).text == "2026-12-31"


def test_export_is_refused_for_a_norwegian_member(exporting, db_path):
    run = exporting
    refused = run("members", "edit", "Juni", "--vat-treatment", "export", code=2)
    assert "Norwegian member is domestic" in refused.stderr
    run("members", "edit", "Juni", "--vat-treatment", "sideways", code=2)
    run("members", "edit", "Nordlicht", "--vat-treatment", "domestic")
    shown = run("members", "show", "Nordlicht").stdout
    assert "VAT treatment" in shown and "domestic" in shown


# ---- 9. small things that misled -----------------------------------------------------------


def test_credit_note_prints_its_reason_and_credits_are_negative_everywhere(
    invoiced, db_path, tmp_path
):
    run, _ = invoiced
    run("invoices", "credit", 10003, "--amount", "1 000", "--reason", "Feil nivå")
    run("invoices", "pdf", 10004, "--output", tmp_path / "k.pdf")
    assert "Årsak: Feil nivå" in pdf_text(tmp_path / "k.pdf")
    # Credits are negative in every listing: 5 750,00 − 1 000,00 = 4 750,00 owing.
    shown = json.loads(run("invoices", "show", 10003, "--format", "json").stdout)
    assert (shown["credited_ore"], shown["outstanding_ore"]) == (-100_000, 475_000)
    listed = json.loads(run("invoices", "list", "--format", "json").stdout)
    assert [r["total_ore"] for r in listed if r["number"] == 10004] == [-100_000]
    dues = json.loads(run("dues", "--format", "json").stdout)
    (polarlys,) = [m for m in dues["members"] if m["member"] == "Polarlys Film AS"]
    assert (polarlys["credited_ore"], polarlys["outstanding_ore"]) == (-100_000, 475_000)
    exported = json.loads(run("export", "invoices", "--format", "json", "-o", "-").stdout)
    assert [r["credited_ore"] for r in exported if r["number"] == 10003] == [-100_000]


def test_a_payment_that_would_become_credit_asks_first(invoiced, db_path):
    run, _ = invoiced
    # Invoice 10002 owes 3 354,17; twice that is 6 708,34. 7 000,00 is more:
    # 7 000,00 − 3 354,17 = 3 645,83 would become credit.
    asked = run("payments", "add", "--invoice", 10002, "--amount", "7 000", code=2)
    assert "more than twice" in asked.stderr and "kr 3 645,83 would become credit" in asked.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 0
    run("payments", "add", "--invoice", 10002, "--amount", "3 354,17")  # exactly owed: no question
    again = run("payments", "add", "--invoice", 10002, "--amount", "100", code=2)
    assert "owes nothing (already paid)" in again.stderr
    done = run("payments", "add", "--invoice", 10002, "--amount", "100", "--yes")
    assert "kr 100,00 stays as credit on the member" in done.stderr


def test_allocate_says_partly_settles(invoiced, tmp_path):
    from filmklynge.ledger.bankfile_writers import make_camt

    run, _ = invoiced
    path = tmp_path / "camt054.xml"
    path.write_text(
        make_camt(
            "054", [("S-1", None, "1000.00")], version="02", status="BOOK",
            credit_debit="CRDT", booked="2026-02-01",
        )
    )  # fmt: skip
    run("payments", "import", path)
    # 10003 owes 5 750,00; 1 000,00 leaves 4 750,00.
    result = run("payments", "allocate", 1, "--invoice", 10003)
    assert "partly settles 10003 (kr 4 750,00 still owing)" in result.stderr


def test_remind_in_bulk_says_why_nothing_is_due(invoiced):
    run, _ = invoiced
    # Due 24.01.2026; the profile allows 2 reminders, 7 days apart (each gives 14 days).
    run("invoices", "remind", "--as-of", "2026-02-01", "--yes")  # due 15.02
    run("invoices", "remind", "--as-of", "2026-02-23", "--yes")  # due 09.03
    result = run("invoices", "remind", "--as-of", "2026-04-01", "--format", "json")
    assert json.loads(result.stdout) == []
    assert "consider debt collection for invoices 10001, 10002, 10003" in result.stderr
    early = run("invoices", "remind", "--as-of", "2026-01-20")
    assert "No invoices need a reminder: none is overdue on 20.01.2026" in early.stderr


def test_profile_show_speaks_kroner_yes_no_and_norwegian_dates(cluster):
    cluster("profile", "set", "--reminder-fee", "35", "--foretaksregisteret")
    cluster("books", "close", "--through", "31.12.2025", "--yes")
    shown = cluster("profile", "show").stdout
    assert re.search(r"VAT registered \(MVA\)\s+no", shown)
    assert re.search(r"Foretaksregisteret\s+yes", shown)
    assert re.search(r"Reminder fee\s+kr 35,00", shown)  # 3 500 øre
    assert re.search(r"Books closed through\s+31\.12\.2025", shown)
    assert "øre" not in shown and "2025-12-31" not in shown
    stored = json.loads(cluster("profile", "show", "--format", "json").stdout)
    assert (stored["reminder_fee_ore"], stored["foretaksregisteret"]) == (3_500, 1)


def test_a_half_year_run_after_the_year_bills_nobody_twice(billed, db_path):
    """The year 2026 covers its second half: running h2 afterwards finds every member
    already invoiced for those months (found in mutation-testing review: it billed H2 again)."""
    from helpers import rows, run_year

    run_year(billed, "--yes")
    before = rows(db_path, "SELECT number FROM invoices")
    r = billed(
        "invoices", "run", "--year", "2026", "--period", "h2", "--issued-on", "2026-07-01", "--yes"
    )
    assert rows(db_path, "SELECT number FROM invoices") == before
    assert "all 3 members active in 2026-H2 are already invoiced" in r.stderr
