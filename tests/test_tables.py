"""Tables fit the terminal without cutting data, and big ones are streamed (issue 14, 1-2).

Through the CLI, piped (CliRunner is not a terminal), NO_COLOR, at 80 and 120 columns.
"""

import io
import json
import sqlite3

import pytest
from helpers import VALID, enrol, run_year

from filmklynge import output
from filmklynge.cli.members import _LIST_COLUMNS

LONG = "Nordnorsk Dokumentar- og Spillefilmproduksjon Tromsø Alta AS"
# On 31.12.2026 the long-named member below has left: the list shows its leaving date.
W80 = {"COLUMNS": "80", "FILMKLYNGE_TODAY": "2026-12-31"}
W120 = {"COLUMNS": "120", "FILMKLYNGE_TODAY": "2026-12-31"}


def lines_with(text: str, what: str) -> list[str]:
    return [line for line in text.splitlines() if what in line]


@pytest.fixture
def long_member(billed):
    """billed plus a member with a 60-character name that leaves on 30.11.2026, invoiced."""
    assert len(LONG) == 60
    env = {"FILMKLYNGE_TODAY": "2026-01-10"}
    enrol(billed, LONG, VALID[4], "--joined", "2025-01-01", "--county", "Nordland")
    billed("members", "resign", VALID[4], "--on", "2026-11-30", env=env)
    run_year(billed, "--yes")
    return billed


def test_80_columns_keep_dates_codes_and_amounts_whole(long_member):
    out = long_member("members", "list", env=W80).stdout
    assert all(len(line) <= 80 for line in out.splitlines())
    header = out.splitlines()[0].split()
    assert header == ["Id", "Name", "Org.nr", "Tier", "County", "Status", "Joined", "Left"]
    (line,) = lines_with(out, VALID[4])  # the org.nr, the dates and the county on one line
    assert line.split()[:2] == ["5", "Nordnorsk"]
    for whole in ("small", "Nordland", "resigned", "01.01.2025", "30.11.2026"):
        assert whole in line.split()
    assert "…" not in out
    # The name wraps at spaces below, word by word: nothing of it is lost.
    assert " ".join(out.split()).count(LONG) == 0  # wrapped, so not on one line …
    words = " ".join(w for line in out.splitlines() for w in line.split())
    assert all(word in words for word in LONG.split())  # … but every word is there

    out = long_member("dues", env=W80).stdout
    (line,) = lines_with(out, "Nordnorsk")
    # 11/12 of kr 5 750,00 (leaves in November): every amount whole on the name's line.
    assert "5 270,83" in line
    assert "…" not in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_120_columns_show_the_whole_name(long_member):
    out = long_member("members", "list", env=W120).stdout
    (line,) = lines_with(out, LONG)
    assert "30.11.2026" in line and VALID[4] in line
    assert lines_with(long_member("dues", env=W120).stdout, LONG)
    assert lines_with(long_member("invoices", "list", env=W120).stdout, LONG)


def test_piped_without_columns_is_80_wide(long_member, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    out = long_member("members", "list", env={"FILMKLYNGE_TODAY": "2026-12-31"}).stdout
    assert max(map(len, out.splitlines())) <= 80
    assert lines_with(out, "30.11.2026")


@pytest.mark.parametrize("env", [W80, W120])
def test_tiers_list_keeps_a_long_tier_name_on_one_line(cluster, env):
    cluster("tiers", "add", "enk", "--name", "Enkeltpersonforetak")
    cluster(
        "tiers", "set-fee", "enk", "--year", "2026", "--membership", "600", "--service", "1 400"
    )
    out = cluster("tiers", "list", env=env).stdout
    (line,) = lines_with(out, "Enkeltpersonforetak")
    assert "600,00" in line and "1 400,00" in line and "2 000,00" in line
    assert all(len(line) <= int(env["COLUMNS"]) for line in out.splitlines())


def add_members(db_path, count: int, *, start: int = 100) -> None:
    """``count`` members of the small tier, active since 2025, written straight to the file."""
    conn = sqlite3.connect(db_path)
    with conn:
        tier = conn.execute("SELECT id FROM tiers WHERE code = 'small'").fetchone()[0]
        conn.executemany(
            "INSERT INTO members (id, name, orgnr, country, tier_id, county, invoice_delivery)"
            " VALUES (?, ?, ?, 'NO', ?, ?, 'email')",
            [
                (m, f"Medlem {m} AS" + " Film" * (m % 7), f"9{m:08d}", tier, "Troms")
                for m in range(start, start + count)
            ],
        )
        conn.executemany(
            "INSERT INTO memberships (member_id, joined_on, left_on) VALUES (?, ?, ?)",
            [
                (m, "2025-01-01", "2026-12-31" if m % 3 else None)
                for m in range(start, start + count)
            ],
        )
    conn.close()


@pytest.mark.parametrize("env", [W80, W120])
def test_a_long_listing_is_streamed_like_the_rich_table(cluster, db_path, env, monkeypatch):
    add_members(db_path, 600)
    data = json.loads(cluster("members", "list", "--format", "json", env=env).stdout)
    assert len(data) == 600
    calls = []
    real = output.rich_table
    monkeypatch.setattr(output, "rich_table", lambda *a, **k: calls.append(a) or real(*a, **k))
    out = cluster("members", "list", env=env).stdout
    assert calls == []  # 600 rows: the streaming writer, not Rich
    width = int(env["COLUMNS"])
    rich = output.capture(output.rich_table(data, _LIST_COLUMNS, width=width))
    assert out == rich  # same columns, headers, alignment and wrapping as Rich
    for m in (100, 101, 699):
        (line,) = lines_with(out, f"9{m:08d}")
        assert line.split()[0] == str(m) and "01.01.2025" in line
        assert ("31.12.2026" in line) == bool(m % 3)


def test_streaming_writer_matches_rich_for_amounts_and_a_title():
    columns = output.cols(
        ("member", "Member", "text"),
        ("invoiced_ore", "Invoiced", "money"),
        ("due_on", "Due", "date"),
        ("days", "Days", "int"),
    )
    rows = [
        {"member": f"Medlem {i} AS", "invoiced_ore": (-1) ** i * i * 12345, "due_on": None}
        | ({"due_on": "2026-01-24", "days": i} if i % 2 else {})
        for i in range(1, 40)
    ]
    for width in (40, 80, 120):
        buf = io.StringIO()
        output.write_table(rows, columns, buf, "Dues", width=width)
        rich = output.capture(output.rich_table(rows, columns, "Dues", width=width))
        assert buf.getvalue() == rich
        assert "-4 567,65" in buf.getvalue()  # money with øre and a decimal comma, right
        assert "24.01.2026" in buf.getvalue()


def test_invoices_run_shows_the_first_rows_and_how_to_get_all(cluster, db_path):
    add_members(db_path, 25)
    r = run_year(cluster, "--dry-run")
    body = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(body) == 2 + 20  # header, rule and the first 20 invoices
    assert "… 5 more; the full plan with --format csv|json." in r.stderr
    assert "Plan for 2026: 25 invoices" in r.stderr
    csv = run_year(cluster, "--dry-run", "--format", "csv").stdout
    assert len(csv.splitlines()) == 1 + 25
    assert len(json.loads(run_year(cluster, "--dry-run", "--format", "json").stdout)) > 0
