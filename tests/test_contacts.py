"""Contact persons: personal data that can be forgotten without losing the company."""

import json
import sqlite3

from helpers import VALID, enrol


def test_contacts_add_list_edit_primary(cluster, run_json):
    enrol(
        cluster,
        "Polarlys Film AS",
        VALID[0],
        "--contact-name",
        "Kari Nordmann",
        "--contact-email",
        "kari@p.no",
    )
    cluster("contacts", "add", "Polarlys", "--name", "Ola Nordmann", "--phone", "41234567")
    rows = run_json("contacts", "list")
    assert [(r["name"], r["is_primary"]) for r in rows] == [
        ("Kari Nordmann", 1),
        ("Ola Nordmann", 0),
    ]
    assert rows[1]["phone"] == "+4741234567"
    assert [r["name"] for r in run_json("contacts", "list", "--missing-email")] == ["Ola Nordmann"]
    cluster("contacts", "edit", str(rows[1]["id"]), "--primary", "--email", "ola@p.no")
    rows = run_json("contacts", "list", "--member", "1")
    assert [(r["name"], r["is_primary"]) for r in rows] == [
        ("Ola Nordmann", 1),
        ("Kari Nordmann", 0),
    ]


def test_contact_errors(cluster, run_json):
    enrol(cluster)
    assert "E-mail" in cluster("contacts", "add", "1", "--name", "X", "--email", "x", code=2).stderr
    assert "No member" in cluster("contacts", "add", "99", "--name", "X", code=3).stderr
    assert "No contact" in cluster("contacts", "edit", "5", "--name", "Y", code=3).stderr
    assert run_json("contacts", "list") == []


def test_forget_erases_person_and_audit_trail(cluster, run_json, db_path):
    enrol(
        cluster,
        "Polarlys Film AS",
        VALID[0],
        "--contact-name",
        "Kari Nordmann",
        "--contact-email",
        "kari@p.no",
        "--notes",
        "Kari ringer helst",
    )
    r = cluster("members", "forget", "1", code=2)  # no terminal and no --yes
    assert "--yes" in r.stderr
    cluster("members", "forget", "1", "--yes")
    shown = run_json("members", "show", "1")
    assert shown["name"] == "Polarlys Film AS" and shown["notes"] is None
    assert shown["contacts"][0]["name"] == "(forgotten)" and shown["contacts"][0]["email"] is None
    conn = sqlite3.connect(db_path)
    everything = json.dumps(conn.execute("SELECT * FROM audit_log").fetchall(), ensure_ascii=False)
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert "Kari" not in everything and "kari@p.no" not in everything
    assert "Kari" not in dump


def test_contacts_forget_and_remove(cluster, run_json):
    enrol(cluster, "Polarlys Film AS", VALID[0], "--contact-name", "Kari Nordmann")
    cluster("contacts", "add", "1", "--name", "Ola Nordmann")
    cluster("contacts", "forget", "1", "--yes")
    cluster("contacts", "remove", "2", "--yes")
    assert run_json("contacts", "list") == []
    assert "already forgotten" in cluster("contacts", "forget", "1", "--yes", code=2).stderr
