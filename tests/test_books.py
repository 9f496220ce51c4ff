"""The accountant's handover: postings (GBAT10, beancount, CSV, JSON), VAT per term, member
statements, receivables on a date and closed periods.

The scenario is the ``invoiced`` fixture (three 2026 invoices of 10.01.2026, figures in
conftest.py) plus these, worked by hand:
- Festivalen (10001, 17 500,00) pays 10 000,00 on 05.02.2026 by KID: a partial payment.
- Polarlys (10003, 5 750,00) pays 6 000,00 on 06.02.2026 by KID: 250,00 over, member credit.
- Juni Film's invoice 10002 (3 354,17) is credited in full on 10.02.2026.
- Polarlys gets 250,00 of its credit back on 20.02.2026.
"""

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import dump, rows

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


@pytest.fixture
def year(invoiced):
    run, kids = invoiced
    run("payments", "add", "--kid", kids[10001][0], "--amount", "10 000", "--on", "2026-02-05")
    run("payments", "add", "--kid", kids[10003][0], "--amount", "6 000", "--on", "2026-02-06")
    run("invoices", "credit", "10002", env={"FILMKLYNGE_TODAY": "2026-02-10"})
    run("payments", "refund", "--member", "Polarlys", "--amount", "250", "--on", "2026-02-20")
    return run


def postings_json(run, *extra):
    return json.loads(run("export", "postings", "--format", "json", *extra).stdout)


def test_every_voucher_balances_and_carries_what_the_accountant_needs(year):
    vouchers = postings_json(year, "--from", "2026-01-01", "--to", "2026-02-28")
    kinds = [(v["source"], v["voucher"]) for v in vouchers]
    # 3 invoices, 1 credit note (number 10004), 2 payments, 2 KID allocations, 1 refund: 9.
    assert sorted(k for k, _ in kinds) == sorted(
        ["invoice"] * 4 + ["payment"] * 2 + ["allocation"] * 2 + ["refund"]
    )
    for v in vouchers:
        assert sum(line["amount_ore"] for line in v["lines"]) == 0, v
    festivalen = next(v for v in vouchers if v["source"] == "invoice" and v["voucher"] == 10001)
    by_account = {line["account"]: line for line in festivalen["lines"]}
    # Receivable 17 500,00 debit; membership (E) 5 000,00 and service (S) 10 000,00 credit;
    # VAT 25 % of 10 000,00 = 2 500,00 credit.
    assert by_account["1500"]["amount_ore"] == 1_750_000
    assert by_account["1500"]["member_id"] == 3 and by_account["1500"]["invoice"] == 10001
    assert by_account["1500"]["kid"] and by_account["1500"]["due_on"] == "2026-01-24"
    assert (by_account["3200"]["amount_ore"], by_account["3200"]["saft_code"]) == (-500_000, "6")
    assert (by_account["3010"]["amount_ore"], by_account["3010"]["saft_code"]) == (-1_000_000, "3")
    assert by_account["2700"]["amount_ore"] == -250_000
    credit = next(v for v in vouchers if v["source"] == "invoice" and v["voucher"] == 10004)
    assert {line["account"]: line["amount_ore"] for line in credit["lines"]} == {
        "1500": -335_417,
        "3200": 116_667,
        "3010": 175_000,
        "2700": 43_750,
    }


def test_gbat10_has_the_documented_columns(year, tmp_path):
    target = tmp_path / "feb.gbat10"
    year("export", "postings", "--from", "2026-02-01", "--to", "2026-02-28", "-o", target)
    lines = target.read_text(encoding="utf-8").splitlines()
    fields = [line.split(";") for line in lines]
    assert {len(f) for f in fields} == {30} and {f[0] for f in fields} == {"GBAT10"}
    vouchers: dict[tuple[str, str], Decimal] = {}
    for f in fields:
        assert len(f[2]) == 8 and f[2].startswith("202602")  # YYYYMMDD
        assert (f[4], f[5]) == ("2", "2026")  # period and year
        vouchers[(f[3], f[1])] = vouchers.get((f[3], f[1]), Decimal(0)) + Decimal(f[8])
    assert set(vouchers.values()) == {Decimal(0)}
    payment = next(f for f in fields if f[3] == "2" and f[6] == "1920")
    assert payment[8] == "10000.00" and payment[2] == "20260205"
    receivable = next(f for f in fields if f[3] == "3" and f[6] == "1500")
    # Allocation of Festivalen's payment: customer 3, invoice 10001, due 24.01.2026.
    assert (receivable[8], receivable[9], receivable[15], receivable[17]) == (
        "-10000.00",
        "3",
        "10001",
        "20260124",
    )


