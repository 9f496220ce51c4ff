"""Invoices, credit notes and a leaver's unused months, figure by figure (issue 16: the
survivors of ledger/invoicing.py).

Every amount is worked out by hand in the test from the tier fees of the shared fixtures
(conftest.py): small = membership 2 000,00 (E, outside the VAT act) + service 3 000,00
(S, 25 %); large = 5 000,00 E + 10 000,00 S. 14 days' terms, first invoice number 10001,
10-digit MOD10 KIDs of member number (4 digits) and invoice number (5).

The ``invoiced`` fixture: 10001 Festivalen 17 500,00 (member 3), 10002 Juni Film AS 3 354,17
(7/12, member 2), 10003 Polarlys Film AS 5 750,00 = line 1 membership 2 000,00 E + line 2
service 3 000,00 S + 750,00 VAT (member 1); issued 10.01.2026, due 24.01.2026.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from helpers import VALID, rows, run_year

from filmklynge.errors import Conflict, InvalidInput
from filmklynge.ledger import invoicing
from filmklynge.store.db import open_db

TODAY = {"FILMKLYNGE_TODAY": "2026-03-01"}


def _open(db_path):
    return open_db(db_path)


def _audit(db_path, entity):
    return [
        (r["action"], r["entity"], r["entity_id"], r["before_json"], json.loads(r["after_json"]))
        for r in rows(
            db_path,
            "SELECT action, entity, entity_id, before_json, after_json FROM audit_log "
            "WHERE entity = ? ORDER BY id",
            entity,
        )
    ]


def _lines(db_path, number):
    return [
        (ln["line_no"], ln["description"], ln["net_ore"], ln["vat_code"], ln["vat_ore"])
        for ln in rows(
            db_path,
            "SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
            "WHERE i.number = ? ORDER BY l.line_no",
            number,
        )
    ]


def _invoice(db_path, number):
    return rows(db_path, "SELECT * FROM invoices WHERE number = ?", number)[0]


def _close_books(run, through="2026-01-31"):
    run("books", "close", "--through", through, "--yes", env=TODAY)


def _closed_message(what, day):
    return (
        f"Error: The books are closed through 31.01.2026: {what} dated {day} cannot be "
        "recorded. Date it after 31.01.2026, or correct it in the next period."
    )


# ---- periods (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "start", "end", "left", "expected"),
    [
        # Leaving in December keeps the whole year: December is paid whole.
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 15), (12, 12)),
        (date(2026, 3, 1), date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 1), (6, 6)),
        # Left in December of the year before: nothing of the next year.
        (date(2024, 1, 1), date(2027, 1, 1), date(2027, 12, 31), date(2026, 12, 15), (0, 12)),
        # Left in November: January–November.
        (date(2024, 1, 1), date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 30), (11, 12)),
    ],
)
def test_months_billable_for_a_member_leaving_late_in_the_year(joined, start, end, left, expected):
    assert invoicing.months_billable(joined, start, end, left) == expected


def test_billed_span_of_a_december_leaver():
    assert invoicing.billed_span(
        date(2025, 5, 20), date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 15)
    ) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (
        invoicing.billed_span(
            date(2024, 1, 1), date(2027, 1, 1), date(2027, 12, 31), date(2026, 12, 31)
        )
        is None
    )


def test_period_years_run_from_2000_to_2100():
    assert invoicing.period_bounds(2100, "q4") == (date(2100, 10, 1), date(2100, 12, 31), "2100-Q4")
    assert invoicing.period_bounds(2000, "h1") == (date(2000, 1, 1), date(2000, 6, 30), "2000-H1")
    for year in (1999, 2101):
        with pytest.raises(InvalidInput) as e:
            invoicing.period_bounds(year, "year")
        assert str(e.value) == f"Year {year} is out of range (2000–2100)."


@pytest.mark.parametrize(
    ("tier_code", "treatment", "expected"),
    [
        ("S", "export", "G"),
        ("Z", "export", "G"),  # zero-rated at home, export abroad
        ("E", "export", "E"),  # outside the VAT act stays outside it
        ("Z", "domestic", "Z"),
        ("S", None, "S"),
    ],
)
def test_line_vat_code(tier_code, treatment, expected):
    assert invoicing.line_vat_code(tier_code, treatment) == expected


def test_billed_period_of_documents_without_fee_months():
    whole = {"period_start_on": "2026-01-01", "period_end_on": "2026-12-31"}
    # A reminder-fee credit note: a line without months, or no lines at all.
    assert invoicing.billed_period(whole, [{"months": None, "months_of": None}]) == (
        "2026-01-01",
        "2026-12-31",
    )
    assert invoicing.billed_period(whole, []) == ("2026-01-01", "2026-12-31")
    # Only one of the two dates stored: no period to show.
    assert (
        invoicing.billed_period({"period_start_on": "2026-01-01", "period_end_on": None}, [])
        is None
    )
    assert (
        invoicing.billed_period({"period_start_on": None, "period_end_on": "2026-12-31"}, [])
        is None
    )
    # months without months_of says nothing about the months billed.
    assert invoicing.billed_period(whole, [{"months": 7, "months_of": None}]) == (
        "2026-01-01",
        "2026-12-31",
    )


# ---- closed books ------------------------------------------------------------------------


def test_a_closed_period_refuses_an_invoice_run_and_names_it(billed, db_path):
    _close_books(billed)
    r = run_year(billed, "--yes", code=4)
    assert r.stderr.splitlines()[-1] == _closed_message("invoices", "10.01.2026")
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0


def test_a_run_planned_before_the_books_were_closed_is_refused_when_applied(billed, db_path):
    db = _open(db_path)
    try:
        plan = invoicing.plan_run(db, year=2026, period="year", issued_on=date(2026, 1, 10))
        assert len(plan.invoices) == 3
        _close_books(billed)  # by someone else, between the plan and its writing
        with pytest.raises(Conflict) as e:
            invoicing.apply_run(db, plan)
        assert f"Error: {e.value}" == _closed_message("invoices", "10.01.2026")
    finally:
        db.close()
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0


def test_a_closed_period_refuses_credit_notes_and_names_them(invoiced, db_path):
    run, _ = invoiced
    _close_books(run)
    r = run("invoices", "credit", "10003", "--issued-on", "2026-01-20", code=4)
    assert r.stderr == _closed_message("a credit note", "20.01.2026") + "\n"
    r = run("invoices", "credit", "10003", "--issued-on", "2026-01-20", "--dry-run", code=4)
    assert r.stderr == _closed_message("a credit note", "20.01.2026") + "\n"
    r = run(
        "members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", "--yes",
        "--issued-on", "2026-01-20", code=4,
    )  # fmt: skip
    assert r.stderr.splitlines()[-1] == _closed_message("a credit note", "20.01.2026")
    # Nothing was written: no credit note, and Polarlys has not left.
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 3
    assert (
        rows(db_path, "SELECT left_on FROM memberships WHERE member_id = 1")[0]["left_on"] is None
    )


# ---- an invoice run: what it returns, writes and logs ------------------------------------


def test_apply_run_returns_stamps_and_audits_each_invoice(billed, db_path, monkeypatch):
    monkeypatch.setenv("FILMKLYNGE_NOW", "2026-01-10T09:30:00+00:00")
    db = _open(db_path)
    try:
        plan = invoicing.plan_run(db, year=2026, period="year", issued_on=date(2026, 1, 10))
        created = invoicing.apply_run(db, plan)
    finally:
        db.close()
    # Festivalen (large): 5 000 E + 10 000 S + 2 500 VAT = 17 500,00;
    # Juni Film (7/12 of small): 1 166,67 + 1 750,00 + 437,50 = 3 354,17;
    # Polarlys (small): 2 000 + 3 000 + 750 = 5 750,00. KIDs: member, number, Luhn digit.
    assert created == [
        {"id": 1, "number": 10001, "member_id": 3, "member": "Festivalen",
         "kid": "0003100013", "total_ore": 1_750_000},
        {"id": 2, "number": 10002, "member_id": 2, "member": "Juni Film AS",
         "kid": "0002100022", "total_ore": 335_417},
        {"id": 3, "number": 10003, "member_id": 1, "member": "Polarlys Film AS",
         "kid": "0001100031", "total_ore": 575_000},
    ]  # fmt: skip
    assert _audit(db_path, "invoice") == [
        ("issue", "invoice", 1, None,
         {"number": 10001, "member_id": 3, "period": "2026", "kid": "0003100013",
          "total_ore": 1_750_000}),
        ("issue", "invoice", 2, None,
         {"number": 10002, "member_id": 2, "period": "2026", "kid": "0002100022",
          "total_ore": 335_417}),
        ("issue", "invoice", 3, None,
         {"number": 10003, "member_id": 1, "period": "2026", "kid": "0001100031",
          "total_ore": 575_000}),
    ]  # fmt: skip
    stamps = rows(db_path, "SELECT created_at FROM invoices ORDER BY id")
    assert [s["created_at"] for s in stamps] == ["2026-01-10T09:30:00+00:00"] * 3


def test_plan_rows_are_one_row_per_invoice(billed, db_path):
    db = _open(db_path)
    try:
        plan = invoicing.plan_run(db, year=2026, period="year", issued_on=date(2026, 1, 10))
    finally:
        db.close()
    assert plan.rows() == [
        {"member_id": 3, "member": "Festivalen",
         "lines": "Medlemskontingent 2026; Serviceavgift 2026",
         "net_ore": 1_500_000, "vat_ore": 250_000, "total_ore": 1_750_000},
        {"member_id": 2, "member": "Juni Film AS",
         "lines": "7/12 av årskontingent 2026; 7/12 av årlig serviceavgift 2026",
         "net_ore": 291_667, "vat_ore": 43_750, "total_ore": 335_417},
        {"member_id": 1, "member": "Polarlys Film AS",
         "lines": "Medlemskontingent 2026; Serviceavgift 2026",
         "net_ore": 500_000, "vat_ore": 75_000, "total_ore": 575_000},
    ]  # fmt: skip
    assert plan.period == "year"


# ---- credit notes ------------------------------------------------------------------------


def test_a_credit_note_is_audited_with_what_it_credits(invoiced, db_path):
    run, _ = invoiced
    run("invoices", "credit", "10003", "--line", "2", "--reason", "Feil nivå",
        "--issued-on", "2026-02-01")  # fmt: skip
    note = _invoice(db_path, 10004)
    # Line 2 of 10003 in full: service 3 000,00 + 750,00 VAT.
    assert _audit(db_path, "credit_note") == [
        ("issue", "credit_note", note["id"], None,
         {"number": 10004, "credits": 10003, "total_ore": -375_000, "reason": "Feil nivå"}),
    ]  # fmt: skip
    assert _lines(db_path, 10004) == [(2, "Serviceavgift 2026", -300_000, "S", -75_000)]


def test_crediting_exactly_the_whole_invoice_by_amount(invoiced, db_path):
    run, _ = invoiced
    # 5 750,00 is all that is left: allowed, and split 2 000,00 : 3 750,00 by the lines.
    run("invoices", "credit", "10003", "--amount", "5 750", "--issued-on", "2026-02-01")
    assert _invoice(db_path, 10004)["total_ore"] == -575_000
    assert _lines(db_path, 10004) == [
        (1, "Medlemskontingent 2026", -200_000, "E", 0),
        (2, "Serviceavgift 2026", -300_000, "S", -75_000),
    ]


def test_credit_by_amount_splits_by_what_is_left_of_each_line(invoiced, db_path):
    run, _ = invoiced
    # 1 000,00 over gross 2 000,00 : 3 750,00 (of 5 750,00), largest remainder:
    # 100 000 × 200 000 / 575 000 = 34 782,6..; × 375 000 / 575 000 = 65 217,3..;
    # floors 34 782 + 65 217 = 99 999, the spare øre to line 1 (,6 > ,3): 34 783 and 65 217.
    # Line 2 net 65 217 / 1,25 = 52 173,6 -> 52 174, VAT 65 217 − 52 174 = 13 043.
    run("invoices", "credit", "10003", "--amount", "1 000", "--issued-on", "2026-02-01")
    assert _lines(db_path, 10004) == [
        (1, "Medlemskontingent 2026", -34_783, "E", 0),
        (2, "Serviceavgift 2026", -52_174, "S", -13_043),
    ]
    # One øre: 1 × 200 000 / 575 000 = 0,35; × 375 000 / 575 000 = 0,65: line 2 gets it,
    # line 1 nothing (and is left off the note): net 1 / 1,25 = 0,8 -> 1, VAT 0.
    run("invoices", "credit", "10003", "--amount", "0,01", "--issued-on", "2026-02-01")
    assert _lines(db_path, 10005) == [(2, "Serviceavgift 2026", -1, "S", 0)]
    assert _invoice(db_path, 10005)["total_ore"] == -1


def test_a_credit_of_nothing_is_refused(invoiced, db_path):
    db = _open(db_path)
    try:
        for amount in (0, -1):
            with pytest.raises(InvalidInput) as e:
                invoicing.plan_credit(db, 10003, amount_ore=amount, issued_on=date(2026, 2, 1))
            assert str(e.value) == "A credit amount must be more than 0."
        # One øre is something.
        assert invoicing.plan_credit(
            db, 10003, amount_ore=1, issued_on=date(2026, 2, 1)
        ).rows() == [
            {"line_no": 2, "description": "Serviceavgift 2026", "net_ore": -1,
             "vat_code": "S", "vat_ore": 0},
        ]  # fmt: skip
    finally:
        db.close()


def test_a_credited_line_is_not_credited_again(invoiced, db_path):
    run, _ = invoiced
    run("invoices", "credit", "10003", "--line", "2", "--issued-on", "2026-02-01")
    r = run("invoices", "credit", "10003", "--line", "2", "--issued-on", "2026-02-01", code=2)
    assert r.stderr == "Error: Line 2 of invoice 10003 is already credited.\n"
    # The rest of the invoice: line 1 only, not a line 2 of nothing.
    run("invoices", "credit", "10003", "--issued-on", "2026-02-01")
    assert _lines(db_path, 10005) == [(1, "Medlemskontingent 2026", -200_000, "E", 0)]
    r = run("invoices", "credit", "10003", "--issued-on", "2026-02-01", code=2)
    assert r.stderr == "Error: Invoice 10003 is already fully credited.\n"
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 5


def test_credit_plan_rows_are_the_note_as_it_will_be_issued(invoiced, db_path):
    db = _open(db_path)
    try:
        plan = invoicing.plan_credit(db, 10003, line_nos=[2], issued_on=date(2026, 2, 1))
        assert plan.number == 10004
        assert plan.rows() == [
            {"line_no": 2, "description": "Serviceavgift 2026", "net_ore": -300_000,
             "vat_code": "S", "vat_ore": -75_000},
        ]  # fmt: skip
        assert (plan.net_ore, plan.vat_ore, plan.total_ore) == (-300_000, -75_000, -375_000)
        whole = invoicing.plan_credit(db, 10003, issued_on=date(2026, 2, 1))
        assert whole.rows() == [
            {"line_no": 1, "description": "Medlemskontingent 2026", "net_ore": -200_000,
             "vat_code": "E", "vat_ore": 0},
            {"line_no": 2, "description": "Serviceavgift 2026", "net_ore": -300_000,
             "vat_code": "S", "vat_ore": -75_000},
        ]  # fmt: skip
    finally:
        db.close()
    r = invoiced[0]("invoices", "credit", "10003", "--line", "2", "--dry-run")
    assert r.stderr.splitlines()[-1] == (
        "Would issue credit note 10004 for kr -3 750,00 crediting invoice 10003. "
        "Dry run: nothing was written."
    )


# ---- status and listing ------------------------------------------------------------------


def _status(run_json, number, as_of):
    (row,) = [
        r
        for r in run_json("invoices", "list", "--as-of", as_of, env=TODAY)
        if r["number"] == number
    ]
    return row["status"]


def test_status_at_each_boundary(invoiced, run_json):
    run, _ = invoiced
    # One øre left after a credit: still owed (open before its due date).
    run("invoices", "credit", "10003", "--amount", "5 749,99", "--issued-on", "2026-01-15")
    assert _status(run_json, 10003, "2026-01-20") == "open"
    assert _status(run_json, 10004, "2026-01-20") == "credit note"
    # One øre paid: partly paid.
    run("payments", "add", "--invoice", "10001", "--amount", "0,01", "--on", "2026-01-15")
    assert _status(run_json, 10001, "2026-01-20") == "partly paid"
    assert _status(run_json, 10002, "2026-01-20") == "open"


def test_a_reminder_fee_is_owed_like_the_invoice(invoiced, run_json, db_path):
    run, _ = invoiced
    run("profile", "set", "--reminder-fee", "35", "--reminder-fee-cap", "35")
    run("invoices", "remind", "--invoice", "10002", "--as-of", "2026-02-23", "--yes")
    assert rows(db_path, "SELECT fee_ore FROM reminders")[0]["fee_ore"] == 3_500
    # 3 354,17 paid, the 35,00 fee not: the invoice is not paid.
    run("payments", "add", "--invoice", "10002", "--amount", "3 354,17", "--on", "2026-02-24")
    assert _status(run_json, 10002, "2026-03-01") == "overdue"
    shown = run_json("invoices", "show", "10002", "--as-of", "2026-03-01", env=TODAY)
    assert (shown["paid_ore"], shown["outstanding_ore"]) == (335_417, 3_500)


def test_list_by_status_reads_hyphens_and_underscores(invoiced, run_json):
    run, _ = invoiced
    run("invoices", "credit", "10003", "--line", "2", "--issued-on", "2026-02-01")
    for spelt in ("credit note", "credit-note", "Credit_Note"):
        listed = run_json("invoices", "list", "--status", spelt, env=TODAY)
        assert [(r["number"], r["status"]) for r in listed] == [(10004, "credit note")]
    listed = run_json("invoices", "list", "--status", "partly_paid", env=TODAY)
    assert listed == []


def test_list_by_period(billed, run_json):
    billed("invoices", "run", "--year", "2026", "--period", "h1", "--issued-on", "2026-01-10",
           "--yes", env=TODAY)  # fmt: skip

    def numbers(*args):
        return [r["number"] for r in run_json("invoices", "list", *args, env=TODAY)]

    assert numbers("--period", "2026-h1") == [10001, 10002, 10003]
    assert numbers("--period", "2026-H1") == [10001, 10002, 10003]
    assert numbers("--period", "2026") == []
    assert numbers("--period", "2026-H2") == []
    assert numbers("--year", "2026") == [10001, 10002, 10003]
    assert numbers("--year", "2025") == []


def test_show_json_of_an_invoice(invoiced, run_json):
    shown = run_json("invoices", "show", "10003", env=TODAY)
    assert shown["credits_invoice"] is None
    assert shown["vat_by_code"] == [
        {"vat_code": "E", "vat_rate_bp": 0, "net_ore": 200_000, "vat_ore": 0},
        {"vat_code": "S", "vat_rate_bp": 2500, "net_ore": 300_000, "vat_ore": 75_000},
    ]
    invoiced[0]("invoices", "credit", "10003", "--line", "2", "--issued-on", "2026-02-01")
    note = run_json("invoices", "show", "10004", env=TODAY)
    assert note["credits_invoice"] == 10003
    assert note["vat_by_code"] == [
        {"vat_code": "S", "vat_rate_bp": 2500, "net_ore": -300_000, "vat_ore": -75_000},
    ]


# ---- a leaver's unused months --------------------------------------------------------------


def _unused(db_path, member_id, left_on, months=None):
    db = _open(db_path)
    try:
        return invoicing.plan_unused_credit(db, member_id, left_on=left_on, months=months)
    finally:
        db.close()


def test_unused_months_plan_as_json(invoiced, db_path):
    # Polarlys leaves 31.07.2026: August–December (5 months) of 10003 are unused.
    # membership 2 000,00 − 2 000,00 × 7/12 (1 166,67) = 833,33
    # service 3 000,00 − 3 000,00 × 7/12 (1 750,00) = 1 250,00; VAT 750,00 − 437,50 = 312,50
    (plan,) = _unused(db_path, 1, date(2026, 7, 31))
    assert plan.to_json() == {
        "invoice_number": 10003, "member_id": 1, "member": "Polarlys Film AS",
        "unused_from": "2026-08-01", "unused_to": "2026-12-31", "months": 5, "unused_months": 5,
        "lines": [
            {"line_no": 1, "fee_part": "membership", "months": 5, "months_of": 12,
             "full_ore": 200_000, "net_ore": 83_333, "vat_ore": 0},
            {"line_no": 2, "fee_part": "service", "months": 5, "months_of": 12,
             "full_ore": 300_000, "net_ore": 125_000, "vat_ore": 31_250},
        ],
        "total_ore": 239_583,
    }  # fmt: skip


def test_unused_months_one_month_and_the_bounds(invoiced, db_path):
    # --months 1: December only. membership 2 000,00 − 2 000,00 × 11/12 (1 833,33) = 166,67;
    # service 3 000,00 − 2 750,00 = 250,00; VAT 750,00 − 25 % of 2 750,00 (687,50) = 62,50.
    (plan,) = _unused(db_path, 1, date(2026, 7, 31), months=1)
    assert (plan.unused_from, plan.unused_to, plan.months, plan.unused_months) == (
        "2026-12-01", "2026-12-31", 1, 5,
    )  # fmt: skip
    assert [(ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [(16_667, 0), (25_000, 6_250)]
    assert plan.total_ore == 47_917
    with pytest.raises(InvalidInput) as e:
        _unused(db_path, 1, date(2026, 7, 31), months=0)
    assert str(e.value) == "The months to credit must be 1 or more."
    with pytest.raises(InvalidInput) as e:
        _unused(db_path, 1, date(2026, 7, 31), months=6)
    assert str(e.value) == (
        "Invoice 10003 has 5 unused whole months (01.08.2026–31.12.2026); 6 is more than that."
    )


def test_unused_months_of_a_part_year_invoice(invoiced, db_path):
    # 10002: Juni Film billed June–December (7 of 12 months) from full amounts 2 000,00 and
    # 3 000,00. Leaving 30.09.2026 keeps June–September (4), October–December (3) unused:
    # membership 1 166,67 − 2 000,00 × 4/12 (666,67) = 500,00
    # service 1 750,00 − 3 000,00 × 4/12 (1 000,00) = 750,00; VAT 437,50 − 250,00 = 187,50
    (plan,) = _unused(db_path, 2, date(2026, 9, 30))
    assert (plan.unused_from, plan.unused_to, plan.months) == ("2026-10-01", "2026-12-31", 3)
    assert [(ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [(50_000, 0), (75_000, 18_750)]
    assert plan.total_ore == 143_750


def test_unused_months_all_of_the_year_and_none_of_it(invoiced, db_path):
    # Left 31.12.2025, before the year 10003 bills: all 12 months, every line in full.
    (plan,) = _unused(db_path, 1, date(2025, 12, 31))
    assert (plan.unused_from, plan.unused_to, plan.months) == ("2026-01-01", "2026-12-31", 12)
    assert [(ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [
        (200_000, 0),
        (300_000, 75_000),
    ]
    assert plan.total_ore == 575_000
    # Leaving in December keeps December: nothing unused.
    assert _unused(db_path, 1, date(2026, 12, 15)) == []
    assert _unused(db_path, 1, date(2026, 12, 31)) == []


def test_unused_months_cannot_credit_a_line_credited_already(invoiced, db_path):
    run, _ = invoiced
    run("invoices", "credit", "10003", "--line", "1", "--issued-on", "2026-02-01")
    with pytest.raises(InvalidInput) as e:
        _unused(db_path, 1, date(2026, 7, 31))
    assert str(e.value) == (
        "Invoice 10003 line 1 has only kr 0,00 left to credit; the unused months are "
        "kr 833,33. Credit it with 'filmklynge invoices credit 10003 --amount ...'."
    )


def test_unused_months_of_the_second_half_year(billed, db_path):
    for half, on in (("h1", "2026-01-10"), ("h2", "2026-07-01")):
        billed("invoices", "run", "--year", "2026", "--period", half, "--issued-on", on,
               "--yes", env=TODAY)  # fmt: skip
    # Polarlys: 10003 (H1) is used up by leaving 31.08.2026; 10006 (H2) bills July–December
    # from full amounts 1 000,00 and 1 500,00 (6/12 of the year). September–December (4 of 6)
    # are unused, July–August (2) kept:
    # membership 1 000,00 − 1 000,00 × 2/6 (333,33) = 666,67
    # service 1 500,00 − 1 500,00 × 2/6 (500,00) = 1 000,00; VAT 375,00 − 125,00 = 250,00
    (plan,) = _unused(db_path, 1, date(2026, 8, 31))
    assert (plan.invoice_number, plan.unused_from, plan.unused_to) == (
        10006, "2026-09-01", "2026-12-31",
    )  # fmt: skip
    assert [(ln["months"], ln["months_of"], ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [
        (4, 6, 66_667, 0),
        (4, 6, 100_000, 25_000),
    ]
    assert plan.total_ore == 191_667


def test_resign_credit_note_text_audit_and_lines(invoiced, db_path):
    run, _ = invoiced
    run("members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", "--yes",
        "--issued-on", "2026-03-01")  # fmt: skip
    note = _invoice(db_path, 10004)
    text = "Ubrukte måneder 01.08.2026–31.12.2026 kreditert: medlemmet har meldt seg ut."
    assert (note["kind"], note["note"], note["language"], note["kid"]) == (
        "credit", text, "nb", None,
    )  # fmt: skip
    assert (note["issued_on"], note["due_on"]) == ("2026-03-01", "2026-03-01")
    assert _audit(db_path, "credit_note") == [
        ("issue", "credit_note", note["id"], None,
         {"number": 10004, "credits": 10003, "total_ore": -239_583, "reason": text,
          "unused_months": 5}),
    ]  # fmt: skip


def test_resign_credit_note_in_english(billed, db_path):
    billed("members", "edit", "Polarlys", "--language", "en")
    run_year(billed, "--yes")
    billed("members", "resign", "Polarlys", "--on", "2026-07-31", "--credit-unused", "--yes",
           "--issued-on", "2026-03-01", env=TODAY)  # fmt: skip
    note = _invoice(db_path, 10004)
    assert note["language"] == "en"
    assert note["note"] == "Unused months 01.08.2026–31.12.2026 credited: the member has left."
    assert _lines(db_path, 10004) == [
        (1, "5/12 of annual fee 2026", -83_333, "E", 0),
        (2, "5/12 of annual service fee 2026", -125_000, "S", -31_250),
    ]


def _tier(run, code, membership, service, *, year=2026):
    run("tiers", "add", code, "--name", code)
    run("tiers", "set-fee", code, "--year", year, "--membership", membership,
        "--service", service)  # fmt: skip


def _member(run, name, orgnr, tier, joined="2025-01-01", *extra, env=None):
    return run(
        "members", "add", "--name", name, "--orgnr", orgnr, "--county", "Troms", "--tier", tier,
        "--joined", joined, "--no-input", *extra, env=env,
    )  # fmt: skip


def test_unused_months_that_round_to_nothing_are_left_off(cluster, db_path):
    # Membership 0,05 (E) and service 3 000,00 (S): line 1 bills 5 øre for the year.
    _tier(cluster, "tiny", "0,05", "3 000")
    _member(cluster, "Liten Film AS", VALID[0], "tiny")
    run_year(cluster, "--yes")
    assert _lines(db_path, 10001) == [
        (1, "Medlemskontingent 2026", 5, "E", 0),
        (2, "Serviceavgift 2026", 300_000, "S", 75_000),
    ]
    # Leaving 30.11.2026, December unused: membership 5 − 5 × 11/12 (4,58 -> 5) = 0, left off;
    # service 3 000,00 − 2 750,00 = 250,00, VAT 750,00 − 687,50 = 62,50.
    (plan,) = _unused(db_path, 1, date(2026, 11, 30))
    assert [(ln["line_no"], ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [
        (2, 25_000, 6_250)
    ]
    # Leaving 31.10.2026: membership 5 − 5 × 10/12 (4,17 -> 4) = 1 øre, credited.
    (plan,) = _unused(db_path, 1, date(2026, 10, 31))
    assert [(ln["line_no"], ln["net_ore"], ln["vat_ore"]) for ln in plan.lines] == [
        (1, 1, 0),
        (2, 50_000, 12_500),
    ]


def test_the_last_ore_of_a_line_may_be_vat_only(cluster, db_path):
    # Three members on a service-only tier: one line each, 3 000,00 + 750,00 VAT.
    _tier(cluster, "svc", "0", "3 000")
    for name, orgnr in (("Alfa AS", VALID[0]), ("Beta AS", VALID[1]), ("Gamma AS", VALID[2])):
        _member(cluster, name, orgnr, "svc")
    run_year(cluster, "--yes")
    assert _lines(db_path, 10001) == [(1, "Serviceavgift 2026", 300_000, "S", 75_000)]
    for number in (10001, 10002, 10003):
        # 0,02: net 2 / 1,25 = 1,6 -> 2, VAT 0. 3 749,97: net 299 997,6 -> 299 998,
        # VAT 74 999. Left of the line: net 300 000 − 2 − 299 998 = 0, VAT 1 øre.
        for amount in ("0,02", "3 749,97"):
            cluster("invoices", "credit", number, "--amount", amount, "--issued-on", "2026-02-01")
    cluster("invoices", "credit", "10001", "--line", "1", "--issued-on", "2026-02-01")
    cluster("invoices", "credit", "10002", "--issued-on", "2026-02-01")
    cluster("invoices", "credit", "10003", "--amount", "0,01", "--issued-on", "2026-02-01")
    # Each invoice's last øre is credited as what it is: VAT.
    for note in (10010, 10011, 10012):
        assert _lines(db_path, note) == [(1, "Serviceavgift 2026", 0, "S", -1)]
    for number in (10001, 10002, 10003):
        credited = rows(
            db_path,
            "SELECT sum(l.net_ore) AS net, sum(l.vat_ore) AS vat FROM invoice_lines l "
            "JOIN invoices c ON c.id = l.invoice_id WHERE c.credits_invoice_id = "
            "(SELECT id FROM invoices WHERE number = ?)",
            number,
        )[0]
        assert (credited["net"], credited["vat"]) == (-300_000, -75_000)


def test_vat_is_never_credited_beyond_what_is_left_of_a_line(cluster, db_path):
    _tier(cluster, "svc", "0", "3 000")
    _member(cluster, "Alfa AS", VALID[0], "svc")
    run_year(cluster, "--yes")
    # 3 749,93: net 299 994,4 -> 299 994, VAT 74 999; left net 6, VAT 1.
    # 0,03: net 2,4 -> 2, VAT 1; left net 4, VAT 0.
    # 0,04 (the rest): net 3,2 -> 3 would leave VAT 1 to credit with none left: net 4, VAT 0.
    for amount in ("3 749,93", "0,03", "0,04"):
        cluster("invoices", "credit", "10001", "--amount", amount, "--issued-on", "2026-02-01")
    assert _lines(db_path, 10002) == [(1, "Serviceavgift 2026", -299_994, "S", -74_999)]
    assert _lines(db_path, 10003) == [(1, "Serviceavgift 2026", -2, "S", -1)]
    assert _lines(db_path, 10004) == [(1, "Serviceavgift 2026", -4, "S", 0)]


# ---- planning a run: who, in which language, to which address ------------------------------


@pytest.fixture
def mixed(billed):
    """billed, with Polarlys in English, a German member joining 10.08.2026 (English, as it
    is abroad) and a Norwegian one joining 01.09.2026."""
    billed("members", "edit", "Polarlys", "--language", "en")
    billed(
        "members", "add", "--name", "Nordlicht Film GmbH", "--country", "DE",
        "--vat-id", "DE123456789", "--address", "Hafenstraße 1", "--postal-code", "20457",
        "--city", "Hamburg", "--tier", "small", "--joined", "2026-08-10", "--no-input",
    )  # fmt: skip
    _member(billed, "Ny Film AS", VALID[4], "small", "2026-09-01", "--address", "Sjøgata 3",
            "--postal-code", "9008", "--city", "Tromsø")  # fmt: skip
    return billed


def _plan(run, *args):
    r = run("invoices", "run", "--year", "2026", *args, "--dry-run", "--format", "json", env=TODAY)
    return json.loads(r.stdout)


def test_a_half_year_plan_in_each_language(mixed):
    plan = _plan(mixed, "--period", "h2", "--issued-on", "2026-07-01")
    got = [
        (p["member_name"], p["language"], p["billed_from"], p["billed_to"],
         [(ln["description"], ln["net_ore"], ln["vat_ore"]) for ln in p["lines"]])
        for p in plan["invoices"]
    ]  # fmt: skip
    # Half a year of large (5 000 + 10 000) and small (2 000 + 3 000); 5 and 4 of 6 months
    # for the joiners: 2 000 × 5/12 = 833,33, 3 000 × 5/12 = 1 250,00; × 4/12 = 666,67, 1 000.
    assert got == [
        ("Festivalen", "nb", "2026-07-01", "2026-12-31",
         [("Medlemskontingent 2. halvår 2026", 250_000, 0),
          ("Serviceavgift 2. halvår 2026", 500_000, 125_000)]),
        ("Juni Film AS", "nb", "2026-07-01", "2026-12-31",
         [("Medlemskontingent 2. halvår 2026", 100_000, 0),
          ("Serviceavgift 2. halvår 2026", 150_000, 37_500)]),
        ("Nordlicht Film GmbH", "en", "2026-08-01", "2026-12-31",
         [("5/6 of membership fee second half 2026", 83_333, 0),
          ("5/6 of service fee second half 2026", 125_000, 31_250)]),
        ("Ny Film AS", "nb", "2026-09-01", "2026-12-31",
         [("4/6 av kontingent 2. halvår 2026", 66_667, 0),
          ("4/6 av serviceavgift 2. halvår 2026", 100_000, 25_000)]),
        ("Polarlys Film AS", "en", "2026-07-01", "2026-12-31",
         [("Membership fee second half 2026", 100_000, 0),
          ("Service fee second half 2026", 150_000, 37_500)]),
    ]  # fmt: skip
    by_name = {p["member_name"]: p for p in plan["invoices"]}
    nordlicht = by_name["Nordlicht Film GmbH"]
    assert nordlicht["buyer_address"] == "Hafenstraße 1\n20457 Hamburg\nGermany"
    assert nordlicht["buyer_vat_id"] == "DE123456789"
    assert by_name["Ny Film AS"]["buyer_address"] == "Sjøgata 3\n9008 Tromsø"
    assert by_name["Ny Film AS"]["buyer_vat_id"] is None


def test_a_year_plan_in_each_language(mixed):
    plan = _plan(mixed, "--issued-on", "2026-01-10")
    got = {p["member_name"]: [ln["description"] for ln in p["lines"]] for p in plan["invoices"]}
    assert got == {
        "Festivalen": ["Medlemskontingent 2026", "Serviceavgift 2026"],
        "Juni Film AS": ["7/12 av årskontingent 2026", "7/12 av årlig serviceavgift 2026"],
        "Nordlicht Film GmbH": ["5/12 of annual fee 2026", "5/12 of annual service fee 2026"],
        "Ny Film AS": ["4/12 av årskontingent 2026", "4/12 av årlig serviceavgift 2026"],
        "Polarlys Film AS": ["Membership fee 2026", "Service fee 2026"],
    }


def test_a_run_skips_members_without_a_tier_or_a_fee_and_bills_the_rest(cluster):
    _tier(cluster, "svc", "0", "3 000")  # service only
    _tier(cluster, "free", "0", "0")  # nothing to pay
    for name, orgnr in (("Aaa Uten Nivå AS", VALID[3]), ("Aac Uten Nivå AS", VALID[5])):
        cluster("members", "add", "--name", name, "--orgnr", orgnr, "--county", "Troms",
                "--joined", "2025-01-01", "--no-input")  # fmt: skip
    _member(cluster, "Aab Gratis AS", VALID[1], "free")
    _member(cluster, "Alfa AS", VALID[2], "svc")
    _member(cluster, "Polarlys Film AS", VALID[0], "small")
    r = run_year(cluster, "--yes", code=2)
    assert r.stderr == (
        "Error: 2 members have no tier (1: Aaa Uten Nivå AS, 2: Aac Uten Nivå AS). Give them "
        "one with 'filmklynge members edit ID --tier CODE', or add --skip-untiered.\n"
    )
    plan = json.loads(run_year(cluster, "--skip-untiered", "--dry-run", "--format", "json").stdout)
    assert plan["skipped_untiered"] == ["Aaa Uten Nivå AS", "Aac Uten Nivå AS"]
    assert [
        (p["member_name"], [(ln["fee_part"], ln["net_ore"]) for ln in p["lines"]])
        for p in plan["invoices"]
    ] == [
        ("Alfa AS", [("service", 300_000)]),
        ("Polarlys Film AS", [("membership", 200_000), ("service", 300_000)]),
    ]


# ---- a new member invoiced at enrolment --------------------------------------------------


@pytest.mark.parametrize(
    ("period", "joined", "number", "key", "description"),
    [
        # Billed by halves, Juni Film (joining 15.06) had an H1 invoice; by quarters, not Q1.
        ("h1", "2026-07-01", 10004, "2026-H2", "Medlemskontingent 2. halvår 2026"),
        ("q1", "2026-04-01", 10003, "2026-Q2", "Medlemskontingent 2. kvartal 2026"),
        ("q1", "2026-01-20", 10003, "2026-Q1", "Medlemskontingent 1. kvartal 2026"),
    ],
)
def test_a_member_joining_on_the_first_day_of_a_half_or_quarter(
    billed, run_json, period, joined, number, key, description
):
    billed("invoices", "run", "--year", "2026", "--period", period, "--issued-on",
           "2026-01-10", "--yes", env=TODAY)  # fmt: skip
    on = {"FILMKLYNGE_TODAY": joined}
    r = _member(billed, "Ny Film AS", VALID[4], "small", joined, "--invoice", env=on)
    assert f"Invoice {number} " in r.stderr
    shown = run_json("invoices", "show", number, env=on)
    assert (shown["buyer_name"], shown["period"]) == ("Ny Film AS", key)
    assert shown["lines"][0]["description"] == description


def test_a_new_member_with_nothing_to_pay_gets_no_invoice(billed, db_path):
    _tier(billed, "free", "0", "0")
    r = _member(billed, "Gratis AS", VALID[4], "free", "2026-03-01", "--invoice", env=TODAY)
    assert r.stderr.splitlines()[-1] == "Nothing to invoice (no tier or no fee for the period)."
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0


# ---- db check ------------------------------------------------------------------------------


def _tamper(db_path, *sql):
    conn = sqlite3.connect(db_path)
    for trigger in ("invoices_immutable_update", "invoices_immutable_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _invoice_problems(run):
    r = run("db", "check", "--format", "json", code=5, env=TODAY)
    return [p["message"] for p in json.loads(r.stdout)["problems"] if p["kind"] == "invoice"]


def test_db_check_names_the_missing_invoice_numbers(billed, db_path):
    run_year(billed, "--yes")
    # The profile says the series starts at 10000; 10003 was renumbered 10009.
    _tamper(
        db_path,
        "UPDATE profile SET first_invoice_no = 10000",
        "UPDATE invoices SET number = 10009 WHERE number = 10003",
    )
    assert _invoice_problems(billed) == [
        "invoice numbers jump from 9999 to 10001 (missing 10000–10000)",
        "invoice numbers jump from 10002 to 10009 (missing 10003–10008)",
    ]


def test_db_check_finds_an_invoice_credited_twice(invoiced, db_path):
    run, _ = invoiced
    run("invoices", "credit", "10003", "--issued-on", "2026-02-01")
    columns = (
        "kind, member_id, credits_invoice_id, period, period_start_on, period_end_on, "
        "issued_on, due_on, kid, currency, language, buyer_name, buyer_orgnr, buyer_vat_id, "
        "buyer_address, net_ore, vat_ore, total_ore, note, created_at"
    )
    line_columns = (
        "line_no, fee_part, description, months, months_of, full_ore, net_ore, vat_code, "
        "vat_rate_bp, vat_ore, vat_text"
    )
    _tamper(  # a copy of the credit note 10004 as 10005: 10003 is credited twice
        db_path,
        f"INSERT INTO invoices (number, {columns}) SELECT 10005, {columns} FROM invoices "
        "WHERE number = 10004",
        f"INSERT INTO invoice_lines (invoice_id, {line_columns}) SELECT "
        f"(SELECT id FROM invoices WHERE number = 10005), {line_columns} FROM invoice_lines "
        "WHERE invoice_id = (SELECT id FROM invoices WHERE number = 10004)",
    )
    assert _invoice_problems(run) == ["invoice 10003 is credited for more than its total"]


def test_check_invoices_without_a_profile_counts_from_the_first_number(invoiced, db_path):
    _tamper(db_path, "DELETE FROM profile")
    db = _open(db_path)
    try:
        assert invoicing.check_invoices(db) == []
    finally:
        db.close()
