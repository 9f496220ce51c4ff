"""init, profile and tiers through the CLI."""

import os
import stat


def test_init_creates_private_database_with_profile(run, run_json, db_path):
    run(
        "init",
        "--name",
        "Nordnorsk Filmklynge",
        "--orgnr",
        "923 609 016",
        "--account",
        "8601.11.17947",
        "--vat",
        "--no-input",
    )
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    profile = run_json("profile", "show")
    assert profile["orgnr"] == "923609016"
    assert profile["account_no"] == "86011117947"
    assert profile["iban"] == "NO9386011117947"
    assert profile["vat_registered"] == 1
    assert profile["kid_length"] == 10 and profile["payment_terms_days"] == 14


def test_init_twice_is_a_conflict(cluster):
    r = cluster(
        "init",
        "--name",
        "X",
        "--orgnr",
        "988077917",
        "--account",
        "86011117947",
        "--no-input",
        code=4,
    )
    assert "already has a cluster profile" in r.stderr


def test_init_with_bad_input_leaves_no_file(run, db_path):
    r = run(
        "init",
        "--name",
        "X",
        "--orgnr",
        "923609017",
        "--account",
        "86011117947",
        "--no-input",
        code=2,
    )
    assert r.stderr.startswith("Error: Organisation number") and r.stdout == ""
    assert not db_path.exists()
    r = run(
        "init",
        "--name",
        "X",
        "--orgnr",
        "923609016",
        "--account",
        "86011117949",
        "--no-input",
        code=2,
    )
    assert "Account number" in r.stderr
    assert not db_path.exists()


def test_init_without_required_values_and_no_input(run, db_path):
    r = run("init", "--name", "X", "--no-input", code=2)
    assert "--orgnr" in r.stderr
    assert not db_path.exists()


def test_interactive_init_asks_again_for_a_wrong_answer(run, run_json, db_path, monkeypatch):
    """Each answer is checked as it is typed; a wrong one is asked again, nothing is lost."""
    monkeypatch.setattr("filmklynge.cli._common.interactive", lambda: True)
    answers = [
        "Nordnorsk Filmklynge",
        "923609017",  # wrong check digit
        "923 609 016",
        "8601 11 17948",  # wrong check digit
        "8601 11 17947",
    ]
    r = run("init", "--email", "post@filmklynge.no", input="\n".join(answers) + "\n")
    assert r.stderr.count("Organisation number:") == 2
    assert r.stderr.count("Bank account number:") == 2
    assert r.stderr.count("Cluster name:") == 1
    assert "Try again" in r.stderr and db_path.exists()
    profile = run_json("profile", "show")
    assert (profile["name"], profile["orgnr"], profile["account_no"]) == (
        "Nordnorsk Filmklynge",
        "923609016",
        "86011117947",
    )


def test_interactive_init_refuses_an_empty_name_and_asks_again(run, db_path, monkeypatch):
    monkeypatch.setattr("filmklynge.cli._common.interactive", lambda: True)
    r = run(
        "init",
        "--orgnr",
        "923609016",
        "--account",
        "8601 11 17947",
        input=" \nNordnorsk Filmklynge\n",
    )
    assert r.stderr.count("Cluster name:") == 2 and db_path.exists()


def test_format_is_case_insensitive(cluster, run_json):
    assert (
        cluster("tiers", "list", "--format", "JSON").stdout
        == cluster("tiers", "list", "--format", "json").stdout
    )
    assert cluster("tiers", "list", "-f", "Csv").stdout.startswith("code")
    cluster("export", "members", "--format", "JSON")


def test_profile_set_changes_only_what_is_given(cluster, run_json):
    cluster(
        "profile",
        "set",
        "--kid-length",
        "12",
        "--reminder-fee",
        "35",
        "--payment-terms",
        "21",
        "--foretaksregisteret",
        "--bic",
        "DNBANOKK",
    )
    p = run_json("profile", "show")
    assert (p["kid_length"], p["reminder_fee_ore"], p["payment_terms_days"]) == (12, 3500, 21)
    assert p["foretaksregisteret"] == 1 and p["bic"] == "DNBANOKK"
    assert p["name"] == "Nordnorsk Filmklynge"


