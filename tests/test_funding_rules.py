"""Issue 12, points 5–7: the co-funding split by amount per day, only members' in-kind counts,
and --as-of as it stood then. Every figure is worked out by hand in the comments."""

import pytest
from helpers import VALID, add_grant, enrol

END = {"FILMKLYNGE_TODAY": "2026-12-31"}


@pytest.fixture
def overlap(cluster):
    """The issue's example: NOK 1 500 000 over three years and NOK 300 000 over 2026."""

    def run(*args, code=0):
        return cluster(*args, code=code, env=END)

    enrol(run, "Polarlys Film AS", VALID[0], "--joined", "2025-01-01", "--legal-form", "AS")
    run("funders", "add", "Innovasjon Norge")
    # BIG: 01.01.2025–31.12.2027 = 365 + 365 + 365 = 1 095 days, 500 000 a year.
    add_grant(run, "BIG", "1 500 000", "2025-01-01", "2027-12-31")
    # SMALL: 01.01.2026–31.12.2026 = 365 days, 300 000 that year.
    add_grant(run, "SMALL", "300 000", "2026-01-01", "2026-12-31")
    # 1,2 ‰ of 500 000 = 600/h (at the cap): 8 h = 4 800,00 on a day both grants cover.
    run(
        "inkind",
        "add",
        "--member",
        "Polarlys",
        "--person",
        "Kari",
        "--hours",
        "8",
        "--activity",
        "Samling",
        "--on",
        "2026-05-04",
        "--salary",
        "500 000",
    )
    return run


def test_overlapping_grants_split_by_amount_per_day(overlap, run_json):
    data = run_json("cofunding", "--as-of", "2026-12-31", env=END)
    big, small = data["grants"]
    big26 = next(y for y in big["years"] if y["year"] == 2026)
    [small26] = small["years"]
    # Per day: BIG 1 500 000 / 1 095, SMALL 300 000 / 365 = 900 000 / 1 095, so 5 : 3
    # (by whole amounts it would be 1 500 000 : 300 000 = 5 : 1, i.e. 4 000 : 800).
    # 4 800,00 × 5/8 = 3 000,00 to BIG and 4 800,00 × 3/8 = 1 800,00 to SMALL.
    assert (big26["inkind_ore"], small26["inkind_ore"]) == (300_000, 180_000)
    # The key, in integer weights over the common 1 095 days: BIG 150 000 000 øre × 1 095/1 095,
    # SMALL 30 000 000 øre × 1 095/365 = 90 000 000; per day 136 986,30 -> 136 986 øre and
    # 82 191,78 -> 82 192 øre.
    assert data["split_key"] == [
        {
            "from": "2026-01-01",
            "to": "2026-12-31",
            "grants": [
                {
                    "grant": "BIG",
                    "amount_ore": 150_000_000,
                    "days": 1095,
                    "per_day_ore": 136_986,
                    "weight": 150_000_000,
                    "share": 0.625,  # 5/8
                },
                {
                    "grant": "SMALL",
                    "amount_ore": 30_000_000,
                    "days": 365,
                    "per_day_ore": 82_192,
                    "weight": 90_000_000,
                    "share": 0.375,  # 3/8
                },
            ],
        }
    ]
    assert "amount per day" in data["split_rule"]
    table = overlap("cofunding", "--as-of", "2026-12-31")
    assert "Split key 01.01.2026–31.12.2026: BIG" in table.stderr
    assert "(62,5 %)" in table.stderr and "(37,5 %)" in table.stderr
    assert "amount per day" in table.stderr


def test_explicit_assignment_still_wins(overlap, run_json):
    # 2 h × 600,00 = 1 200,00 assigned to SMALL: all of it to SMALL, none to BIG.
    overlap(
        "inkind",
        "add",
        "--member",
        "Polarlys",
        "--person",
        "Kari",
        "--hours",
        "2",
        "--activity",
        "Rapport",
        "--on",
        "2026-05-05",
        "--salary",
        "500 000",
        "--grant",
        "SMALL",
    )
    big, small = run_json("cofunding", "--as-of", "2026-12-31", env=END)["grants"]
    big26 = next(y for y in big["years"] if y["year"] == 2026)
    # BIG keeps its 3 000,00 (5/8 of 4 800,00); SMALL 1 800,00 + 1 200,00 = 3 000,00.
    assert (big26["inkind_ore"], small["years"][0]["inkind_ore"]) == (300_000, 300_000)


def test_split_on_a_day_and_on_a_day_with_no_grant(overlap, run_json):
    key = run_json("cofunding", "--split-on", "04.05.2026", env=END)
    assert key["on"] == "2026-05-04"
    assert [(g["grant"], g["share"]) for g in key["grants"]] == [("BIG", 0.625), ("SMALL", 0.375)]
    # 2025: only BIG runs, the whole contribution is its.
    assert [
        g["share"] for g in run_json("cofunding", "--split-on", "2025-03-01", env=END)["grants"]
    ] == [1.0]
    r = overlap("cofunding", "--split-on", "2028-01-01", code=2)
    assert r.stderr.strip().count("\n") == 0
    assert "No grant is active on 2028-01-01" in r.stderr
    assert r.stdout == ""


