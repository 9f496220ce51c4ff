"""Matched funding: grants, in-kind, events and the co-funding balance, with a worked example."""

import csv
import io
import json
import sqlite3
from datetime import date, timedelta

import pytest
from helpers import VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from filmklynge.funding.cofunding import segments, split_contributions, yearly_amounts

END = {"FILMKLYNGE_TODAY": "2026-12-31"}


@pytest.fixture
def funded(cluster):
    """The worked example: two members, two overlapping grants, three in-kind entries and a
    full and a partial fee payment."""

    def run(*args, code=0):
        return cluster(*args, code=code, env=END)

    run(
        "members",
        "add",
        "--name",
        "Polarlys Film AS",
        "--orgnr",
        VALID[0],
        "--tier",
        "small",
        "--county",
        "Troms",
        "--joined",
        "2026-01-01",
        "--legal-form",
        "AS",
        "--no-input",
    )
    run(
        "members",
        "add",
        "--name",
        "Eneste ENK",
        "--orgnr",
        VALID[1],
        "--tier",
        "small",
        "--county",
        "Troms",
        "--joined",
        "2026-01-01",
        "--legal-form",
        "ENK",
        "--no-input",
    )
    run("funders", "add", "Innovasjon Norge")
    run("funders", "add", "Kulturnæringsstiftelsen", "--private")
    run(
        "grants",
        "add",
        "--funder",
        "Innovasjon Norge",
        "--reference",
        "IN-1",
        "--amount",
        "300 000",
        "--from",
        "2026-01-01",
        "--to",
        "2028-12-31",
    )
    run(
        "grants",
        "add",
        "--funder",
        "Kulturnæringsstiftelsen",
        "--reference",
        "KNS-1",
        "--amount",
        "100 000",
        "--from",
        "2026-07-01",
        "--to",
        "2027-06-30",
        "--hourly-rate",
        "500",
    )
    # salary rule: 1,2 ‰ of 650 000 = 780/h, capped at 600/h: 6 h = 3 600,00 (IN-1 only, March)
    run(
        "inkind",
        "add",
        "--member",
        "Polarlys",
        "--person",
        "Kari",
        "--hours",
        "6",
        "--activity",
        "Samling",
        "--on",
        "2026-03-12",
        "--salary",
        "650 000",
    )
    # project rule 1 080/h, but an ENK owner is capped at 350/h: 10 h = 3 500,00 (August: both
    # grants cover it, split by each grant's amount per day: IN-1 300 000 / 1 096 days, KNS-1
    # 100 000 / 365 days; over the common 1 096 × 365 days that is 300 000 × 365 : 100 000 ×
    # 1 096 = 1 095 : 1 096. 350 000 øre × 1 095 / 2 191 = 174 920,13 -> 174 920 to IN-1 and
    # 350 000 × 1 096 / 2 191 = 175 079,87 -> 175 080 to KNS-1, largest remainder)
    run(
        "inkind",
        "add",
        "--member",
        "Eneste",
        "--person",
        "Ola",
        "--hours",
        "10",
        "--activity",
        "Prosjekt",
        "--on",
        "2026-08-01",
        "--salary",
        "900 000",
        "--rule",
        "project",
    )
    # fixed rate of KNS-1, assigned to it: 4 h × 500 = 2 000,00 to KNS-1 only
    run(
        "inkind",
        "add",
        "--member",
        "Polarlys",
        "--person",
        "Kari",
        "--hours",
        "4",
        "--activity",
        "Webinar",
        "--on",
        "2026-09-01",
        "--grant",
        "KNS-1",
    )
    # fees: 2 000 (E) + 3 000 (S, 750 VAT) = 5 750,00, net 5 000,00. 10001 is Eneste ENK's.
    run("invoices", "run", "--year", "2026", "--issued-on", "2026-01-10", "--yes")
    # full payment in February: 5 000,00 net, IN-1 only
    run("payments", "add", "--invoice", "10001", "--amount", "5 750", "--on", "2026-02-01")
    # partial payment in August: 2 000 × 5 000 / 5 750 = 1 739,13 net, split 1 095 : 1 096:
    # 173 913 × 1 095 / 2 191 = 86 916,81 and 173 913 × 1 096 / 2 191 = 86 996,19; the one øre
    # left goes to the larger remainder (,81): 869,17 to IN-1 and 869,96 to KNS-1
    run("payments", "add", "--invoice", "10002", "--amount", "2 000", "--on", "2026-08-01")
    return run


