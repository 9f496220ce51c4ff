"""The schema guards itself (migration m009): CHECK constraints refuse what the rules forbid,
whichever code writes, and an old database is upgraded in place without losing a row."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from filmklynge.cli import _message_for
from filmklynge.errors import ExitCode
from filmklynge.store.migrations import CHECKS, CHECKS_MARK

OLD = Path(__file__).parent / "data" / "old-m006.db"  # a sample made by the release before m007


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
    ]
    out = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    conn.close()
    return out


@pytest.fixture
def db_path(tmp_path):
    """The `run` fixture's database: a copy of the old one."""
    target = tmp_path / "old.db"
    shutil.copy(OLD, target)
    return target


@pytest.fixture
def old_db(db_path):
    return db_path


def test_old_database_upgrades_in_place_keeping_every_row(old_db, run):
    before = counts(old_db)
    run("db", "check")
    after = counts(old_db)
    added = {"vat_codes": 1}  # m012 adds the VAT code G (export of services)
    assert {t: after[t] for t in before if t != "_sqlite_migrations"} == {
        t: n + added.get(t, 0) for t, n in before.items() if t != "_sqlite_migrations"
    }
    conn = sqlite3.connect(old_db)
    for table in CHECKS:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        assert CHECKS_MARK in sql, table
    # Indexes and triggers came back with the rebuilt tables: issued invoices stay immutable.
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        conn.execute("UPDATE invoices SET total_ore = 0 WHERE id = 1")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
        "VALUES ('2026-01-05', 0, 'manual', 'x')",
        "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
        "VALUES ('2026-01-05', -6200, 'manual', 'x')",
        "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
        "VALUES ('2026-11-24xyz', 100, 'manual', 'x')",
        "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
        "VALUES ('2026-02-30', 100, 'manual', 'x')",
        "UPDATE members SET orgnr = '98807791' WHERE id = 1",
        "UPDATE members SET invoice_delivery = 'fax' WHERE id = 1",
        "UPDATE vat_codes SET code = 'X' WHERE code = 'Z'",
        "UPDATE tier_fees SET membership_ore = -1 WHERE id = 1",
        "UPDATE memberships SET left_on = '2000-01-01' WHERE id = 1",
        "UPDATE inkind SET hours_x100 = 0 WHERE id = 1",
        "UPDATE grants SET max_public_share_bp = 10001 WHERE id = 1",
    ],
)
def test_a_value_the_rules_forbid_is_refused_by_the_schema(old_db, run, statement):
    run("db", "check")
    conn = sqlite3.connect(old_db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        conn.execute(statement)


def test_an_invoice_and_a_credit_note_keep_their_signs(old_db, run):
    run("db", "check")
    conn = sqlite3.connect(old_db)
    row = conn.execute("SELECT * FROM invoices WHERE kind = 'invoice' LIMIT 1").fetchone()
    cols = [d[0] for d in conn.execute("SELECT * FROM invoices LIMIT 0").description]
    invoice = dict(zip(cols, row, strict=True))
    credit = {
        **invoice,
        "id": None,
        "number": 99999,
        "kid": None,
        "kind": "credit",
        "credits_invoice_id": invoice["id"],
    }
    marks = ", ".join("?" * len(cols))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # a credit note with + amounts
        conn.execute(f"INSERT INTO invoices VALUES ({marks})", [credit[c] for c in cols])
    credit |= {"net_ore": -100, "vat_ore": -25, "total_ore": -125}
    conn.execute(f"INSERT INTO invoices VALUES ({marks})", [credit[c] for c in cols])
    credit |= {"number": 99998, "credits_invoice_id": None}
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # a credit note of nothing
        conn.execute(f"INSERT INTO invoices VALUES ({marks})", [credit[c] for c in cols])


def test_upgrade_stops_cleanly_on_a_row_that_breaks_a_rule(old_db, run):
    conn = sqlite3.connect(old_db)
    conn.execute("UPDATE payments SET amount_ore = -5 WHERE id = 1")  # the old schema allowed it
    conn.commit()
    conn.close()
    before = counts(old_db)
    r = run("summary", code=int(ExitCode.CHECK_FAILED))
    assert r.stderr.count("\n") == 1 and "Upgrading" in r.stderr and "amount_ore > 0" in r.stderr
    assert "Traceback" not in r.stderr
    conn = sqlite3.connect(old_db)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'payments'").fetchone()[0]
    assert CHECKS_MARK not in sql
    assert counts(old_db)["payments"] == before["payments"]


def test_schema_errors_map_to_one_line_and_an_exit_code():
    unique = sqlite3.IntegrityError("UNIQUE constraint failed: members.orgnr")
    check = sqlite3.IntegrityError("CHECK constraint failed: amount_ore > 0")
    assert _message_for(unique)[1] == int(ExitCode.CONFLICT)
    message, code = _message_for(check)
    assert code == int(ExitCode.CHECK_FAILED) and "amount_ore > 0" in message
