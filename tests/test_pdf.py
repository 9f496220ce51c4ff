"""Invoice, credit-note and reminder PDFs: every legal field read back from the PDF's text."""

from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from filmklynge.documents import files
from filmklynge.documents.pdf import invoice_pdf, reminder_pdf, safe_text
from filmklynge.ledger.vat import breakdown as vat_summary
from filmklynge.store.db import open_db

NO_MEMBER = {
    "id": 7,
    "name": "Polarlys Film AS",
    "orgnr": "988077917",
    "country": "NO",
    "legal_form": "AS",
    "address_line": "Sjøgata 3",
    "postal_code": "8006",
    "city": "Bodø",
    "language": "nb",
}
SE_MEMBER = {
    "id": 8,
    "name": "Norrsken Bild AB",
    "country": "SE",
    "vat_id": "SE556677889901",
    "legal_form": "foreign",
    "address_line": "Storgatan 5",
    "postal_code": "972 31",
    "city": "Luleå",
    "language": "en",
}


def _invoice(db, *, id, number, member, kind="invoice", credits=None, lines, **extra):
    net = sum(line["net_ore"] for line in lines)
    vat = sum(line["vat_ore"] for line in lines)
    row = {
        "id": id,
        "number": number,
        "kind": kind,
        "member_id": member["id"],
        "credits_invoice_id": credits,
        "period": "2026",
        "period_start_on": "2026-01-01",
        "period_end_on": "2026-12-31",
        "issued_on": "2026-01-15",
        "due_on": "2026-01-29",
        "kid": None,
        "currency": "NOK",
        "language": member["language"],
        "buyer_name": member["name"],
        "buyer_orgnr": member.get("orgnr"),
        "buyer_vat_id": member.get("vat_id"),
        "buyer_address": f"{member['address_line']}\n{member['postal_code']} {member['city']}",
        "net_ore": net,
        "vat_ore": vat,
        "total_ore": net + vat,
        "created_at": "2026-01-15T08:00:00+00:00",
        **extra,
    }
    db.insert("invoices", row)
    for no, line in enumerate(lines, 1):
        db.insert("invoice_lines", {"invoice_id": id, "line_no": no, **line})


def _line(part, description, net, code, text=None, months=12):
    rate = 2500 if code == "S" else 0
    full = net * 12 // months
    return {
        "fee_part": part,
        "description": description,
        "months": months,
        "months_of": 12,
        "full_ore": full,
        "net_ore": net,
        "vat_code": code,
        "vat_rate_bp": rate,
        "vat_ore": net * rate // 10_000,
        "vat_text": text,
    }


EXEMPT_NB = "Unntatt merverdiavgift, jf. merverdiavgiftsloven § 3-13"
EXEMPT_EN = "Exempt from VAT, cf. the Norwegian VAT Act section 3-13"


