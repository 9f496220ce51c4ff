"""The ledger's outputs to the øre and its limits to the øre: dues over several years, the
invoice plan, a bank import's report, suggestions for unmatched payments, invoicing a new
member mid-period, and credit notes down to the last øre. Most of these were found by the
mutation run (scripts/mutation.sh) as rules no test pinned down."""

import pytest
from helpers import run_year

from filmklynge.errors import InvalidInput
from filmklynge.ledger.bankfile_writers import make_camt
from filmklynge.ledger.invoicing import parse_period_key

MARCH = {"FILMKLYNGE_TODAY": "2026-03-01"}


def _camt(tmp_path, txs, name="camt054.xml"):
    path = tmp_path / name
    path.write_text(
        make_camt("054", txs, version="02", status="BOOK", credit_debit="CRDT", booked="2026-02-01")
    )
    return path


def test_dues_add_up_each_members_invoices_over_two_years(billed, run_json):
    def run(*args, **kw):
        return billed(*args, env=MARCH, **kw)

    # 2025: 10001 Festivalen 17 500, 10002 Polarlys 5 750, 10003 Sluttet AS 5 750 (due 24.01.2025)
    run("invoices", "run", "--year", "2025", "--issued-on", "2025-01-10", "--yes")
    # 2026: 10004 Festivalen 17 500, 10005 Juni 3 354,17, 10006 Polarlys 5 750 (due 24.01.2026)
    run_year(run, "--yes")
    run("payments", "add", "--invoice", "10001", "--amount", "7 500", "--on", "2025-02-01")
    run("payments", "add", "--invoice", "10002", "--amount", "5 750", "--on", "2025-02-01")
    run("invoices", "credit", "10003", "--issued-on", "2025-03-01")  # all of Sluttet's
    run("payments", "add", "--invoice", "10006", "--amount", "5 749,99", "--on", "2026-02-01")
    data = run_json("dues", "--as-of", "2026-03-01", env=MARCH)
    fields = ("member_id", "member", "invoiced_ore", "credited_ore", "fees_ore", "paid_ore")
    fields += ("outstanding_ore", "overdue_ore", "oldest_overdue_days")
    # Most overdue first. Festivalen: 10 000,00 left of 2025 (401 days: 24.01.2025 + 365 + 36)
    # and all of 2026. Polarlys: one øre of 2026 left, 36 days overdue.
    assert [m for m in data["members"]] == [
        dict(zip(fields, values, strict=True))
        for values in [
            (3, "Festivalen", 3_500_000, 0, 0, 750_000, 2_750_000, 2_750_000, 401),
            (2, "Juni Film AS", 335_417, 0, 0, 0, 335_417, 335_417, 36),
            (1, "Polarlys Film AS", 1_150_000, 0, 0, 1_149_999, 1, 1, 36),
            (4, "Sluttet AS", 575_000, -575_000, 0, 0, 0, 0, 0),  # credits are negative
        ]
    ]
    assert data["aging"] == {
        "not_due_ore": 0,
        "1_30_ore": 0,
        "31_60_ore": 1_750_000 + 335_417 + 1,
        "61_90_ore": 0,
        "over_90_ore": 1_000_000,
    }
    assert data["totals"] == {
        "invoiced_ore": 3_500_000 + 335_417 + 1_150_000 + 575_000,
        "credited_ore": -575_000,
        "fees_ore": 0,
        "paid_ore": 750_000 + 1_149_999,
        "outstanding_ore": 2_750_000 + 335_417 + 1,
        "overdue_ore": 2_750_000 + 335_417 + 1,
    }
    assert data["as_of"] == "2026-03-01"
    overdue = run_json("dues", "--overdue", "--as-of", "2026-03-01", env=MARCH)
    assert [m["member"] for m in overdue["members"]] == [
        "Festivalen",
        "Juni Film AS",
        "Polarlys Film AS",  # one øre overdue is overdue
    ]
    assert overdue["totals"]["invoiced_ore"] == 3_500_000 + 335_417 + 1_150_000
    assert [m["member"] for m in run_json("dues", "--as-of", "2026-03-01", env=MARCH)["members"]][
        -1
    ] == "Sluttet AS"  # nothing overdue: last, but listed without --overdue


