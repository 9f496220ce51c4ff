"""Invoice runs, numbering, KID, VAT, credit notes, status and reminders through the CLI."""

import sqlite3

import pytest
from helpers import VALID, rows, run_year

from filmklynge import kid


def test_run_plans_then_writes_once(billed, run_json, db_path):
    r = run_year(billed, "--dry-run", "--format", "json")
    import json

    plan = json.loads(r.stdout)
    assert [p["member_name"] for p in plan["invoices"]] == [
        "Festivalen",
        "Juni Film AS",
        "Polarlys Film AS",
    ]
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0
    run_year(billed, "--yes")
    invoices = rows(db_path, "SELECT * FROM invoices ORDER BY number")
    assert [i["number"] for i in invoices] == [10001, 10002, 10003]
    # member number (4 digits), invoice number (5 digits), Luhn check digit
    assert [i["kid"] for i in invoices] == ["0003100013", "0002100022", "0001100031"]
    assert all(kid.is_valid(i["kid"]) for i in invoices)
    assert {i["buyer_name"] for i in invoices} == {
        "Festivalen",
        "Juni Film AS",
        "Polarlys Film AS",
    }  # not Sluttet AS
    assert invoices[0]["due_on"] == "2026-01-24"
    again = run_year(billed, "--yes")
    assert "already invoiced" in again.stderr
    assert len(rows(db_path, "SELECT id FROM invoices")) == 3


def test_pro_rata_vat_and_exemption_text(billed, db_path):
    run_year(billed, "--yes")
    juni = rows(
        db_path,
        "SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        "WHERE i.buyer_name = 'Juni Film AS' ORDER BY line_no",
    )
    assert [line["description"] for line in juni] == [
        "7/12 av årskontingent 2026",
        "7/12 av årlig serviceavgift 2026",
    ]
    assert [line["net_ore"] for line in juni] == [116_667, 175_000]  # 2000*7/12, 3000*7/12
    assert [line["vat_ore"] for line in juni] == [0, 43_750]
    assert "§ 3-13" in juni[0]["vat_text"] and juni[1]["vat_text"] is None
    full = rows(db_path, "SELECT * FROM invoices WHERE buyer_name = 'Polarlys Film AS'")[0]
    assert (full["net_ore"], full["vat_ore"], full["total_ore"]) == (500_000, 75_000, 575_000)


def test_untiered_and_missing_fees_are_refused(billed, db_path):
    billed(
        "members",
        "add",
        "--name",
        "Uten Nivå AS",
        "--orgnr",
        VALID[4],
        "--county",
        "Troms",
        "--joined",
        "2026-01-01",
        "--no-input",
    )
    r = run_year(billed, "--yes", code=2)
    assert "have no tier" in r.stderr and "Uten Nivå AS" in r.stderr
    r = billed("invoices", "run", "--year", "2027", "--yes", "--skip-untiered", code=2)
    assert "No fee for 2027" in r.stderr and "small" in r.stderr and "large" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0
    run_year(billed, "--yes", "--skip-untiered")
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 3
    assert (
        "Unknown period"
        in billed("invoices", "run", "--year", "2026", "--period", "h3", code=2).stderr
    )


def test_no_terminal_requires_yes(billed, db_path):
    r = run_year(billed, code=2)
    assert "--yes" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0


def test_half_year_runs(billed, db_path):
    billed(
        "invoices", "run", "--year", "2026", "--period", "h2", "--issued-on", "2026-07-01", "--yes"
    )
    juni = rows(db_path, "SELECT * FROM invoices WHERE buyer_name = 'Juni Film AS'")[0]
    assert juni["period"] == "2026-H2"
    line = rows(
        db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ? AND line_no = 1", juni["id"]
    )[0]
    assert line["description"] == "Medlemskontingent 2. halvår 2026"
    assert line["net_ore"] == 100_000


def test_credit_notes(billed, run_json, db_path):
    run_year(billed, "--yes")
    r = billed("invoices", "credit", "10003", "--amount", "1 000", "--issued-on", "2026-02-01")
    assert "Credit note 10004" in r.stderr
    note = rows(db_path, "SELECT * FROM invoices WHERE number = 10004")[0]
    assert note["kind"] == "credit" and note["kid"] is None and note["total_ore"] == -100_000
    lines = rows(db_path, "SELECT * FROM invoice_lines WHERE invoice_id = ?", note["id"])
    assert sum(ln["net_ore"] + ln["vat_ore"] for ln in lines) == -100_000
    r = billed("invoices", "credit", "10003", "--amount", "10 000", code=2)
    assert "more than what is left" in r.stderr and "4 750,00" in r.stderr
    billed("invoices", "credit", "10003")
    shown = run_json("invoices", "show", "10003")
    assert shown["status"] == "credited" and shown["outstanding_ore"] == 0
    assert [c["number"] for c in shown["credit_notes"]] == [10004, 10005]
    assert "already fully credited" in billed("invoices", "credit", "10003", code=2).stderr
    assert "No invoice number 999" in billed("invoices", "credit", "999", code=3).stderr
    # the series stays gapless across invoices and credit notes
    run_json("invoices", "list")
    numbers = [r["number"] for r in rows(db_path, "SELECT number FROM invoices ORDER BY 1")]
    assert numbers == list(range(10001, 10006))


def test_issued_invoices_are_immutable(billed, db_path):
    run_year(billed, "--yes")
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        conn.execute("UPDATE invoices SET total_ore = 1 WHERE number = 10001")
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        conn.execute("DELETE FROM invoice_lines")
    conn.close()