def test_years_not_started_are_not_a_shortfall(overlap, run_json):
    big = run_json("cofunding", "--grant", "BIG", "--as-of", "2026-12-31", env=END)["grants"][0]
    y2025, y2026, y2027 = big["years"]
    # 2025: 500 000 granted, nothing contributed: short by all of it.
    assert (y2025["status"], y2025["match_shortfall_ore"]) == ("short", 50_000_000)
    # 2026: 500 000 granted, 3 000 contributed: short 497 000.
    assert (y2026["status"], y2026["match_shortfall_ore"]) == ("short", 50_000_000 - 300_000)
    # 2027 starts after 31.12.2026: not started, no rule judged, no shortfall.
    assert (y2027["status"], y2027["match_ok"], y2027["match_shortfall_ore"]) == (
        "not started",
        None,
        0,
    )
    assert big["total"]["status"] == "running"
    table = overlap("cofunding", "--grant", "BIG", "--as-of", "2026-12-31").stdout
    row2027 = next(line for line in table.splitlines() if "2027" in line)
    assert "not started" in row2027 and "-" not in row2027.split("500 000")[-1]
    assert "running" in next(line for line in table.splitlines() if "total" in line)
    # From 01.01.2027 the year runs and nothing in it yet is a shortfall of all 500 000.
    big = run_json("cofunding", "--grant", "BIG", "--as-of", "2027-01-01", env=END)["grants"][0]
    assert (big["years"][2]["status"], big["years"][2]["match_shortfall_ore"]) == (
        "short",
        50_000_000,
    )
    assert big["total"]["status"] == "short"


def test_summary_shows_a_grant_not_started_this_year(cluster, run_json):
    cluster("funders", "add", "Innovasjon Norge")
    # Runs from 01.07.2026: on 01.03.2026 its 2026 has not started.
    add_grant(cluster, "LATER", "100 000", "2026-07-01", "2026-12-31")
    data = run_json("summary", "--as-of", "2026-03-01")
    [row] = data["cofunding"]
    assert (row["status"], row["match_ok"], row["match_shortfall_ore"]) == ("not started", None, 0)
    text = cluster("summary", "--as-of", "2026-03-01").stdout
    assert "not started" in text and "short of co-funding" not in text


# ---- only members' in-kind counts ------------------------------------------------------------


@pytest.fixture
def leavers(cluster):
    """One grant over 2026 at a fixed 500,00 an hour; a member, a leaver and a late joiner."""

    def run(*args, code=0):
        return cluster(*args, code=code, env=END)

    enrol(run, "Polarlys Film AS", VALID[0], "--joined", "2025-01-01", "--legal-form", "AS")
    enrol(run, "Sluttet AS", VALID[1], "--joined", "2024-01-01", "--legal-form", "AS")
    run("members", "resign", "Sluttet", "--on", "2026-03-31")
    enrol(run, "Juni Film AS", VALID[2], "--joined", "2026-06-15", "--legal-form", "AS")
    run("funders", "add", "Innovasjon Norge")
    add_grant(run, "IN-1", "100 000", "2026-01-01", "2026-12-31", "--hourly-rate", "500")
    return run


def test_inkind_by_non_members_is_recorded_not_counted(leavers, run_json, tmp_path):
    csv = tmp_path / "timer.csv"
    csv.write_text(
        "medlem;person;dato;timer;aktivitet;tilskudd\n"
        f"{VALID[0]};Kari;2026-05-04;4;Samling;IN-1\n"  # 4 × 500 = 2 000,00, counted
        f"{VALID[1]};Per;2026-05-04;2;Samling;IN-1\n"  # 2 × 500 = 1 000,00, left 31.03
        f"{VALID[2]};Ola;2026-06-01;3;Samling;IN-1\n"  # 3 × 500 = 1 500,00, joins 15.06
        f"{VALID[2]};Ola;2026-06-15;1;Samling;IN-1\n",  # 1 × 500 = 500,00, the joining day
        encoding="utf-8",
    )
    r = leavers("inkind", "import", csv)
    assert "Imported 4 in-kind entries" in r.stderr
    assert "2 rows are by non-members, not counted in co-funding" in r.stderr
    assert "line 3: Sluttet AS was not a member on 2026-05-04 (left on 2026-03-31)" in r.stderr
    assert "line 4: Juni Film AS was not a member on 2026-06-01 (joined only on 2026-06-15)" in (
        r.stderr
    )
    assert "line 5" not in r.stderr and "line 2" not in r.stderr
    assert len(run_json("inkind", "list")) == 4  # all recorded
    data = run_json("cofunding", "--by-member", "--as-of", "2026-12-31", env=END)
    [year] = data["grants"][0]["years"]
    # Counted: 2 000,00 + 500,00 = 2 500,00; apart: 1 000,00 + 1 500,00 = 2 500,00.
    assert (year["inkind_ore"], year["inkind_not_counted_ore"]) == (250_000, 250_000)
    assert data["inkind_not_counted"]["value_ore"] == 250_000
    assert [(e["member"], e["worked_on"]) for e in data["inkind_not_counted"]["entries"]] == [
        ("Sluttet AS", "2026-05-04"),
        ("Juni Film AS", "2026-06-01"),
    ]
    assert {m["member"]: m["inkind_ore"] for m in data["grants"][0]["members"]} == {
        "Polarlys Film AS": 200_000,
        "Juni Film AS": 50_000,
    }
    table = leavers("cofunding", "--as-of", "2026-12-31")
    assert "In-kind by non-members, not counted: kr 2 500,00 (2 entries" in table.stderr
    # A single entry says so when it is added.
    r = leavers(
        "inkind", "add", "--member", "Sluttet", "--person", "Per", "--hours", "1",
        "--activity", "Møte", "--on", "2026-09-01", "--grant", "IN-1",
    )  # fmt: skip
    assert "Warning: Sluttet AS was not a member on 2026-09-01" in r.stderr


