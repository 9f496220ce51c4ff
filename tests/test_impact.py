"""Impact report: growth of members against comparison firms; productions and their share."""

import csv
import io

import pytest
from helpers import VALID, enrol, scalar
from hypothesis import given
from hypothesis import strategies as st

from filmklynge.money import format_millions

COMPARISON = ["914778271", "889640782", "995525828"]
HEADER = "orgnr;navn;år;omsetning;ansatte\n"


@pytest.fixture
def figures(cluster, tmp_path):
    """Two members and two comparison firms with 2017–2018 figures (one firm lacks 2018)."""
    enrol(cluster, "Polarlys Film AS", VALID[0])
    enrol(cluster, "Nordkapp Dok AS", VALID[1])
    f = tmp_path / "tall.csv"
    f.write_text(
        HEADER + f"{VALID[0]};;2017;1 000 000;2\n{VALID[0]};;2018;1 200 000;3\n"  # +20 %, +50 %
        f"{VALID[1]};;2017;3 000 000;4\n{VALID[1]};;2018;3 300 000;4\n"  # +10 %, 0 %
        f"{COMPARISON[0]};Sør AS;2017;2 000 000;5\n{COMPARISON[0]};Sør AS;2018;2 100 000;5\n"
        f"{COMPARISON[1]};Vest AS;2017;1 000 000;2\n"  # no 2018: left out
    )
    cluster("impact", "import", f)
    return cluster, f


def test_report_figures_worked_out_by_hand(figures, run_json, db_path):
    data = run_json("impact", "report", "--base", "2017", "--years", "2018")
    m, c = data["members"]["years"][0], data["comparison"]["years"][0]
    assert m["turnover_base_ore"] == 400_000_000 and m["turnover_ore"] == 450_000_000
    assert m["turnover_growth_pct"] == 12.5  # 4 500 000 / 4 000 000
    assert m["turnover_median_growth_pct"] == 15.0  # median of 20 and 10
    assert m["employees_growth_pct"] == 16.7  # 7 / 6
    assert c["turnover_growth_pct"] == 5.0 and c["firms"] == 1
    assert data["comparison"]["left_out"] == ["Vest AS"]
    assert data["comparison"]["included"] == ["Sør AS"]
    assert data["difference"][0]["turnover_growth_pp"] == 7.5
    assert data["difference"][0]["employees_growth_pp"] == 16.7  # 16.67 - 0
    assert scalar(db_path, "SELECT count(*) FROM members") == 2  # comparison firms not enrolled
    assert scalar(db_path, "SELECT count(*) FROM comparison_firms") == 2


def test_report_as_table_and_csv(figures):
    run, _ = figures
    text = run("impact", "report", "--base", "2017", "--years", "2018").stdout
    assert "Members" in text and "Comparison" in text
    assert "+7,5" in text  # the difference, in percentage points
    assert "12,5 %" in text and "4,5" in text  # growth; turnover in million kroner
    assert "Comparison left out, figures missing for a year (1): Vest AS." in text
    out = run("impact", "report", "--base", "2017", "--years", "2018", "--format", "csv").stdout
    rows = {(r["group"], r["year"]): r for r in csv.DictReader(io.StringIO(out))}
    assert rows[("members", "2017")]["turnover_ore"] == "400000000"
    assert rows[("members", "2018")]["turnover_growth_pct"] == "12.5"
    assert rows[("difference_pp", "2018")]["turnover_growth_pp"] == "7.5"


def test_a_comparison_firm_that_enrols_counts_as_a_member(figures, run_json):
    run, _ = figures
    enrol(run, "Sør AS", COMPARISON[0])
    data = run_json("impact", "report", "--base", "2017", "--years", "2018")
    assert data["members"]["firms"] == 3 and "Sør AS" in data["members"]["included"]
    assert data["comparison"]["firms"] == 0


def test_importing_again_adds_nothing_and_replace_restates(figures, run_json, db_path, tmp_path):
    run, f = figures
    before = scalar(db_path, "SELECT count(*) FROM impact_observations")
    r = run("impact", "import", f)
    assert "Imported 0 yearly figures (7 already recorded)" in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == before
    restated = tmp_path / "ny.csv"
    restated.write_text(HEADER + f"{VALID[0]};;2018;1 400 000;3\n")
    r = run("impact", "import", restated, code=2)
    assert "line 2:" in r.stderr and "--replace" in r.stderr
    r = run("impact", "import", restated, "--replace")
    assert "1 replaced" in r.stderr
    data = run_json("impact", "report", "--base", "2017", "--years", "2018")
    assert data["members"]["years"][0]["turnover_ore"] == 470_000_000


