"""Payments to the øre: what a bank import counts and allocates, the exact messages a treasurer
reads, the boundaries of the payment rules, and member credit (issue 16: each test pins what
mutation testing showed no test held).

The scenario is the ``invoiced`` fixture (conftest.py): 10001 Festivalen 17 500,00,
10002 Juni Film AS 3 354,17, 10003 Polarlys Film AS 5 750,00, issued 10.01.2026; members
Polarlys 1, Juni 2, Festivalen 3; the earliest membership began 01.01.2024. Every figure
below is worked by hand from those.
"""

import hashlib
import json
from datetime import date

import pytest
from helpers import rows

from filmklynge.errors import Conflict, InvalidInput
from filmklynge.ledger import bankfiles, payments
from filmklynge.ledger.bankfile_writers import make_camt, make_ocr
from filmklynge.store.db import open_db

IN_2027 = {"FILMKLYNGE_TODAY": "2027-01-10"}
NOT_A_TERMINAL = " Register it? Not a terminal, so nothing was done; add --yes to go on.\n"


def camt(tmp_path, txs, *, name="c.xml", booked="2026-02-01", **kw):
    path = tmp_path / name
    path.write_text(
        make_camt("054", txs, version="02", status="BOOK", credit_debit="CRDT", booked=booked, **kw)
    )
    return path


def audit(db_path, entity):
    """The audit entries of an entity, oldest first: (action, entity_id, before, after)."""
    return [
        (
            r["action"],
            r["entity_id"],
            json.loads(r["before_json"]) if r["before_json"] else None,
            json.loads(r["after_json"]) if r["after_json"] else None,
        )
        for r in rows(
            db_path,
            "SELECT action, entity_id, before_json, after_json FROM audit_log "
            "WHERE entity = ? ORDER BY id",
            entity,
        )
    ]


def allocations(db_path):
    """(payment id, invoice number, øre, allocated on) in the order they were written."""
    return [
        tuple(r.values())
        for r in rows(
            db_path,
            "SELECT a.payment_id, i.number, a.amount_ore, a.allocated_on "
            "FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id ORDER BY a.id",
        )
    ]


def invoice_id(db_path, number):
    return rows(db_path, "SELECT id FROM invoices WHERE number = ?", number)[0]["id"]


def bill_2027(run):
    """A 2027 fee of 250,00 (no VAT), issued 05.01.2027: 10004 Festivalen, 10005 Juni Film AS,
    10006 Polarlys, 25 000 øre each. Nobody has paid anything yet, so no credit is used."""
    for tier in ("small", "large"):
        run("tiers", "set-fee", tier, "--year", "2027", "--membership", "250", "--service", "0")
    run("invoices", "run", "--year", "2027", "--issued-on", "2027-01-05", "--yes", env=IN_2027)


# ---- bank import -----------------------------------------------------------------------------


