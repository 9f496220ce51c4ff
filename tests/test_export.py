"""Exports read back with real readers; formulas neutralised; --public leaks nothing personal."""

import csv
import io
import json
import sqlite3

import pytest
from helpers import VALID, enrol, run_year
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from filmklynge import tablefile

# One company name for each character that starts a spreadsheet formula.
DANGEROUS = ['=HYPERLINK("http://x")', "+47 Film", "-Kulde AS", "@Nord", "\tTab AS", "\rCR AS"]


@pytest.fixture
def risky(cluster, db_path):
    """Six members whose names would each start a formula, one with a contact and notes."""
    for i, name in enumerate(DANGEROUS):
        extra = []
        if i == 0:
            extra = ["--notes", "hemmelig", "--contact-name", "Kari Nordmann"]
            extra += ["--contact-email", "kari@p.no", "--website", "https://polarlys.example"]
        enrol(cluster, name.strip(), VALID[i], *extra)
    # Enrolment refuses control characters, so leading tabs and carriage returns can only
    # come from older data: put them in directly.
    conn = sqlite3.connect(db_path)
    with conn:
        for name in DANGEROUS[4:]:
            conn.execute("UPDATE members SET name = ? WHERE name = ?", [name, name.strip()])
    conn.close()
    return cluster


def test_csv_neutralises_every_formula_start_and_keeps_the_rest(risky):
    out = risky("export", "members", "--fields", "name,orgnr,county,status").stdout
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert sorted(r["name"] for r in rows) == sorted("'" + n for n in DANGEROUS)
    assert {r["orgnr"] for r in rows} == set(VALID)
    assert {r["status"] for r in rows} == {"active"}
    assert "Kari" not in out and "kari@p.no" not in out and "hemmelig" not in out


def test_excel_csv_opens_in_norwegian_excel(risky, tmp_path):
    target = tmp_path / "medlemmer.csv"
    r = risky("export", "members", "--excel", "--fields", "name,employees", "-o", target)
    assert "Wrote 6 members" in r.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 7  # header + 6 rows
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["name", "employees"]
    assert sorted(r[0] for r in rows[1:]) == sorted("'" + n for n in DANGEROUS)


def test_xlsx_keeps_text_as_text_never_a_formula(risky, tmp_path):
    target = tmp_path / "medlemmer.xlsx"
    risky("export", "members", "--format", "xlsx", "--output", target)
    ws = load_workbook(target).active
    assert ws.title == "members" and ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    names = {row[header.index("name")] for row in ws.iter_rows(min_row=2)}
    # The value as typed. XML normalises a carriage return to a line feed on reading, unless the
    # reader is lxml (which openpyxl uses when installed), so compare with CR read as LF.
    assert {c.value.replace("\r", "\n") for c in names} == {
        n.replace("\r", "\n") for n in DANGEROUS
    }
    assert {c.data_type for c in names} == {"s"}  # stored as text, never a formula
    assert all(c.quotePrefix for c in names)


def test_json_and_public_preset(risky):
    rows = json.loads(risky("export", "members", "--format", "json").stdout)
    assert {r["name"] for r in rows} == set(DANGEROUS)  # JSON is not for spreadsheets
    assert "notes" not in rows[0] and "contact_email" not in rows[0]
    public = json.loads(risky("export", "members", "--public", "--format", "json").stdout)
    assert all(set(r) == {"name", "sector", "municipality", "website"} for r in public)
    assert "https://polarlys.example" in {r["website"] for r in public}
    r = risky("export", "members", "--public", "--fields", "name,orgnr", code=2)
    assert "Unknown field(s) orgnr for members with --public" in r.stderr
    assert "No such option" in risky("export", "invoices", "--public", code=2).stderr


def test_members_export_has_the_listings_filters(billed, run_json):
    for args in (
        ["--status", "resigned"],
        ["--as-of", "2026-01-01", "--status", "pending"],
        ["--county", "troms", "--tier", "large"],
        ["--search", "film"],
    ):
        listed = run_json("members", "list", *args)
        exported = json.loads(billed("export", "members", *args, "--format", "json").stdout)
        assert [r["name"] for r in exported] == [r["name"] for r in listed], args
        assert [r["status"] for r in exported] == [r["status"] for r in listed], args
    assert "Status 'gone'" in billed("export", "members", "--status", "gone", code=2).stderr


def test_fields_choose_and_order_columns(risky):
    out = risky("export", "members", "--fields", "status, orgnr ,name").stdout
    assert out.splitlines()[0] == "status,orgnr,name"
    r = risky("export", "members", "--fields", "name,passord", code=2)
    assert "Unknown field(s) passord for members; choose from: id, name" in r.stderr
    assert "twice" in risky("export", "members", "--fields", "name,name", code=2).stderr


