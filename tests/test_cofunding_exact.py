"""Exact figures of the money rules that mutation testing (issue 16) showed no test pinned down:
the co-funding segments, split key and per-member table, years not started, dues summed over
several invoices of a member, and the VAT breakdown and report. Every figure is worked out by
hand in the comments, from the rules in the modules' docstrings.
"""

from datetime import date

import pytest
from helpers import VALID, add_grant, enrol, run_year

from filmklynge.funding.cofunding import SPLIT_RULE, Segment, cofunding, segments
from filmklynge.ledger.vat import breakdown, term_bounds, term_of
from filmklynge.store.db import open_db

LATE = {"FILMKLYNGE_TODAY": "2027-12-31"}


def _work(run, member, hours, on):
    """In-kind not assigned to a grant; 1,2 ‰ of a salary of 500 000 is 600,00 an hour (the
    cap), so each hour is 60 000 øre."""
    run(
        "inkind",
        "add",
        "--member",
        member,
        "--person",
        "Kari",
        "--hours",
        hours,
        "--activity",
        "Samling",
        "--on",
        on,
        "--salary",
        "500 000",
    )


# ---- co-funding over three overlapping grants and three years --------------------------------
#
# LONG  01.07.2025–30.06.2027: 730 days (184 in 2025, 365 in 2026, 181 in 2027), 730 000,00:
#       1 000,00 a day; by year 184 000,00 / 365 000,00 / 181 000,00.
# MID   01.10.2026–31.03.2027: 182 days (92 in 2026, 90 in 2027), 364 000,00: 2 000,00 a day;
#       by year 184 000,00 / 180 000,00.
# SHORT 01.02.2027–28.02.2027: 28 days, 28 000,00: 1 000,00 a day.
#
# Split by amount per day: LONG : MID = 1 : 2 (shares 1/3, 2/3); LONG : MID : SHORT = 1 : 2 : 1.
# Integer weights over the common multiple of the day counts: lcm(730, 182) = 66 430, so
# LONG 73 000 000 × 91 = 6 643 000 000 and MID 36 400 000 × 365 = 13 286 000 000;
# lcm(730, 182, 28) = 132 860, so LONG 73 000 000 × 182 = 13 286 000 000, MID 36 400 000 × 730
# = 26 572 000 000, SHORT 2 800 000 × 4 745 = 13 286 000 000.
#
# In-kind, 60 000 øre an hour, none assigned to a grant:
#   Polarlys 02.03.2026 1 h   60 000  LONG alone (2026)
#   Aurora   04.05.2026 1 h   60 000  LONG alone (2026)
#   Polarlys 31.12.2026 1 h   60 000  LONG 20 000, MID 40 000 (2026)
#   Polarlys 01.01.2027 2 h  120 000  LONG 40 000, MID 80 000 (2027: a new year from 1 January)
#   Polarlys 10.02.2027 4 h  240 000  LONG 60 000, MID 120 000, SHORT 60 000 (2027)
#   Polarlys 30.06.2027 1 h   60 000  LONG alone: its last day counts (2027)
#   Polarlys 01.07.2027 1 h   60 000  no grant: the day after LONG ends counts for none
# So LONG holds 2026: 60 000 + 60 000 + 20 000 = 140 000 and 2027: 40 000 + 60 000 + 60 000 =
# 160 000; MID 2026: 40 000, 2027: 200 000; SHORT 2027: 60 000. Together 600 000, every øre
# of the 660 000 worked except the 60 000 outside every grant.


@pytest.fixture
def three(cluster):
    def run(*args, code=0):
        return cluster(*args, code=code, env=LATE)

    enrol(run, "Polarlys Film AS", VALID[0], "--joined", "2025-01-01", "--legal-form", "AS")
    enrol(run, "Aurora Film AS", VALID[1], "--joined", "2025-01-01", "--legal-form", "AS")
    run("funders", "add", "Innovasjon Norge")
    add_grant(run, "LONG", "730 000", "2025-07-01", "2027-06-30")
    add_grant(run, "MID", "364 000", "2026-10-01", "2027-03-31")
    add_grant(run, "SHORT", "28 000", "2027-02-01", "2027-02-28")
    _work(run, "Polarlys", "1", "2026-03-02")
    _work(run, "Aurora", "1", "2026-05-04")
    _work(run, "Polarlys", "1", "2026-12-31")
    _work(run, "Polarlys", "2", "2027-01-01")
    _work(run, "Polarlys", "4", "2027-02-10")
    _work(run, "Polarlys", "1", "2027-06-30")
    _work(run, "Polarlys", "1", "2027-07-01")
    # Money from the funder: 100 000,00 in 2026 and 50 000,00 in 2027, both in LONG's first
    # tranche (30 % of 730 000,00 = 219 000,00).
    run("grants", "disburse", "LONG", "--amount", "100 000", "--on", "2026-02-01")
    run("grants", "disburse", "LONG", "--amount", "50 000", "--on", "2027-02-01")
    return run


