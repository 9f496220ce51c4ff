"""The legal cap on reminder fees is a dated rule (issue 12, point 2): the fee on a reminder is
never above the maximum in force on the reminder's date, and the profile refuses a fee above
today's maximum. Figures: kr 70 (1/10 of an inkassosats of kr 700) through 2024, kr 35 from
1 January 2025."""

import json
from datetime import date

from helpers import rows

from filmklynge.ledger.reminders import next_reminder

IN_2024 = {"FILMKLYNGE_TODAY": "2024-06-01"}


def test_a_fee_set_under_the_old_maximum_is_held_to_the_law_of_the_reminders_date(
    invoiced, db_path
):
    run, _ = invoiced
    # In 2024 kr 70 was the most a reminder could cost: the profile takes it then.
    run("profile", "set", "--reminder-fee-cap", "70", "--reminder-fee", "70", env=IN_2024)
    run("invoices", "remind", "--as-of", "2026-03-01", "--yes")
    fees = {
        r["number"]: r["fee_ore"]
        for r in rows(
            db_path,
            "SELECT i.number, r.fee_ore FROM reminders r JOIN invoices i ON i.id = r.invoice_id",
        )
    }
    # The 2026 invoices fell due 24.01.2026; on 01.03.2026 (36 days later) a fee is allowed,
    # and the maximum in force since 01.01.2025 is kr 35 = 3 500 øre, not the profile's 70.
    assert fees and set(fees.values()) == {3_500}


def test_the_profile_refuses_a_fee_above_todays_maximum(invoiced):
    run, _ = invoiced
    r = run("profile", "set", "--reminder-fee-cap", "70", code=2)
    assert "legal maximum kr 35,00" in r.stderr and r.stderr.count("\n") == 1
    run("profile", "set", "--reminder-fee-cap", "35", "--reminder-fee", "35")


def test_a_new_years_figures_apply_from_their_date(invoiced, db_path):
    run, _ = invoiced
    run("profile", "set", "--reminder-fee-cap", "70", "--reminder-fee", "70", env=IN_2024)
    run(
        "profile",
        "reminder-limits",
        "--add",
        "01.01.2027",
        "--rate",
        "800",
        "--max-fee",
        "40",
        "--source",
        "test",
    )
    limits = json.loads(run("profile", "reminder-limits", "-f", "json").stdout)
    assert [(row["valid_from"], row["max_fee_ore"]) for row in limits][-2:] == [
        ("2025-01-01", 3_500),
        ("2027-01-01", 4_000),
    ]
    # A first reminder on 01.02.2027: min(profile fee 70, cap 70, law 40) = kr 40.
    later = {"FILMKLYNGE_TODAY": "2027-02-01"}
    run("invoices", "remind", "--as-of", "2027-02-01", "--yes", env=later)
    assert {r["fee_ore"] for r in rows(db_path, "SELECT fee_ore FROM reminders")} == {4_000}


def test_next_reminder_takes_the_smallest_of_fee_cap_and_law():
    invoice = {
        "id": 1,
        "number": 10001,
        "member": "X",
        "due_on": "2026-01-24",
        "outstanding_ore": 100,
    }
    profile = {
        "reminder_max_count": 3,
        "reminder_after_days": 0,
        "reminder_fee_ore": 7_000,
        "reminder_fee_cap_ore": 6_000,
        "reminder_max_fees": 2,
        "legal_fee_max_ore": 3_500,
    }
    planned, _ = next_reminder(invoice, [], profile, date(2026, 3, 1))
    assert planned.fee_ore == 3_500
    planned, _ = next_reminder(
        invoice, [], {**profile, "legal_fee_max_ore": 8_000}, date(2026, 3, 1)
    )
    assert planned.fee_ore == 6_000  # the cap
    planned, _ = next_reminder(invoice, [], profile, date(2026, 2, 6))
    assert planned.fee_ore == 0  # 13 days after the due date: no fee yet
