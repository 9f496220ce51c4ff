"""A reminder fee is money the member owes (issue 12, point 1): it is a receivable tied to the
invoice, in dues, aging and the member's balance; a payment of the reminder's total settles
invoice and fee with nothing left over, by KID too; a credit note can waive it; the books post
it; and co-funding does not count it as a contribution.

Worked example, by hand, on the ``invoiced`` fixture (invoices of 10.01.2026, due 24.01.2026):
the cluster charges kr 35 (the legal maximum in 2026) on reminders. On 01.03.2026 (36 days
after the due date, more than 14) every invoice is reminded with a fee:
  10001 Festivalen        17 500,00 + 35,00 = 17 535,00
  10002 Juni Film AS       3 354,17 + 35,00 =  3 389,17
  10003 Polarlys Film AS   5 750,00 + 35,00 =  5 785,00
"""

import json
from datetime import date

import pytest
from helpers import rows

from filmklynge.ledger.bankfile_writers import make_ocr

MARCH = {"FILMKLYNGE_TODAY": "2026-03-05"}


@pytest.fixture
def reminded(invoiced):
    run, kids = invoiced
    run("profile", "set", "--reminder-fee", "35", "--reminder-fee-cap", "35")
    run("invoices", "remind", "--as-of", "2026-03-01", "--yes")
    return run, kids


def owed(run, **kw):
    data = json.loads(run("dues", "--format", "json", **kw).stdout)
    return {m["member_id"]: (m["fees_ore"], m["outstanding_ore"]) for m in data["members"]}, data


def test_the_fee_is_owed_in_dues_and_aging(reminded):
    run, _ = reminded
    members, data = owed(run, env=MARCH)
    assert members == {3: (3_500, 1_753_500), 2: (3_500, 338_917), 1: (3_500, 578_500)}
    # All three fell due 24.01.2026: 40 days overdue on 05.03.2026, in the 31–60 bucket.
    assert data["aging"]["31_60_ore"] == 1_753_500 + 338_917 + 578_500
    assert data["totals"]["fees_ore"] == 3 * 3_500


def test_paying_the_reminders_total_by_kid_settles_invoice_and_fee(reminded, tmp_path, db_path):
    run, kids = reminded
    ocr = tmp_path / "ocr.txt"
    ocr.write_bytes(make_ocr([(kids[10003][0], 578_500)], on=date(2026, 3, 4)))
    r = run("payments", "import", ocr, env=MARCH)
    assert "1 matched" in r.stderr and "0 overpaid" in r.stderr
    members, _ = owed(run, env=MARCH)
    assert members[1] == (3_500, 0)  # nothing left, and no credit either:
    statement = json.loads(run("members", "statement", "Polarlys", "-f", "json", env=MARCH).stdout)
    assert (statement["closing_balance_ore"], statement["credit_ore"]) == (0, 0)
    # 5 750,00 invoiced, 35,00 reminder fee, 5 785,00 paid.
    assert [(e["kind"], e["amount_ore"]) for e in statement["entries"]] == [
        ("invoice", 575_000),
        ("reminder fee", 3_500),
        ("payment", -578_500),
    ]
    status = {
        r["number"]: r["status"]
        for r in json.loads(run("invoices", "list", "-f", "json", env=MARCH).stdout)
    }
    assert status[10003] == "paid"
    assert rows(db_path, "SELECT sum(amount_ore) AS s FROM payment_allocations")[0]["s"] == 578_500


def test_a_payment_by_hand_of_the_total_leaves_no_credit(reminded):
    run, _ = reminded
    run(
        "payments",
        "add",
        "--invoice",
        "10002",
        "--amount",
        "3 389,17",
        "--on",
        "2026-03-02",
        env=MARCH,
    )
    members, _ = owed(run, env=MARCH)
    assert members[2] == (3_500, 0)
    statement = json.loads(run("members", "statement", "Juni", "-f", "json", env=MARCH).stdout)
    assert (statement["closing_balance_ore"], statement["credit_ore"]) == (0, 0)


def test_a_credit_note_waives_the_fee(reminded):
    run, _ = reminded
    r = run("invoices", "credit", "10001", "--reminder-fees", "--reason", "Goodwill", env=MARCH)
    assert "waives kr 35,00" in r.stderr
    members, _ = owed(run, env=MARCH)
    assert members[3] == (3_500, 1_750_000)  # the fee stays charged, and is credited
    again = run("invoices", "credit", "10001", "--reminder-fees", code=2, env=MARCH)
    assert "already waived or paid" in again.stderr
    on_note = run("invoices", "credit", "10004", "--reminder-fees", code=2, env=MARCH)
    assert "is a credit note" in on_note.stderr


def test_the_books_post_the_fee_and_receivables_still_equal_dues(reminded):
    run, _ = reminded
    run("invoices", "credit", "10001", "--reminder-fees", env=MARCH)
    vouchers = json.loads(
        run("export", "postings", "--format", "json", "--to", "2026-03-05", env=MARCH).stdout
    )
    fees = [v for v in vouchers if v["source"] == "reminder"]
    assert len(fees) == 3
    for v in fees:
        assert {line["account"]: line["amount_ore"] for line in v["lines"]} == {
            "1500": 3_500,
            "8070": -3_500,
        }
    waiver = next(v for v in vouchers if v["source"] == "invoice" and v["voucher"] == 10004)
    assert {line["account"]: line["amount_ore"] for line in waiver["lines"]} == {
        "1500": -3_500,
        "8070": 3_500,
    }
    receivable: dict[int, int] = {}
    for v in vouchers:
        for line in v["lines"]:
            if line["account"] == "1500":
                receivable[line["member_id"]] = (
                    receivable.get(line["member_id"], 0) + line["amount_ore"]
                )
    members, _ = owed(run, env=MARCH)
    assert receivable == {m: o for m, (_, o) in members.items()}
    # A fee is not a sale: the VAT report leaves the waiver out.
    report = json.loads(run("vat", "report", "--year", "2026", "-f", "json", env=MARCH).stdout)
    assert {r["vat_code"]: r["basis_ore"] for r in report} == {
        "E": 500_000 + 116_667 + 200_000,
        "S": 1_000_000 + 175_000 + 300_000,
    }


def test_co_funding_counts_the_invoice_not_the_fee(reminded):
    run, _ = reminded
    run("funders", "add", "Innovasjon Norge")
    run(
        "grants",
        "add",
        "--funder",
        "Innovasjon Norge",
        "--reference",
        "IN-1",
        "--amount",
        "100 000",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    )
    run(
        "payments",
        "add",
        "--invoice",
        "10003",
        "--amount",
        "5 785",
        "--on",
        "2026-03-02",
        env=MARCH,
    )
    data = json.loads(
        run("cofunding", "--as-of", "2026-12-31", "--format", "json", env=MARCH).stdout
    )
    year = data["grants"][0]["years"][0]
    # Polarlys paid 5 785,00: 5 750,00 for the invoice and 35,00 for the fee. Net of VAT the
    # invoice is 2 000 (E) + 3 000 (S) = 5 000,00; the fee adds nothing.
    assert year["members_cash_ore"] == 500_000