def _figures(row):
    keys = ("year", "granted_ore", "received_ore", "members_cash_ore", "inkind_ore")
    return tuple(row[k] for k in keys)


def test_contributions_land_in_the_year_and_grants_of_their_day(three, run_json):
    data = run_json("cofunding", "--as-of", "2027-12-31", env=LATE)
    long, mid, short = data["grants"]
    assert [_figures(r) for r in long["years"]] == [
        (2025, 18_400_000, 0, 0, 0),
        (2026, 36_500_000, 10_000_000, 0, 140_000),
        (2027, 18_100_000, 5_000_000, 0, 160_000),
    ]
    assert _figures(long["total"]) == ("total", 73_000_000, 15_000_000, 0, 300_000)
    assert [_figures(r) for r in mid["years"]] == [
        (2026, 18_400_000, 0, 0, 40_000),
        (2027, 18_000_000, 0, 0, 200_000),
    ]
    assert [_figures(r) for r in short["years"]] == [(2027, 2_800_000, 0, 0, 60_000)]
    # Nothing by a non-member: the block is there, empty, with its rule for the reader.
    assert data["inkind_not_counted"] == {
        "rule": "In-kind by a company that was not a member on the day of the work "
        "(it had left, or not yet joined) is recorded but not counted.",
        "value_ore": 0,
        "entries": [],
    }


def test_members_are_summed_over_the_years_and_the_largest_comes_first(three, run_json):
    data = run_json("cofunding", "--by-member", "--as-of", "2027-12-31", env=LATE)
    long, mid, _ = data["grants"]
    # LONG: Polarlys 60 000 + 20 000 (2026) + 40 000 + 60 000 + 60 000 (2027) = 240 000;
    # Aurora 60 000. Most first, although Aurora comes first by name.
    assert long["members"] == [
        {
            "member_id": 1,
            "member": "Polarlys Film AS",
            "cash_ore": 0,
            "inkind_ore": 240_000,
            "total_ore": 240_000,
        },
        {
            "member_id": 2,
            "member": "Aurora Film AS",
            "cash_ore": 0,
            "inkind_ore": 60_000,
            "total_ore": 60_000,
        },
    ]
    # MID: 40 000 in 2026 and 200 000 in 2027, all Polarlys's.
    assert [(m["member"], m["total_ore"]) for m in mid["members"]] == [
        ("Polarlys Film AS", 240_000)
    ]


def test_the_split_key_joins_an_overlap_across_new_year(three, run_json):
    data = run_json("cofunding", "--as-of", "2027-12-31", env=LATE)
    long_mid = [
        {
            "grant": "LONG",
            "amount_ore": 73_000_000,
            "days": 730,
            "per_day_ore": 100_000,
            "weight": 6_643_000_000,
            "share": 0.3333,
        },
        {
            "grant": "MID",
            "amount_ore": 36_400_000,
            "days": 182,
            "per_day_ore": 200_000,
            "weight": 13_286_000_000,
            "share": 0.6667,
        },
    ]
    all_three = [
        {**long_mid[0], "weight": 13_286_000_000, "share": 0.25},
        {**long_mid[1], "weight": 26_572_000_000, "share": 0.5},
        {
            "grant": "SHORT",
            "amount_ore": 2_800_000,
            "days": 28,
            "per_day_ore": 100_000,
            "weight": 13_286_000_000,
            "share": 0.25,
        },
    ]
    # LONG and MID overlap from 01.10.2026 to 31.03.2027: one stretch, though the sums are
    # kept per year; SHORT interrupts it in February.
    assert data["split_key"] == [
        {"from": "2026-10-01", "to": "2027-01-31", "grants": long_mid},
        {"from": "2027-02-01", "to": "2027-02-28", "grants": all_three},
        {"from": "2027-03-01", "to": "2027-03-31", "grants": long_mid},
    ]


