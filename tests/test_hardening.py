"""Issue 13, case by case through the CLI: bank-file money checked like typed money, erased
people gone from every byte of the file, private output files, a damaged or foreign file
told apart, terminal-safe text, and no input that ends in an 'unexpected' error.

The fuzz module (test_fuzz.py) keeps these fixed for inputs nobody thought of."""

import errno
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import date

import pytest
from helpers import VALID, dump, enrol, rows, scalar

from filmklynge.ledger.bankfile_writers import make_camt, make_ocr

TODAY = {"FILMKLYNGE_TODAY": "2026-03-01"}


def clean(r, code):
    """No traceback, nothing 'unexpected'; a failure ends in one 'Error:' line (an import
    lists its row errors, indented, above it)."""
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr
    if code:
        *listed, last = r.stderr.splitlines()
        assert last.startswith("Error: ") and all(x.startswith("  ") for x in listed), r.stderr
        assert r.stdout == ""


def refused(run, db_path, *args, code=2, message=None):
    """The command fails with ``code`` and one line naming ``message``; the file is as it was."""
    before = dump(db_path)
    r = run(*args, code=code)
    clean(r, code)
    if message:
        assert message in r.stderr, r.stderr
    assert dump(db_path) == before
    return r


def camt_file(tmp_path, txs, name=None, **kw):
    kw.setdefault("booked", "2026-02-01")
    path = tmp_path / (name or f"camt-{len(list(tmp_path.iterdir()))}.xml")
    path.write_text(make_camt("054", txs, **kw), encoding="utf-8")
    return path


def ocr_file(tmp_path, payments, name=None, on=date(2026, 2, 1), edit=None):
    data = make_ocr(payments, on=on).decode("iso-8859-1")
    if edit:
        data = "\n".join(edit(data.splitlines())) + "\n"
    path = tmp_path / (name or f"ocr-{len(list(tmp_path.iterdir()))}.txt")
    path.write_bytes(data.encode("iso-8859-1"))
    return path


# ---- 1. currency ---------------------------------------------------------------------------


def test_a_euro_entry_never_settles_a_krone_invoice(invoiced, tmp_path, db_path, run_json):
    run, kids = invoiced
    kid, total = kids[10003]
    path = camt_file(tmp_path, [("EUR-1", kid, f"{total / 100:.2f}")], currency="EUR")
    r = run("payments", "import", path, "--format", "json")
    report = json.loads(r.stdout)
    assert (report["read"], report["new"], report["matched"], report["skipped"]) == (0, 0, 0, 1)
    assert "currency EUR, not NOK" in report["skipped_why"][0]
    assert "skipped entry 1: currency EUR" in r.stderr
    assert scalar(db_path, "SELECT count(*) FROM payments") == 0
    status = {i["number"]: i["status"] for i in run_json("invoices", "list", env=TODAY)}
    assert status[10003] == "overdue"


# ---- 2. zero and negative amounts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-6200.00", "have no sign"),
        ("0", "must be more than 0 kr"),
        ("-0", "have no sign"),
        ("0.00", "must be more than 0 kr"),
    ],
)
def test_zero_and_negative_camt_credits_are_refused(invoiced, tmp_path, db_path, amount, message):
    run, kids = invoiced
    path = camt_file(tmp_path, [("NEG-1", kids[10003][0], amount)])
    refused(run, db_path, "payments", "import", path, message=message)
    assert scalar(db_path, "SELECT count(*) FROM payment_imports") == 0


def test_zero_ocr_amount_is_refused_and_a_minus_sign_is_a_reversal(invoiced, tmp_path, db_path):
    run, kids = invoiced
    zero = ocr_file(tmp_path, [(kids[10003][0], 0)], name="zero.txt")
    refused(run, db_path, "payments", "import", zero, message="must be more than 0 kr")

    def minus(lines):  # sign '-' in position 32 of the first amount item: a reversal
        return [ln[:31] + "-" + ln[32:] if ln[6:8] == "30" else ln for ln in lines]

    path = ocr_file(tmp_path, [(kids[10003][0], 575_000)], name="minus.txt", edit=minus)
    r = run("payments", "import", path, "--format", "json")
    report = json.loads(r.stdout)
    assert (report["new"], report["skipped"]) == (0, 1)
    assert "reversal (sign -)" in report["skipped_why"][0]
    assert scalar(db_path, "SELECT count(*) FROM payments") == 0


