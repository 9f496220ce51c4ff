"""summary: the register, dues and what needs attention, for people and for scripts."""

import json

from test_invoicing import billed, run_year  # noqa: F401  (fixture)


def test_summary_json_counts_members_and_dues(billed, run_json):  # noqa: F811
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


def test_summary_table_fits_80_columns_without_colour(billed):  # noqa: F811
    run_year(billed, "--yes")
    out = billed("summary", "--as-of", "2026-03-01", env={"NO_COLOR": "1", "COLUMNS": "80"})
    text = out.stdout
    assert "Needs attention" in text and "members overdue" in text
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_summary_on_the_sample():
    from pathlib import Path

    from typer.testing import CliRunner

    from filmklynge.cli import app

    sample = Path(__file__).resolve().parent.parent / "sample.db"
    r = CliRunner().invoke(
        app, ["--db", str(sample), "summary", "--as-of", "2026-11-20", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["members"]["active"] >= 28
    assert data["dues"]["unmatched_payments"] == 1
    assert data["dues"]["years"]["2026"]["overdue_ore"] > 0