def test_worked_example_by_hand(funded, run_json):
    data = run_json("cofunding", "--by-member", "--as-of", "2026-12-31", env=END)
    inn, kns = data["grants"]
    in26 = inn["years"][0]
    # IN-1: 300 000 over 1 096 days; 2026 has 365 of them: 99 908,76 (largest remainder)
    assert [y["granted_ore"] for y in inn["years"]] == [9_990_876, 9_990_876, 10_018_248]
    assert in26["members_cash_ore"] == 500_000 + 86_917
    assert in26["inkind_ore"] == 360_000 + 174_920
    assert in26["match_shortfall_ore"] == 9_990_876 - (586_917 + 534_920)
    assert not in26["match_ok"] and not in26["public_ok"]
    # forecast: Polarlys still owes 3 750,00 = 3 260,87 net, invoiced in January (IN-1 only)
    assert in26["forecast_cash_ore"] == 326_087
    kns26 = kns["years"][0]
    assert kns26["granted_ore"] == 5_041_096  # 184 of 365 days in 2026
    assert kns26["members_cash_ore"] == 86_996
    assert kns26["inkind_ore"] == 175_080 + 200_000
    assert kns26["public_ok"] and kns26["public_ore"] == 0
    assert kns26["other_private_ore"] == 5_041_096
    # never counted twice: the two grants together hold exactly what was contributed
    cash = in26["members_cash_ore"] + kns26["members_cash_ore"]
    inkind = in26["inkind_ore"] + kns26["inkind_ore"]
    assert cash == 500_000 + 173_913 and inkind == 360_000 + 350_000 + 200_000
    per_member = {m["member"]: m for m in inn["members"]}
    assert per_member["Eneste ENK"]["cash_ore"] == 500_000
    assert sum(m["total_ore"] for m in inn["members"]) == (
        inn["total"]["members_cash_ore"] + inn["total"]["inkind_ore"]
    )
    assert inn["total"]["granted_ore"] == 30_000_000


def test_tranches_and_disbursements(funded, run_json):
    shown = run_json("grants", "show", "IN-1")
    assert [t["amount_ore"] for t in shown["tranches"]] == [9_000_000, 15_000_000, 6_000_000]
    funded("grants", "disburse", "IN-1", "--amount", "90 000", "--on", "2026-02-01")
    r = funded("grants", "disburse", "IN-1", "--amount", "1", "--tranche", "1", code=2)
    assert "more than what is left of tranche 1" in r.stderr
    r = funded("grants", "disburse", "IN-1", "--amount", "150 000,01", "--on", "2026-06-01", code=2)
    assert "kr 150 000,00" in r.stderr
    kns = run_json("grants", "show", "KNS-1")
    assert [t["share_bp"] for t in kns["tranches"]] == [7500, 2500]
    assert run_json("grants", "show", "IN-1")["received_ore"] == 9_000_000


def test_grant_errors(funded, run_json):
    before = run_json("grants", "list")
    r = funded(
        "grants",
        "add",
        "--funder",
        "Innovasjon Norge",
        "--reference",
        "IN-1",
        "--amount",
        "1",
        "--from",
        "2028-01-01",
        "--to",
        "2029-12-31",
        code=4,
    )
    assert "overlapping" in r.stderr
    assert (
        "add up to 100"
        in funded(
            "grants",
            "add",
            "--funder",
            "Innovasjon Norge",
            "--reference",
            "IN-2",
            "--amount",
            "1",
            "--from",
            "2029-01-01",
            "--to",
            "2029-12-31",
            "--tranches",
            "50,40",
            code=2,
        ).stderr
    )
    assert (
        "No funder"
        in funded(
            "grants",
            "add",
            "--funder",
            "Nope",
            "--reference",
            "X",
            "--amount",
            "1",
            "--from",
            "2029-01-01",
            "--to",
            "2029-12-31",
            code=3,
        ).stderr
    )
    assert run_json("grants", "list") == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--hours", "0"), "more than 0"),
        (("--hours", "-2"), "more than 0"),
        (("--hours", "25"), "at most 24"),
        (("--rule", "salary"), "needs the person's gross annual salary"),
        (("--grant", "KNS-1", "--on", "2026-03-01"), "outside grant KNS-1"),
        (("--rule", "fixed"), "fixed hourly rate"),
    ],
)
def test_inkind_bad_input(funded, db_path, args, message):
    base = {
        "--member": "Polarlys",
        "--person": "Per",
        "--hours": "2",
        "--activity": "X",
        "--on": "2026-10-01",
    }
    merged = {**base, **dict(zip(args[::2], args[1::2], strict=True))}
    flat = [x for kv in merged.items() for x in kv]
    r = funded("inkind", "add", *flat, code=2)
    assert message in r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM inkind").fetchone()[0] == 3
    conn.close()