def test_split_on_the_first_and_the_last_day_of_a_grant(three, run_json):
    first = run_json("cofunding", "--split-on", "2025-07-01", env=LATE)
    assert first == {
        "on": "2025-07-01",
        "rule": "A contribution on a day several grants cover is split by each grant's amount "
        "per day (grant amount / days of its period), exactly to the øre; one assigned to a "
        "grant counts for that grant only.",
        "grants": [
            {
                "grant": "LONG",
                "amount_ore": 73_000_000,
                "days": 730,
                "per_day_ore": 100_000,
                "weight": 73_000_000,
                "share": 1.0,
            }
        ],
    }
    last = run_json("cofunding", "--split-on", "2027-02-28", env=LATE)
    assert [(g["grant"], g["share"]) for g in last["grants"]] == [
        ("LONG", 0.25),
        ("MID", 0.5),
        ("SHORT", 0.25),
    ]
    # The table prints the rule under the key.
    assert SPLIT_RULE in three("cofunding", "--split-on", "2027-02-28").stderr.replace("\n", " ")


NOT_STARTED = {
    "match_ok": None,
    "public_ok": None,
    "forecast_match_ok": None,
    "ok": None,
    "match_shortfall_ore": 0,
    "public_shortfall_ore": 0,
    "forecast_shortfall_ore": 0,
    "status": "not started",
}


def test_a_grant_not_started_judges_no_rule_in_its_years_or_its_total(three, run_json):
    data = run_json("cofunding", "--grant", "SHORT", "--as-of", "2026-12-31", env=LATE)
    [short] = data["grants"]
    # 28 000,00 granted, all public, nothing contributed by 31.12.2026: the figures are shown
    # (public 2 800 000 of a total 2 800 000 = 1.0; 0 contributed), no rule is judged.
    row = {
        "granted_ore": 2_800_000,
        "received_ore": 0,
        "members_cash_ore": 0,
        "inkind_ore": 0,
        "forecast_cash_ore": 0,
        "inkind_not_counted_ore": 0,
        "public_ore": 2_800_000,
        "other_private_ore": 0,
        "total_ore": 2_800_000,
        "contribution_ratio": 0.0,
        "match_required_ore": 2_800_000,
        "public_share": 1.0,
        "public_cap": 0.5,
        **NOT_STARTED,
    }
    assert short["years"] == [{"year": 2027, **row}]
    assert short["total"] == {"year": "total", **row}


def test_a_year_no_grant_runs_lists_no_grant(three, run, run_json):
    # 2024: none of the grants has a day in it, so none is judged in it (an all-zero row
    # marked "ok" would read as a pass).
    data = run_json("cofunding", "--year", "2024", "--as-of", "2027-12-31", env=LATE)
    assert data["grants"] == []
    result = run("cofunding", "--year", "2024", "--as-of", "2027-12-31", env=LATE)
    assert result.stdout == ""
    assert "No grant runs in 2024" in result.stderr
    # One grant asked for, in a year it does not run: said of that grant, with its period.
    one = run("cofunding", "--grant", "MID", "--year", "2025", env=LATE)
    assert one.stdout == ""
    assert "Grant MID runs 01.10.2026–31.03.2027, not in 2025." in one.stderr
    # 2026: the grants that run in it, and only those.
    running = run_json("cofunding", "--year", "2026", "--as-of", "2027-12-31", env=LATE)
    assert all([y["year"] for y in g["years"]] == [2026] for g in running["grants"])
    assert running["grants"]
    # The summary judges the grants in the year of its date: in 2028 all three have ended.
    later = {"FILMKLYNGE_TODAY": "2028-03-01"}
    assert run_json("summary", "--as-of", "2028-03-01", env=later)["cofunding"] == []


def test_the_grant_entry_lists_members_only_when_asked(three, db_path):
    db = open_db(db_path)
    try:
        plain = cofunding(db, as_of=date(2027, 12, 31))["grants"][0]
        asked = cofunding(db, as_of=date(2027, 12, 31), by_member=True)["grants"][0]
    finally:
        db.close()
    assert "members" not in plain
    assert {**plain, "members": asked["members"]} == asked