def test_invoice_plan_as_json(billed):
    import json

    plan = json.loads(run_year(billed, "--dry-run", "--format", "json").stdout)
    top = {k: v for k, v in plan.items() if k != "invoices"}
    assert top == {
        "year": 2026,
        "period": "2026",
        "start_on": "2026-01-01",
        "end_on": "2026-12-31",
        "issued_on": "2026-01-10",
        "due_on": "2026-01-24",  # 14 days' terms
        "already_invoiced": 0,
        "skipped_untiered": [],
        "net_ore": 1_500_000 + 291_667 + 500_000,
        "vat_ore": 250_000 + 43_750 + 75_000,
        "total_ore": 1_750_000 + 335_417 + 575_000,
    }
    juni = plan["invoices"][1]
    assert {k: v for k, v in juni.items() if k != "lines"} == {
        "member_id": 2,
        "member_name": "Juni Film AS",
        "language": "nb",
        "buyer_orgnr": "974760673",
        "buyer_vat_id": None,
        "buyer_address": "",
        "billed_from": "2026-06-01",  # the months billed: June–December
        "billed_to": "2026-12-31",
        "net_ore": 291_667,
        "vat_ore": 43_750,
        "total_ore": 335_417,
    }
    # Joined 15.06: June–December, 7 of 12 months. 2 000 × 7/12 = 1 166,666.. -> 1 166,67;
    # 3 000 × 7/12 = 1 750,00 with 25 % VAT 437,50.
    assert [
        tuple(ln[k] for k in ("fee_part", "months", "months_of", "full_ore", "net_ore"))
        + tuple(ln[k] for k in ("vat_code", "vat_rate_bp", "vat_ore"))
        for ln in juni["lines"]
    ] == [
        ("membership", 7, 12, 200_000, 116_667, "E", 0, 0),
        ("service", 7, 12, 300_000, 175_000, "S", 2500, 43_750),
    ]
    assert [p["member_name"] for p in plan["invoices"]] == [
        "Festivalen",
        "Juni Film AS",
        "Polarlys Film AS",
    ]
    again = run_year(billed, "--yes")
    assert "Created invoices 10001–10003 (total kr 26 604,17)" in again.stderr


def test_bank_import_report_counts_and_audit(invoiced, tmp_path, run_json):
    _, kids = invoiced
    path = _camt(
        tmp_path,
        [
            ("U-1", None, "100.00"),  # no KID: unmatched
            ("U-2", kids[10001][0], "17500.00"),  # exactly what 10001 owes: matched
            ("U-3", kids[10003][0], "6000.00"),  # 250,00 more than 10003 owes: overpaid
            ("U-4", kids[10002][0], "100.00"),  # part of 10002: partly matched
        ],
    )
    report = run_json("payments", "import", path)
    sha = report.pop("sha256")
    assert report == {
        "file": "camt054.xml",
        "format": "camt054",
        "read": 4,
        "new": 4,
        "already_imported": 0,
        "matched": 1,
        "partly_matched": 1,
        "overpaid": 1,
        "unmatched": 1,
        "skipped": 0,
        "total_ore": 10_000 + 1_750_000 + 600_000 + 10_000,
        "dry_run": False,
        "unmatched_payments": [
            {"id": 1, "amount_ore": 10_000, "kid": None, "reference": "Kontingent"}
        ],
        "skipped_why": [],
        "notes": [],
    }
    [entry] = run_json("db", "log", "--entity", "payment_import")
    assert (entry["action"], entry["entity_id"]) == ("import", 1)
    assert entry["after"] == {
        k: v for k, v in {**report, "sha256": sha}.items() if k not in ("unmatched_payments",
                                                                         "skipped_why", "notes")
    }  # fmt: skip
    listed = {p["id"]: p for p in run_json("payments", "list")}
    assert [(p["invoices"], p["allocated_ore"], p["unallocated_ore"]) for p in listed.values()] == [
        (None, 0, 10_000),
        ("10001", 1_750_000, 0),
        ("10003", 575_000, 25_000),  # the rest is Polarlys' credit
        ("10002", 10_000, 0),
    ]
    again = run_json("payments", "import", path)
    assert (again["new"], again["already_imported"], again["total_ore"]) == (0, 4, 0)


