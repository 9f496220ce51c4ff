"""Bank files and manual payments: parsing, checks, KID matching, idempotency, credit, dues."""

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import INVOICED_TODAY as TODAY
from helpers import rows

from filmklynge.errors import InvalidInput
from filmklynge.ledger import bankfiles
from filmklynge.ledger.bankfile_writers import make_camt, make_ocr

DATA = Path(__file__).parent / "data"


def ocr(tmp_path, payments, name="ocr.txt", **kw):
    path = tmp_path / name
    path.write_bytes(make_ocr(payments, on=date(2026, 2, 1), **kw))
    return path


def test_shared_ocr_vector_parses_as_the_spec_says():
    f = bankfiles.parse((DATA / "ocr_vector.txt").read_bytes())
    assert f.format == "ocr"
    assert [(p.amount_ore, p.kid, p.paid_on) for p in f.payments] == [
        (1_250_000, "0001000020250014", date(2025, 3, 14)),
        (625_000, "0001000120250021", date(2025, 3, 14)),
        (1_250_000, "0001000220250038", date(2025, 3, 14)),
    ]
    assert f.payments[0].payer_account == "12345678903"
    assert f.payments[2].reference == "Kontingent 2025"
    assert f.payments[0].bank_ref == "ocr:1403251:0000001:1"


@pytest.mark.parametrize("sample", ["camt054_sample.xml", "camt053_sample.xml"])
def test_shared_camt_samples(sample):
    f = bankfiles.parse((DATA / sample).read_bytes())
    assert f.format == sample[:7]
    assert [(p.amount_ore, p.kid, p.reference, p.payer_name) for p in f.payments] == [
        (1_250_000, "0001000020250014", None, "Medlem AS"),
        (625_000, None, "Faktura 2025002 kontingent", None),
    ]
    assert f.payments[0].paid_on == date(2025, 3, 14)
    assert f.payments[0].bank_ref == "camt:TX-0001"


def test_import_matches_by_kid_and_is_idempotent(invoiced, tmp_path, run_json, db_path):
    run, kids = invoiced
    path = ocr(
        tmp_path,
        [
            (kids[10001][0], 1_750_000),  # exact
            (kids[10002][0], 100_000),  # partly
            (kids[10003][0], 600_000),  # overpaid by 250,00
            ("1234567890", 5_000),
        ],
    )  # bad check digit: unmatched
    r = run("payments", "import", path, "--format", "json")
    report = json.loads(r.stdout)
    assert (
        report["read"],
        report["new"],
        report["matched"],
        report["partly_matched"],
        report["overpaid"],
        report["unmatched"],
    ) == (4, 4, 1, 1, 1, 1)
    assert report["total_ore"] == 2_455_000
    status = {i["number"]: i["status"] for i in run_json("invoices", "list", env=TODAY)}
    assert status == {10001: "paid", 10002: "overdue", 10003: "paid"}
    again = run("payments", "import", path)
    assert "0 new, 4 already imported" in again.stderr
    assert len(rows(db_path, "SELECT id FROM payments")) == 4
    unmatched = run_json("payments", "unmatched", env=TODAY)
    assert len(unmatched) == 1 and "bad check digit" in unmatched[0]["why"]
    polarlys = run_json("members", "show", "Polarlys")["id"]
    from filmklynge.ledger.payments import member_credit
    from filmklynge.store.db import open_db

    db = open_db(db_path)
    assert member_credit(db, polarlys) == 25_000
    db.close()


def test_overlapping_camt_statements_add_nothing(invoiced, tmp_path, db_path):
    run, kids = invoiced
    body = camt("054", [("A-1", kids[10003][0], "5750.00"), ("A-2", None, "100.00")])
    (tmp_path / "n.xml").write_text(body)
    run("payments", "import", tmp_path / "n.xml")
    stmt = camt(
        "053",
        [
            ("A-1", kids[10003][0], "5750.00"),
            ("A-2", None, "100.00"),
            ("A-3", kids[10001][0], "17500.00"),
        ],
    )
    (tmp_path / "s.xml").write_text(stmt)
    r = run("payments", "import", tmp_path / "s.xml")
    assert "1 new, 2 already imported" in r.stderr
    assert len(rows(db_path, "SELECT id FROM payments")) == 3