def test_import_counts_every_kind_and_allocates_to_the_ore(invoiced, tmp_path, db_path):
    run, kids = invoiced
    k1, k2, k3 = kids[10001][0], kids[10002][0], kids[10003][0]
    data = make_ocr(
        [
            (k1, 1_750_000),  # 1 pays 10001 exactly: matched
            (k3, 575_000),  # 2 pays 10003 exactly: matched
            (k2, 100_000),  # 3 part of 10002 (335 417): partly matched, 235 417 left
            (k2, 1),  # 4 one øre: partly matched, 235 416 left
            (k2, 1),  # 5 one øre: partly matched, 235 415 left
            (k2, 300_000),  # 6 takes the 235 415 left: overpaid, 64 585 credit on Juni
            (k1, 500),  # 7 10001 owes nothing any more: overpaid, nothing allocated
            ("1234567890", 5_000),  # 8 bad check digit: unmatched
            ("0000000000", 12_345),  # 9 valid MOD10, no invoice has it: unmatched
        ],
        on=date(2026, 2, 1),
    )
    path = tmp_path / "ocr.txt"
    path.write_bytes(data)
    # 1 750 000 + 575 000 + 100 000 + 1 + 1 + 300 000 + 500 + 5 000 + 12 345 = 2 742 847
    r = run("payments", "import", path, "--format", "json")
    assert json.loads(r.stdout) == {
        "file": "ocr.txt",
        "format": "ocr",
        "sha256": hashlib.sha256(data).hexdigest(),
        "read": 9,
        "new": 9,
        "already_imported": 0,
        "matched": 2,
        "partly_matched": 3,
        "overpaid": 2,
        "unmatched": 2,
        "skipped": 0,
        "total_ore": 2_742_847,
        "dry_run": False,
        "unmatched_payments": [
            {"id": 8, "amount_ore": 5_000, "kid": "1234567890", "reference": None},
            {"id": 9, "amount_ore": 12_345, "kid": "0000000000", "reference": None},
        ],
        "skipped_why": [],
        "notes": [],
    }
    assert r.stderr == (
        "Imported ocr.txt (ocr): 9 payments read, 9 new, 0 already imported; 2 matched, "
        "3 partly matched, 2 overpaid, 2 unmatched, 0 skipped; total kr 27 428,47.\n"
        "Next: filmklynge payments unmatched\n"
    )
    assert allocations(db_path) == [
        (1, 10001, 1_750_000, "2026-02-01"),
        (2, 10003, 575_000, "2026-02-01"),
        (3, 10002, 100_000, "2026-02-01"),
        (4, 10002, 1, "2026-02-01"),
        (5, 10002, 1, "2026-02-01"),
        (6, 10002, 235_415, "2026-02-01"),
    ]
    assert rows(db_path, "SELECT id, paid_on, value_on, member_id FROM payments ORDER BY id") == [
        {"id": n, "paid_on": "2026-02-01", "value_on": "2026-02-01", "member_id": m}
        for n, m in enumerate([3, 1, 2, 2, 2, 2, 3, None, None], start=1)
    ]
    db = open_db(db_path)
    try:
        assert payments.member_credit(db, 2) == 300_000 - 235_415
        assert payments.member_credit(db, 3) == 500
    finally:
        db.close()
    [entry] = audit(db_path, "payment_import")
    assert entry[:3] == ("import", 1, None)
    assert {k: v for k, v in entry[3].items() if k != "sha256"} == {
        "file": "ocr.txt",
        "format": "ocr",
        "read": 9,
        "new": 9,
        "already_imported": 0,
        "matched": 2,
        "partly_matched": 3,
        "overpaid": 2,
        "unmatched": 2,
        "skipped": 0,
        "total_ore": 2_742_847,
        "dry_run": False,
    }
    again = run("payments", "import", path, "--dry-run")
    assert again.stderr == (
        "Would import ocr.txt (ocr): 9 payments read, 0 new, 9 already imported; 0 matched, "
        "0 partly matched, 0 overpaid, 0 unmatched, 0 skipped; total kr 0,00.\n"
    )


def test_import_reports_skipped_entries_notes_and_repeated_references(invoiced, tmp_path, db_path):
    run, kids = invoiced
    debit = tmp_path / "debit.xml"
    debit.write_text(make_camt("054", [("X-1", None, "10.00")], credit_debit="DBIT"))
    report = json.loads(run("payments", "import", debit, "--format", "json").stdout)
    assert (report["read"], report["skipped"], report["skipped_why"]) == (
        0,
        1,
        ["entry 1: not a credit (a debit entry)"],
    )
    # Two transactions with the same bank reference (the second is the first again), a payer
    # name longer than the 140 characters the standard allows, and no value date.
    path = camt(
        tmp_path,
        [("D-1", kids[10003][0], "100.00"), ("D-1", kids[10003][0], "100.00")],
        payer="P" * 150,
    )
    path.write_text(path.read_text().replace("<ValDt><Dt>2026-02-01</Dt></ValDt>", ""))
    report = json.loads(run("payments", "import", path, "--format", "json").stdout)
    assert {k: report[k] for k in ("read", "new", "already_imported", "partly_matched")} == {
        "read": 2,
        "new": 1,
        "already_imported": 1,
        "partly_matched": 1,
    }
    assert report["notes"] == [
        "2 text(s) longer than the bank standard allows were cut (names 140, references 35, "
        "messages 500 characters)"
    ]
    assert rows(db_path, "SELECT bank_ref, value_on, amount_ore, payer_name FROM payments") == [
        {
            "bank_ref": "camt:D-1",
            "value_on": None,
            "amount_ore": 10_000,
            "payer_name": "P" * 139 + "…",
        }
    ]