def test_status_from_payments(billed, run_json, db_path):
    run_year(billed, "--yes")
    conn = sqlite3.connect(db_path)
    pid = conn.execute(
        "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
        "VALUES ('2026-01-15', 100000, 'manual', 'x')"
    ).lastrowid
    conn.execute(
        "INSERT INTO payment_allocations (payment_id, invoice_id, amount_ore, "
        "allocated_on) SELECT ?, id, 100000, '2026-01-15' FROM invoices "
        "WHERE number = 10003",
        [pid],
    )
    conn.commit()
    conn.close()

    def by_no(when):
        return {r["number"]: r["status"] for r in run_json("invoices", "list", "--as-of", when)}

    assert by_no("2026-01-20") == {10001: "open", 10002: "open", 10003: "partly paid"}
    assert by_no("2026-02-01")[10003] == "overdue"
    assert [
        r["number"] for r in run_json("invoices", "list", "--overdue", "--as-of", "2026-02-01")
    ] == [10001, 10002, 10003]
    shown = run_json("invoices", "show", "10003", "--as-of", "2026-01-20")
    assert shown["paid_ore"] == 100_000 and shown["outstanding_ore"] == 475_000
    assert shown["payments"][0]["amount_ore"] == 100_000


def test_member_number_that_does_not_fit_the_kid(billed, db_path):
    billed("profile", "set", "--kid-length", "4")  # 1 digit member + 2 digit invoice number
    r = run_year(billed, "--yes", code=2)
    assert "do not fit in a KID of 4 digits" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM invoices")[0]["n"] == 0


def test_invoice_new_member_at_enrolment(billed, run_json):
    run_year(billed, "--yes")
    r = billed(
        "members",
        "add",
        "--name",
        "Ny Film AS",
        "--orgnr",
        VALID[5],
        "--tier",
        "small",
        "--county",
        "Troms",
        "--joined",
        "2026-09-01",
        "--invoice",
        "--no-input",
        env={"FILMKLYNGE_TODAY": "2026-09-01"},
    )
    assert "Invoice 10004" in r.stderr
    shown = run_json("invoices", "show", "10004")
    assert shown["lines"][0]["description"] == "4/12 av årskontingent 2026"
    assert "already invoiced" in run_year(billed, "--yes").stderr


def test_reminders(billed, run_json, db_path):
    billed(
        "profile",
        "set",
        "--reminder-fee",
        "35",
        "--reminder-fee-cap",
        "35",
        "--reminder-after",
        "7",
        "--reminder-max-count",
        "2",
    )
    run_year(billed, "--yes")  # due 2026-01-24
    r = billed("invoices", "remind", "--as-of", "2026-01-20", "--yes")
    assert "No invoices need a reminder" in r.stderr
    r = billed("invoices", "remind", "--as-of", "2026-01-20", "--invoice", "10001", code=2)
    assert "not due until 24.01.2026" in r.stderr
    billed("invoices", "remind", "--as-of", "2026-02-01", "--yes")  # 8 days late: no fee yet
    first = rows(db_path, "SELECT * FROM reminders ORDER BY invoice_id")
    assert len(first) == 3 and {r["fee_ore"] for r in first} == {0}
    assert {r["due_on"] for r in first} == {"2026-02-15"}  # 14 days to pay
    r = billed("invoices", "remind", "--as-of", "2026-02-10", "--yes")
    assert "No invoices need a reminder" in r.stderr  # previous reminder not yet due
    billed("invoices", "remind", "--as-of", "2026-02-23", "--yes")  # 30 days late: fee
    second = rows(db_path, "SELECT * FROM reminders WHERE seq = 2")
    assert len(second) == 3 and {r["fee_ore"] for r in second} == {3500}
    assert (
        "No invoices need a reminder"
        in billed("invoices", "remind", "--as-of", "2026-04-01", "--yes").stderr
    )  # max count reached
    shown = run_json("invoices", "show", "10001")
    assert [r["seq"] for r in shown["reminders"]] == [1, 2]


def test_reminder_fee_rules_directly():
    from datetime import date

    from filmklynge.ledger.reminders import next_reminder

    profile = {
        "reminder_max_count": 3,
        "reminder_after_days": 0,
        "reminder_fee_ore": 7000,
        "reminder_fee_cap_ore": 3500,
        "reminder_max_fees": 1,
    }
    inv = {"id": 1, "number": 1, "member": "X", "due_on": "2026-01-24", "outstanding_ore": 100}
    r, _ = next_reminder(inv, [], profile, date(2026, 2, 6))  # 13 days: no fee
    assert r.fee_ore == 0
    r, _ = next_reminder(inv, [], profile, date(2026, 2, 7))  # 14 days: fee, capped
    assert r.fee_ore == 3500
    r, _ = next_reminder(
        inv, [{"due_on": "2026-02-21", "fee_ore": 3500}], profile, date(2026, 3, 1)
    )
    assert r.fee_ore == 0 and r.seq == 2  # only one reminder may carry a fee
    r, why = next_reminder({**inv, "outstanding_ore": 0}, [], profile, date(2026, 3, 1))
    assert r is None and "nothing outstanding" in why


def test_no_profile(run, db_path):
    from filmklynge.store.db import open_db

    open_db(db_path).close()
    r = run("invoices", "run", "--year", "2026", "--yes", code=3)
    assert "filmklynge init" in r.stderr