def test_dry_run_writes_nothing(invoiced, tmp_path, db_path):
    run, kids = invoiced
    r = run("payments", "import", ocr(tmp_path, [(kids[10001][0], 1_750_000)]), "--dry-run")
    assert "Would import" in r.stderr and "1 matched" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 0


def camt(kind, txs, *, ns_version="02", booked="BOOK", cdt="CRDT", day="2026-02-01"):
    return make_camt(kind, txs, version=ns_version, status=booked, credit_debit=cdt, booked=day)


def test_camt_later_versions_debits_and_unbooked(tmp_path):
    f = bankfiles.parse(camt("054", [("X", "0001100031", "10.50")], ns_version="08").encode())
    assert f.payments[0].amount_ore == 1050
    assert bankfiles.parse(camt("054", [("X", None, "1")], cdt="DBIT").encode()).skipped == 1
    assert bankfiles.parse(camt("053", [("X", None, "1")], booked="PDNG").encode()).skipped == 1


GOOD = make_ocr([("0001100031", 575_000), ("0002100013", 100)], on=date(2026, 2, 1))


def _broken(transform):
    lines = GOOD.decode("iso-8859-1").splitlines()
    return ("\n".join(transform(lines)) + "\n").encode("iso-8859-1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (_broken(lambda ls: [ls[0][:79], *ls[1:]]), "line 1 has 79 characters"),
        (_broken(lambda ls: [ls[0], ls[2], ls[1], *ls[3:]]), "wrong record order"),
        (
            _broken(lambda ls: [*ls[:6], ls[6][:8] + "00000003" + ls[6][16:], ls[7]]),
            "states number of transactions 3",
        ),
        (
            _broken(lambda ls: [*ls[:6], ls[6][:24] + "00000000000575101" + ls[6][41:], ls[7]]),
            "states total amount (øre) 575101",
        ),
        (
            _broken(lambda ls: [*ls[:7], ls[7][:16] + "00000009" + ls[7][24:]]),
            "states number of records 9",
        ),
        (_broken(lambda ls: ls[:-1]), "cut off"),
        (GOOD.replace(b"NY000089", b"NY000089", 1)[:-90] + b"\x00" * 80 + b"\n", "not ISO-8859-1"),
        ("NY000010 æøå €".encode() + b"\n", "not ISO-8859-1"),
        (
            b"<?xml version='1.0'?>"
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.02'>"
            b"<BkToCstmrDbtCdtNtfctn><Ntfctn>",
            "not well-formed",
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
            b"<Document>&b;</Document>",
            "DOCTYPE",
        ),
        (
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
            "unknown XML namespace",
        ),
        (b"name,amount\nX,1\n", "neither"),
    ],
)
def test_bad_files_are_refused(data, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        bankfiles.parse(data)


def test_bad_file_imports_nothing(invoiced, tmp_path, db_path):
    run, _ = invoiced
    path = tmp_path / "bad.txt"
    path.write_bytes(_broken(lambda ls: [ls[0][:79], *ls[1:]]))
    r = run("payments", "import", path, code=2)
    assert r.stderr.startswith("Error: bad.txt: line 1 has 79 characters")
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 0
    assert rows(db_path, "SELECT count(*) AS n FROM payment_imports")[0]["n"] == 0


def test_future_payment_refused(invoiced, tmp_path, db_path):
    run, kids = invoiced
    path = ocr(tmp_path, [(kids[10001][0], 100)])
    r = run("payments", "import", path, code=2, env={"FILMKLYNGE_TODAY": "2026-01-15"})
    assert "in the future" in r.stderr
    r = run(
        "payments", "add", "--invoice", "10001", "--amount", "100", "--on", "2027-01-01", code=2
    )
    assert "in the future" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 0


def test_manual_payments_credit_and_refund(invoiced, run_json, db_path):
    run, _ = invoiced
    assert (
        "more than 0"
        in run("payments", "add", "--invoice", "10003", "--amount", "0", code=2).stderr
    )
    assert (
        "negative" in run("payments", "add", "--invoice", "10003", "--amount", "-5", code=2).stderr
    )
    assert "exactly one" in run("payments", "add", "--amount", "5", code=2).stderr
    run("payments", "add", "--invoice", "10003", "--amount", "6 000", "--on", "2026-02-01")
    shown = run_json("invoices", "show", "10003", env=TODAY)
    assert shown["status"] == "paid" and shown["payments"][0]["amount_ore"] == 575_000
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "300", code=2)
    assert "kr 250,00 in credit" in r.stderr
    run("payments", "refund", "--member", "Polarlys", "--amount", "100", "--on", "2026-02-02")
    from filmklynge.ledger.payments import member_credit
    from filmklynge.store.db import open_db

    db = open_db(db_path)
    assert member_credit(db, shown["member_id"]) == 15_000
    db.close()


