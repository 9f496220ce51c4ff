"""Crediting by line, allocating a payment to a member, and the guard between members."""

from helpers import dump


def test_credit_by_line(invoiced, run_json):
    run, _ = invoiced
    # 10003 Polarlys: line 1 membership 2 000,00 (E), line 2 service 3 000,00 + 750,00 VAT (S)
    r = run("invoices", "credit", "10003", "--line", "2", "--issued-on", "2026-02-01")
    assert "Credit note 10004 for kr -3 750,00 credits invoice 10003" in r.stderr
    note = run_json("invoices", "show", "10004")
    assert (note["kind"], note["credits_invoice"]) == ("credit", 10003)
    assert (note["net_ore"], note["vat_ore"], note["total_ore"]) == (-300_000, -75_000, -375_000)
    assert [
        (ln["line_no"], ln["fee_part"], ln["net_ore"], ln["vat_ore"]) for ln in note["lines"]
    ] == [(2, "service", -300_000, -75_000)]
    shown = run_json("invoices", "show", "10003", "--as-of", "2026-01-20")
    assert (shown["credited_ore"], shown["outstanding_ore"], shown["status"]) == (
        -375_000,
        200_000,
        "open",
    )
    r = run("invoices", "credit", "10003", "--line", "2", code=2)
    assert r.stderr == "Error: Line 2 of invoice 10003 is already credited.\n"
    r = run("invoices", "credit", "10003", "--line", "3", code=2)
    assert r.stderr == "Error: Invoice 10003 has no line 3; lines are 1, 2.\n"
    r = run("invoices", "credit", "10003", "--line", "1", "--amount", "5", code=2)
    assert r.stderr == "Error: Give either --amount or --line, not both.\n"
    # What is left to credit is line 1's 2 000,00: one øre more is refused.
    r = run("invoices", "credit", "10003", "--amount", "2 000,01", code=2)
    assert "more than what is left to credit on invoice 10003 (kr 2 000,00)" in r.stderr
    assert [n["number"] for n in run_json("invoices", "list", "--member", "Polarlys")] == [
        10003,
        10004,
    ]  # the refused attempts used no number
    run("invoices", "credit", "10003", "--line", "1", "--issued-on", "2026-02-01")
    note = run_json("invoices", "show", "10005")
    assert [(ln["line_no"], ln["net_ore"], ln["vat_ore"]) for ln in note["lines"]] == [
        (1, -200_000, 0)
    ]
    shown = run_json("invoices", "show", "10003")
    assert (shown["credited_ore"], shown["outstanding_ore"], shown["status"]) == (
        -575_000,
        0,
        "credited",
    )
    r = run("invoices", "credit", "10003", code=2)
    assert r.stderr == "Error: Invoice 10003 is already fully credited.\n"
    assert _log(run_json, "credit_note") == [
        (
            "issue",
            4,
            None,
            {"credits": 10003, "number": 10004, "reason": None, "total_ore": -375_000},
        ),
        (
            "issue",
            5,
            None,
            {"credits": 10003, "number": 10005, "reason": None, "total_ore": -200_000},
        ),
    ]


def _camt(tmp_path, txs):
    from filmklynge.ledger.bankfile_writers import make_camt

    path = tmp_path / "camt054.xml"
    path.write_text(
        make_camt("054", txs, version="02", status="BOOK", credit_debit="CRDT", booked="2026-02-01")
    )
    return path


def test_allocating_a_payment_to_a_member_settles_and_leaves_credit(invoiced, tmp_path, run_json):
    run, _ = invoiced
    # 6 000,00 without a KID: nobody can be found for it.
    run("payments", "import", _camt(tmp_path, [("U-1", None, "6000.00")]))
    [payment] = run_json("payments", "unmatched")
    assert (payment["amount_ore"], payment["member"]) == (600_000, None)
    r = run("payments", "allocate", payment["id"], "--member", "Polarlys", "--on", "2026-03-01")
    # 5 750,00 settles 10003, Polarlys' only invoice; 250,00 stays as credit.
    assert r.stderr == (
        "Matched 'Polarlys Film AS'\n"  # the name was a fragment
        f"Payment {payment['id']} now belongs to Polarlys Film AS and settles 10003; "
        "kr 250,00 is credit.\n"
    )
    assert run_json("payments", "unmatched") == []
    [listed] = run_json("payments", "list", "--member", "Polarlys")
    assert (listed["invoices"], listed["allocated_ore"], listed["unallocated_ore"]) == (
        "10003",
        575_000,
        25_000,
    )
    shown = run_json("invoices", "show", "10003")
    assert (shown["paid_ore"], shown["outstanding_ore"], shown["status"]) == (575_000, 0, "paid")
    assert _log(run_json, "payment") == [
        (
            "allocate",
            payment["id"],
            {"member_id": None},
            {"allocated_ore": 575_000, "invoice": None, "member_id": 1},
        )
    ]
    # The credit settles the next invoice: a 2027 fee of 200,00 (no VAT) leaves 50,00 of it.
    for tier in ("small", "large"):
        run("tiers", "set-fee", tier, "--year", "2027", "--membership", "200", "--service", "0")
    in_2027 = {"FILMKLYNGE_TODAY": "2027-01-05"}
    run("invoices", "run", "--year", "2027", "--issued-on", "2027-01-05", "--yes", env=in_2027)
    [fee] = run_json("invoices", "list", "--year", "2027", "--member", "Polarlys", env=in_2027)
    assert (fee["total_ore"], fee["paid_ore"], fee["outstanding_ore"], fee["status"]) == (
        20_000,
        20_000,
        0,
        "paid",
    )
    [listed] = run_json("payments", "list", "--member", "Polarlys", env=in_2027)
    assert (listed["allocated_ore"], listed["unallocated_ore"]) == (595_000, 5_000)
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "50,01", code=2, env=in_2027)
    assert "has kr 50,00 in credit" in r.stderr
    # The other members had no credit: their 2027 invoices are open.
    others = run_json("invoices", "list", "--year", "2027", "--status", "open", env=in_2027)
    assert sorted(i["member"] for i in others) == ["Festivalen", "Juni Film AS"]


