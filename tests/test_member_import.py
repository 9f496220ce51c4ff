"""CSV import of members: every row validated first; all or nothing unless --skip-invalid."""

import shutil
from pathlib import Path

from helpers import count

DATA = Path(__file__).parent / "data"


def test_utf8_import_with_contacts(cluster, run_json, db_path):
    r = cluster("members", "import", DATA / "members_utf8.csv")
    assert "Imported 2 members" in r.stderr
    rows = run_json("members", "list", "--as-of", "2026-07-01")
    assert {r["name"] for r in rows} == {"Polarlys Film AS", "Nordkapp Dokumentar AS"}
    assert run_json("members", "show", "Nordkapp")["memberships"][0]["joined_on"] == "2026-06-15"
    contact = run_json("contacts", "list")[0]
    assert contact["email"] == "kari@polarlys.example" and contact["phone"] == "+4741234567"


def test_norwegian_excel_file_in_windows_1252(cluster, run_json):
    cluster("members", "import", DATA / "members_excel_cp1252.csv")
    rows = run_json("members", "list", "--as-of", "2026-06-01")
    assert {r["name"] for r in rows} == {"Lofotlys Produksjon AS", "Sápmi Film DA"}
    names = {c["name"] for c in run_json("contacts", "list")}
    assert names == {"Åse Strand", "Ánde Eira"}


def test_utf8_bom_semicolon(cluster, run_json):
    cluster("members", "import", DATA / "members_excel_bom.csv")
    assert run_json("members", "show", "Bodø")["orgnr"] == "914778271"


def test_every_bad_row_is_reported_and_nothing_written(cluster, db_path):
    r = cluster("members", "import", DATA / "members_bad.csv", code=2)
    err = r.stderr
    assert "line 3, orgnr" in err and "check digit" in err
    assert "line 4, county" in err and "line 4, tier" in err
    assert "line 5, orgnr" in err and "also on line 2" in err
    assert "line 6, row" in err and "before the joining date" in err
    assert "line 7, joined" in err and "line 7, contact" in err
    assert "line 2," not in err
    assert "5 of 6 rows are invalid" in err
    assert count(db_path, "members") == 0


def test_skip_invalid_imports_the_good_rows(cluster, run_json):
    r = cluster("members", "import", DATA / "members_bad.csv", "--skip-invalid")
    assert "skipped line 3" in r.stderr and "Imported 1 members; skipped 5" in r.stderr
    assert [m["name"] for m in run_json("members", "list")] == ["Polarlys Film AS"]


def test_dry_run_writes_nothing(cluster, db_path):
    r = cluster("members", "import", DATA / "members_utf8.csv", "--dry-run")
    assert "Would import 2 members" in r.stderr
    assert count(db_path, "members") == 0


def test_duplicate_against_register(cluster, db_path):
    cluster("members", "import", DATA / "members_utf8.csv")
    r = cluster("members", "import", DATA / "members_utf8.csv", code=2)
    assert "already member 1: Polarlys Film AS" in r.stderr
    assert count(db_path, "members") == 2


def test_empty_header_only_unknown_column_and_missing_file(cluster, tmp_path, db_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty" in cluster("members", "import", empty, code=2).stderr
    header = tmp_path / "header.csv"
    header.write_text("navn;orgnr\n")
    assert "no members" in cluster("members", "import", header, code=2).stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("navn,skostørrelse\nX,42\n")
    r = cluster("members", "import", unknown, code=2)
    assert "Unknown column(s) skostørrelse" in r.stderr and "navn/name" in r.stderr
    assert "No file" in cluster("members", "import", tmp_path / "nope.csv", code=2).stderr
    binary = tmp_path / "bin.csv"
    shutil.copy(DATA / "members_utf8.csv", binary)
    binary.write_bytes(b"\x81\x8d\x8f\x90\x9d" * 3)
    assert cluster("members", "import", binary, code=2).stderr.startswith("Error:")
    assert count(db_path, "members") == 0