def test_a_bank_payment_dated_in_the_future_names_the_file_and_the_payment(invoiced, tmp_path):
    run, kids = invoiced
    path = camt(tmp_path, [("F-1", kids[10003][0], "100.00")], booked="2026-03-02")
    r = run("payments", "import", path, code=2)
    assert r.stderr == (
        "Error: c.xml: payment camt:F-1 is dated 2026-03-02, in the future. Check the date "
        "(and the computer's). Nothing was imported.\n"
    )


def test_a_file_of_exactly_the_size_limit_is_read(invoiced, tmp_path, monkeypatch):
    run, _ = invoiced
    monkeypatch.setattr(bankfiles, "MAX_BYTES", 1024 * 1024)
    at_limit = tmp_path / "at.txt"
    at_limit.write_bytes(b"x" * (1024 * 1024))
    r = run("payments", "import", at_limit, code=2)
    assert r.stderr.startswith("Error: at.txt is neither a Nets OCR giro file")
    over = tmp_path / "over.txt"
    over.write_bytes(b"x" * (1024 * 1024 + 1))
    r = run("payments", "import", over, code=2)
    assert r.stderr == (
        "Error: over.txt is larger than 1 MB; split it or check it is a payment file.\n"
    )


# ---- closed books ------------------------------------------------------------------------------


def _closed(what, day):
    return (
        f"Error: The books are closed through 31.01.2026: {what} dated {day} cannot be "
        "recorded. Date it after 31.01.2026, or correct it in the next period.\n"
    )


def test_closed_books_refuse_each_payment_write_naming_it(invoiced, tmp_path, db_path):
    run, kids = invoiced
    run("payments", "import", camt(tmp_path, [("U-1", None, "100.00")], name="open.xml"))
    run("books", "close", "--through", "2026-01-31", "--yes")
    closed = camt(
        tmp_path, [("C-1", kids[10003][0], "100.00")], name="closed.xml", booked="2026-01-15"
    )
    r = run("payments", "import", closed, code=4)
    assert r.stderr == _closed("payment camt:C-1 in closed.xml", "15.01.2026")
    r = run(
        "payments", "add", "--member", "Festivalen", "--amount", "100", "--on", "2026-01-31", code=4
    )
    assert r.stderr == _closed("a payment", "31.01.2026")
    r = run("payments", "allocate", "1", "--invoice", "10003", "--on", "2026-01-31", code=4)
    assert r.stderr == _closed("an allocation", "31.01.2026")
    r = run(
        "payments", "refund", "--member", "Polarlys", "--amount", "1", "--on", "2026-01-30", code=4
    )
    assert r.stderr == _closed("a refund", "30.01.2026")
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 1


# ---- member credit -------------------------------------------------------------------------


