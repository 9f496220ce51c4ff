"""db check, backup, path, migrate and log; the audit trail; the error mapping."""

import getpass
import json
import os
import sqlite3
import stat
import subprocess
import sys

from helpers import run_year


def test_check_clean_database(cluster, run_json):
    assert run_json("db", "check") == {"ok": True, "problems": []}


def test_check_lists_every_problem(billed, db_path):
    run_year(billed, "--yes")
    conn = sqlite3.connect(db_path)
    for trigger in ("invoices_immutable_update", "invoices_immutable_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("UPDATE invoices SET kid = '1234567890' WHERE number = 10001")
    # Net and total both off by one øre: the schema's total = net + VAT still holds.
    conn.execute(
        "UPDATE invoices SET net_ore = net_ore + 1, total_ore = total_ore + 1 WHERE number = 10002"
    )
    conn.execute("UPDATE invoices SET number = 10009 WHERE number = 10003")
    conn.execute("UPDATE members SET orgnr = '988077918' WHERE id = 1")
    conn.execute("INSERT INTO memberships (member_id, joined_on) VALUES (2, '2026-07-01')")
    conn.execute("UPDATE members SET tier_id = NULL WHERE id = 3")
    conn.commit()
    conn.close()
    r = billed("db", "check", "--format", "json", code=5)
    messages = " | ".join(p["message"] for p in json.loads(r.stdout)["problems"])
    assert "invalid KID" in messages
    assert "totals do not match" in messages
    assert "jump from 10002 to 10009" in messages
    assert "check digit" in messages
    assert "overlapping membership" in messages
    assert "no tier" in messages
    assert r.stderr.startswith("Error:") and "problems found" in r.stderr


def test_backup_is_private_and_verified(cluster, tmp_path, run_json):
    target = tmp_path / "copy.db"
    cluster("db", "backup", target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT name FROM profile").fetchone()[0] == "Nordnorsk Filmklynge"
    conn.close()
    assert "already exists" in cluster("db", "backup", target, code=2).stderr


def test_path_and_migrate_list(cluster, db_path, run_json):
    assert cluster("db", "path").stdout.strip() == str(db_path.resolve())
    rows = run_json("db", "migrate", "--list")
    assert [r["name"] for r in rows][:3] == ["m001_initial", "m002_invoicing", "m003_payments"]
    assert {r["status"] for r in rows} == {"applied"}
    assert "Nothing to migrate" in cluster("db", "migrate").stderr


def test_audit_log_records_writes_with_user_and_command(cluster, run_json):
    cluster("profile", "set", "--payment-terms", "21")
    entries = run_json("db", "log", "--entity", "profile")
    assert entries[0]["action"] == "update"
    assert entries[0]["before"] == {"payment_terms_days": 14}
    assert entries[0]["after"] == {"payment_terms_days": 21}
    assert entries[0]["os_user"] == getpass.getuser()
    assert entries[0]["command"].startswith("filmklynge")  # sys.argv: here pytest's own
    assert entries[-1]["action"] == "create"
    fees = run_json("db", "log", "--entity", "tier_fee", "--limit", "2")
    assert len(fees) == 2
    before = len(run_json("db", "log", "--limit", "1000"))
    cluster("tiers", "set-fee", "small", "--year", "2026", "--membership", "-1", code=2)
    assert len(run_json("db", "log", "--limit", "1000")) == before  # failed: nothing logged
    assert run_json("db", "log", "--from", "2999-01-01") == []


def test_database_file_is_private_wal_and_migrated(cluster, db_path):
    from filmklynge.store.migrations import STEPS

    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    strict = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE '\\_%' ESCAPE '\\' AND sql NOT LIKE '%STRICT%'"
        )
    ]
    conn.close()
    assert names == [fn.__name__ for fn in STEPS]
    assert strict == []


def test_migrations_twice_is_a_no_op(tmp_path):
    from filmklynge.store import migrations
    from filmklynge.store.db import open_db

    db = open_db(tmp_path / "x.db")
    schema = db.scalar("SELECT group_concat(sql) FROM sqlite_master")
    assert migrations.pending_names(db) == []
    db.close()
    db = open_db(tmp_path / "x.db")
    assert db.scalar("SELECT group_concat(sql) FROM sqlite_master") == schema
    assert db.scalar("PRAGMA foreign_keys") == 1 and db.scalar("PRAGMA busy_timeout") == 5000
    fks = {r["table"] for r in db.query("SELECT * FROM pragma_foreign_key_list('invoices')")}
    assert fks == {"members", "invoices"}
    db.close()


def test_failed_transaction_leaves_nothing(tmp_path):
    import pytest

    from filmklynge.store.db import open_db

    db = open_db(tmp_path / "x.db")
    with pytest.raises(RuntimeError), db.atomic():
        db.insert("tiers", {"code": "a", "name": "A"})
        with db.atomic():
            db.insert("tiers", {"code": "b", "name": "B"})
        raise RuntimeError("Ctrl-C")
    assert db.scalar("SELECT count(*) FROM tiers") == 0
    with db.atomic():
        db.insert("tiers", {"code": "a", "name": "A"})
        with pytest.raises(ValueError), db.atomic():
            db.insert("tiers", {"code": "b", "name": "B"})
            raise ValueError
    assert [r["code"] for r in db.query("SELECT code FROM tiers")] == ["a"]
    db.close()


def test_errors_are_one_line_without_traceback(run, tmp_path, db_path):
    r = run("members", "list", code=3)
    assert r.stderr.count("\n") == 1 and "No database" in r.stderr and r.stdout == ""
    assert not db_path.exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    r = subprocess.run(
        [sys.executable, "-m", "filmklynge", "--db", str(junk), "members", "list"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and r.stdout == ""  # input: the file given with --db
    assert r.stderr.startswith(f"Error: {junk} is not a filmklynge database")
    assert junk.read_bytes() == b"not a database at all" * 100
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "filmklynge", "--db", str(junk), "--debug", "members", "list"],
        capture_output=True,
        text=True,
    )
    assert "Traceback" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "filmklynge", "--version"], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stdout.startswith("filmklynge ")


def test_error_exit_codes_come_from_one_enum(cluster):
    from filmklynge.errors import Conflict, ExitCode, InvalidInput, NotFound

    assert (InvalidInput.exit_code, NotFound.exit_code, Conflict.exit_code) == (2, 3, 4)
    assert ExitCode.CHECK_FAILED == 5 and ExitCode.INTERRUPTED == 130
    assert cluster("tiers", "show", "nope", code=3).stderr.startswith("Error: No tier")
    assert cluster("tiers", "add", "small", "--name", "x", code=4).stderr.startswith("Error:")


def test_cli_import_stays_light():
    code = (
        "import sys, filmklynge.cli; "
        "print(sorted(m for m in ('sqlite_utils', 'rich.table', 'fpdf', 'netsgiro', "
        "'openpyxl', 'dateutil.parser') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