@pytest.fixture
def books(run, db_path):
    """A VAT-registered AS cluster; invoices, a credit note and a reminder stored as rows."""
    run(
        "init",
        "--name",
        "Nordnorsk Filmklynge SA",
        "--orgnr",
        "923609016",
        "--account",
        "8601 11 17947",
        "--vat",
        "--foretaksregisteret",
        "--address",
        "Storgata 12",
        "--postal-code",
        "9008",
        "--city",
        "Tromsø",
        "--email",
        "post@filmklynge.no",
        "--bic",
        "DNBANOKK",
        "--no-input",
    )
    db = open_db(db_path)
    with db.atomic():
        for m in (NO_MEMBER, SE_MEMBER):
            db.insert("members", {k: v for k, v in m.items() if k != "language"})
            db.insert("memberships", {"member_id": m["id"], "joined_on": "2025-01-01"})
        _invoice(
            db,
            id=1,
            number=10001,
            member=NO_MEMBER,
            kid="0007100013",
            lines=[
                _line("membership", "Medlemskontingent 2026", 1_000_000, "E", EXEMPT_NB),
                _line("service", "Serviceavgift 2026", 250_000, "S"),
            ],
        )
        _invoice(
            db,
            id=2,
            number=10002,
            member=SE_MEMBER,
            kid="0008100029",
            lines=[
                _line(
                    "membership", "Membership fee 2026 (7/12)", 116_667, "E", EXEMPT_EN, months=7
                ),
                _line("service", "Service fee 2026 (7/12)", 175_000, "S", months=7),
            ],
        )
        credit_line = _line("service", "Kreditering: Serviceavgift 2026", -250_000, "S")
        _invoice(
            db,
            id=3,
            number=10003,
            member=NO_MEMBER,
            kind="credit",
            credits=1,
            issued_on="2026-02-10",
            due_on=None,
            lines=[credit_line],
        )
        db.insert(
            "reminders",
            {
                "id": 1,
                "invoice_id": 1,
                "seq": 1,
                "sent_on": "2026-02-20",
                "due_on": "2026-03-06",
                "fee_ore": 3500,
                "outstanding_ore": 1_062_500,
                "created_at": "2026-02-20T08:00:00+00:00",
            },
        )
        _invoice(
            db,
            id=4,
            number=10004,
            member=NO_MEMBER,
            period="2025",
            period_start_on="2025-01-01",
            period_end_on="2025-12-31",
            issued_on="2025-01-15",
            due_on="2025-01-29",
            kid="0007100047",
            lines=[_line("service", "Serviceavgift 2025", 100_000, "S")],
        )
    yield db
    db.close()