def test_unmatched_payments_come_with_a_suggestion_where_one_fits(invoiced, tmp_path, run_json):
    run, _ = invoiced
    path = _camt(
        tmp_path,
        [
            ("S-1", None, "1.00"),  # nothing to go by
            ("S-2", None, "5750.00"),  # only 10003 owes exactly this
            ("S-3", "10002", "2.00"),  # not a valid KID, but it names invoice 10002
            ("S-4", "1234567890", "3.00"),  # a KID with a wrong check digit, naming nothing
            ("S-5", "123456785", "4.00"),  # a valid MOD11 KID of no invoice of ours
        ],
    )
    run("payments", "import", path)
    suggestions = [
        (r["id"], r["suggested_invoice"], r["why"]) for r in run_json("payments", "unmatched")
    ]
    assert suggestions == [
        (1, None, None),
        (2, 10003, "amount equals what is outstanding"),
        (3, 10002, "text names invoice 10002; KID has a bad check digit"),
        (4, None, "KID has a bad check digit"),
        (5, None, None),
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [("2026", (2026, "year")), ("2026-h2", (2026, "h2")), (" 2026-Q3 ", (2026, "q3"))],
)
def test_period_keys(key, expected):
    assert parse_period_key(key) == expected


@pytest.mark.parametrize("key", ["abcd", "H1-2026", "2026-h3", "2026-h1-x"])
def test_period_keys_that_are_not(key):
    with pytest.raises(InvalidInput, match="must look like 2026, 2026-H1 or 2026-Q3"):
        parse_period_key(key)


@pytest.mark.parametrize(
    ("period", "billed_on", "joined", "key", "description"),
    [
        ("h1", "2026-01-10", "2026-08-15", "2026-H2", "5/6 av kontingent 2. halvår 2026"),
        ("h1", "2026-01-10", "2026-06-30", "2026-H1", "1/6 av kontingent 1. halvår 2026"),
        ("q1", "2026-01-10", "2026-05-10", "2026-Q2", "2/3 av kontingent 2. kvartal 2026"),
        ("q1", "2026-01-10", "2026-03-31", "2026-Q1", "1/3 av kontingent 1. kvartal 2026"),
        ("q1", "2026-01-10", "2026-12-01", "2026-Q4", "1/3 av kontingent 4. kvartal 2026"),
    ],
)
def test_a_new_member_is_invoiced_for_the_period_being_billed(
    billed, run_json, period, billed_on, joined, key, description
):
    """When the year is billed by halves or quarters, a member invoiced at enrolment pays for
    the rest of the half or quarter they join in."""
    billed("invoices", "run", "--year", "2026", "--period", period, "--issued-on", billed_on,
           "--yes", env={"FILMKLYNGE_TODAY": billed_on})  # fmt: skip
    r = billed(
        "members",
        "add",
        "--name",
        "Ny Film AS",
        "--orgnr",
        "914778271",
        "--tier",
        "small",
        "--county",
        "Troms",
        "--joined",
        joined,
        "--invoice",
        "--no-input",
        env={"FILMKLYNGE_TODAY": joined},
    )
    # Billed by halves, Juni Film (joining 15.06) had an H1 invoice; by quarters, not in Q1.
    number = 10004 if period == "h1" else 10003
    assert f"Invoice {number} " in r.stderr
    shown = run_json("invoices", "show", str(number), env={"FILMKLYNGE_TODAY": joined})
    assert (shown["buyer_name"], shown["period"]) == ("Ny Film AS", key)
    assert shown["lines"][0]["description"] == description
    listed = run_json("invoices", "list", env={"FILMKLYNGE_TODAY": joined})
    assert [i["number"] for i in listed] == list(range(10001, number + 1))  # no others