def test_profile_set_rejects_bad_values_and_writes_nothing(cluster, run_json):
    before = run_json("profile", "show")
    for args, text in [
        (("--kid-length", "3"), "outside 4–25"),
        (("--kid-length", "26"), "outside 4–25"),
        (("--email", "nope"), "E-mail"),
        (("--account", "1234"), "Account number"),
        (("--language", "de"), "nb or en"),
        (("--reminder-fee", "100", "--reminder-fee-cap", "70"), "above the reminder fee cap"),
        (("--vat-rate", "X=25"), "VAT code"),
        (("--vat-rate", "S"), "CODE=PERCENT"),
        ((), "Nothing to change"),
    ]:
        r = cluster("profile", "set", *args, code=2)
        assert text in r.stderr, (args, r.stderr)
    assert run_json("profile", "show") == before


def test_vat_rates_are_settings(cluster, db_path):
    from filmklynge.store.db import open_db

    cluster("profile", "set", "--vat-rate", "S=15")
    db = open_db(db_path)
    assert db.scalar("SELECT rate_bp FROM vat_codes WHERE code = 'S'") == 1500
    db.close()


def test_read_commands_need_a_database(run, db_path):
    r = run("profile", "show", code=3)
    assert "No database" in r.stderr and "filmklynge init" in r.stderr
    assert not db_path.exists()


def test_tiers_and_fees(cluster, run_json):
    rows = run_json("tiers", "list")
    small_2026 = next(r for r in rows if r["code"] == "small" and r["year"] == 2026)
    assert small_2026["membership_ore"] == 200000 and small_2026["service_ore"] == 300000
    assert small_2026["membership_vat"] == "E" and small_2026["service_vat"] == "S"
    assert small_2026["total_ore"] == 500000
    shown = run_json("tiers", "show", "SMALL")
    assert [f["year"] for f in shown["fees"]] == [2025, 2026]
    cluster("tiers", "set-fee", "small", "--year", "2026", "--membership", "kr 2 500,50")
    shown = run_json("tiers", "show", "small")
    assert shown["fees"][-1]["membership_ore"] == 250050


def test_tier_errors(cluster, run_json):
    before = run_json("tiers", "list")
    assert "already exists" in cluster("tiers", "add", "small", "--name", "x", code=4).stderr
    assert "one word" in cluster("tiers", "add", "two words", "--name", "x", code=2).stderr
    r = cluster("tiers", "set-fee", "nope", "--year", "2026", "--membership", "1", code=3)
    assert "Known tiers: small, large" in r.stderr
    assert (
        "negative"
        in cluster(
            "tiers", "set-fee", "small", "--year", "2026", "--membership", "-5", code=2
        ).stderr
    )
    assert (
        "not an amount"
        in cluster("tiers", "set-fee", "small", "--year", "2026", "--service", "fem", code=2).stderr
    )
    assert (
        "VAT code"
        in cluster(
            "tiers", "set-fee", "small", "--year", "2026", "--service-vat", "Q", code=2
        ).stderr
    )
    assert "out of range" in cluster("tiers", "set-fee", "small", "--year", "1999", code=2).stderr
    assert run_json("tiers", "list") == before


def test_csv_output_has_raw_ore(cluster):
    out = cluster("tiers", "list", "--format", "csv").stdout.splitlines()
    assert out[0].startswith("code,name,year,membership_ore")
    assert "small,1–5 tilsette,2025,200000,E,300000,S,500000,0" in out


def test_output_to_file(cluster, tmp_path):
    target = tmp_path / "tiers.json"
    r = cluster("tiers", "list", "--format", "json", "--output", str(target))
    assert r.stdout == ""
    assert '"code": "small"' in target.read_text(encoding="utf-8")