def test_bad_combinations_are_one_line_errors_and_write_nothing(risky, tmp_path):
    tmp_path = tmp_path / "ut"
    tmp_path.mkdir()
    r = risky("export", "members", "--format", "json", "--excel", code=2)
    assert "--excel goes with --format csv" in r.stderr
    assert "--output" in risky("export", "members", "--format", "xlsx", code=2).stderr
    missing = tmp_path / "finnes-ikke" / "m.csv"
    r = risky("export", "members", "--output", missing, code=2)
    assert "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not missing.parent.exists()
    r = risky("export", "members", "--output", tmp_path, code=2)
    assert "is a folder" in r.stderr
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_invoices_in_excel_csv_and_xlsx_show_kroner(billed, tmp_path):
    run_year(billed, "--yes")
    billed("invoices", "credit", "10001", "--amount", "1 000,50", "--reason", "Feil")
    target = tmp_path / "fakturaer.csv"
    billed(
        "export",
        "invoices",
        "--excel",
        "--fields",
        "number,kind,member,total_ore,status",
        "--as-of",
        "2026-01-20",
        "--output",
        target,
    )
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["number", "kind", "member", "total_kr", "status"]
    # 10001 is partly credited and not yet due on 20.01.2026: still open.
    assert rows[1:] == [
        ["10001", "invoice", "Festivalen", "17500,00", "open"],
        ["10002", "invoice", "Juni Film AS", "3354,17", "open"],
        ["10003", "invoice", "Polarlys Film AS", "5750,00", "open"],
        ["10004", "credit", "Festivalen", "-1000,50", "credit note"],
    ]
    credit = next(r for r in rows if r[1] == "credit")
    assert credit[3] == "-1000,50"  # a negative amount is a number, not a neutralised text
    xlsx = tmp_path / "fakturaer.xlsx"
    billed("export", "invoices", "--format", "xlsx", "--output", xlsx)
    ws = load_workbook(xlsx).active
    values = list(ws.values)
    first = dict(zip(values[0], values[1], strict=True))
    assert first["total_kr"] == 17500 and first["number"] == 10001
    credit_row = next(dict(zip(values[0], v, strict=True)) for v in values if v[1] == "credit")
    assert credit_row["total_kr"] == -1000.5
    assert ws.cell(row=2, column=values[0].index("total_kr") + 1).number_format == "#,##0.00"
    due = ws.cell(row=2, column=values[0].index("due_on") + 1)
    assert due.is_date and due.value.date().isoformat() == "2026-01-24"
    plain = billed("export", "invoices", "--fields", "number,total_ore").stdout
    assert "10004,-100050" in plain.splitlines()  # plain CSV keeps øre; a minus stays a minus


def test_payments_and_inkind_exports(billed):
    run_year(billed, "--yes")
    billed(
        "payments",
        "add",
        "--invoice",
        "10001",
        "--amount",
        "100",
        "--on",
        "2026-01-20",
        "--reference",
        "+47 overført",
        env={"FILMKLYNGE_TODAY": "2026-01-20"},
    )
    rows = json.loads(billed("export", "payments", "--format", "json").stdout)
    assert rows[0]["amount_ore"] == 10000 and rows[0]["invoices"] == "10001"
    out = billed("export", "payments", "--fields", "id,reference").stdout
    assert "'+47 overført" in out
    assert billed("export", "inkind").stdout.startswith("id,worked_on,member")


CELLS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["=1+1", "-", ",-x", '"=a"', "a\n-b", "\r", "x,\t"]),
)


@settings(max_examples=200)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=30), st.booleans())
def test_csv_reads_back_as_written_with_formulas_neutralised(rows, excel):
    """Whatever the cells, a CSV reader gets back each value, text neutralised."""
    buf = io.StringIO(newline="")
    # Small chunks, so that the fast and the careful path both run in one file.
    n = tablefile.write_csv(buf, ["a_ore", "b", "c"], rows, excel=excel, chunk_rows=7)
    assert n == len(rows)
    text = buf.getvalue()
    if excel:
        assert text.startswith("\ufeff")
        text = text[1:]
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
    assert back[0] == (["a_kr", "b", "c"] if excel else ["a_ore", "b", "c"])
    assert len(back) == len(rows) + 1
    for written, read in zip(rows, back[1:], strict=True):
        for i, (value, cell) in enumerate(zip(written, read, strict=True)):
            if value is None:
                assert cell == ""
            elif isinstance(value, str):
                assert cell == tablefile.neutralise(value)
                assert not cell.startswith(tablefile.FORMULA_START)
            elif excel and i == 0:  # øre shown as kroner with a decimal comma
                assert cell == tablefile.excel_number(value, ore=True)
                kroner, ore = cell.lstrip("-").split(",")
                assert (int(kroner) * 100 + int(ore)) * (-1 if value < 0 else 1) == value
            else:
                assert int(cell) == value


def test_public_lists_active_members_unless_told(billed):
    names = [
        r["name"]
        for r in json.loads(billed("export", "members", "--public", "--format", "json").stdout)
    ]
    assert "Sluttet AS" not in names and "Polarlys Film AS" in names
    every = billed("export", "members", "--public", "--status", "resigned", "--format", "json")
    assert [r["name"] for r in json.loads(every.stdout)] == ["Sluttet AS"]


def test_empty_field_list_and_control_characters(risky, db_path, tmp_path):
    r = risky("export", "members", "--fields", " , ", code=2)
    assert "--fields names no field" in r.stderr
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE members SET address_line = 'Gate\x0b1' WHERE orgnr = ?", [VALID[0]])
    conn.close()
    target = tmp_path / "m.xlsx"
    risky("export", "members", "--format", "xlsx", "--fields", "orgnr,address_line", "-o", target)
    cells = {r[0]: r[1] for r in load_workbook(target).active.iter_rows(values_only=True)}
    assert cells[VALID[0]] == "Gate1"  # XML cannot hold the vertical tab


def test_listing_csv_neutralises_formulas_too(risky):
    out = risky("members", "list", "--format", "csv").stdout
    assert "'=HYPERLINK" in out and ",=" not in out


def test_output_files_keep_their_permissions_and_links(risky, tmp_path):
    import os

    target = tmp_path / "medlemmer.csv"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "lenke.csv"
    link.symlink_to(target)
    risky("export", "members", "--output", link)
    assert link.is_symlink() and target.read_text().startswith("id,name")
    assert os.stat(target).st_mode & 0o777 == 0o600
