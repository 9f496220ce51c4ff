"""The money rules at their edges, each with figures worked out by hand.

Every test here once had a one-line wrong version of its rule that the rest of the suite let
through (issue 16): aging buckets, "not overdue on the due date", co-funding exactly at the
requirement and the public share exactly at its cap, members' cash net of VAT rounded half-up,
and a credit note by amount splitting VAT out of each line. None compares with sample.db.
"""

import pytest
from helpers import VALID, enrol, run_year

LATER = {"FILMKLYNGE_TODAY": "2026-12-31"}

# The ``invoiced`` fixture: three invoices issued 10.01.2026, due 24.01.2026, nothing paid.
OWED = 1_750_000 + 335_417 + 575_000  # Festivalen 17 500 + Juni 3 354,17 + Polarlys 5 750
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
RULE_FIGURES = (
    "contribution_ratio",
    "match_shortfall_ore",
    "forecast_match_ok",
    "forecast_shortfall_ore",
    "other_private_ore",
    "public_share",
    "public_cap",
)


# ---- aging and overdue ------------------------------------------------------------------------


def test_aging_buckets_at_each_boundary(invoiced, run_json):
    """Days overdue = as-of − due date. 0 is not due; 1–30, 31–60, 61–90, then over 90."""
    cases = [
        ("2026-01-24", 0, "not_due"),  # the due date itself
        ("2026-01-25", 1, "1_30"),
        ("2026-02-23", 30, "1_30"),  # 24.01 + 7 days = 31.01, + 23 = 23.02
        ("2026-02-24", 31, "31_60"),
        ("2026-03-25", 60, "31_60"),  # 23.02 + 5 = 28.02 (no leap day), + 25 = 25.03
        ("2026-03-26", 61, "61_90"),
        ("2026-04-24", 90, "61_90"),  # 25.03 + 30 = 24.04
        ("2026-04-25", 91, "over_90"),
    ]
    got, expected = {}, {}
    for as_of, days, bucket in cases:
        data = run_json("dues", "--as-of", as_of, env=LATER)
        got[as_of] = (
            data["aging"],
            [m["oldest_overdue_days"] for m in data["members"]],
            data["totals"]["overdue_ore"],
        )
        expected[as_of] = (
            {f"{b}_ore": OWED if b == bucket else 0 for b in BUCKETS},
            [days, days, days],
            OWED if days > 0 else 0,
        )
    assert got == expected


def test_an_invoice_is_not_overdue_on_its_due_date(invoiced, run_json):
    """Due 24.01.2026: open that day in every view, overdue from the 25th."""
    on_due = "2026-01-24"
    statuses = {r["number"]: r["status"] for r in run_json("invoices", "list", "--as-of", on_due)}
    assert statuses == {10001: "open", 10002: "open", 10003: "open"}
    assert run_json("invoices", "list", "--overdue", "--as-of", on_due) == []
    assert run_json("invoices", "show", "10003", "--as-of", on_due)["status"] == "open"
    dues = run_json("dues", "--as-of", on_due)
    assert dues["totals"]["overdue_ore"] == 0
    assert run_json("dues", "--overdue", "--as-of", on_due)["members"] == []
    summary = run_json("summary", "--as-of", on_due)
    assert summary["dues"]["years"]["2026"]["overdue_ore"] == 0
    assert summary["dues"]["members_with_overdue"] == []

    day_after = "2026-01-25"
    statuses = {
        r["number"]: r["status"] for r in run_json("invoices", "list", "--as-of", day_after)
    }
    assert statuses == {10001: "overdue", 10002: "overdue", 10003: "overdue"}
    assert run_json("dues", "--as-of", day_after)["totals"]["overdue_ore"] == OWED
    summary = run_json("summary", "--as-of", day_after)
    assert summary["dues"]["years"]["2026"]["overdue_ore"] == OWED
    assert [(m["member"], m["overdue_ore"]) for m in summary["dues"]["members_with_overdue"]] == [
        ("Festivalen", 1_750_000),
        ("Polarlys Film AS", 575_000),
        ("Juni Film AS", 335_417),
    ]


# ---- co-funding -------------------------------------------------------------------------------


@pytest.fixture
def grants(cluster):
    """A member (AS, so no owner cap on in-kind rates) and a public funder."""

    def run(*args, code=0):
        return cluster(*args, code=code, env=LATER)

    enrol(run, "Polarlys Film AS", VALID[0], "--joined", "2026-01-01", "--legal-form", "AS")
    run("funders", "add", "Innovasjon Norge")
    return run


def _grant(run, reference, amount, *extra):
    run(
        "grants",
        "add",
        "--funder",
        "Innovasjon Norge",
        "--reference",
        reference,
        "--amount",
        amount,
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        *extra,
    )