def test_a_year_that_meets_both_rules_is_ok(cluster, run_json):
    def run(*args, code=0):
        return cluster(*args, code=code, env=LATE)

    enrol(run, "Polarlys Film AS", VALID[0], "--joined", "2025-01-01", "--legal-form", "AS")
    run("funders", "add", "Innovasjon Norge")
    # 10 000,00 granted; 20 h × 500,00 = 10 000,00 in-kind: exactly the match, and public
    # 10 000 of 20 000 is exactly the 50 % cap.
    add_grant(run, "EXACT", "10 000", "2026-01-01", "2026-12-31", "--hourly-rate", "500")
    run(
        "inkind", "add", "--member", "Polarlys", "--person", "Kari", "--hours", "20",
        "--activity", "Samling", "--on", "2026-03-02", "--grant", "EXACT",
    )  # fmt: skip
    [grant] = run_json("cofunding", "--as-of", "2026-12-31", env=LATE)["grants"]
    assert [(r["year"], r["ok"], r["status"]) for r in [*grant["years"], grant["total"]]] == [
        (2026, True, "ok"),
        ("total", True, "ok"),
    ]


# ---- segments, pure -------------------------------------------------------------------------


def _g(gid, start, end):
    return {"id": gid, "start_on": start, "end_on": end, "amount_ore": 100}


def test_segments_split_at_starts_ends_and_new_years():
    d = date.fromisoformat
    # 1: 01.07.2025–30.06.2027 (three calendar years); 2: from its last day to 31.12.2027.
    got = segments([_g(1, "2025-07-01", "2027-06-30"), _g(2, "2027-06-30", "2027-12-31")])
    assert got == [
        Segment(d("2025-07-01"), d("2025-12-31"), (1,)),
        Segment(d("2026-01-01"), d("2026-12-31"), (1,)),
        Segment(d("2027-01-01"), d("2027-06-29"), (1,)),
        Segment(d("2027-06-30"), d("2027-06-30"), (1, 2)),  # the last day of 1 is still its
        Segment(d("2027-07-01"), d("2027-12-31"), (2,)),
    ]
    assert [s.year for s in got] == [2025, 2026, 2027, 2027, 2027]
    # Two calendar years; the day after the end belongs to no segment.
    assert segments([_g(1, "2026-07-01", "2027-06-30")]) == [
        Segment(d("2026-07-01"), d("2026-12-31"), (1,)),
        Segment(d("2027-01-01"), d("2027-06-30"), (1,)),
    ]


# ---- dues over several invoices of a member --------------------------------------------------

MARCH = {"FILMKLYNGE_TODAY": "2026-03-05"}


def test_dues_add_credits_and_fees_over_a_members_invoices(billed, run_json):
    def run(*args, **kw):
        return billed(*args, env=MARCH, **kw)

    # 2025 (issued 10.01.2025, due 24.01.2025): 10001 Festivalen 17 500,00, 10002 Polarlys
    # 5 750,00, 10003 Sluttet AS 5 750,00. 2026 (issued 10.01.2026, due 24.01.2026): 10004
    # Festivalen 17 500,00, 10005 Juni Film AS 3 354,17, 10006 Polarlys 5 750,00.
    run("invoices", "run", "--year", "2025", "--issued-on", "2025-01-10", "--yes")
    run_year(run, "--yes")
    # Polarlys: a credit note on each of its invoices, 750,00 and 1 150,00.
    run("invoices", "credit", "10002", "--amount", "750", "--issued-on", "2025-03-01")
    run("invoices", "credit", "10006", "--amount", "1 150", "--issued-on", "2026-02-01")
    run("invoices", "credit", "10003", "--issued-on", "2025-03-01")  # all of Sluttet's
    run("payments", "add", "--invoice", "10005", "--amount", "3 354,17", "--on", "2026-02-01")
    run("payments", "add", "--invoice", "10001", "--amount", "17 500", "--on", "2025-02-01")
    run("payments", "add", "--invoice", "10004", "--amount", "17 500", "--on", "2026-02-01")
    # A reminder with a fee of 35,00 on each invoice still owing on 01.03.2026: Polarlys's two.
    run("profile", "set", "--reminder-fee", "35", "--reminder-fee-cap", "35")
    run("invoices", "remind", "--as-of", "2026-03-01", "--yes")
    data = run_json("dues", "--as-of", "2026-03-05", env=MARCH)
    fields = ("member_id", "member", "invoiced_ore", "credited_ore", "fees_ore", "paid_ore")
    fields += ("outstanding_ore", "overdue_ore", "oldest_overdue_days")
    # Polarlys: 11 500,00 − 750,00 − 1 150,00 + 2 × 35,00 = 9 670,00, the oldest 405 days
    # overdue (24.01.2025 to 05.03.2026). The three who owe nothing follow in name order (not in
    # the order of their ids or invoices).
    assert data["members"] == [
        dict(zip(fields, values, strict=True))
        for values in [
            (1, "Polarlys Film AS", 1_150_000, -190_000, 7_000, 0, 967_000, 967_000, 405),
            (3, "Festivalen", 3_500_000, 0, 0, 3_500_000, 0, 0, 0),
            (2, "Juni Film AS", 335_417, 0, 0, 335_417, 0, 0, 0),
            (4, "Sluttet AS", 575_000, -575_000, 0, 0, 0, 0, 0),
        ]
    ]
    # 10002: 5 000,00 + 35,00 left, 405 days; 10006: 4 600,00 + 35,00 left, 40 days.
    assert data["aging"] == {
        "not_due_ore": 0,
        "1_30_ore": 0,
        "31_60_ore": 463_500,
        "61_90_ore": 0,
        "over_90_ore": 503_500,
    }
    assert data["totals"] == {
        "invoiced_ore": 1_150_000 + 3_500_000 + 335_417 + 575_000,
        "credited_ore": -190_000 - 575_000,
        "fees_ore": 7_000,
        "paid_ore": 3_500_000 + 335_417,
        "outstanding_ore": 967_000,
        "overdue_ore": 967_000,
    }