def test_db_check_reports_a_non_positive_payment_already_stored(invoiced, db_path):
    run, _ = invoiced
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA ignore_check_constraints = ON")  # as a file from before m009 may hold
    with conn:
        conn.execute(
            "INSERT INTO payments (paid_on, amount_ore, method, created_at) "
            "VALUES ('2026-02-01', -620000, 'camt054', '2026-02-01T00:00:00')"
        )
    conn.close()
    r = run("db", "check", "--format", "json", code=5)
    problems = json.loads(r.stdout)["problems"]
    assert any("kr -6 200,00, not more than 0 kr" in p["message"] for p in problems), problems


# ---- 3. implausible data --------------------------------------------------------------------


def test_implausible_bank_data_is_refused(invoiced, tmp_path, db_path):
    run, kids = invoiced
    kid = kids[10003][0]
    cases = [
        (camt_file(tmp_path, [("D", kid, "100.00")], booked="2023-12-31"), "first recorded day"),
        (ocr_file(tmp_path, [(kid, 100)], on=date(1970, 1, 1)), "first recorded day"),
        (camt_file(tmp_path, [("D", kid, "100.00")], booked="2026-11-24xyz"), "is not a date"),
        (camt_file(tmp_path, [("D", kid, "100.00")], booked="2027-01-01"), "in the future"),
        (ocr_file(tmp_path, [(kid, 10**16)]), "more than filmklynge accepts"),
        (camt_file(tmp_path, [("D", kid, "100000000000000.00")]), "more than filmklynge"),
        (camt_file(tmp_path, [("D", kid, "1.00")], version="01"), "unknown XML namespace"),
        (camt_file(tmp_path, [("D", kid, "1.00")], version="14"), "unknown XML namespace"),
    ]
    for path, message in cases:
        refused(run, db_path, "payments", "import", path, message=message)
    empty = tmp_path / "empty.xml"
    empty.write_text(
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.02'>"
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn>"
        "</Document>"
    )
    refused(run, db_path, "payments", "import", empty, message="holds no Ntfctn element")
    assert scalar(db_path, "SELECT count(*) FROM payment_imports") == 0


def test_a_payment_typed_by_hand_follows_the_same_rules(invoiced, db_path):
    run, _ = invoiced
    for amount, on, message in [
        ("0", "2026-02-01", "must be more than 0 kr"),
        ("100 000 001", "2026-02-01", "more than filmklynge accepts"),
        ("100", "2023-12-31", "first recorded day"),
    ]:
        args = ("payments", "add", "--invoice", "10001", "--amount", amount, "--on", on)
        refused(run, db_path, *args, message=message)


def test_a_joining_date_in_year_1_is_refused(cluster, db_path, tmp_path):
    r = enrol(cluster, "Polarlys Film AS", VALID[0], "--joined", "0001-01-01", code=2)
    assert "out of range" in r.stderr
    csv = tmp_path / "m.csv"
    csv.write_text(f"navn;orgnr;fylke;innmeldt\nPolarlys;{VALID[0]};Troms;01.01.0001\n")
    r = refused(cluster, db_path, "members", "import", csv)
    assert "line 2, joined" in r.stderr and "out of range" in r.stderr


# ---- 4. no 'unexpected' error from input ----------------------------------------------------


@pytest.mark.parametrize("amount", ["Infinity", "sNaN", "NaN", "1E+999999", "1e30", "9" * 20])
def test_camt_amounts_that_are_not_amounts(invoiced, tmp_path, db_path, amount):
    run, kids = invoiced
    path = camt_file(tmp_path, [("X", kids[10003][0], amount)])
    refused(run, db_path, "payments", "import", path, message="is not an amount")


def test_a_non_digit_in_an_ocr_amount_field(invoiced, tmp_path, db_path):
    run, kids = invoiced

    def letter(lines):
        return [ln[:40] + "X" + ln[41:] if ln[6:8] == "30" else ln for ln in lines]

    path = ocr_file(tmp_path, [(kids[10003][0], 575_000)], edit=letter)
    refused(run, db_path, "payments", "import", path, message="amount '00000000X00575000'")