def test_a_payment_cannot_be_moved_to_another_members_invoice(invoiced, db_path, run_json):
    run, _ = invoiced
    # Polarlys pays 6 000,00: 5 750,00 settles 10003 and 250,00 is Polarlys' credit.
    run("payments", "add", "--member", "Polarlys", "--amount", "6 000", "--on", "2026-02-01")
    [payment] = run_json("payments", "list")
    assert (payment["member"], payment["unallocated_ore"]) == ("Polarlys Film AS", 25_000)
    assert _log(run_json, "payment") == [
        (
            "create",
            payment["id"],
            None,
            {
                "amount_ore": 600_000,
                "invoice": None,
                "member_id": 1,
                "method": "manual",
                "paid_on": "2026-02-01",
            },
        )
    ]
    before = dump(db_path)
    r = run("payments", "allocate", payment["id"], "--invoice", "10001", code=2)  # Festivalen's
    assert r.stderr == (
        f"Error: Payment {payment['id']} belongs to another member than invoice 10001.\n"
    )
    r = run("payments", "allocate", payment["id"], "--member", "Festivalen", code=2)
    assert r.stderr.startswith(f"Error: Payment {payment['id']} already belongs to member ")
    assert dump(db_path) == before
    assert run_json("invoices", "show", "10001")["paid_ore"] == 0
    # Its own member's invoice is fine (here: nothing left to settle, so it says so).
    r = run("payments", "allocate", payment["id"], "--invoice", "10003", code=2)
    assert r.stderr == "Error: Invoice 10003 has nothing outstanding.\n"


def _log(run_json, entity):
    """The audit entries of an entity, oldest first, as (action, entity_id, before, after)."""
    entries = run_json("db", "log", "--entity", entity, "--limit", "100")
    return [(e["action"], e["entity_id"], e["before"], e["after"]) for e in reversed(entries)]


def test_member_credit_settles_oldest_payment_first_and_refunds_to_the_ore(invoiced, run_json):
    run, _ = invoiced
    # Polarlys pays 10003 exactly, then pays 100,00 and 200,00 with nothing open: 300,00 credit.
    run("payments", "add", "--invoice", "10003", "--amount", "5 750", "--on", "2026-02-01")
    run("payments", "add", "--member", "Polarlys", "--amount", "100", "--on", "2026-02-02")
    run("payments", "add", "--member", "Polarlys", "--amount", "200", "--on", "2026-02-03")
    # A 2027 fee of 250,00 (no VAT): invoices 10004 Festivalen, 10005 Juni, 10006 Polarlys.
    # Polarlys' is settled from the credit, oldest payment first: 100,00 + 150,00; 50,00 left.
    for tier in ("small", "large"):
        run("tiers", "set-fee", tier, "--year", "2027", "--membership", "250", "--service", "0")
    in_2027 = {"FILMKLYNGE_TODAY": "2027-01-05"}
    run("invoices", "run", "--year", "2027", "--issued-on", "2027-01-05", "--yes", env=in_2027)
    listed = run_json("payments", "list", "--member", "Polarlys", env=in_2027)
    assert [(p["invoices"], p["allocated_ore"], p["unallocated_ore"]) for p in listed] == [
        ("10003", 575_000, 0),  # nothing left of it: it takes no part (and no 0 øre line)
        ("10006", 10_000, 0),
        ("10006", 15_000, 5_000),
    ]
    assert run_json("invoices", "show", "10006", env=in_2027)["status"] == "paid"
    assert _log(run_json, "invoice")[-1] == (
        "allocate",
        6,
        None,
        {"from_member_credit": 25_000, "member_id": 1},
    )
    # Refunds: never 0, down to the øre, never more than the credit.
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "0", code=2, env=in_2027)
    assert r.stderr == "Error: A refund must be more than 0 kr.\n"
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "0,01", env=in_2027)
    assert r.stderr.endswith("Refunded kr 0,01 to Polarlys Film AS; credit left kr 49,99.\n")
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "50", code=2, env=in_2027)
    assert r.stderr.endswith(
        "Error: Polarlys Film AS has kr 49,99 in credit; cannot refund kr 50,00.\n"
    )
    r = run("payments", "refund", "--member", "Polarlys", "--amount", "49,99", env=in_2027)
    assert r.stderr.endswith("Refunded kr 49,99 to Polarlys Film AS; credit left kr 0,00.\n")
    assert [(a, after) for a, _, _, after in _log(run_json, "refund")] == [
        ("create", {"amount_ore": 1, "member_id": 1}),
        ("create", {"amount_ore": 4_999, "member_id": 1}),
    ]