def text_of(data: bytes) -> str:
    """All pages' text, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


def assert_all(text: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, f"missing {missing} in:\n{text}"


SELLER = (
    "Nordnorsk Filmklynge SA",
    "Storgata 12",
    "9008 Tromsø",
    "923 609 016 MVA",
    "Foretaksregisteret",
    "post@filmklynge.no",
)


def test_invoice_has_every_field_a_sales_document_needs(books):
    data = invoice_pdf(books, 1)
    assert data.startswith(b"%PDF-")
    text = text_of(data)
    assert_all(
        text,
        *SELLER,
        "Faktura",
        "Fakturanummer",
        "10001",
        "Fakturadato",
        "15.01.2026",
        "Forfallsdato",
        "29.01.2026",
        "Polarlys Film AS",
        "Sjøgata 3",
        "8006 Bodø",
        "Org.nr 988 077 917",
        "Periode: 01.01.2026–31.12.2026",
        "Medlemskontingent 2026",
        "Serviceavgift 2026",
        "kr 10 000,00",  # exempt line, excl. VAT
        "kr 2 500,00",  # service line, excl. VAT
        "kr 625,00",  # VAT at 25 %
        "S 25 %",
        "E 0 %",
        EXEMPT_NB,
        "Mva-spesifikasjon",
        "Mva 25 % (S)",
        "Unntatt mva (E)",
        "Sum eks. mva",
        "kr 12 500,00",
        "Sum mva",
        "Å betale",
        "kr 13 125,00",
        "Kontonummer",
        "8601 11 17947",
        "KID",
        "0007100013",
    )
    assert "IBAN" not in text and "BIC" not in text
    assert "Invoice" not in text


def test_vat_summary_per_rate_reads_basis_and_vat_on_one_row(books):
    text = text_of(invoice_pdf(books, 1))
    assert re.search(r"Mva 25 % \(S\) kr 2 500,00 kr 625,00", text), text
    assert re.search(r"Unntatt mva \(E\) kr 10 000,00 kr 0,00", text), text


def test_seller_without_mva_or_foretaksregisteret(books):
    books.execute("UPDATE profile SET vat_registered = 0, foretaksregisteret = 0")
    text = text_of(invoice_pdf(books, 1))
    assert "923 609 016" in text
    assert "MVA" not in text and "Foretaksregisteret" not in text


def test_foreign_member_gets_english_with_iban_and_bic(books):
    text = text_of(invoice_pdf(books, 2))
    assert_all(
        text,
        *SELLER,
        "Invoice",
        "Invoice number",
        "10002",
        "Invoice date",
        "15.01.2026",
        "Due date",
        "29.01.2026",
        "Norrsken Bild AB",
        "Storgatan 5",
        "972 31 Luleå",
        "Sweden",
        "VAT id SE556677889901",
        "Period: 01.06.2026–31.12.2026",  # the 7 months billed (June–December), as in the EHF
        "Membership fee 2026 (7/12)",
        "Full-year amount kr 2 000,00, 7 of 12 months",
        EXEMPT_EN,
        "VAT summary",
        "VAT 25 % (S)",
        "Exempt from VAT (E)",
        "Total excl. VAT",
        "kr 2 916,67",
        "Total VAT",
        "kr 437,50",
        "Amount due",
        "kr 3 354,17",
        "Account number",
        "8601 11 17947",
        "IBAN",
        "NO93 8601 1117 947",
        "BIC",
        "DNBANOKK",
        "0008100029",
    )
    assert "Faktura" not in text and "Forfallsdato" not in text


def test_lang_overrides_the_invoice_language(books):
    text = text_of(invoice_pdf(books, 1, lang="en"))
    assert_all(text, "Invoice", "Amount due", "kr 13 125,00", "Foretaksregisteret", EXEMPT_EN)
    assert "Å betale" not in text and EXEMPT_NB not in text
    text = text_of(invoice_pdf(books, 2, lang="nb"))
    assert_all(text, "Faktura", "Å betale", "IBAN", "DNBANOKK", EXEMPT_NB, "Sverige")


def test_profile_language_english_still_bokmal_for_nb_invoice(books):
    books.execute("UPDATE profile SET language = 'en'")
    assert "Fakturanummer" in text_of(invoice_pdf(books, 1))


def test_credit_note_is_its_own_document_referring_to_the_invoice(books):
    text = text_of(invoice_pdf(books, 3))
    assert_all(
        text,
        *SELLER,
        "Kreditnota",
        "Kreditnotanummer",
        "10003",
        "10.02.2026",
        "Krediterer faktura",
        "10001 av 15.01.2026",
        "krediterer faktura 10001 datert 15.01.2026",
        "Polarlys Film AS",
        "Kreditering: Serviceavgift 2026",
        "kr -2 500,00",
        "kr -625,00",
        "Sum kreditert",
        "kr -3 125,00",
    )
    # A credit note is no payment request: no KID, no payment box.
    assert "KID" not in text and "Forfallsdato" not in text and "Betalingsinformasjon" not in text
    english = text_of(invoice_pdf(books, 3, lang="en"))
    assert_all(english, "Credit note", "Credits invoice", "10001 of 15.01.2026", "Total credited")


def test_reminder_content(books):
    text = text_of(reminder_pdf(books, 1))
    assert_all(
        text,
        *SELLER,
        "Betalingspåminnelse",
        "Påminnelse nr.",
        "20.02.2026",
        "Fakturanummer",
        "10001",
        "Opprinnelig forfall",
        "29.01.2026",
        "Ny forfallsdato",
        "06.03.2026",
        "Polarlys Film AS",
        "Faktura 10001 av 15.01.2026, forfall 29.01.2026 kr 13 125,00",
        "Innbetalt eller kreditert",
        "kr -2 500,00",
        "Utestående",
        "kr 10 625,00",
        "Purregebyr",
        "kr 35,00",
        "Å betale",
        "kr 10 660,00",
        "8601 11 17947",
        "0007100013",
    )
    english = text_of(reminder_pdf(books, 1, lang="en"))
    assert_all(english, "Payment reminder", "Reminder fee", "New due date", "kr 10 660,00")


def test_reminder_without_fee_shows_no_fee(books):
    books.execute("UPDATE reminders SET fee_ore = 0 WHERE id = 1")
    text = text_of(reminder_pdf(books, 1))
    assert "Purregebyr" not in text
    assert re.search(r"Å betale kr 10 625,00", text), text


def test_unknown_rows_are_not_found(books):
    from filmklynge.errors import NotFound

    with pytest.raises(NotFound):
        invoice_pdf(books, 99)
    with pytest.raises(NotFound):
        reminder_pdf(books, 99)


def test_same_rows_give_the_same_bytes(books):
    assert invoice_pdf(books, 1) == invoice_pdf(books, 1)


def test_many_lines_flow_onto_a_second_page_with_totals(books):
    lines = [
        _line("service", f"Tjeneste nr. {i} " + "lang tekst " * 8, 10_000, "S") for i in range(40)
    ]
    _invoice(
        books, id=9, number=10009, member=NO_MEMBER, kid="0007100096", period="2027", lines=lines
    )
    data = invoice_pdf(books, 9)
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    text = text_of(data)
    assert_all(text, "Tjeneste nr. 0", "Tjeneste nr. 39", "kr 5 000,00", "Side 2 av", "0007100096")


def test_letters_are_printed_as_written_and_what_the_font_lacks_as_base_letters():
    assert safe_text("Čáhcesuolu Đuođđi ŋ ŧ") == "Čáhcesuolu Đuođđi ŋ ŧ"
    assert safe_text("Sjøgata 3, § 3-13 – æøå ÆØÅ") == "Sjøgata 3, § 3-13 – æøå ÆØÅ"
    assert safe_text("Ẁales ﬁlm Ω") == "Wales film ?"  # more in test_pdf_unicode.py


@given(st.lists(st.tuples(st.sampled_from("SEZ"), st.integers(-(10**9), 10**9)), max_size=8))
def test_vat_summary_adds_up(parts):
    lines = [
        {"vat_code": c, "vat_rate_bp": 2500 if c == "S" else 0, "net_ore": n, "vat_ore": n // 4}
        for c, n in parts
    ]
    summary = vat_summary(lines)
    assert sum(g["net_ore"] for g in summary) == sum(line["net_ore"] for line in lines)
    assert sum(g["vat_ore"] for g in summary) == sum(line["vat_ore"] for line in lines)
    assert len({g["vat_code"] for g in summary}) == len(summary)


def test_period_check():
    assert files.check_period("2026-h1") == "2026-H1"
    assert files.check_period(" 2026 ") == "2026"
    from filmklynge.errors import InvalidInput

    for bad in ("26", "2026-H3", "2026-Q5", "H1-2026", ""):
        with pytest.raises(InvalidInput):
            files.check_period(bad)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_cli_writes_invoice_to_default_name(books, run, cwd):
    r = run("invoices", "pdf", "10001")
    target = cwd / "faktura-10001.pdf"
    assert "faktura-10001.pdf" in r.stderr and r.stdout == ""
    assert "Polarlys Film AS" in text_of(target.read_bytes())
    assert [p.name for p in cwd.iterdir()] == ["faktura-10001.pdf"]  # no temp file left


def test_cli_credit_note_and_reminder_names(books, run, cwd):
    run("invoices", "pdf", "10003")
    run("invoices", "pdf", "10001", "--reminder", "1")
    assert "Kreditnota" in text_of((cwd / "kreditnota-10003.pdf").read_bytes())
    assert "Betalingspåminnelse" in text_of((cwd / "purring-10001-1.pdf").read_bytes())


def test_cli_out_file_and_folder_and_lang(books, run, cwd, tmp_path):
    run("invoices", "pdf", "10001", "--output", tmp_path / "a.pdf", "--language", "en")
    assert "Amount due" in text_of((tmp_path / "a.pdf").read_bytes())
    (tmp_path / "dir").mkdir()
    run("invoices", "pdf", "10002", "--output", tmp_path / "dir")
    assert "Invoice" in text_of((tmp_path / "dir" / "faktura-10002.pdf").read_bytes())


def test_cli_replaces_an_existing_file_as_every_command_does(books, run, cwd):
    target = cwd / "faktura-10001.pdf"
    target.write_bytes(b"mine")
    run("invoices", "pdf", "10001")
    assert target.read_bytes().startswith(b"%PDF-")
    run("invoices", "pdf", "10001", "--force")  # still accepted from old scripts
    assert target.read_bytes().startswith(b"%PDF-")


def test_cli_period_all_writes_every_document_of_the_period(books, run, cwd, tmp_path):
    out = tmp_path / "new" / "fakturaer"
    r = run("invoices", "pdf", "--period", "2026", "--all", "--output", out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["faktura-10001.pdf", "faktura-10002.pdf", "kreditnota-10003.pdf"]
    assert "Wrote 3 PDFs" in r.stderr
    run("invoices", "pdf", "--period", "2025", "--all")
    assert (cwd / "faktura-10004.pdf").exists()


def test_cli_period_all_checks_every_target_before_writing(books, run, tmp_path):
    import sqlite3

    out = tmp_path / "out"
    out.mkdir()
    sqlite3.connect(out / "kreditnota-10003.pdf").execute("CREATE TABLE t (x)").connection.close()
    r = run("invoices", "pdf", "--period", "2026", "--all", "--output", out, code=4)
    assert "kreditnota-10003.pdf is an SQLite database" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["kreditnota-10003.pdf"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["99999"], 3, "No invoice or credit note number 99999"),
        (["10001", "--reminder", "2"], 3, "has no reminder 2"),
        (["10002", "--reminder", "1"], 3, "has had no reminder"),
        (["--period", "2030", "--all"], 3, "No invoices for period 2030"),
        ([], 2, "Say which invoice"),
        (["--period", "2026"], 2, "Add --all"),
        (["--all"], 2, "--all needs --period"),
        (["10001", "--period", "2026", "--all"], 2, "not both"),
        (["--period", "2026-H3", "--all"], 2, "is not a period"),
        (["--period", "2026", "--all", "--reminder", "1"], 2, "--reminder"),
        (["10001", "--language", "sv"], 2, "use nb or en"),
        (["10001", "--output", "missing/dir/x.pdf"], 2, "does not exist"),
    ],
)
def test_cli_errors_write_nothing(books, run, cwd, args, code, message):
    r = run("invoices", "pdf", *args, code=code)
    assert r.stderr.startswith("Error: ") and message in r.stderr, r.stderr
    assert r.stdout == ""
    assert list(cwd.iterdir()) == []


def test_cli_period_out_must_be_a_folder(books, run, cwd):
    (cwd / "file").write_bytes(b"x")
    r = run("invoices", "pdf", "--period", "2026", "--all", "--output", "file", code=2)
    assert "is a file" in r.stderr
    assert sorted(p.name for p in cwd.iterdir()) == ["file"]


def test_written_file_is_private_like_the_database(books, run, cwd):
    run("invoices", "pdf", "10001")
    assert os.stat(cwd / "faktura-10001.pdf").st_mode & 0o777 == 0o600


def test_name_outside_windows_1252_is_printed_as_written(books):
    member = {**NO_MEMBER, "id": 9, "name": "Čáhcesuolu Đuođđi AS", "orgnr": "923609016"}
    books.insert("members", {k: v for k, v in member.items() if k != "language"})
    _invoice(
        books,
        id=10,
        number=10010,
        member=member,
        kid="0009100102",
        lines=[_line("service", "Serviceavgift 2026", 100_000, "S")],
    )
    assert_all(text_of(invoice_pdf(books, 10)), "Čáhcesuolu Đuođđi AS", "kr 1 250,00")