# ---- VAT --------------------------------------------------------------------------------------


def test_the_vat_breakdown_adds_up_lines_of_the_same_code():
    lines = [
        {"vat_code": "S", "vat_rate_bp": 2500, "net_ore": 100_000, "vat_ore": 25_000},
        {"vat_code": "E", "vat_rate_bp": 0, "net_ore": 50_000, "vat_ore": 0},
        {"vat_code": "S", "vat_rate_bp": 2500, "net_ore": 30_001, "vat_ore": 7_500},
        {"vat_code": "Z", "vat_rate_bp": 0, "net_ore": 20_000, "vat_ore": 0},
    ]
    assert breakdown(lines) == [
        {"vat_code": "S", "vat_rate_bp": 2500, "net_ore": 130_001, "vat_ore": 32_500},
        {"vat_code": "E", "vat_rate_bp": 0, "net_ore": 50_000, "vat_ore": 0},
        {"vat_code": "Z", "vat_rate_bp": 0, "net_ore": 20_000, "vat_ore": 0},
    ]


def test_vat_terms_are_two_months_each():
    assert [term_of(m) for m in range(1, 13)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    assert [term_bounds(2026, t) for t in range(1, 7)] == [
        ("2026-01-01", "2026-02-28"),
        ("2026-03-01", "2026-04-30"),
        ("2026-05-01", "2026-06-30"),
        ("2026-07-01", "2026-08-31"),
        ("2026-09-01", "2026-10-31"),
        ("2026-11-01", "2026-12-31"),
    ]
    assert term_bounds(2028, 1) == ("2028-01-01", "2028-02-29")  # a leap year


def test_vat_report_rows_whole_year_and_single_terms(invoiced, run_json):
    run, _ = invoiced
    dec = {"FILMKLYNGE_TODAY": "2026-12-01"}
    # A credit note of 1 750,00 on 10001 in November: 500,00 off the E line, 1 000,00 + 250,00
    # VAT off the S line (in proportion to what is left of each line, 5 000 : 12 500).
    run("invoices", "credit", "10001", "--amount", "1 750", "--issued-on", "2026-11-15", env=dec)
    keys = ("year", "term", "vat_code", "saft_code", "vat_rate_bp", "invoiced_net_ore")
    keys += ("credited_net_ore", "basis_ore", "vat_ore", "documents")
    # Term 1, the three invoices of 10.01.2026: E 5 000,00 + 1 166,67 + 2 000,00 = 8 166,67;
    # S 10 000,00 + 1 750,00 + 3 000,00 = 14 750,00 with 2 500,00 + 437,50 + 750,00 = 3 687,50.
    term1 = [
        (2026, 1, "E", "6", 0, 816_667, 0, 816_667, 0, 3),
        (2026, 1, "S", "3", 2500, 1_475_000, 0, 1_475_000, 368_750, 3),
    ]
    term6 = [
        (2026, 6, "E", "6", 0, 0, -50_000, -50_000, 0, 1),
        (2026, 6, "S", "3", 2500, 0, -100_000, -100_000, -25_000, 1),
    ]
    expected = [dict(zip(keys, r, strict=True)) for r in term1 + term6]
    assert run_json("vat", "report", "--year", "2026", env=dec) == expected
    assert run_json("vat", "report", "--year", "2026", "--term", "1", env=dec) == expected[:2]
    assert run_json("vat", "report", "--year", "2026", "--term", "6", env=dec) == expected[2:]


@pytest.mark.parametrize(("year", "code"), [(1999, 2), (2000, 0), (2100, 0), (2101, 2)])
def test_vat_report_years_2000_to_2100(cluster, run_json, year, code):
    if code:
        r = cluster("vat", "report", "--year", year, code=code)
        assert f"Year {year} is out of range (2000–2100)." in r.stderr
    else:
        assert run_json("vat", "report", "--year", year) == []


# ---- balances as of a day ---------------------------------------------------------------------


def test_the_summary_as_of_a_day_leaves_out_what_came_after_it(invoiced, run_json):
    run, _ = invoiced
    march = {"FILMKLYNGE_TODAY": "2026-03-05"}
    # The three invoices of 10.01.2026 (17 500,00 + 3 354,17 + 5 750,00 = 26 604,17, due
    # 24.01.2026), a reminder with a fee of 35,00 on each on 01.03.2026, and a credit note of
    # 1 750,00 on 10001 on 02.03.2026.
    run("profile", "set", "--reminder-fee", "35", "--reminder-fee-cap", "35")
    run("invoices", "remind", "--as-of", "2026-03-01", "--yes")
    run("invoices", "credit", "10001", "--amount", "1 750", "--issued-on", "2026-03-02", env=march)

    def dues(as_of):
        return run_json("summary", "--as-of", as_of, env=march)["dues"]

    def owed(amount):
        return {
            "invoiced_ore": amount,
            "paid_ore": 0,
            "outstanding_ore": amount,
            "overdue_ore": amount,
        }

    nothing = owed(0)
    # Before the invoices were issued: nothing yet.
    assert dues("2026-01-09")["years"] == {"2026": nothing, "2025": nothing}
    # Before the reminders and the credit note: the invoices alone, 35 days overdue.
    assert dues("2026-02-28") == {
        "years": {"2026": owed(2_660_417), "2025": nothing},
        "members_with_overdue": [
            {"member": "Festivalen", "overdue_ore": 1_750_000, "days": 35},
            {"member": "Polarlys Film AS", "overdue_ore": 575_000, "days": 35},
            {"member": "Juni Film AS", "overdue_ore": 335_417, "days": 35},
        ],
        "unmatched_payments": 0,
    }
    # After both: 26 604,17 − 1 750,00 + 3 × 35,00 = 24 959,17; Festivalen 17 500,00 − 1 750,00
    # + 35,00 = 15 785,00.
    after = dues("2026-03-05")
    assert after["years"]["2026"] == owed(2_495_917)
    assert after["members_with_overdue"][0] == {
        "member": "Festivalen",
        "overdue_ore": 1_578_500,
        "days": 40,
    }


def test_a_year_lists_every_grant_that_runs_in_it_after_one_that_does_not(cluster, run_json):
    def run(*args, code=0):
        return cluster(*args, code=code, env=LATE)

    run("funders", "add", "Innovasjon Norge")
    add_grant(run, "EARLY", "100 000", "2024-01-01", "2024-12-31")  # listed first, not in 2025
    add_grant(run, "LATER", "100 000", "2025-01-01", "2025-12-31")
    data = run_json("cofunding", "--year", "2025", "--as-of", "2027-12-31", env=LATE)
    assert [(g["grant"], [y["year"] for y in g["years"]]) for g in data["grants"]] == [
        ("LATER", [2025])
    ]


def test_a_year_granted_nothing_has_no_ratio_and_no_share(cluster, run_json):
    def run(*args, code=0):
        return cluster(*args, code=code, env=LATE)

    run("funders", "add", "Innovasjon Norge")
    # 0,01 over two days, one in each year: by days 1 : 1, one year gets the øre and the other
    # nothing. Nothing granted and nothing contributed: no ratio and no share to divide out.
    add_grant(run, "TINY", "0,01", "2025-12-31", "2026-01-01")
    (grant,) = run_json("cofunding", "--as-of", "2027-12-31", env=LATE)["grants"]
    assert sorted(y["granted_ore"] for y in grant["years"]) == [0, 1]
    (empty,) = [y for y in grant["years"] if y["granted_ore"] == 0]
    assert (empty["contribution_ratio"], empty["public_share"]) == (None, None)