@pytest.mark.parametrize(
    "line, message",
    [
        ("988077918;X;2017;1000;2", "check digit"),
        (f"{COMPARISON[2]};;2017;1000;2", "give its name"),
        (f"{VALID[0]};;2017;mye;2", "Turnover 'mye' is not an amount"),
        (f"{VALID[0]};;2017;1000;to", "Employees 'to' must be a whole number"),
        (f"{VALID[0]};;2017;1000;-1", "cannot be negative"),
        (f"{VALID[0]};;17;1000;2", "out of range"),
        (f"{VALID[0]};;år;1000;2", "Year 'år' must be a whole number"),
    ],
)
def test_import_refuses_bad_rows_and_writes_nothing(cluster, tmp_path, db_path, line, message):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{VALID[0]};;2016;900;2\n{line}\n")
    r = cluster("impact", "import", bad, code=2)
    assert "line 3:" in r.stderr and message in r.stderr, r.stderr
    assert "nothing was imported" in r.stderr
    assert "Traceback" not in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == 0
    assert scalar(db_path, "SELECT count(*) FROM comparison_firms") == 0


def test_import_skip_invalid_dry_run_and_bad_files(cluster, tmp_path, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    f = tmp_path / "t.csv"
    f.write_text(
        HEADER + f"{VALID[0]};;2017;1000;2\n{VALID[0]};;2017;1000;2\n988077918;X;2017;1;1\n"
    )
    r = cluster("impact", "import", f, "--skip-invalid", "--dry-run")
    assert "line 3: 988077917 2017 is listed twice" in r.stderr
    assert "Would import 1 yearly figures" in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == 0
    cluster("impact", "import", f, "--skip-invalid")
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == 1
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty" in cluster("impact", "import", empty, code=2).stderr
    odd = tmp_path / "odd.csv"
    odd.write_text("orgnr;år;omsetning;ansatte;farge\n988077917;2018;1;1;blå\n")
    assert "Unknown column(s) farge" in cluster("impact", "import", odd, code=2).stderr


def test_add_one_at_a_time(cluster, run_json, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    for year, turnover in ((2017, "1 000 000"), (2018, "kr 1 100 000")):
        cluster(
            "impact",
            "add",
            "--member",
            "Polarlys",
            "--year",
            year,
            "--turnover",
            turnover,
            "--employees",
            "2",
        )
    args = ["--year", "2017", "--turnover", "800000", "--employees", "1"]
    new_firm = ["impact", "add", "--orgnr", COMPARISON[0], *args]
    assert "--name" in cluster(*new_firm, code=2).stderr
    cluster(*new_firm, "--name", "Sør AS", "--county", "agder", "--sector", "Film production")
    assert scalar(db_path, "SELECT county || '/' || sector FROM comparison_firms") == (
        "Agder/film production"
    )
    same = ["impact", "add", "--member", "Polarlys", "--year", "2017", "--employees", "2"]
    assert "nothing changed" in cluster(*same, "--turnover", "1000000").stderr
    assert "already other figures" in cluster(*same, "--turnover", "1", code=4).stderr
    assert "Say whose" in cluster("impact", "add", *args, code=2).stderr
    data = run_json("impact", "report", "--base", "2017", "--years", "2018")
    assert data["members"]["years"][0]["turnover_growth_pct"] == 10.0


def test_report_bad_input(cluster):
    r = cluster("impact", "report", "--base", "2019", "--years", "2018", code=2)
    assert "after --base" in r.stderr
    assert (
        "must be years"
        in cluster("impact", "report", "--base", "2017", "--years", "x", code=2).stderr
    )
    r = cluster("impact", "report", "--base", "2017", "--years", "2018", code=3)
    assert "No company has figures for 2017 and 2018" in r.stderr


def add_production(run, title, year="2019", kind="documentary", member="Polarlys", code=0):
    return run(
        "productions", "add", title, "--year", year, "--kind", kind, "--member", member, code=code
    )


def test_productions_register_totals_and_share(cluster, run_json, tmp_path, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    enrol(cluster, "Nordkapp Dok AS", VALID[1])
    add_production(cluster, "Nordlysjegerne")
    assert "nothing changed" in add_production(cluster, "nordlysjegerne").stderr
    assert (
        "other details" in add_production(cluster, "Nordlysjegerne", kind="feature", code=4).stderr
    )
    assert "Kind" in add_production(cluster, "X", kind="opera", code=2).stderr
    f = tmp_path / "prod.csv"
    f.write_text(
        f"år;tittel;type;medlemmer\n2019;Kystfolk;series;{VALID[0]}|Nordkapp\n2018;Isbryteren;Feature;{VALID[1]}\n"
    )
    r = cluster("productions", "import", f, "--dry-run")
    assert "Would import 2 productions" in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM productions") == 1
    cluster("productions", "import", f)
    assert (
        "Imported 0 productions (2 already recorded)" in cluster("productions", "import", f).stderr
    )
    assert scalar(db_path, "SELECT count(*) FROM productions") == 3
    cluster("productions", "national", "--year", "2019", "--count", "40")
    rows = run_json("productions", "list", "--year", "2019")
    assert [r["title"] for r in rows] == ["Kystfolk", "Nordlysjegerne"]
    assert rows[0]["members"] == "Nordkapp Dok AS; Polarlys Film AS"
    totals = {t["year"]: t for t in run_json("productions", "list", "--by-year")}
    assert totals[2019]["member_productions"] == 2 and totals[2019]["series"] == 1
    assert totals[2019]["share_pct"] == 5.0 and totals[2018]["national"] is None
    for year in (2018, 2019):
        figures = ["--year", year, "--turnover", "1", "--employees", "1"]
        cluster("impact", "add", "--member", "Polarlys", *figures)
    share = run_json("impact", "report", "--base", "2018", "--years", "2019")["productions"]
    assert share[1] == {"year": 2019, "member_productions": 2, "national": 40, "share_pct": 5.0}
    text = cluster("impact", "report", "--base", "2018", "--years", "2019").stdout
    assert "Members' share of national film productions" in text and "5,0 %" in text


def test_productions_import_bad_rows_write_nothing(cluster, tmp_path, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "år;tittel;type;medlemmer\n2019;God;series;Polarlys\n2019;Y;series;999\n"
        "2019;Z;opera;Polarlys\nnitten;W;short;Polarlys\n2019;;short;Polarlys\n2019;V;short;\n"
    )
    r = cluster("productions", "import", bad, code=2)
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}:" in r.stderr
    assert "line 2:" not in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM productions") == 0
    cluster("productions", "import", bad, "--skip-invalid")
    assert scalar(db_path, "SELECT count(*) FROM productions") == 1


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_millions_are_the_amount_rounded_to_a_tenth(ore):
    text = format_millions(ore)
    whole, tenth = text.replace(" ", "").split(",")
    shown = (abs(int(whole)) * 10 + int(tenth)) * (-1 if text.startswith("-") else 1)
    assert abs(shown * 100 * 100_000 - ore) <= 50 * 100_000  # within half a tenth


def test_figures_of_a_firm_that_enrols_are_not_recorded_twice(figures, run_json, db_path):
    run, f = figures
    enrol(run, "Sør AS", COMPARISON[0])
    before = scalar(db_path, "SELECT count(*) FROM impact_observations")
    assert "7 already recorded" in run("impact", "import", f).stderr
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == before
    same_year = ["impact", "add", "--member", "Sør AS", "--year", "2018", "--employees", "5"]
    assert "already other figures" in run(*same_year, "--turnover", "1", code=4).stderr


def test_titles_are_the_same_production_whatever_the_case_of_æøå(cluster, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    add_production(cluster, "Ørnen over Øksfjord")
    assert "nothing changed" in add_production(cluster, "ØRNEN OVER ØKSFJORD").stderr
    assert scalar(db_path, "SELECT count(*) FROM productions") == 1


def test_numbers_out_of_range_are_one_line_errors(cluster, tmp_path, db_path):
    enrol(cluster, "Polarlys Film AS", VALID[0])
    huge = "99999999999999999999"
    r = cluster(
        "impact",
        "add",
        "--member",
        "Polarlys",
        "--year",
        "2018",
        "--turnover",
        huge,
        "--employees",
        "1",
        code=2,
    )
    assert "larger than any amount" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = cluster("productions", "national", "--year", "2019", "--count", huge, code=2)
    assert r.stderr == f"Error: A national total of {huge} productions is out of range.\n"
    f = tmp_path / "t.csv"
    f.write_text(HEADER + f"{VALID[0]};;2017;{huge};2\n{VALID[0]};;2018;1;{huge}\n")
    r = cluster("impact", "import", f, "--skip-invalid")
    assert "line 2:" in r.stderr and "line 3:" in r.stderr and "Imported 0" in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM impact_observations") == 0