def test_credit_notes_down_to_the_last_ore(invoiced, run_json):
    run, _ = invoiced
    r = run("invoices", "credit", "10003", "--amount", "0", code=2)
    assert r.stderr == "Error: A credit amount must be more than 0.\n"
    # Everything but one øre, then that øre: exactly what is left may be credited.
    run("invoices", "credit", "10003", "--amount", "5 749,99", "--issued-on", "2026-02-01")
    r = run("invoices", "credit", "10003", "--amount", "0,02", code=2)
    assert "more than what is left to credit on invoice 10003 (kr 0,01)" in r.stderr
    run("invoices", "credit", "10003", "--amount", "0,01", "--issued-on", "2026-02-01")
    notes = [run_json("invoices", "show", n) for n in ("10004", "10005")]
    assert [n["total_ore"] for n in notes] == [-574_999, -1]
    # 5 749,99 split 2 000 : 3 750 by the largest remainder:
    # 574 999 × 200 000 / 575 000 = 199 999,65.. and × 375 000 / 575 000 = 374 999,34..;
    # floors 199 999 + 374 999 = 574 998, the spare øre to line 1 (remainder ,65): 200 000.
    assert [(ln["line_no"], ln["net_ore"] + ln["vat_ore"]) for ln in notes[0]["lines"]] == [
        (1, -200_000),
        (2, -374_999),
    ]
    # So the last øre is line 2's: its net 1 / 1,25 = 0,8 -> 1, VAT 0.
    assert [(ln["line_no"], ln["net_ore"], ln["vat_ore"]) for ln in notes[1]["lines"]] == [
        (2, -1, 0)
    ]
    shown = run_json("invoices", "show", "10003")
    assert (shown["credited_ore"], shown["outstanding_ore"], shown["status"]) == (
        -575_000,
        0,
        "credited",
    )
    r = run("invoices", "credit", "10003", "--amount", "0,01", code=2)
    assert r.stderr == "Error: Invoice 10003 is already fully credited.\n"


def test_db_check_finds_nothing_wrong_after_crediting_and_paying(invoiced, run_json):
    run, _ = invoiced
    run("invoices", "credit", "10002", "--issued-on", "2026-02-01")  # in full: total + credit = 0
    run("invoices", "credit", "10001", "--amount", "1 000", "--issued-on", "2026-02-01")
    run("payments", "add", "--invoice", "10003", "--amount", "6 000", "--on", "2026-02-01")
    assert run_json("db", "check") == {"ok": True, "problems": []}


def test_payment_listing_filters(invoiced, tmp_path, run_json):
    run, kids = invoiced
    run("payments", "import", _camt(tmp_path, [("F-1", kids[10001][0], "100.00"),
                                               ("F-2", None, "1.00")]))  # fmt: skip
    run("payments", "add", "--invoice", "10003", "--amount", "50", "--on", "2026-02-10")
    run("payments", "add", "--invoice", "10002", "--amount", "20", "--on", "2026-02-20",
        "--method", "cash")  # fmt: skip

    def ids(*args):
        return [p["id"] for p in run_json("payments", "list", *args)]

    assert ids() == [1, 2, 3, 4]
    assert ids("--from", "2026-02-10") == [3, 4]
    assert ids("--to", "2026-02-10") == [1, 2, 3]
    assert ids("--from", "2026-02-02", "--to", "2026-02-19") == [3]
    assert ids("--method", "camt054") == [1, 2]
    assert ids("--method", "cash") == [4]
    assert ids("--unmatched") == [2]
    assert ids("--member", "Polarlys") == [3]
    r = run("payments", "list", "--method", "cheque", code=2)
    assert r.stderr == (
        "Error: Method 'cheque' must be one of: manual, bank, cash, ocr, camt054, camt053.\n"
    )