def test_yearly_hour_limit(funded, tmp_path):
    csv = tmp_path / "timer.csv"
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(80)]
    csv.write_text(
        "medlem;person;dato;timer;aktivitet;lønn\n"
        + "".join(f"{VALID[0]};Per;{d.isoformat()};24;Prosjekt;500000\n" for d in days)
    )
    r = funded("inkind", "import", csv, code=2)
    # 77 days × 24 h = 1 848 h fit; lines 79–81 (days 78–80) would pass 1 850 h.
    too_many = "already has 1848 hours in 2026; 24 more would pass the limit of 1850 hours a year."
    assert r.stderr.splitlines() == [
        *(f"  line {n}: Per (Polarlys Film AS) {too_many}" for n in (79, 80, 81)),
        "Error: 3 rows are invalid (listed above); nothing was imported. "
        "Fix them, or use --skip-invalid.",
    ]
    r = funded("inkind", "import", csv, "--skip-invalid")
    assert "Imported 77 in-kind entries" in r.stderr  # 77 × 24 = 1 848 h


def test_events_attendance_and_to_inkind(funded, tmp_path, run_json):
    funded("events", "add", "Klyngesamling", "--on", "2026-10-01", "--hours", "6")
    people = tmp_path / "deltakere.csv"
    rows = "".join(f"{VALID[0]};Deltaker {i}\n" for i in range(1500))
    people.write_text("medlem;deltaker\n" + rows + "999999999;Ukjent\nEneste ENK;Ola\n")
    r = funded("events", "import-attendance", "1", people, code=2)
    assert "line 1502: no member '999999999'" in r.stderr
    assert run_json("events", "show", "1")["attendance"] == []
    r = funded("events", "import-attendance", "1", people, "--skip-invalid")
    assert "Imported 1501 participants" in r.stderr
    r = funded("events", "to-inkind", "1", "--rate", "500")
    assert "Made 1501 in-kind entries" in r.stderr
    r = funded("events", "to-inkind", "1", "--rate", "500")
    assert "Made 0 in-kind entries (1501 were made before)" in r.stderr
    assert "--rate" in funded("events", "to-inkind", "1", code=2).stderr


def test_report_pack_reads_back(funded, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "rapport.xlsx"
    funded("grants", "report", "IN-1", "--year", "2026", "--output", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Finansiering", "Egeninnsats", "Per medlem", "Utbetalinger"]
    financing = list(wb["Finansiering"].values)
    # 3 600,00 + IN-1's 1 749,20 of the 3 500,00 split by amount per day (see the fixture)
    assert ("2026", "Medlemmenes egeninnsats", 0, 5349.2, 5349.2) in financing
    inkind = list(wb["Egeninnsats"].values)
    # Kari's webinar was assigned to KNS-1: not in IN-1's pack.
    assert inkind == [
        ("Dato", "Medlem", "Person", "Aktivitet", "Timer", "Sats (kr/t)", "Grunnlag", "Verdi (kr)"),
        (
            "2026-08-01",
            "Eneste ENK",
            "Ola",
            "Prosjekt",
            10,
            350,
            "1,2 ‰ av kr 900 000,00, eiertak kr 350,00/t",
            3500,
        ),
        (
            "2026-03-12",
            "Polarlys Film AS",
            "Kari",
            "Samling",
            6,
            600,
            "1,2 ‰ av kr 650 000,00, tak kr 600,00/t",
            3600,
        ),
    ]
    csv_dir = tmp_path / "csv"
    funded("grants", "report", "IN-1", "--output", csv_dir)
    assert (csv_dir / "finansiering.csv").read_text(encoding="utf-8-sig").startswith("År;")
    out.write_bytes(b"old")  # an existing file is replaced, as by every command
    funded("grants", "report", "IN-1", "--output", out)
    assert out.read_bytes().startswith(b"PK")


grant_st = st.tuples(st.integers(0, 800), st.integers(0, 800), st.integers(1, 10**9))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(grant_st, min_size=1, max_size=4),
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(0, 1600), st.integers(0, 10**8), st.booleans()),
        max_size=40,
    ),
)
def test_a_contribution_is_counted_once(grant_specs, contributions):
    base = date(2025, 1, 1)
    grants = {}
    for i, (a, length, amount) in enumerate(grant_specs, start=1):
        start = base + timedelta(days=a)
        grants[i] = {
            "id": i,
            "start_on": start.isoformat(),
            "end_on": (start + timedelta(days=length)).isoformat(),
            "amount_ore": amount,
        }
    segs = segments(list(grants.values()))
    sums, expected = [], 0
    for member, day, amount, assign in contributions:
        d = base + timedelta(days=day)
        seg = next((i for i, s in enumerate(segs) if s.start <= d <= s.end), None)
        if seg is None:
            continue  # outside every grant: counts for none
        assigned = segs[seg].grant_ids[0] if assign else None
        sums.append((member, assigned, seg, amount))
        expected += amount
    split = split_contributions(segs, grants, sums)
    assert sum(split.values()) == expected
    per_member = {}
    for (_, _, member), value in split.items():
        per_member[member] = per_member.get(member, 0) + value
    assert sum(per_member.values()) == expected
    for g in grants.values():
        assert sum(yearly_amounts(g).values()) == g["amount_ore"]


