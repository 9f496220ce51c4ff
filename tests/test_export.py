"""Exports read back with real readers; formulas neutralised; --public leaks nothing personal."""

import csv
import io
import json

from openpyxl import load_workbook
from test_invoicing import billed, run_year  # noqa: F401  (fixture)
from test_members import VALID


def test_members_csv_and_public_json(cluster, run_json):
    cluster(
        "members",
        "add",
        "--name",
        '=HYPERLINK("http://x")',
        "--orgnr",
        VALID[0],
        "--county",
        "Troms",
        "--tier",
        "small",
        "--notes",
        "hemmelig",
        "--contact-name",
        "Kari Nordmann",
        "--contact-email",
        "kari@p.no",
        "--no-input",
    )
    out = cluster("export", "members").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'  # neutralised
    assert rows[0]["orgnr"] == VALID[0]
    assert "Kari" not in out and "kari@p.no" not in out and "hemmelig" not in out
    public = json.loads(cluster("export", "members", "--public", "--format", "json").stdout)
    assert set(public[0]) == {"name", "sector", "municipality", "website"}
    r = cluster("export", "members", "--public", "--fields", "name,orgnr", code=2)
    assert "Unknown field(s) orgnr" in r.stderr


def test_excel_csv_opens_in_norwegian_excel(billed, tmp_path):  # noqa: F811
    run_year(billed, "--yes")
    target = tmp_path / "fakturaer.csv"
    billed(
        "export",
        "invoices",
        "--excel",
        "--fields",
        "number,member,total_ore,status",
        "--as-of",
        "2026-01-20",
        "--output",
        target,
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["number", "member", "total_kr", "status"]
    assert ["10001", "Festivalen", "17500,00", "open"] in rows


def test_xlsx_reads_back_with_numbers_in_kroner(billed, tmp_path):  # noqa: F811
    run_year(billed, "--yes")
    target = tmp_path / "fakturaer.xlsx"
    billed("export", "invoices", "--format", "xlsx", "--output", target)
    ws = load_workbook(target).active
    values = list(ws.values)
    header = values[0]
    assert "total_kr" in header and "kid" in header
    first = dict(zip(header, values[1], strict=True))
    assert first["total_kr"] == 17500 and first["number"] == 10001
    assert "--output" in billed("export", "invoices", "--format", "xlsx", code=2).stderr


def test_payments_and_inkind_exports(billed, run_json):  # noqa: F811
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