def _inkind(run, grant, hours, on):
    run(
        "inkind",
        "add",
        "--member",
        "Polarlys",
        "--person",
        "Kari Nordmann",
        "--hours",
        hours,
        "--activity",
        "Samling",
        "--on",
        on,
        "--grant",
        grant,
    )


def test_contributions_exactly_at_the_requirement_and_public_share_exactly_at_the_cap(
    grants, run_json
):
    # EXACT: 10 000,00 granted; 20 h × 500,00 = 10 000,00 in-kind. Ratio 1.0 needs 10 000,00:
    # met exactly. Public 10 000 of total 20 000 is 50 %, exactly the default cap.
    _grant(grants, "EXACT", "10 000", "--hourly-rate", "500")
    _inkind(grants, "EXACT", "20", "2026-03-02")
    # ONE-ORE: 10 000,01 granted, the same 10 000,00 in-kind: 1 øre short of the requirement,
    # and public 1 000 001 of 2 000 001 is above 50 % (it needs a total of 2 000 002).
    _grant(grants, "ONE-ORE", "10 000,01", "--hourly-rate", "500")
    _inkind(grants, "ONE-ORE", "20", "2026-03-03")
    data = run_json("cofunding", "--as-of", "2026-12-31", env=LATER)
    assert data["as_of"] == "2026-12-31"
    by_ref = {g["grant"]: g for g in data["grants"]}
    assert {k: v for k, v in by_ref["EXACT"].items() if k not in ("years", "total")} == {
        "grant": "EXACT",
        "grant_id": 1,
        "funder": "Innovasjon Norge",
        "public": True,
        "amount_ore": 1_000_000,
        "start_on": "2026-01-01",
        "end_on": "2026-12-31",
        "match_ratio": 1.0,
    }
    assert by_ref["EXACT"]["total"]["year"] == "total"
    fields = (
        "granted_ore",
        "inkind_ore",
        "members_cash_ore",
        "match_required_ore",
        "match_ok",
        "match_shortfall_ore",
        "public_ore",
        "total_ore",
        "public_ok",
        "public_shortfall_ore",
        "ok",
    )
    exact = {k: by_ref["EXACT"]["years"][0][k] for k in fields}
    assert exact == {
        "granted_ore": 1_000_000,
        "inkind_ore": 1_000_000,
        "members_cash_ore": 0,
        "match_required_ore": 1_000_000,
        "match_ok": True,
        "match_shortfall_ore": 0,
        "public_ore": 1_000_000,
        "total_ore": 2_000_000,
        "public_ok": True,
        "public_shortfall_ore": 0,
        "ok": True,
    }
    assert {k: by_ref["EXACT"]["total"][k] for k in fields} == exact
    assert {k: by_ref["EXACT"]["years"][0][k] for k in RULE_FIGURES} == {
        "contribution_ratio": 1.0,
        "match_shortfall_ore": 0,
        "forecast_match_ok": True,  # nothing invoiced: the forecast is what is in
        "forecast_shortfall_ore": 0,
        "other_private_ore": 0,
        "public_share": 0.5,
        "public_cap": 0.5,
    }
    short = {k: by_ref["ONE-ORE"]["years"][0][k] for k in fields}
    assert short == {
        "granted_ore": 1_000_001,
        "inkind_ore": 1_000_000,
        "members_cash_ore": 0,
        "match_required_ore": 1_000_001,
        "match_ok": False,
        "match_shortfall_ore": 1,
        "public_ore": 1_000_001,
        "total_ore": 2_000_001,
        "public_ok": False,
        "public_shortfall_ore": 1,
        "ok": False,
    }


def test_public_share_is_compared_exactly_not_in_floating_point(grants, run_json):
    """A cap of 99,99 % and a grant above 2⁴⁰ øre, where a float division loses the last øre.

    k = 110 000 000 øre in-kind (22 h × 50 000,00). Public P = 1 + 9 999·k = 1 099 890 000 001,
    total T = P + k = 1 100 000 000 001. Exactly: P·10 000 − T·9 999 = 1 > 0, so the public share
    is above the cap and a total of ⌈P·10 000 / 9 999⌉ = T + 1 is needed (1 øre short). In
    floating point T·9 999 / 10 000 = P − 0,0001 rounds to P, and P <= P would pass."""
    _grant(
        grants,
        "BIG",
        "10 998 900 000,01",
        "--max-public-share",
        "99.99",
        "--hourly-rate",
        "50 000",
    )
    _inkind(grants, "BIG", "22", "2026-03-02")
    year = run_json("cofunding", "--as-of", "2026-12-31", env=LATER)["grants"][0]["years"][0]
    assert (year["public_ore"], year["inkind_ore"], year["total_ore"]) == (
        1_099_890_000_001,
        110_000_000,
        1_100_000_000_001,
    )
    assert (year["public_ok"], year["public_shortfall_ore"]) == (False, 1)