def test_cofunding_json_lists_grants(funded, run_json):
    data = run_json(
        "cofunding", "--grant", "KNS-1", "--year", "2027", "--as-of", "2026-12-31", env=END
    )
    assert [g["grant"] for g in data["grants"]] == ["KNS-1"]
    [year] = data["grants"][0]["years"]
    # KNS-1 runs 01.07.2026–30.06.2027: 2027 has 181 of its 365 days, 100 000 × 181/365 =
    # 49 589,04. Nothing contributed in 2027 yet; a private funder's money is not public.
    assert {k: year[k] for k in ("year", "granted_ore", "members_cash_ore", "inkind_ore")} == {
        "year": 2027,
        "granted_ore": 4_958_904,
        "members_cash_ore": 0,
        "inkind_ore": 0,
    }
    # On 31.12.2026 the year 2027 has not started: no rule judged, no shortfall.
    assert (year["status"], year["match_ok"], year["match_shortfall_ore"]) == (
        "not started",
        None,
        0,
    )
    assert data["grants"][0]["total"]["granted_ore"] == 4_958_904
    # From 01.01.2027 it runs, and nothing contributed yet is a shortfall of the whole year.
    data = run_json(
        "cofunding", "--grant", "KNS-1", "--year", "2027", "--as-of", "2027-01-01", env=END
    )
    [year] = data["grants"][0]["years"]
    assert (year["status"], year["match_ok"], year["match_shortfall_ore"]) == (
        "short",
        False,
        4_958_904,
    )
    assert (year["public_ore"], year["other_private_ore"], year["public_ok"]) == (
        0,
        4_958_904,
        True,
    )


def test_cofunding_csv_and_json_carry_numbers_not_display(funded):
    """øre integers and booleans in CSV and JSON; the table shows kroner with øre."""
    args = ("cofunding", "--grant", "IN-1", "--year", "2026", "--as-of", "2026-12-31")
    rows = list(csv.DictReader(io.StringIO(funded(*args, "--format", "csv").stdout)))
    year = rows[0]
    shortfall = 9_990_876 - (586_917 + 534_920)
    assert (year["grant"], year["year"], year["status"]) == ("IN-1", "2026", "short")
    assert year["granted_ore"] == "9990876"
    assert (year["match_ok"], year["match_shortfall_ore"]) == ("false", str(shortfall))
    assert year["public_ok"] == "false" and int(year["public_shortfall_ore"]) > 0
    assert float(year["contribution_ratio"]) == pytest.approx(1_121_837 / 9_990_876, abs=1e-4)
    assert not any(cell.startswith("'") for row in rows for cell in row.values())
    data = json.loads(funded(*args, "--format", "json").stdout)
    y = data["grants"][0]["years"][0]
    assert y["match_shortfall_ore"] == shortfall and y["match_ok"] is False
    assert isinstance(y["granted_ore"], int) and isinstance(y["public_ok"], bool)
    table = funded(*args).stdout
    assert f"-{shortfall // 100:,},{shortfall % 100:02d}".replace(",", " ", 1) in table
    assert "0,11" in table  # the ratio, with a decimal comma


def test_a_csv_text_cell_starting_with_a_formula_is_still_neutralised(cluster):
    cluster("funders", "add", "=HYPERLINK(1)")
    out = cluster("funders", "list", "--format", "csv").stdout
    assert "'=HYPERLINK(1)" in out