def test_member_credit_settles_an_invoice_to_the_ore(invoiced, db_path):
    run, _ = invoiced
    bill_2027(run)
    # Polarlys pays 10003 with 1 øre too much: 1 øre of credit while 10006 (250,00) is open.
    run(
        "payments",
        "add",
        "--invoice",
        "10003",
        "--amount",
        "5 750,01",
        "--on",
        "2027-01-06",
        env=IN_2027,
    )
    # Juni pays 10002 with 300,00 too much, then 100,00 more on it: 400,00 of credit.
    run(
        "payments",
        "add",
        "--invoice",
        "10002",
        "--amount",
        "3 654,17",
        "--on",
        "2027-01-06",
        env=IN_2027,
    )
    run(
        "payments",
        "add",
        "--invoice",
        "10002",
        "--amount",
        "100",
        "--on",
        "2027-01-07",
        "--yes",
        env=IN_2027,
    )
    run("books", "close", "--through", "2026-12-31", "--yes", env=IN_2027)
    db = open_db(db_path)
    try:
        with pytest.raises(Conflict) as e:
            payments.apply_member_credit(db, 1, invoice_id(db_path, 10006), date(2026, 12, 31))
        assert str(e.value) == (
            "The books are closed through 31.12.2026: settling an invoice from member credit "
            "dated 31.12.2026 cannot be recorded. Date it after 31.12.2026, or correct it in "
            "the next period."
        )
        before = len(audit(db_path, "invoice"))
        # Festivalen has no credit: nothing is used and nothing is written.
        assert (
            payments.apply_member_credit(db, 3, invoice_id(db_path, 10004), date(2027, 1, 8)) == 0
        )
        assert len(audit(db_path, "invoice")) == before
        # A credit note owes nothing, so no credit goes to it.
        run("invoices", "credit", "10001", "--amount", "100", env=IN_2027)  # credit note 10007
        assert (
            payments.apply_member_credit(db, 2, invoice_id(db_path, 10007), date(2027, 1, 8)) == 0
        )
        # Polarlys' 1 øre settles 1 øre of 10006.
        assert (
            payments.apply_member_credit(db, 1, invoice_id(db_path, 10006), date(2027, 1, 8)) == 1
        )
        # Juni's 400,00 settles 10005 (250,00) from the older payment alone: the 100,00 paid
        # later is not touched.
        assert (
            payments.apply_member_credit(db, 2, invoice_id(db_path, 10005), date(2027, 1, 8))
            == 25_000
        )
    finally:
        db.close()
    assert [a for a in allocations(db_path) if a[3] == "2027-01-08"] == [
        (1, 10006, 1, "2027-01-08"),
        (2, 10005, 25_000, "2027-01-08"),
    ]
    assert audit(db_path, "invoice")[-2:] == [
        ("allocate", invoice_id(db_path, 10006), None, {"from_member_credit": 1, "member_id": 1}),
        (
            "allocate",
            invoice_id(db_path, 10005),
            None,
            {"from_member_credit": 25_000, "member_id": 2},
        ),
    ]


def test_member_credit_as_of_a_day_counts_what_was_paid_by_then(invoiced, db_path):
    run, _ = invoiced
    run("payments", "add", "--invoice", "10003", "--amount", "6 000", "--on", "2026-02-01")
    db = open_db(db_path)
    try:
        assert payments.member_credit(db, 1, date(2026, 1, 31)) == 0
        assert payments.member_credit(db, 1, date(2026, 2, 1)) == 25_000
        assert payments.member_credit(db, 1) == 25_000
    finally:
        db.close()


def test_refund_returns_its_id_and_audits_it(invoiced, db_path, monkeypatch):
    run, _ = invoiced
    monkeypatch.setenv("FILMKLYNGE_TODAY", "2026-03-01")
    run("payments", "add", "--invoice", "10003", "--amount", "6 000", "--on", "2026-02-01")
    db = open_db(db_path)
    try:
        got = payments.refund(
            db, member="Polarlys", amount_ore=10_000, on=date(2026, 2, 2), reference="R-1"
        )
    finally:
        db.close()
    assert got == {
        "id": 1,
        "member": "Polarlys Film AS",
        "amount_ore": 10_000,
        "credit_left_ore": 15_000,
    }
    assert audit(db_path, "refund") == [("create", 1, None, {"member_id": 1, "amount_ore": 10_000})]


# ---- allocation --------------------------------------------------------------------------------