def test_member_credit_settles_the_next_invoice(invoiced, run_json):
    run, _ = invoiced
    run("payments", "add", "--member", "Polarlys", "--amount", "7 000", "--on", "2026-02-01")
    # 5 750 settles 10003, 1 250 stays as credit and is used by the next invoice
    for tier in ("small", "large"):
        run("tiers", "set-fee", tier, "--year", "2027", "--membership", "1 000", "--service", "0")
    run(
        "invoices",
        "run",
        "--year",
        "2027",
        "--issued-on",
        "2027-01-05",
        "--yes",
        "--skip-untiered",
        env={"FILMKLYNGE_TODAY": "2027-01-05"},
    )
    rows_ = run_json(
        "invoices",
        "list",
        "--year",
        "2027",
        "--member",
        "Polarlys",
        env={"FILMKLYNGE_TODAY": "2027-01-05"},
    )
    assert rows_[0]["paid_ore"] == 100_000 and rows_[0]["status"] == "paid"


def test_allocate_unmatched(invoiced, tmp_path, run_json):
    run, _ = invoiced
    path = tmp_path / "c.xml"
    path.write_text(camt("054", [("U-1", None, "5750.00")]))
    run("payments", "import", path)
    unmatched = run_json("payments", "unmatched", env=TODAY)
    assert unmatched[0]["suggested_invoice"] == 10003  # the amount points to it
    pid = unmatched[0]["id"]
    assert "No payment" in run("payments", "allocate", "999", "--invoice", "10003", code=3).stderr
    run("payments", "allocate", str(pid), "--invoice", "10003")
    assert run_json("payments", "unmatched", env=TODAY) == []
    assert run_json("invoices", "show", "10003", env=TODAY)["status"] == "paid"
    assert (
        "fully allocated"
        in run("payments", "allocate", str(pid), "--invoice", "10001", code=2).stderr
    )


def test_dues_and_aging(invoiced, run_json):
    run, _ = invoiced
    run("payments", "add", "--invoice", "10002", "--amount", "1 000", "--on", "2026-01-20")
    data = run_json("dues", "--as-of", "2026-03-01", env=TODAY)
    by = {m["member"]: m for m in data["members"]}
    # Juni: 3 354,17 invoiced, 1 000 paid, due 24.01.2026 -> 36 days overdue on 01.03.2026
    assert by["Juni Film AS"]["outstanding_ore"] == 235_417
    assert by["Juni Film AS"]["oldest_overdue_days"] == 36
    assert data["aging"]["31_60_ore"] == 235_417 + 1_750_000 + 575_000
    assert data["totals"]["paid_ore"] == 100_000
    early = run_json("dues", "--as-of", "2026-01-15", env=TODAY)
    assert early["aging"]["not_due_ore"] == 1_750_000 + 335_417 + 575_000
    assert early["totals"]["paid_ore"] == 0  # the payment came later
    overdue = run_json("dues", "--overdue", "--as-of", "2026-01-15", env=TODAY)
    assert overdue["members"] == []