def test_attendance_by_non_members_is_reported_and_not_counted(leavers, run_json, tmp_path):
    leavers("events", "add", "Klyngesamling", "--on", "2026-05-04", "--hours", "3")
    csv = tmp_path / "deltakere.csv"
    csv.write_text(
        f"medlem;deltaker\n{VALID[0]};Kari\n{VALID[1]};Per\n{VALID[2]};Ola\n", encoding="utf-8"
    )
    r = leavers("events", "import-attendance", "1", csv)
    assert "Imported 3 participants" in r.stderr
    assert "2 rows are by non-members" in r.stderr
    assert "line 3: Per of Sluttet AS: the company was not a member on 2026-05-04" in r.stderr
    assert "line 4: Ola of Juni Film AS" in r.stderr
    r = leavers("events", "to-inkind", "1", "--grant", "IN-1")
    assert "Made 3 in-kind entries" in r.stderr
    assert "2 of them by companies that were not members" in r.stderr
    [year] = run_json("cofunding", "--as-of", "2026-12-31", env=END)["grants"][0]["years"]
    # 3 h × 500,00 = 1 500,00 each: Kari's counts, Per's and Ola's (3 000,00) do not.
    assert (year["inkind_ore"], year["inkind_not_counted_ore"]) == (150_000, 300_000)


# ---- members list --as-of: as it stood then ---------------------------------------------------


def test_members_list_as_of_shows_the_register_as_it_stood(cluster, run_json):
    enrol(cluster, "Aktiv Til Sommar AS", VALID[0], "--joined", "2024-01-01")
    cluster("members", "resign", "Aktiv", "--on", "2026-06-30")
    enrol(cluster, "Borte Og Tilbake AS", VALID[1], "--joined", "2024-01-01")
    cluster("members", "resign", "Borte", "--on", "2025-06-30")
    cluster("members", "rejoin", "Borte", "--on", "2026-05-01")
    enrol(cluster, "Ny I Juni AS", VALID[2], "--joined", "2026-06-15")
    day = "2026-03-01"
    rows = {r["name"]: r for r in run_json("members", "list", "--as-of", day)}
    got = {n: (r["status"], r["joined_on"], r["left_on"]) for n, r in rows.items()}
    assert got == {
        # left on 30.06.2026, after the day: active then, no leaving date yet
        "Aktiv Til Sommar AS": ("active", "2024-01-01", None),
        # left 30.06.2025 and rejoined 01.05.2026: on the day it had left (not pending)
        "Borte Og Tilbake AS": ("resigned", "2024-01-01", "2025-06-30"),
        # enrolled ahead of its joining date: pending, with that date
        "Ny I Juni AS": ("pending", "2026-06-15", None),
    }
    assert run_json("members", "list", "--as-of", day, "--status", "pending") == [
        rows["Ny I Juni AS"]
    ]
    table = cluster("members", "list", "--as-of", day).stdout
    assert "30.06.2026" not in table and "01.05.2026" not in table
    # Today (after all of it) the same register shows every change.
    later = {r["name"]: r for r in run_json("members", "list", "--as-of", "2026-12-31")}
    assert (later["Aktiv Til Sommar AS"]["status"], later["Aktiv Til Sommar AS"]["left_on"]) == (
        "resigned",
        "2026-06-30",
    )
    assert later["Borte Og Tilbake AS"]["status"] == "active"
    # The summary counts the same way: one pending on the day, not the rejoiner.
    assert run_json("summary", "--as-of", day)["members"]["pending"] == 1