def test_allocating_by_member_spreads_a_payment_over_open_invoices(invoiced, tmp_path, db_path):
    run, _ = invoiced
    bill_2027(run)
    run(
        "payments",
        "import",
        camt(
            tmp_path,
            [("U-1", None, "5750.01"), ("U-2", None, "100.00")],
            booked="2027-01-06",
        ),
        env=IN_2027,
    )
    # 5 750,01 for Polarlys: 5 750,00 settles 10003 (due first), 0,01 goes to 10006.
    run("payments", "allocate", "1", "--member", "Polarlys", "--on", "2027-01-07", env=IN_2027)
    # 100,00 for Festivalen: all of it to 10001, due first; 10004 gets nothing.
    r = run(
        "payments", "allocate", "2", "--member", "Festivalen", "--on", "2027-01-07", env=IN_2027
    )
    assert r.stderr.endswith(
        "Payment 2 now belongs to Festivalen and partly settles 10001 (kr 17 400,00 still owing).\n"
    )
    assert allocations(db_path) == [
        (1, 10003, 575_000, "2027-01-07"),
        (1, 10006, 1, "2027-01-07"),
        (2, 10001, 10_000, "2027-01-07"),
    ]
    assert audit(db_path, "payment") == [
        (
            "allocate",
            1,
            {"member_id": None},
            {"member_id": 1, "allocated_ore": 575_001, "invoice": None},
        ),
        (
            "allocate",
            2,
            {"member_id": None},
            {"member_id": 3, "allocated_ore": 10_000, "invoice": None},
        ),
    ]


def test_allocating_a_single_ore(invoiced, tmp_path, db_path, run_json):
    run, _ = invoiced
    run("payments", "import", camt(tmp_path, [("U-1", None, "0.01"), ("U-2", None, "100.00")]))
    run("payments", "add", "--invoice", "10003", "--amount", "5 749,99", "--on", "2026-02-01")
    # A payment of 0,01 is allocated whole.
    run("payments", "allocate", "1", "--invoice", "10002", "--on", "2026-02-02")
    # 10003 owes 0,01: the 100,00 settles it and 99,99 is Polarlys' credit.
    r = run("payments", "allocate", "2", "--invoice", "10003", "--on", "2026-02-02")
    assert r.stderr == (
        "Payment 2 now belongs to Polarlys Film AS and settles 10003; kr 99,99 is credit.\n"
    )
    assert allocations(db_path) == [
        (3, 10003, 574_999, "2026-02-01"),
        (1, 10002, 1, "2026-02-02"),
        (2, 10003, 1, "2026-02-02"),
    ]
    listed = run_json("payments", "list")
    assert [(p["id"], p["allocated_ore"], p["unallocated_ore"]) for p in listed] == [
        (1, 1, 0),
        (2, 1, 9_999),
        (3, 574_999, 0),
    ]


# ---- manual payments ---------------------------------------------------------------------------


def test_manual_payment_by_bank_or_cash_is_audited_with_its_invoice(invoiced, db_path, run_json):
    run, _ = invoiced
    run(
        "payments",
        "add",
        "--invoice",
        "10003",
        "--amount",
        "5 750",
        "--method",
        "bank",
        "--on",
        "2026-02-01",
    )
    run(
        "payments",
        "add",
        "--invoice",
        "10001",
        "--amount",
        "100",
        "--method",
        "cash",
        "--on",
        "2026-02-02",
    )
    r = run("payments", "add", "--invoice", "10001", "--amount", "1", "--method", "giro", code=2)
    assert r.stderr == "Error: Method 'giro' must be manual, bank or cash.\n"
    assert [p["method"] for p in run_json("payments", "list")] == ["bank", "cash"]
    assert audit(db_path, "payment") == [
        (
            "create",
            1,
            None,
            {
                "amount_ore": 575_000,
                "paid_on": "2026-02-01",
                "member_id": 1,
                "invoice": 10003,
                "method": "bank",
            },
        ),
        (
            "create",
            2,
            None,
            {
                "amount_ore": 10_000,
                "paid_on": "2026-02-02",
                "member_id": 3,
                "invoice": 10001,
                "method": "cash",
            },
        ),
    ]