def test_beancount_journal_passes_bean_check_and_matches_dues(year, tmp_path):
    target = tmp_path / "books.beancount"
    year("export", "postings", "--format", "beancount", "--to", "2026-03-01", "-o", target)
    check = subprocess.run([str(BEAN_CHECK), str(target)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(target))
    assert errors == []
    receivable: dict[int, int] = {}
    credit: dict[int, int] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                ore = int(p.units.number * 100)
                last = p.account.rsplit(":", 1)[1]
                member = int(last[1:]) if last[0] == "M" and last[1:].isdigit() else None
                if "-1500:" in p.account:
                    receivable[member] = receivable.get(member, 0) + ore
                elif "-2900:" in p.account:
                    credit[member] = credit.get(member, 0) - ore
    dues = json.loads(year("dues", "--format", "json").stdout)
    assert {m["member_id"]: m["outstanding_ore"] for m in dues["members"]} == {
        k: v for k, v in receivable.items()
    }
    # Festivalen owes 17 500 - 10 000; Polarlys and Juni owe nothing; Polarlys' 250 over was
    # refunded, so no member has credit left.
    assert receivable == {3: 750_000, 2: 0, 1: 0}
    assert set(credit.values()) == {0}


def test_csv_carries_ore_and_every_line(year):
    out = year("export", "postings", "--format", "csv", "--to", "2026-03-01").stdout
    table = list(csv.DictReader(io.StringIO(out, newline="")))
    assert sum(int(r["amount_ore"]) for r in table) == 0
    assert {r["source"] for r in table} == {"invoice", "payment", "allocation", "refund"}


def test_an_export_is_remembered_and_never_repeated_unasked(year, tmp_path, db_path):
    first = tmp_path / "jan.gbat10"
    year("export", "postings", "--from", "2026-01-01", "--to", "2026-01-31", "-o", first)
    again = tmp_path / "again.gbat10"
    r = year(
        "export", "postings", "--from", "2026-01-01", "--to", "2026-02-28", "-o", again, code=4
    )
    assert "3 of the 9 vouchers" in r.stderr and "--new" in r.stderr
    assert r.stderr.count("\n") == 1 and not again.exists()
    new = postings_json(year, "--from", "2026-01-01", "--to", "2026-02-28", "--new")
    assert {v["source"] for v in new} == {"invoice", "payment", "allocation", "refund"}
    assert 10001 not in [v["voucher"] for v in new if v["source"] == "invoice"]
    assert len(new) == 6
    assert postings_json(year, "--new") == []
    assert len(postings_json(year, "--from", "2026-01-01", "--to", "2026-01-31", "--again")) == 3
    exports = rows(db_path, "SELECT vouchers FROM posting_exports ORDER BY id")
    assert [e["vouchers"] for e in exports] == [3, 6, 0, 3]


def test_an_unbalanced_voucher_is_refused_and_nothing_written(year, db_path, tmp_path):
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER invoice_lines_immutable_update")
    conn.execute("UPDATE invoice_lines SET net_ore = net_ore + 1 WHERE id = 1")
    conn.commit()
    conn.close()
    before = dump(db_path)
    target = tmp_path / "broken.gbat10"
    r = year("export", "postings", "-o", target, code=5)
    assert "does not balance" in r.stderr and "1 øre" in r.stderr
    assert not target.exists() and dump(db_path) == before


def test_vat_report_per_term_equals_the_invoices_and_the_postings(year):
    report = json.loads(year("vat", "report", "--year", "2026", "--format", "json").stdout)
    # Term 1 (January–February): invoices 10001–10003 and credit note 10004, all in term 1.
    # S basis: 10 000 + 1 750 + 3 000 - 1 750 = 13 000,00; VAT 2 500 + 437,50 + 750 - 437,50.
    # E basis: 5 000 + 1 166,67 + 2 000 - 1 166,67 = 7 000,00.
    by_code = {(r["term"], r["vat_code"]): r for r in report}
    assert set(by_code) == {(1, "E"), (1, "S")}
    assert (by_code[(1, "S")]["basis_ore"], by_code[(1, "S")]["vat_ore"]) == (1_300_000, 325_000)
    assert by_code[(1, "S")]["credited_net_ore"] == -175_000
    assert (by_code[(1, "E")]["basis_ore"], by_code[(1, "E")]["vat_ore"]) == (700_000, 0)
    assert by_code[(1, "S")]["saft_code"] == "3" and by_code[(1, "E")]["saft_code"] == "6"
    vouchers = postings_json(year, "--to", "2026-02-28")
    vat_lines = [
        line["amount_ore"] for v in vouchers for line in v["lines"] if line["account"] == "2700"
    ]
    assert -sum(vat_lines) == sum(r["vat_ore"] for r in report)
    assert (
        json.loads(year("vat", "report", "--year", "2026", "--term", "2", "-f", "json").stdout)
        == []
    )
    assert "--term" in year("vat", "report", "--year", "2026", "--term", "7", code=2).stderr


def test_statement_runs_a_balance_that_ends_at_dues(year, tmp_path):
    data = json.loads(year("members", "statement", "Polarlys", "--format", "json").stdout)
    # 5 750,00 invoiced, 6 000,00 paid (250,00 over), 250,00 refunded: 0 at the end.
    assert [(e["kind"], e["amount_ore"], e["balance_ore"]) for e in data["entries"]] == [
        ("invoice", 575_000, 575_000),
        ("payment", -600_000, -25_000),
        ("refund", 25_000, 0),
    ]
    assert (data["closing_balance_ore"], data["outstanding_ore"], data["credit_ore"]) == (0, 0, 0)
    later = json.loads(
        year("members", "statement", "Festivalen", "--from", "2026-02-01", "-f", "json").stdout
    )
    assert later["opening_balance_ore"] == 1_750_000
    assert later["closing_balance_ore"] == later["outstanding_ore"] == 750_000
    pdf = tmp_path / "festivalen.pdf"
    year("members", "statement", "Festivalen", "--pdf", pdf)
    from pypdf import PdfReader

    text = PdfReader(pdf).pages[0].extract_text()
    assert "Kontoutskrift" in text and "Festivalen" in text and "7 500,00" in text


def test_dues_as_of_a_date_ignores_what_came_after(year):
    before = json.loads(year("dues", "--as-of", "2026-02-01", "--format", "json").stdout)
    after = json.loads(year("dues", "--as-of", "2026-03-01", "--format", "json").stdout)
    owed_before = {m["member_id"]: m["outstanding_ore"] for m in before["members"]}
    assert owed_before == {3: 1_750_000, 2: 335_417, 1: 575_000}
    assert {m["member_id"]: m["outstanding_ore"] for m in after["members"]} == {
        3: 750_000,
        2: 0,
        1: 0,
    }


def test_a_closed_period_refuses_every_kind_of_write(year, db_path):
    year("books", "close", "--through", "2026-01-31", "--yes")
    status = json.loads(year("books", "status", "--format", "json").stdout)
    assert status[0]["closed_through"] == "2026-01-31"
    before = dump(db_path)
    january = {"FILMKLYNGE_TODAY": "2026-01-20"}  # the credit note is dated the day it is made
    for args, env in [
        (
            ("payments", "add", "--member", "Festivalen", "--amount", "100", "--on", "2026-01-31"),
            None,
        ),
        (("invoices", "credit", "10001", "--amount", "100"), january),
        (
            ("payments", "refund", "--member", "Polarlys", "--amount", "1", "--on", "2026-01-15"),
            None,
        ),
        (("invoices", "run", "--year", "2025", "--issued-on", "2026-01-30", "--yes"), None),
    ]:
        r = year(*args, code=4, **({"env": env} if env else {}))
        assert "closed through 31.01.2026" in r.stderr and r.stderr.count("\n") == 1, args
    assert dump(db_path) == before
    year("payments", "add", "--member", "Festivalen", "--amount", "100", "--on", "2026-02-01")
    assert (
        "cannot be reopened"
        in year("books", "close", "--through", "2025-12-31", "--yes", code=4).stderr
    )
    assert (
        "not over yet" in year("books", "close", "--through", "2026-03-01", "--yes", code=2).stderr
    )


def test_accounts_can_be_set_and_are_checked(year):
    year("profile", "accounts", "--set", "membership_E=3440", "--set", "bank=1921")
    table = {
        a["key"]: a["account"] for a in json.loads(year("profile", "accounts", "-f", "json").stdout)
    }
    assert (table["membership_E"], table["bank"], table["receivables"]) == ("3440", "1921", "1500")
    vouchers = postings_json(year, "--to", "2026-02-28")
    accounts = {line["account"] for v in vouchers for line in v["lines"]}
    assert {"3440", "1921"} <= accounts and not {"3200", "1920"} & accounts
    assert "4-digit" in year("profile", "accounts", "--set", "bank=19201", code=2).stderr
    assert "No posting key" in year("profile", "accounts", "--set", "cash=1900", code=3).stderr
    assert "KEY=ACCOUNT" in year("profile", "accounts", "--set", "bank", code=2).stderr


def test_a_backwards_range_is_refused(year):
    r = year("export", "postings", "--from", "2026-02-01", "--to", "2026-01-01", code=2)
    assert "swap them" in r.stderr