def test_oversized_and_overlong_csv_input(cluster, db_path, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text(f"navn;orgnr;fylke\nPolarlys;{VALID[0]};{'x' * 140_000}\n")
    refused(cluster, db_path, "members", "import", big, message="Line 2: the file cannot be read")
    many = tmp_path / "many.csv"
    many.write_text(f"navn;orgnr;fylke;ansatte\nPolarlys;{VALID[0]};Troms;{'9' * 40}\n")
    r = refused(cluster, db_path, "members", "import", many)
    assert "line 2, employees" in r.stderr and "more than a million" in r.stderr
    refused(
        cluster,
        db_path,
        *("members", "add", "--name", "X AS", "--orgnr", VALID[1], "--county", "Troms"),
        *("--employees", "9" * 40, "--no-input"),
        message="more than a million",
    )


def test_db_as_a_dangling_symlink_and_a_long_file_name(cluster, tmp_path):
    run = cluster
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "missing" / "k.db")
    init = ("init", "--name", "K", "--orgnr", "923609016", "--account", "8601 11 17947")
    r = run("--db", link, *init, "--email", "post@k.no", "--no-input", code=2)
    clean(r, 2)
    assert "symbolic link" in r.stderr and not (tmp_path / "missing").exists()
    assert link.is_symlink()
    long = tmp_path / ("a" * 300)
    for args in (
        ("--db", long, "members", "list"),
        ("payments", "import", long),
        ("members", "import", long),
    ):
        r = run(*args, code=2)
        clean(r, 2)
        assert "File name too long" in r.stderr or "No file" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("members", "show", "9" * 24),
        ("invoices", "show", "9" * 24),
        ("contacts", "forget", "9" * 24, "--yes"),
        ("profile", "set", "--first-invoice-no", "9" * 24),
        ("db", "log", "--limit", "9" * 24),
    ],
)
def test_a_number_no_sqlite_integer_holds(invoiced, db_path, args):
    run, _ = invoiced
    refused(run, db_path, *args, message="larger than any filmklynge keeps")


def test_an_invoice_number_that_is_not_a_number(invoiced):
    run, _ = invoiced
    r = run("invoices", "remind", "--invoice", "1e999", code=2)  # was a ValueError, exit 1
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr


def test_a_full_disk_is_a_one_line_error_and_writes_nothing(cluster, db_path, monkeypatch):
    """SQLite's own 'database or disk is full' (its page limit reached, as on a full disk)."""
    from filmklynge.store import db as store

    connect = store._connect

    def full(path):
        conn = connect(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    before = dump(db_path)
    monkeypatch.setattr(store, "_connect", full)
    args = ("--name", "Stor Film AS", "--orgnr", VALID[0], "--county", "Troms", "--no-input")
    r = cluster("members", "add", *args, "--notes", "x" * 9_000, code=5)
    clean(r, 5)
    assert "disk is full" in r.stderr
    monkeypatch.setattr(store, "_connect", connect)
    assert dump(db_path) == before


def test_a_full_disk_while_writing_xlsx_is_one_line(cluster, tmp_path, monkeypatch):
    import zipfile

    enrol(cluster)
    target = tmp_path / "m.xlsx"

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(zipfile.ZipFile, "writestr", no_space)
    r = cluster("export", "members", "--format", "xlsx", "--output", target, code=5)
    clean(r, 5)
    assert "disk is full" in r.stderr
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".filmklynge.*")) == []
    monkeypatch.undo()
    r = cluster("export", "members", "--format", "csv", "--output", "/dev/full", code=5)
    clean(r, 5)
    assert "No space left on device" in r.stderr


def test_a_ten_megabyte_free_text_is_stored_bounded(invoiced, tmp_path, db_path):
    run, _ = invoiced
    body = make_camt("054", [("BIG-1", None, "100.00")]).replace(
        "<Ustrd>Kontingent</Ustrd>", f"<Ustrd>{'A' * 10_000_000}</Ustrd>"
    )
    path = tmp_path / "big.xml"
    path.write_text(body)
    r = run("payments", "import", path)
    assert "were cut" in r.stderr
    stored = scalar(db_path, "SELECT reference FROM payments")
    assert len(stored) == 500 and stored.endswith("…")
    run("payments", "unmatched")


# ---- 5. erasure -----------------------------------------------------------------------------

KARI = ("Kari Nordmann", "kari@polarlys.example")
OLA = ("Ola Nordmann", "ola@polarlys.example", "412 34 567")