def test_warnings_before_a_payment_say_what_becomes_credit(invoiced, db_path):
    run, _ = invoiced
    # Exactly twice what 10003 owes (2 x 5 750,00) is not asked about.
    run("payments", "add", "--invoice", "10003", "--amount", "11 500", "--on", "2026-02-01")
    r = run(
        "payments", "add", "--invoice", "10003", "--amount", "100", "--on", "2026-02-01", code=2
    )
    assert r.stderr == (
        "Error: Invoice 10003 owes nothing (already paid); all kr 100,00 would become credit "
        "on the member." + NOT_A_TERMINAL
    )
    # 10002 (3 354,17) paid but 0,01: 0,03 is more than twice that, 0,02 would be credit.
    run("payments", "add", "--invoice", "10002", "--amount", "3 354,16", "--on", "2026-02-01")
    r = run(
        "payments", "add", "--invoice", "10002", "--amount", "0,03", "--on", "2026-02-01", code=2
    )
    assert r.stderr == (
        "Error: kr 0,03 is more than twice what Invoice 10002 owes (kr 0,01); kr 0,02 would "
        "become credit on the member." + NOT_A_TERMINAL
    )
    r = run(
        "payments", "add", "--kid", "0000000000", "--amount", "100", "--on", "2026-02-01", code=3
    )
    assert r.stderr == (
        "Error: No invoice has KID 0000000000. Use --member to record it as credit.\n"
    )
    run("invoices", "credit", "10001", "--amount", "100")  # credit note 10004
    r = run(
        "payments", "add", "--invoice", "10004", "--amount", "100", "--on", "2026-02-01", code=2
    )
    assert r.stderr == "Error: 10004 is a credit note; pay the invoice instead.\n"
    assert rows(db_path, "SELECT count(*) AS n FROM payments")[0]["n"] == 2


# ---- the payment rules -------------------------------------------------------------------------


def refused(call, *args, **kw):
    """The message of the InvalidInput that ``call`` raises."""
    with pytest.raises(InvalidInput) as e:
        call(*args, **kw)
    return str(e.value)


def test_payment_rules_name_what_they_check(invoiced, db_path, monkeypatch):
    run, _ = invoiced
    monkeypatch.setenv("FILMKLYNGE_TODAY", "2026-03-01")
    r = run(
        "payments", "add", "--member", "Polarlys", "--amount", "100", "--on", "2023-12-31", code=2
    )
    assert r.stderr == (
        "Error: The payment is dated 2023-12-31, before the cluster's first recorded day "
        "(2024-01-01: its earliest membership or invoice). Check the date.\n"
    )
    zero = "the amount is kr 0,00; a payment must be more than 0 kr"
    db = open_db(db_path)
    try:
        assert payments.first_day(db) == date(2024, 1, 1)
        # The first recorded day itself is fine.
        assert payments.check_payment(db, amount_ore=1, paid_on=date(2024, 1, 1), what="X") is None
        assert refused(
            payments.check_payment, db, amount_ore=0, paid_on=date(2026, 2, 1), what="Line 7"
        ).startswith(f"Line 7: {zero}")
        assert refused(
            payments.payment_warning, db, amount_ore=0, paid_on=date(2026, 2, 1), invoice="10003"
        ).startswith(f"The payment: {zero}")
        assert refused(
            payments.add_payment, db, amount_ore=0, paid_on=date(2026, 2, 1), member="Polarlys"
        ).startswith(f"The payment: {zero}")
        assert refused(
            payments.add_payment, db, amount_ore=1, paid_on=date(2026, 3, 2), member="Polarlys"
        ).startswith("The payment is dated 2026-03-02, in the future.")
    finally:
        db.close()


def test_an_empty_register_accepts_payments_from_2000(cluster, db_path):
    db = open_db(db_path)
    try:
        assert payments.first_day(db) == date(2000, 1, 1)
        assert refused(
            payments.check_payment, db, amount_ore=100, paid_on=date(1999, 12, 31), what="P"
        ) == (
            "P is dated 1999-12-31, before the cluster's first recorded day (2000-01-01: its "
            "earliest membership or invoice). Check the date."
        )
    finally:
        db.close()


# ---- unmatched ---------------------------------------------------------------------------------


def test_unmatched_suggests_the_invoice_its_text_names(invoiced, tmp_path, run_json):
    run, _ = invoiced
    path = camt(tmp_path, [("T-1", None, "100.00")])
    path.write_text(path.read_text().replace("Kontingent", "Faktura 10001 kontingent"))
    run("payments", "import", path)
    [row] = run_json("payments", "unmatched")
    assert (row["reference"], row["suggested_invoice"], row["why"]) == (
        "Faktura 10001 kontingent",
        10001,
        "text names invoice 10001",
    )
