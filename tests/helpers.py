"""Plain helpers shared by the test modules (the shared fixtures are in conftest.py)."""

import sqlite3

# Organisation numbers with a valid MOD11 check digit.
VALID = ["988077917", "974760673", "995525828", "810418052", "914778271", "889640782"]

# The default date of the ``invoiced`` fixture's runner: five weeks after the 2026 invoices
# fell due (24.01.2026).
INVOICED_TODAY = {"FILMKLYNGE_TODAY": "2026-03-01"}


def enrol(run, name="Polarlys Film AS", orgnr=VALID[0], *extra, code=0):
    """``members add`` with a county and the small tier; extra options after."""
    return run(
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
        *extra,
        code=code,
    )


def add_grant(run, reference, amount, start, end, *extra):
    """``grants add`` from Innovasjon Norge (the funder must exist) over START..END."""
    return run(
        "grants",
        "add",
        "--funder",
        "Innovasjon Norge",
        "--reference",
        reference,
        "--amount",
        amount,
        "--from",
        start,
        "--to",
        end,
        *extra,
    )


def run_year(run, *extra, code=0):
    """Invoice the 2026 fee, issued 10.01.2026 (due 24.01.2026 with 14 days' terms)."""
    return run("invoices", "run", "--year", "2026", "--issued-on", "2026-01-10", *extra, code=code)


def rows(db_path, sql, *params):
    """Rows of a query as dicts, read with a connection of its own."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def scalar(db_path, sql, *params):
    """The first column of the first row of a query."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def count(db_path, table):
    return scalar(db_path, f"SELECT count(*) FROM {table}")


def dump(db_path):
    """Every table's schema and rows, for 'the file is as it was' comparisons."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