def raw_bytes(db_path):
    """Everything SQLite keeps of the database on disk: the file and its WAL."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_forgetting_erases_every_byte_and_keeps_the_bookkeeping(cluster, db_path, tmp_path):
    name, email = KARI
    enrol(
        cluster,
        "Polarlys Film AS",
        VALID[0],
        *("--contact-name", name, "--contact-email", email, "--invoice-email", email),
        *("--notes", f"{name} ringer helst", "--joined", "2025-01-01"),
    )
    cluster("contacts", "add", "Polarlys", "--name", OLA[0], "--email", OLA[1], "--phone", OLA[2])
    cluster("members", "edit", "Polarlys", "--city", "Tromsø")
    cluster(
        *("inkind", "add", "--member", "Polarlys", "--person", name, "--hours", "6"),
        *("--activity", "Samling", "--on", "2026-03-12", "--salary", "650 000"),
        env=TODAY,
    )
    cluster(
        *("inkind", "add", "--member", "Polarlys", "--person", OLA[0], "--hours", "2"),
        *("--activity", "Samling", "--on", "2026-03-12", "--salary", "650 000"),
        env=TODAY,
    )
    cluster("events", "add", "Klyngesamling", "--on", "2026-02-01", "--hours", "6", env=TODAY)
    cluster("events", "attend", "1", "--member", VALID[0], "--person", name, env=TODAY)
    cluster("invoices", "run", "--year", "2026", "--issued-on", "2026-01-10", "--yes")
    # A file written by an older version (no secure_delete) holds freed copies of rows:
    # here the contact row moved (grown, then shrunk back), leaving its old bytes behind.
    old = sqlite3.connect(db_path)
    with old:
        old.execute("PRAGMA secure_delete = OFF")
        old.execute("UPDATE contacts SET role = ? WHERE id = 1", ["x" * 3000])
        old.execute("UPDATE contacts SET role = NULL WHERE id = 1")
    old.close()
    backup = tmp_path / "before.db"
    cluster("db", "backup", backup)
    assert name.encode() in raw_bytes(db_path) and email.encode() in raw_bytes(db_path)

    # An idle reader keeps the WAL file in place, so what it holds can be read after the
    # command (the last connection to close would otherwise checkpoint and delete it).
    reader = sqlite3.connect(db_path)
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # now it holds the WAL
    try:
        r = cluster("contacts", "forget", "1", "--yes")
        assert "invoice e-mail was cleared" in r.stderr
        assert "1 backup(s) taken before still hold this data" in r.stderr
        data = raw_bytes(db_path)
        assert name.encode() not in data and email.encode() not in data
        assert name.encode() in backup.read_bytes()  # the copy is untouched, and listed:
        assert OLA[0].encode() in data  # another person is left alone
        listed = json.loads(cluster("db", "backup", "--list", "--format", "json").stdout)
        assert listed[0]["path"] == str(backup) and listed[0]["holds_erased_data"]

        cluster("members", "forget", "Polarlys", "--yes")
        data = raw_bytes(db_path)
        for text in (*KARI, OLA[0], OLA[1], "41234567", "ringer helst"):
            assert text.encode() not in data, text
    finally:
        reader.close()
    for text in (*KARI, OLA[0], OLA[1], "41234567"):
        assert text.encode() not in raw_bytes(db_path), text

    # The bookkeeping trail and the in-kind hours stay; each person keeps a placeholder.
    inkind = rows(db_path, "SELECT person, hours_x100, value_ore FROM inkind ORDER BY id")
    assert [r["hours_x100"] for r in inkind] == [600, 200]
    assert {r["person"] for r in inkind} == {"(forgotten person 1)", "(forgotten person 2)"}
    assert rows(db_path, "SELECT person FROM attendance")[0]["person"] == "(forgotten person 1)"
    assert scalar(db_path, "SELECT count(*) FROM invoices") == 1
    member = rows(db_path, "SELECT name, invoice_email, notes FROM members")[0]
    assert member == {"name": "Polarlys Film AS", "invoice_email": None, "notes": None}
    log = json.loads(cluster("db", "log", "--limit", "100", "--format", "json").stdout)
    assert {"inkind", "member", "contact", "event"} <= {e["entity"] for e in log}


# ---- 6. output files ------------------------------------------------------------------------


def test_every_output_file_is_created_private(invoiced, tmp_path, monkeypatch):
    run, _ = invoiced
    monkeypatch.chdir(tmp_path)
    run("export", "members", "--output", "a.csv")
    run("export", "invoices", "--format", "xlsx", "--output", "b.xlsx")
    run("members", "list", "--format", "json", "--output", "c.json")
    run("summary", "--output", "d.txt")
    run("invoices", "pdf", "10001")
    for name in ("a.csv", "b.xlsx", "c.json", "d.txt", "faktura-10001.pdf"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name


def test_output_over_files_follows_one_rule(invoiced, tmp_path, db_path):
    run, _ = invoiced
    target = tmp_path / "old.csv"
    for args in (
        ("members", "list", "--format", "csv", "--output", target),
        ("export", "members", "--output", target),
        ("invoices", "pdf", "10001", "--output", target),
    ):
        target.write_text("old")
        run(*args)
        assert target.read_bytes() != b"old"
    # ... but never over a database: a mistyped --output must not destroy the register.
    for args in (
        ("members", "list", "--format", "csv", "--output", db_path),
        ("export", "members", "--output", db_path),
        ("invoices", "pdf", "10001", "--output", db_path),
    ):
        refused(run, db_path, *args, code=4, message="is an SQLite database")


def test_output_into_a_fifo_or_a_device_writes_into_it(invoiced, tmp_path):
    run, _ = invoiced
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    run("members", "list", "--format", "csv", "--output", fifo)
    reader.join(10)
    assert got and got[0].startswith(b"id,name") and stat.S_ISFIFO(os.stat(fifo).st_mode)
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("creating a device node needs root")
    run("export", "members", "--output", device)
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_output_to_dev_stdout_reaches_stdout(invoiced, db_path):
    env = {**os.environ, **TODAY}
    args = ["members", "list", "--format", "csv", "--output", "/dev/stdout"]
    r = subprocess.run(
        [sys.executable, "-m", "filmklynge", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 0 and r.stdout.startswith("id,name"), r.stderr


# ---- 7. damaged, empty and foreign files ----------------------------------------------------


def test_db_check_lists_a_damaged_table_with_exit_5(invoiced, db_path):
    run, _ = invoiced
    page = scalar(db_path, "PRAGMA page_size")
    root = scalar(db_path, "SELECT rootpage FROM sqlite_master WHERE name = 'members'")
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * page] = 0x07  # not a b-tree page type
    db_path.write_bytes(bytes(data))
    r = run("db", "check", "--format", "json", code=5)
    assert json.loads(r.stdout)["problems"][0]["kind"] == "integrity"
    r = run("members", "list", code=5)
    clean(r, 5)
    assert "damaged" in r.stderr


def test_db_check_on_a_damaged_file_reports_integrity_with_exit_5(invoiced, db_path):
    run, _ = invoiced
    data = bytearray(db_path.read_bytes())
    page = scalar(db_path, "PRAGMA page_size")
    for n in range(2, len(data) // page):  # every page but the first: damaged b-trees
        data[n * page : n * page + 8] = b"\xff" * 8
    db_path.write_bytes(bytes(data))
    r = run("db", "check", code=5)
    clean(r, 5)
    r = run("summary", code=5)
    clean(r, 5)
    assert "damaged" in r.stderr


def test_read_commands_never_turn_an_empty_or_foreign_file_into_a_database(run, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for args in (("summary",), ("members", "list"), ("db", "check")):
        r = run("--db", empty, *args, code=3)
        clean(r, r.exit_code)
    assert empty.read_bytes() == b""
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    before = foreign.read_bytes()
    init = ("init", "--name", "K", "--orgnr", "923609016", "--account", "8601 11 17947")
    for args in (("summary",), ("members", "list"), (*init, "--no-input")):
        r = run("--db", foreign, *args, code=2)
        clean(r, 2)
        assert "another program" in r.stderr
    assert foreign.read_bytes() == before


# ---- 8. terminal safety ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x1b[31m", "\x07", "\x00", "\u202e", "\u2066", "\x9b"])
def test_control_characters_are_refused_on_input(cluster, db_path, tmp_path, bad):
    enrol(cluster)
    name = f"Evil{bad}Film AS"
    for args in (
        ("members", "add", "--name", name, "--orgnr", VALID[1], "--county", "Troms"),
        ("members", "edit", "1", "--city", f"Troms{bad}ø"),
        ("contacts", "add", "1", "--name", name),
        ("tiers", "add", "x", "--name", name),
    ):
        refused(cluster, db_path, *args, message="would act on a terminal")
    csv = tmp_path / "m.csv"
    csv.write_text(f"navn;orgnr;fylke\n{name};{VALID[1]};Troms\n")
    r = refused(cluster, db_path, "members", "import", csv)
    assert "line 2, name" in r.stderr


def test_stored_control_characters_and_markup_are_shown_escaped(cluster, db_path):
    enrol(cluster)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE members SET name = ? WHERE id = 1", ["Evil\x1b[31m [/bold] AS"])
    conn.close()
    for args in (("members", "list"), ("summary",), ("members", "show", "1")):
        r = cluster(*args)
        assert "\x1b" not in r.stdout + r.stderr
    assert "Evil\\x1b[31m [/bold] AS" in cluster("members", "list").stdout
