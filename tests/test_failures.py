"""When things go wrong: a lost race is a conflict, a locked file is 'busy', and a command
that fails after it started writing leaves the file exactly as it was."""

import sqlite3

from helpers import count, dump, rows, run_year
from typer.testing import CliRunner

from filmklynge.cli import app


def _failing(db_path, *args, env=None):
    """Run a command that must fail, whatever exit code the failure maps to."""
    r = CliRunner().invoke(
        app, ["--db", str(db_path), *map(str, args)], prog_name="filmklynge", env=env
    )
    assert r.exit_code != 0, f"expected a failure\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


def _execute(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(sql)
    finally:
        conn.close()


# ---- duplicate keys -------------------------------------------------------------------------


def test_an_invoice_run_that_loses_a_race_is_a_conflict(billed, db_path, monkeypatch):
    """Another filmklynge invoices the same period between our plan and our write: the unique
    index on (member, period) refuses our invoices, and that is a conflict, not a traceback."""
    from filmklynge.ledger import invoicing
    from filmklynge.store.db import open_db

    plan_run = invoicing.plan_run

    def plan_then_lose_the_race(db, **kw):
        plan = plan_run(db, **kw)
        other = open_db(db_path)
        try:
            invoicing.apply_run(other, plan_run(other, **kw))
        finally:
            other.close()
        return plan

    monkeypatch.setattr(invoicing, "plan_run", plan_then_lose_the_race)
    r = run_year(billed, "--yes", code=4)
    plan_line, error = r.stderr.splitlines()  # the plan as usual, then one line of error
    assert plan_line.startswith("Plan for 2026: 3 invoices")
    assert error == (
        "Error: An invoice would be duplicated (UNIQUE constraint failed: invoices.member_id, "
        "invoices.period); nothing was written."
    )
    # Only the winner's three invoices exist; the loser wrote nothing, not even a number.
    assert [r["number"] for r in rows(db_path, "SELECT number FROM invoices ORDER BY 1")] == [
        10001,
        10002,
        10003,
    ]
    assert count(db_path, "invoice_lines") == 6


def test_enrolling_the_same_organisation_number_twice_is_a_conflict(cluster, db_path):
    cluster("members", "add", "--name", "Polarlys Film AS", "--orgnr", "988077917",
            "--county", "Troms", "--no-input")  # fmt: skip
    r = cluster("members", "add", "--name", "Polarlys AS", "--orgnr", "988 077 917",
                "--county", "Troms", "--no-input", code=4)  # fmt: skip
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1
    assert "already member 1: Polarlys Film AS" in r.stderr and r.stdout == ""
    assert count(db_path, "members") == 1


# ---- a locked file ----------------------------------------------------------------------------


def test_a_write_lock_held_elsewhere_is_a_clean_busy_error(cluster, db_path, monkeypatch):
    # Wait 50 ms for the lock instead of the usual 5 s.
    monkeypatch.setattr("filmklynge.store.db.BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        r = cluster("tiers", "add", "mini", "--name", "Mini", code=4)
        assert r.stderr == (
            "Error: The database is busy (another filmklynge is writing). Try again in a moment.\n"
        )
        assert r.stdout == ""
        assert cluster("tiers", "show", "small").exit_code == 0  # reading still works
    finally:
        other.execute("ROLLBACK")
        other.close()
    cluster("tiers", "add", "mini", "--name", "Mini")
    assert [t["code"] for t in rows(db_path, "SELECT code FROM tiers ORDER BY id")] == [
        "small",
        "large",
        "mini",
    ]


# ---- rollback after writes have started -------------------------------------------------------


def test_invoice_run_failing_at_its_last_row_leaves_the_file_as_it_was(billed, db_path):
    # The last row an invoice run writes for 2026: the service line of the third invoice.
    _execute(
        db_path,
        "CREATE TRIGGER fail_last_line BEFORE INSERT ON invoice_lines "
        "WHEN NEW.invoice_id = 3 AND NEW.line_no = 2 "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    before = dump(db_path)
    _failing(db_path, "invoices", "run", "--year", "2026", "--issued-on", "2026-01-10", "--yes")
    assert dump(db_path) == before
    _execute(db_path, "DROP TRIGGER fail_last_line")
    run_year(billed, "--yes")  # and the numbers start where they would have
    assert [r["number"] for r in rows(db_path, "SELECT number FROM invoices ORDER BY 1")] == [
        10001,
        10002,
        10003,
    ]


def test_payment_import_failing_at_its_last_payment_leaves_the_file_as_it_was(
    invoiced, db_path, tmp_path, run_json
):
    from filmklynge.ledger.bankfile_writers import make_camt

    run, kids = invoiced
    path = tmp_path / "camt054.xml"
    txs = [("A-1", kids[10001][0], "17500.00"), ("A-2", kids[10002][0], "100.00"),
           ("A-3", None, "42.00")]  # fmt: skip
    path.write_text(make_camt("054", txs, version="02", status="BOOK", credit_debit="CRDT",
                              booked="2026-02-01"))  # fmt: skip
    _execute(
        db_path,
        "CREATE TRIGGER fail_last_payment BEFORE INSERT ON payments "
        "WHEN NEW.bank_ref = 'camt:A-3' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    before = dump(db_path)
    _failing(db_path, "payments", "import", path, env={"FILMKLYNGE_TODAY": "2026-03-01"})
    assert dump(db_path) == before
    _execute(db_path, "DROP TRIGGER fail_last_payment")
    r = run("payments", "import", path)
    assert "3 payments read, 3 new, 0 already imported; 1 matched, 1 partly matched" in r.stderr


def test_ctrl_c_while_writing_leaves_the_file_as_it_was(invoiced, db_path, monkeypatch):
    """Ctrl-C arrives as a credit note's audit row is written, after the note and its lines."""
    from filmklynge.store.db import Database

    insert, executemany = Database.insert, Database.executemany

    def interrupt_insert(self, table, record):
        if table == "audit_log":
            raise KeyboardInterrupt
        return insert(self, table, record)

    def interrupt_executemany(self, sql, params):
        if "INSERT INTO audit_log" in sql:
            raise KeyboardInterrupt
        return executemany(self, sql, params)

    run, _ = invoiced
    before = dump(db_path)
    monkeypatch.setattr(Database, "insert", interrupt_insert)
    monkeypatch.setattr(Database, "executemany", interrupt_executemany)
    r = run("invoices", "credit", "10003", "--amount", "100", code=130)
    assert r.stderr == "Interrupted; nothing was changed by the unfinished step.\n"
    monkeypatch.undo()
    assert dump(db_path) == before
    run("invoices", "credit", "10003", "--amount", "100")
    assert count(db_path, "invoices") == 4  # 10004: the interrupted note left no gap