def test_members_cash_counts_net_of_vat_rounded_half_up(grants, run_json):
    """A fee of 500,00 (E) + 2 000,00 (S, 500,00 VAT): net 2 500 of a total 3 000 = 5/6.

    Paid 1 000,05: net 100 005 × 5/6 = 83 337,5 øre -> 83 338 (truncation would give 83 337).
    Still owed 3 000 − 1 000,05 = 1 999,95: net 199 995 × 5/6 = 166 662,5 -> 166 663."""
    grants("tiers", "add", "mini", "--name", "Mini")
    grants(
        "tiers", "set-fee", "mini", "--year", "2026", "--membership", "500", "--service", "2 000"
    )
    grants("members", "edit", "Polarlys", "--tier", "mini")
    _grant(grants, "IN-1", "100 000")
    run_year(grants, "--yes")
    shown = run_json("invoices", "show", "10001", env=LATER)
    assert (shown["net_ore"], shown["vat_ore"], shown["total_ore"]) == (250_000, 50_000, 300_000)
    grants("payments", "add", "--invoice", "10001", "--amount", "1 000,05", "--on", "2026-02-01")
    data = run_json("cofunding", "--by-member", "--as-of", "2026-12-31", env=LATER)
    grant = data["grants"][0]
    year = grant["years"][0]
    assert (year["members_cash_ore"], year["forecast_cash_ore"]) == (83_338, 166_663)
    assert [(m["member"], m["cash_ore"]) for m in grant["members"]] == [
        ("Polarlys Film AS", 83_338)
    ]
    # The grant of 100 000,00 needs as much: 83 338 paid + 166 663 to come still leaves
    # 10 000 000 − 250 001 = 9 749 999 short. Public 10 000 000 of 10 083 338 is 99,17 %.
    assert {k: year[k] for k in RULE_FIGURES} == {
        "contribution_ratio": 0.0083,  # 83 338 / 10 000 000
        "match_shortfall_ore": 10_000_000 - 83_338,
        "forecast_match_ok": False,
        "forecast_shortfall_ore": 9_749_999,
        "other_private_ore": 0,
        "public_share": 0.9917,
        "public_cap": 0.5,
    }
    # On 31.01.2026, before the payment: no cash yet, and the whole invoice still to come,
    # 300 000 × 5/6 = 250 000 net.
    january = run_json("cofunding", "--as-of", "2026-01-31", env=LATER)["grants"][0]["years"][0]
    assert (january["members_cash_ore"], january["forecast_cash_ore"]) == (0, 250_000)


# ---- credit notes -----------------------------------------------------------------------------


def test_credit_note_by_amount_splits_vat_out_of_each_line(invoiced, run_json):
    run, _ = invoiced
    # 10001 Festivalen: line 1 5 000,00 E (no VAT), line 2 10 000,00 S + 2 500,00 VAT.
    # Crediting 1 750,00 in proportion to what is left of each line (5 000 : 12 500):
    # line 1 gets 500,00 gross = net; line 2 gets 1 250,00 gross = 1 000,00 net + 250,00 VAT.
    run("invoices", "credit", "10001", "--amount", "1 750", "--issued-on", "2026-02-01")
    note = run_json("invoices", "show", "10004")
    assert (note["kind"], note["credits_invoice"]) == ("credit", 10001)
    assert (note["net_ore"], note["vat_ore"], note["total_ore"]) == (-150_000, -25_000, -175_000)
    assert [
        (ln["line_no"], ln["vat_code"], ln["net_ore"], ln["vat_ore"]) for ln in note["lines"]
    ] == [
        (1, "E", -50_000, 0),
        (2, "S", -100_000, -25_000),
    ]
    # 10003 Polarlys: 2 000,00 E and 3 000,00 S + 750,00 VAT (3 750,00 gross). 1 000,00 split
    # 2 000 : 3 750 is 347,826.. : 652,173.. øre-hundreds; the largest remainder gives the spare
    # øre to line 1: 34 783 + 65 217. Line 2's net is 65 217 / 1,25 = 52 173,6 -> 52 174
    # (half-up), its VAT the rest: 13 043.
    run("invoices", "credit", "10003", "--amount", "1 000", "--issued-on", "2026-02-01")
    note = run_json("invoices", "show", "10005")
    assert (note["net_ore"], note["vat_ore"], note["total_ore"]) == (-86_957, -13_043, -100_000)
    assert [(ln["line_no"], ln["net_ore"], ln["vat_ore"]) for ln in note["lines"]] == [
        (1, -34_783, 0),
        (2, -52_174, -13_043),
    ]
    shown = run_json("invoices", "show", "10003", "--as-of", "2026-01-20")
    assert (shown["credited_ore"], shown["outstanding_ore"]) == (-100_000, 475_000)
