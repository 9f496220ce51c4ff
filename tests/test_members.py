"""The member register through the CLI: enrolment, validation, status by date, show, edit."""

import json
import sqlite3

import pytest
from helpers import VALID, count, enrol


def test_add_and_list(cluster, run_json):
    enrol(
        cluster,
        "Polarlys Film AS",
        VALID[0],
        "--joined",
        "2026-01-01",
        "--sector",
        "film production",
        "--contact-name",
        "Kari Nordmann",
        "--contact-email",
        "kari@p.no",
    )
    enrol(cluster, "Nordkapp Dok AS", VALID[1], "--joined", "15.06.2026")
    rows = run_json("members", "list", "--as-of", "2026-03-01")
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Nordkapp Dok AS", "pending"),
        ("Polarlys Film AS", "active"),
    ]
    assert rows[1]["orgnr"] == "988077917" and rows[1]["tier"] == "small"
    assert "contacts" not in rows[1] and "kari@p.no" not in json.dumps(rows)


def test_show_by_id_orgnr_and_fragment(cluster, run_json):
    enrol(cluster, "Polarlys Film AS", VALID[0], "--contact-name", "Kari Nordmann")
    enrol(cluster, "Polarnatt Festival", VALID[1])
    assert run_json("members", "show", "1")["name"] == "Polarlys Film AS"
    assert run_json("members", "show", "988 077 917")["name"] == "Polarlys Film AS"
    shown = run_json("members", "show", "lys")
    assert shown["contacts"][0]["name"] == "Kari Nordmann"
    r = cluster("members", "show", "Polar", code=2)
    assert "matches several members" in r.stderr and "Polarnatt" in r.stderr
    assert "No member matches" in cluster("members", "show", "Zzz", code=3).stderr
    assert "No member with id" in cluster("members", "show", "42", code=3).stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--orgnr", "988077918"), "check digit"),
        (("--orgnr", "98807791"), "9 digits"),
        (("--orgnr", "701730496"), "8 or 9"),
        (("--tier", "gold"), "No tier 'gold'"),
        (("--county", "Troms og Finnmark"), "15 counties"),
        (("--invoice-email", "faktura"), "E-mail"),
        (("--contact-name", "Kari", "--contact-phone", "12"), "Phone"),
        (("--postal-code", "96"), "Postal code"),
        (("--joined", "2026-13-01"), "not a real date"),
        (("--joined", "1/1/2026"), "not a date"),
        (("--sector", "mining"), "Sector"),
        (("--legal-form", "GmbH"), "Legal form"),
        (("--employees", "-1"), "negative"),
        (("--invoice-delivery", "fax"), "email, ehf, post"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(cluster, db_path, args, message):
    base = {
        "--name": "Polarlys Film AS",
        "--orgnr": VALID[0],
        "--county": "Troms",
        "--tier": "small",
    }
    given = dict(zip(args[::2], args[1::2], strict=True))
    merged = {**base, **given}
    flat = [x for kv in merged.items() for x in kv]
    r = cluster("members", "add", *flat, "--no-input", code=3 if "tier" in message else 2)
    assert message in r.stderr and r.stderr.startswith("Error:")
    assert r.stdout == ""
    assert count(db_path, "members") == 0 and count(db_path, "contacts") == 0


def test_duplicate_orgnr_names_the_existing_member(cluster, db_path):
    enrol(cluster)
    r = enrol(cluster, "Another AS", VALID[0], code=4)
    assert "already member 1: Polarlys Film AS" in r.stderr
    assert count(db_path, "members") == 1


def test_required_fields_without_terminal(cluster, db_path):
    r = cluster("members", "add", "--name", "X AS", "--county", "Troms", "--no-input", code=2)
    assert "--orgnr" in r.stderr
    assert count(db_path, "members") == 0


def test_foreign_member_needs_no_orgnr(cluster, run_json):
    cluster(
        "members",
        "add",
        "--name",
        "Kiruna Bild AB",
        "--country",
        "se",
        "--vat-id",
        "SE556677889901",
        "--no-input",
    )
    m = run_json("members", "show", "Kiruna")
    assert (m["country"], m["vat_id"], m["orgnr"]) == ("SE", "SE556677889901", None)


def test_resign_rejoin_and_as_of(cluster, run_json):
    enrol(cluster, "Polarlys Film AS", VALID[0], "--joined", "2024-01-01")
    cluster("members", "resign", "Polarlys", "--on", "31.12.2025", "--reason", "Avvikla")
    assert run_json("members", "list", "--as-of", "2025-12-31")[0]["status"] == "active"
    assert run_json("members", "list", "--as-of", "2026-01-01")[0]["status"] == "resigned"
    assert run_json("members", "list", "--status", "active", "--as-of", "2026-02-01") == []
    r = cluster("members", "rejoin", "1", "--on", "2025-06-01", code=2)
    assert "must be after" in r.stderr
    cluster("members", "rejoin", "1", "--on", "2026-03-01")
    assert run_json("members", "list", "--as-of", "2026-03-01")[0]["status"] == "active"
    assert (
        "still a member" in cluster("members", "rejoin", "1", "--on", "2027-01-01", code=4).stderr
    )
    periods = run_json("members", "show", "1")["memberships"]
    assert [(p["joined_on"], p["left_on"]) for p in periods] == [
        ("2024-01-01", "2025-12-31"),
        ("2026-03-01", None),
    ]


def test_leaving_before_joining_is_refused(cluster, run_json):
    enrol(cluster, "Polarlys Film AS", VALID[0], "--joined", "2026-03-01")
    r = cluster("members", "resign", "1", "--on", "2026-02-01", code=2)
    assert "before the joining date" in r.stderr
    assert run_json("members", "show", "1")["memberships"][0]["left_on"] is None


def test_filters_and_sort(cluster, run_json):
    enrol(cluster, "B Film AS", VALID[0], "--sector", "animation", "--joined", "2026-01-01")
    cluster(
        "members",
        "add",
        "--name",
        "A Lyd AS",
        "--orgnr",
        VALID[1],
        "--county",
        "Nordland",
        "--tier",
        "large",
        "--joined",
        "2025-01-01",
        "--city",
        "Bodø",
        "--no-input",
    )
    names = lambda rows: [r["name"] for r in rows]  # noqa: E731
    assert names(run_json("members", "list", "--county", "nordland")) == ["A Lyd AS"]
    assert names(run_json("members", "list", "--tier", "small")) == ["B Film AS"]
    assert names(run_json("members", "list", "--sector", "animation")) == ["B Film AS"]
    assert names(run_json("members", "list", "--search", "bodø")) == ["A Lyd AS"]
    assert names(run_json("members", "list", "--sort", "joined")) == ["A Lyd AS", "B Film AS"]
    assert "must be one of" in cluster("members", "list", "--sort", "size", code=2).stderr
    assert "must be one of" in cluster("members", "list", "--status", "gone", code=2).stderr


def test_edit_records_audit(cluster, run_json, db_path):
    enrol(cluster)
    cluster("members", "edit", "1", "--tier", "large", "--employees", "8")
    m = run_json("members", "show", "1")
    assert m["tier"] == "large" and m["employees"] == 8
    conn = sqlite3.connect(db_path)
    before, after = conn.execute(
        "SELECT before_json, after_json FROM audit_log WHERE entity='member' AND action='update'"
    ).fetchone()
    conn.close()
    assert json.loads(after)["employees"] == 8 and json.loads(before)["employees"] is None
    r = cluster("members", "edit", "1", "--orgnr", VALID[1][:-1] + "0", code=2)
    assert "check digit" in r.stderr


def test_csv_and_table_output(cluster):
    enrol(cluster)
    out = cluster("members", "list", "--format", "csv").stdout.splitlines()
    assert out[0].startswith("id,name,orgnr") and "988077917" in out[1]
    table = cluster("members", "list").stdout
    assert "Polarlys Film AS" in table and all(len(line) <= 80 for line in table.splitlines())
