"""Impact report: growth of members against comparison firms; productions and their share."""

import sqlite3

from test_members import VALID

COMPARISON = ["914778271", "889640782"]


def test_impact_report_by_hand(cluster, run_json, tmp_path, db_path):
    for name, orgnr in (("Polarlys Film AS", VALID[0]), ("Nordkapp Dok AS", VALID[1])):
        cluster(
            "members",
            "add",
            "--name",
            name,
            "--orgnr",
            orgnr,
            "--county",
            "Troms",
            "--tier",
            "small",
            "--no-input",
        )
    csv = tmp_path / "tall.csv"
    csv.write_text(
        "orgnr;navn;år;omsetning;ansatte\n"
        f"{VALID[0]};;2017;1 000 000;2\n{VALID[0]};;2018;1 200 000;3\n"  # +20 %, +50 %
        f"{VALID[1]};;2017;3 000 000;4\n{VALID[1]};;2018;3 300 000;4\n"  # +10 %, 0 %
        f"{COMPARISON[0]};Sør AS;2017;2 000 000;5\n{COMPARISON[0]};Sør AS;2018;2 100 000;5\n"
        f"{COMPARISON[1]};Vest AS;2017;1 000 000;2\n"
    )  # no 2018: left out
    cluster("impact", "import", csv)
    data = run_json("impact", "report", "--base", "2017", "--years", "2018")
    m, c = data["members"]["years"][0], data["comparison"]["years"][0]
    assert m["turnover_growth_pct"] == 12.5  # 4 500 000 / 4 000 000
    assert m["turnover_median_growth_pct"] == 15.0  # median of 20 and 10
    assert m["employees_growth_pct"] == 16.7  # 7 / 6
    assert c["turnover_growth_pct"] == 5.0 and c["firms"] == 1
    assert data["comparison"]["left_out"] == ["Vest AS"]
    assert data["difference"][0]["turnover_growth_pp"] == 7.5
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 2  # not enrolled
    conn.close()


def test_impact_bad_input(cluster, tmp_path, run_json):
    cluster(
        "members",
        "add",
        "--name",
        "Polarlys Film AS",
        "--orgnr",
        VALID[0],
        "--county",
        "Troms",
        "--tier",
        "small",
        "--no-input",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"orgnr;navn;år;omsetning;ansatte\n{VALID[0]};;2017;1000;2\n"
        f"988077918;X;2017;1000;2\n{COMPARISON[0]};;2017;1000;2\n"
        f"{VALID[0]};;2018;mye;2\n"
    )
    r = cluster("impact", "import", bad, code=2)
    assert "line 3: Organisation number" in r.stderr
    assert "line 4:" in r.stderr and "give its name" in r.stderr
    assert "line 5:" in r.stderr
    assert (
        run_json("impact", "report", "--base", "2017", "--years", "2018")["members"]["firms"] == 0
    )
    r = cluster("impact", "import", bad, "--skip-invalid")
    assert "Imported 1 observations" in r.stderr
    assert (
        "after --base"
        in cluster("impact", "report", "--base", "2019", "--years", "2018", code=2).stderr
    )
    r = cluster(
        "impact",
        "add",
        "--member",
        "Polarlys",
        "--year",
        "2017",
        "--turnover",
        "1",
        "--employees",
        "1",
        code=4,
    )
    assert "already figures" in r.stderr


def test_productions_and_share(cluster, run_json, tmp_path):
    cluster(
        "members",
        "add",
        "--name",
        "Polarlys Film AS",
        "--orgnr",
        VALID[0],
        "--county",
        "Troms",
        "--tier",
        "small",
        "--no-input",
    )
    cluster(
        "productions",
        "add",
        "Nordlysjegerne",
        "--year",
        "2019",
        "--kind",
        "documentary",
        "--member",
        "Polarlys",
    )
    f = tmp_path / "prod.csv"
    f.write_text(f"år;tittel;type;medlemmer\n2019;Kystfolk;series;{VALID[0]}\n")
    cluster("productions", "import", f)
    cluster("productions", "national", "--year", "2019", "--count", "40")
    rows = run_json("productions", "list", "--year", "2019")
    assert [r["title"] for r in rows] == ["Kystfolk", "Nordlysjegerne"]
    share = run_json("impact", "report", "--base", "2018", "--years", "2019")["productions"]
    assert share[1] == {"year": 2019, "member_productions": 2, "national": 40, "share_pct": 5.0}
    assert (
        "Kind"
        in cluster(
            "productions",
            "add",
            "X",
            "--year",
            "2019",
            "--kind",
            "opera",
            "--member",
            "Polarlys",
            code=2,
        ).stderr
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("år;tittel;type;medlemmer\n2019;Y;series;999\n")
    assert "line 2" in cluster("productions", "import", bad, code=2).stderr
    assert len(run_json("productions", "list")) == 2
