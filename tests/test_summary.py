"""summary: the register, dues and what needs attention, for people and for scripts."""

import json

from helpers import run_year


def test_summary_json_counts_members_and_dues(billed, run_json):
    run_year(billed, "--yes")
    billed(
        "payments",
        "add",
        "--invoice",
        "10003",
        "--amount",
        "5 750",
        "--on",
        "2026-01-20",
        env={"FILMKLYNGE_TODAY": "2026-01-20"},
    )
    billed("contacts", "add", "Festivalen", "--name", "Uten Epost")
    data = run_json("summary", "--as-of", "2026-03-01")
    m = data["members"]
    assert (m["active"], m["pending"], m["left_this_year"]) == (2, 1, 0)
    assert {r["name"]: r["members"] for r in m["by_tier"]} == {"1–5 tilsette": 1, "21+ tilsette": 1}
    assert m["contacts_missing_email"] == 1
    year = data["dues"]["years"]["2026"]
    assert year["invoiced_ore"] == 1_750_000 + 335_417 + 575_000
    assert year["paid_ore"] == 575_000
    assert year["overdue_ore"] == 1_750_000 + 335_417
    assert [x["member"] for x in data["dues"]["members_with_overdue"]] == [
        "Festivalen",
        "Juni Film AS",
    ]


def test_summary_table_fits_80_columns_without_colour(billed):
    run_year(billed, "--yes")
    out = billed("summary", "--as-of", "2026-03-01", env={"NO_COLOR": "1", "COLUMNS": "80"})
    text = out.stdout
    assert "Needs attention" in text and "members overdue" in text
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_summary_on_the_sample(tmp_path):
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from filmklynge.cli import app

    # A copy: opening a database migrates it, and the committed file must not change.
    sample = tmp_path / "sample.db"
    shutil.copy(
        Path(__file__).resolve().parent.parent / "filmklynge" / "data" / "sample.db", sample
    )
    r = CliRunner().invoke(
        app, ["--db", str(sample), "summary", "--as-of", "2026-11-20", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["members"]["active"] == 29
    assert data["dues"]["unmatched_payments"] == 1
    # Eight first reminders of 20.02.2026 carry a fee of kr 35 each: 280,00 owed on top of the
    # invoices (a reminder fee is a receivable), unpaid as the sample stands.
    fees = 8 * 3_500
    assert data["dues"]["years"]["2026"] == {
        "invoiced_ore": 21_888_749 + fees,
        "paid_ore": 18_831_874,
        "outstanding_ore": 3_056_875 + fees,
        "overdue_ore": 3_056_875 + fees,
    }


def test_summary_year_and_inkind_near_the_cap(cluster, run_json, tmp_path):
    from datetime import date, timedelta

    cluster(
        "members",
        "add",
        "--name",
        "Polarlys Film AS",
        "--orgnr",
        "988077917",
        "--county",
        "Troms",
        "--tier",
        "small",
        "--joined",
        "2024-01-01",
        "--no-input",
    )
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(70)]
    csv = tmp_path / "t.csv"
    csv.write_text(
        "medlem;person;dato;timer;aktivitet;lønn\n"
        + "".join(f"988077917;Per;{d.isoformat()};24;Prosjekt;500000\n" for d in days)
    )
    cluster("inkind", "import", csv)  # 1 680 h: over 90 % of 1 850
    data = run_json("summary", "--year", "2025")
    assert data["members"]["as_of"] == "2025-12-31"
    assert data["inkind_near_cap"][0]["person"] == "Per"
    assert data["inkind_near_cap"][0]["hours"] == 1680
    assert "near the yearly in-kind cap" in cluster("summary", "--year", "2025").stdout


def test_summary_year_and_as_of_must_agree(cluster):
    env = {"FILMKLYNGE_TODAY": "2026-11-24"}
    r = cluster("summary", "--year", "2025", "--as-of", "2026-01-01", code=2, env=env)
    assert "--as-of 2026-01-01 is not in --year 2025" in r.stderr
    assert "has not begun" in cluster("summary", "--year", "2027", code=2, env=env).stderr
    r = cluster("summary", "--as-of", "31.02.2026", code=2)
    assert "--as-of '31.02.2026' is not a real date" in r.stderr


def test_summary_counts_read_as_english_and_abroad_is_marked(billed):
    run_year(billed, "--yes")
    billed(
        "members",
        "add",
        "--name",
        "Kiruna Bild AB",
        "--country",
        "SE",
        "--vat-id",
        "SE556677889901",
        "--tier",
        "small",
        "--joined",
        "2026-01-01",
        "--no-input",
    )
    text = billed("summary", "--as-of", "2026-03-01", env={"COLUMNS": "80"}).stdout
    assert "3 members overdue" in text
    assert "SE (abroad)" in text
    assert not any(line.endswith(" ") for line in text.splitlines())


def test_summary_year_out_of_range(cluster):
    assert "is not a year" in cluster("summary", "--year", "0", code=2).stderr


def test_summary_never_cuts_a_tier_name_the_bars_give_way(billed, run):
    long_name = "21+ tilsette, festivaler og institusjonar"
    run("tiers", "add", "big", "--name", long_name)
    run("members", "edit", "Polarlys", "--tier", "big")
    longest_bar = {}
    for width in (120, 60):
        text = run("summary", env={"NO_COLOR": "1", "COLUMNS": str(width)}).stdout
        assert max(len(line) for line in text.splitlines()) <= width
        tiers = text.split("By tier\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert any(line.startswith(long_name + " ") for line in tiers), tiers
        longest_bar[width] = max(line.count("█") for line in tiers)
    assert longest_bar[120] == 20
    assert 3 <= longest_bar[60] < 20


def test_the_suggested_commands_name_the_database_typed_on_the_command_line(billed, db_path):
    import shlex

    from typer.testing import CliRunner

    from filmklynge.cli import app

    run_year(billed, "--yes")
    wide = {"NO_COLOR": "1", "COLUMNS": "300"}
    typed = billed("summary", "--as-of", "2026-03-01", env=wide).stdout
    assert f"See: filmklynge --db {shlex.quote(str(db_path))} dues --overdue" in typed
    # Named by FILMKLYNGE_DB (or the default), the plain command already finds the file.
    by_env = CliRunner().invoke(
        app, ["summary", "--as-of", "2026-03-01"], env={**wide, "FILMKLYNGE_DB": str(db_path)}
    )
    assert by_env.exit_code == 0, by_env.output
    assert "See: filmklynge dues --overdue" in by_env.stdout
