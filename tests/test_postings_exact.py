"""The accountant's files, field by field (issue 16: the survivors of ledger/postings.py).

test_books.py checks that the vouchers balance and carry the right sums; here every field of
every exported line is compared whole with what the accountant's import reads, written out
by hand from the rules below. The scenario (the ``cluster`` fixture: Nordnorsk Filmklynge,
14 days' terms, 10-digit MOD10 KIDs of member number (4 digits) and invoice number (5)):

Tiers: small = membership 2 000 (E, outside the VAT act) + service 3 000 (S, 25 %);
studio = membership 1 000 (S) + service 2 000 (S): two fee parts on one VAT code.
Members: 1 Polarlys Film AS (small), 2 Fjord Studio AS (studio), both since 01.01.2025.

- 10.01.2025 the 2025 fee is invoiced (numbered by name), due 24.01.2025:
  10001 Fjord Studio AS 3 750,00 = 1 000 S + 2 000 S + VAT 250 + 500, KID 0002100014;
  10002 Polarlys Film AS 5 750,00 = 2 000 E + 3 000 S + VAT 750, KID 0001100023.
- 03.02.2025 Fjord pays 4 000,00 by KID: 3 750,00 settles 10001, 250,00 is member credit.
- 10.02.2025 credit note 10003 credits line 2 of 10002 (service 3 000 + 750 VAT): -3 750,00.
- 01.03.2025 reminder 1 on 10002 (owes 2 000,00) with a fee of 35,00 (the 2025 maximum),
  due 15.03.2025.
- 15.12.2025 Fjord gets 100,00 of its credit back (150,00 left). December: period 12.
- 10.01.2026 the 2026 fee: 10004 Fjord 3 750,00 (KID 0002100048), 10005 Polarlys 5 750,00
  (KID 0001100056), due 24.01.2026; Fjord's 150,00 credit settles part of 10004 that day
  (3 600,00 of it stays open).
- 02.02.2026 Polarlys pays 7 785,00 for the member, oldest due first: 2 035,00 to 10002
  (2 000,00 + the 35,00 fee) and 5 750,00 to 10005. Nothing is left over.
- 05.02.2026 an OCR payment of 500,00 with an unknown KID 0009999999: no member, no name.
- 06.02.2026 a camt.054 payment of 1 200,00 from "Nordlys Kino AS" without a KID.
- 20.02.2026 reminder 1 on 10004 (owes 3 600,00), fee 35,00, due 06.03.2026; on 25.02.2026
  credit note 10006 waives the fee (-35,00: back to 8070, and no VAT code, as the fee had none).

Accounts (NS 4102 defaults): 1500 receivables, 1920 bank, 2700 output VAT, 2900 member credit,
3000 membership S, 3010 service S, 3200 membership E, 8070 reminder fees. SAF-T tax codes:
S = 3, E = 6; lines without a VAT code carry 0 in GBAT10's VAT column. Voucher types: 1
invoice or credit note (number: its own), 2 payment, 3 allocation, 4 refund, 5 reminder fee
(number: the id of the payment, allocation, refund or reminder).
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import rows
from typer.testing import CliRunner

from filmklynge.cli import app
from filmklynge.errors import Conflict, InvalidInput
from filmklynge.ledger import postings
from filmklynge.ledger.bankfile_writers import make_camt, make_ocr
from filmklynge.ledger.postings import Line, Voucher
from filmklynge.store.db import open_db


def _runner(db_path: Path):
    """The CLI against ``db_path`` on day ``on`` (FILMKLYNGE_TODAY, and noon UTC as now)."""
    runner = CliRunner()

    def run(*args, on="2026-03-01", code=0):
        env = {"FILMKLYNGE_TODAY": on, "FILMKLYNGE_NOW": f"{on}T12:00:00+00:00"}
        r = runner.invoke(
            app, ["--db", str(db_path), *map(str, args)], prog_name="filmklynge", env=env
        )
        assert r.exit_code == code, f"exit {r.exit_code}\n{r.stdout}\n{r.stderr}\n{r.exception!r}"
        return r

    return run


@pytest.fixture(scope="module")
def _scenario(_templates, tmp_path_factory):
    """The database of the module docstring, built once through the CLI."""
    folder = tmp_path_factory.mktemp("postings")
    path = folder / "scenario.db"
    _templates("cluster", path)
    run = _runner(path)
    run("tiers", "add", "studio", "--name", "Studio")
    for year in (2025, 2026):
        run(
            "tiers",
            "set-fee",
            "studio",
            "--year",
            year,
            "--membership",
            "1 000",
            "--membership-vat",
            "S",
            "--service",
            "2 000",
        )
    for name, orgnr, tier in [
        ("Polarlys Film AS", "988077917", "small"),
        ("Fjord Studio AS", "974760673", "studio"),
    ]:
        run(
            "members",
            "add",
            "--name",
            name,
            "--orgnr",
            orgnr,
            "--tier",
            tier,
            "--county",
            "Troms",
            "--joined",
            "2025-01-01",
            "--no-input",
            on="2025-01-05",
        )
    run("invoices", "run", "--year", 2025, "--issued-on", "2025-01-10", "--yes", on="2025-01-10")
    run("payments", "add", "--kid", "0002100014", "--amount", "4 000", "--on", "2025-02-03")
    run("invoices", "credit", "10002", "--line", "2", "--issued-on", "2025-02-10", on="2025-02-10")
    run("profile", "set", "--reminder-fee", "35", "--reminder-fee-cap", "35", on="2025-03-01")
    run("invoices", "remind", "--as-of", "2025-03-01", "--yes", on="2025-03-01")
    run("payments", "refund", "--member", "Fjord", "--amount", "100", "--on", "2025-12-15")
    run("invoices", "run", "--year", 2026, "--issued-on", "2026-01-10", "--yes", on="2026-01-10")
    run("payments", "add", "--member", "Polarlys", "--amount", "7 785", "--on", "2026-02-02")
    ocr = folder / "ocr.txt"
    ocr.write_bytes(make_ocr([("0009999999", 50_000)], on=date(2026, 2, 5)))
    run("payments", "import", ocr, on="2026-02-05")
    camt = folder / "camt.xml"
    camt.write_text(
        make_camt(
            "054", [("REF-77", None, "1200.00")], booked="2026-02-06", payer="Nordlys Kino AS"
        ),
        encoding="utf-8",
    )
    run("payments", "import", camt, on="2026-02-06")
    run("invoices", "remind", "--as-of", "2026-02-20", "--yes", on="2026-02-20")
    run(
        "invoices",
        "credit",
        "10004",
        "--reminder-fees",
        "--issued-on",
        "2026-02-25",
        on="2026-02-25",
    )
    return path


@pytest.fixture
def books(_scenario, db_path):
    """A copy of the scenario for one test, and the CLI on it."""
    shutil.copy(_scenario, db_path)
    return _runner(db_path)


# ---- GBAT10 --------------------------------------------------------------------------------


def gbat(head, *, text, customer="", name="", invoice="", kid="", due="", ledger=""):
    """One GBAT10 line: ``head`` holds columns 0–8 (GBAT10; voucher number; date; voucher
    type; period; year; account; VAT code; amount); then by column number as documented for
    the format: 9 customer number, 11 contact name, 15 invoice number, 16 KID, 17 due date,
    20 general-ledger text, 21 customer-ledger text; the rest of the 30 stay empty."""
    fields = head.split(";") + [""] * 21
    assert len(fields) == 30
    fields[9], fields[11], fields[15], fields[16], fields[17] = customer, name, invoice, kid, due
    fields[20], fields[21] = text, ledger
    return ";".join(fields)


def receivable(head, text, customer, name, invoice, kid, due):
    """A line on 1500: the customer, invoice, KID and due date, the text in both ledgers."""
    return gbat(
        head,
        text=text,
        customer=customer,
        name=name,
        invoice=invoice,
        kid=kid,
        due=due,
        ledger=text,
    )


F1 = "Faktura 10001 Fjord Studio AS"
F2 = "Faktura 10002 Polarlys Film AS"
K3 = "Kreditnota 10003 Polarlys Film AS"
F4 = "Faktura 10004 Fjord Studio AS"
F5 = "Faktura 10005 Polarlys Film AS"
P1 = "Innbetaling 1 Fjord Studio AS"
A1 = "Innbetaling 1 til faktura 10001 Fjord Studio AS"
R1 = "Purregebyr purring 1 faktura 10002 Polarlys Film AS"
T1 = "Tilbakebetaling 1 Fjord Studio AS"
A2 = "Innbetaling 1 til faktura 10004 Fjord Studio AS"
P2 = "Innbetaling 2 Polarlys Film AS"
A3 = "Innbetaling 2 til faktura 10002 Polarlys Film AS"
A4 = "Innbetaling 2 til faktura 10005 Polarlys Film AS"
P3 = "Innbetaling 3 ukjent innbetaler"
P4 = "Innbetaling 4 Nordlys Kino AS"
R2 = "Purregebyr purring 1 faktura 10004 Fjord Studio AS"
K6 = "Kreditnota 10006 Fjord Studio AS"

FJORD = ("2", "Fjord Studio AS")
POLARLYS = ("1", "Polarlys Film AS")

# fmt: off
GBAT10_ROWS = [
    # Invoice 10001: receivable gross; both fee parts on 25 % (S, SAF-T 3); VAT 250 + 500.
    receivable("GBAT10;10001;20250110;1;1;2025;1500;0;3750.00", F1, *FJORD, "10001",
               "0002100014", "20250124"),
    gbat("GBAT10;10001;20250110;1;1;2025;3000;3;-1000.00", text=F1),
    gbat("GBAT10;10001;20250110;1;1;2025;3010;3;-2000.00", text=F1),
    gbat("GBAT10;10001;20250110;1;1;2025;2700;3;-750.00", text=f"Utgående mva {F1}"),
    # Invoice 10002: membership outside the VAT act (E, SAF-T 6, account 3200), service S.
    receivable("GBAT10;10002;20250110;1;1;2025;1500;0;5750.00", F2, *POLARLYS, "10002",
               "0001100023", "20250124"),
    gbat("GBAT10;10002;20250110;1;1;2025;3200;6;-2000.00", text=F2),
    gbat("GBAT10;10002;20250110;1;1;2025;3010;3;-3000.00", text=F2),
    gbat("GBAT10;10002;20250110;1;1;2025;2700;3;-750.00", text=f"Utgående mva {F2}"),
    # Payment 1 lands on member credit; the KID shows on the member's line only.
    gbat("GBAT10;1;20250203;2;2;2025;1920;0;4000.00", text=P1),
    gbat("GBAT10;1;20250203;2;2;2025;2900;0;-4000.00", kid="0002100014", text=P1),
    # Allocation 1: member credit to the invoice, 3 750,00 (250,00 stays credit).
    gbat("GBAT10;1;20250203;3;2;2025;2900;0;3750.00", kid="0002100014", text=A1),
    receivable("GBAT10;1;20250203;3;2;2025;1500;0;-3750.00", A1, *FJORD, "10001",
               "0002100014", "20250124"),
    # Credit note 10003: the invoice's sides swapped; no KID, due the day it is issued.
    receivable("GBAT10;10003;20250210;1;2;2025;1500;0;-3750.00", K3, *POLARLYS, "10003", "",
               "20250210"),
    gbat("GBAT10;10003;20250210;1;2;2025;3010;3;3000.00", text=K3),
    gbat("GBAT10;10003;20250210;1;2;2025;2700;3;750.00", text=f"Utgående mva {K3}"),
    # Reminder 1: the fee owed on invoice 10002 with its KID, due with the reminder; no VAT.
    receivable("GBAT10;1;20250301;5;3;2025;1500;0;35.00", R1, *POLARLYS, "10002", "0001100023",
               "20250315"),
    gbat("GBAT10;1;20250301;5;3;2025;8070;0;-35.00", text=R1),
    # Refund 1, in period 12.
    gbat("GBAT10;1;20251215;4;12;2025;2900;0;100.00", text=T1),
    gbat("GBAT10;1;20251215;4;12;2025;1920;0;-100.00", text=T1),
    receivable("GBAT10;10004;20260110;1;1;2026;1500;0;3750.00", F4, *FJORD, "10004",
               "0002100048", "20260124"),
    gbat("GBAT10;10004;20260110;1;1;2026;3000;3;-1000.00", text=F4),
    gbat("GBAT10;10004;20260110;1;1;2026;3010;3;-2000.00", text=F4),
    gbat("GBAT10;10004;20260110;1;1;2026;2700;3;-750.00", text=f"Utgående mva {F4}"),
    receivable("GBAT10;10005;20260110;1;1;2026;1500;0;5750.00", F5, *POLARLYS, "10005",
               "0001100056", "20260124"),
    gbat("GBAT10;10005;20260110;1;1;2026;3200;6;-2000.00", text=F5),
    gbat("GBAT10;10005;20260110;1;1;2026;3010;3;-3000.00", text=F5),
    gbat("GBAT10;10005;20260110;1;1;2026;2700;3;-750.00", text=f"Utgående mva {F5}"),
    # Allocation 2: the 150,00 credit left after the refund settles part of 10004.
    gbat("GBAT10;2;20260110;3;1;2026;2900;0;150.00", kid="0002100048", text=A2),
    receivable("GBAT10;2;20260110;3;1;2026;1500;0;-150.00", A2, *FJORD, "10004", "0002100048",
               "20260124"),
    # Payment 2 (for the member, no KID) split over two invoices: allocations 3 and 4.
    gbat("GBAT10;2;20260202;2;2;2026;1920;0;7785.00", text=P2),
    gbat("GBAT10;2;20260202;2;2;2026;2900;0;-7785.00", text=P2),
    gbat("GBAT10;3;20260202;3;2;2026;2900;0;2035.00", kid="0001100023", text=A3),
    receivable("GBAT10;3;20260202;3;2;2026;1500;0;-2035.00", A3, *POLARLYS, "10002",
               "0001100023", "20250124"),
    gbat("GBAT10;4;20260202;3;2;2026;2900;0;5750.00", kid="0001100056", text=A4),
    receivable("GBAT10;4;20260202;3;2;2026;1500;0;-5750.00", A4, *POLARLYS, "10005",
               "0001100056", "20260124"),
    # Payments 3 and 4 belong to no member: no customer, no KID.
    gbat("GBAT10;3;20260205;2;2;2026;1920;0;500.00", text=P3),
    gbat("GBAT10;3;20260205;2;2;2026;2900;0;-500.00", text=P3),
    gbat("GBAT10;4;20260206;2;2;2026;1920;0;1200.00", text=P4),
    gbat("GBAT10;4;20260206;2;2;2026;2900;0;-1200.00", text=P4),
    # Reminder 2 on 10004, and credit note 10006 waiving its fee: no VAT code, as the fee.
    receivable("GBAT10;2;20260220;5;2;2026;1500;0;35.00", R2, *FJORD, "10004", "0002100048",
               "20260306"),
    gbat("GBAT10;2;20260220;5;2;2026;8070;0;-35.00", text=R2),
    receivable("GBAT10;10006;20260225;1;2;2026;1500;0;-35.00", K6, *FJORD, "10006", "",
               "20260225"),
    gbat("GBAT10;10006;20260225;1;2;2026;8070;0;35.00", text=K6),
]
# fmt: on


def test_gbat10_is_every_line_of_the_books_field_by_field(books, tmp_path, db_path):
    target = tmp_path / "bilag.gbat10"
    r = books("export", "postings", "--from", "2025-01-01", "--to", "2026-02-28", "-o", target)
    assert target.read_bytes() == ("\r\n".join(GBAT10_ROWS) + "\r\n").encode("utf-8")
    assert r.stdout == ""
    assert r.stderr == (
        f"Exported 17 vouchers (43 lines) from 2025-01-01 to 2026-02-28 as export #1 to {target}.\n"
    )
    # The receivable lines, summed per customer, are what the members owe: Fjord the rest of
    # 10004 (3 750,00 - 150,00; its fee was waived), Polarlys nothing.
    owed: dict[str, Decimal] = {}
    for row in GBAT10_ROWS:
        f = row.split(";")
        if f[6] == "1500":
            owed[f[9]] = owed.get(f[9], Decimal(0)) + Decimal(f[8])
    assert owed == {"1": Decimal("0.00"), "2": Decimal("3600.00")}
    dues = json.loads(books("dues", "--as-of", "2026-02-28", "-f", "json").stdout)
    assert {m["member_id"]: m["outstanding_ore"] for m in dues["members"]} == {1: 0, 2: 360_000}


# ---- beancount -----------------------------------------------------------------------------

REC = "Assets:Kundefordringer-1500"
BANK = "Assets:Bankinnskudd-1920"
VAT = "Liabilities:Utgaende-Merverdiavgift-2700"
CREDIT = "Liabilities:Forskudd-Fra-Medlemmer-2900"  # the first three words of its name
MEMB_S = "Income:Medlemskontingent-Avgiftspliktig-3000"
MEMB_E = "Income:Medlemskontingent-Utenfor-Merverdiavgiftsloven-3200"
SERV_S = "Income:Serviceavgift-Avgiftspliktig-3010"
FEES = "Income:Purregebyr-Annen-Finansinntekt-8070"


def post(account, amount, **meta):
    """A posting: the account left-aligned in 60 columns, the amount right-aligned in 15,
    then its metadata lines (``key: "value"``)."""
    return [f"  {account:<60} {amount:>15} NOK", *(f'    {k}: "{v}"' for k, v in meta.items())]


def txn(on, text, voucher, *postings_):
    return ["", f'{on} * "{text}"', f'  voucher: "{voucher}"'] + [x for p in postings_ for x in p]


# fmt: off
BEANCOUNT = [
    'option "title" "Nordnorsk Filmklynge"',
    'option "operating_currency" "NOK"',
    "",
    # Opened on first use, by date and then by name: M1's receivable before M2's though the
    # first voucher is M2's; member sub-accounts on 1500 and 2900, the unknown payers' money
    # on 2900 itself.
    f"2025-01-10 open {REC}:M1 NOK",
    f"2025-01-10 open {REC}:M2 NOK",
    f"2025-01-10 open {MEMB_S} NOK",
    f"2025-01-10 open {MEMB_E} NOK",
    f"2025-01-10 open {SERV_S} NOK",
    f"2025-01-10 open {VAT} NOK",
    f"2025-02-03 open {BANK} NOK",
    f"2025-02-03 open {CREDIT}:M2 NOK",
    f"2025-03-01 open {FEES} NOK",
    f"2026-02-02 open {CREDIT}:M1 NOK",
    f"2026-02-05 open {CREDIT} NOK",
    *txn("2025-01-10", F1, "1-10001",
         post(f"{REC}:M2", "3750.00", invoice="10001", kid="0002100014"),
         post(MEMB_S, "-1000.00", vat_code="S"),
         post(SERV_S, "-2000.00", vat_code="S"),
         post(VAT, "-750.00", vat_code="S")),
    *txn("2025-01-10", F2, "1-10002",
         post(f"{REC}:M1", "5750.00", invoice="10002", kid="0001100023"),
         post(MEMB_E, "-2000.00", vat_code="E"),
         post(SERV_S, "-3000.00", vat_code="S"),
         post(VAT, "-750.00", vat_code="S")),
    *txn("2025-02-03", P1, "2-1",
         post(BANK, "4000.00", kid="0002100014"),
         post(f"{CREDIT}:M2", "-4000.00", kid="0002100014")),
    *txn("2025-02-03", A1, "3-1",
         post(f"{CREDIT}:M2", "3750.00", kid="0002100014"),
         post(f"{REC}:M2", "-3750.00", invoice="10001", kid="0002100014")),
    *txn("2025-02-10", K3, "1-10003",
         post(f"{REC}:M1", "-3750.00", invoice="10003"),
         post(SERV_S, "3000.00", vat_code="S"),
         post(VAT, "750.00", vat_code="S")),
    *txn("2025-03-01", R1, "5-1",
         post(f"{REC}:M1", "35.00", invoice="10002", kid="0001100023"),
         post(FEES, "-35.00")),
    *txn("2025-12-15", T1, "4-1", post(f"{CREDIT}:M2", "100.00"), post(BANK, "-100.00")),
    *txn("2026-01-10", F4, "1-10004",
         post(f"{REC}:M2", "3750.00", invoice="10004", kid="0002100048"),
         post(MEMB_S, "-1000.00", vat_code="S"),
         post(SERV_S, "-2000.00", vat_code="S"),
         post(VAT, "-750.00", vat_code="S")),
    *txn("2026-01-10", F5, "1-10005",
         post(f"{REC}:M1", "5750.00", invoice="10005", kid="0001100056"),
         post(MEMB_E, "-2000.00", vat_code="E"),
         post(SERV_S, "-3000.00", vat_code="S"),
         post(VAT, "-750.00", vat_code="S")),
    *txn("2026-01-10", A2, "3-2",
         post(f"{CREDIT}:M2", "150.00", kid="0002100048"),
         post(f"{REC}:M2", "-150.00", invoice="10004", kid="0002100048")),
    *txn("2026-02-02", P2, "2-2", post(BANK, "7785.00"), post(f"{CREDIT}:M1", "-7785.00")),
    *txn("2026-02-02", A3, "3-3",
         post(f"{CREDIT}:M1", "2035.00", kid="0001100023"),
         post(f"{REC}:M1", "-2035.00", invoice="10002", kid="0001100023")),
    *txn("2026-02-02", A4, "3-4",
         post(f"{CREDIT}:M1", "5750.00", kid="0001100056"),
         post(f"{REC}:M1", "-5750.00", invoice="10005", kid="0001100056")),
    *txn("2026-02-05", P3, "2-3",
         post(BANK, "500.00", kid="0009999999"),
         post(CREDIT, "-500.00", kid="0009999999")),
    *txn("2026-02-06", P4, "2-4", post(BANK, "1200.00"), post(CREDIT, "-1200.00")),
    *txn("2026-02-20", R2, "5-2",
         post(f"{REC}:M2", "35.00", invoice="10004", kid="0002100048"),
         post(FEES, "-35.00")),
    *txn("2026-02-25", K6, "1-10006", post(f"{REC}:M2", "-35.00", invoice="10006"),
         post(FEES, "35.00")),
]
# fmt: on


def test_beancount_journal_is_the_books_line_by_line(books, tmp_path):
    target = tmp_path / "bok.beancount"
    books(
        "export",
        "postings",
        "-f",
        "beancount",
        "--from",
        "2025-01-01",
        "--to",
        "2026-02-28",
        "-o",
        target,
    )
    text = target.read_text(encoding="utf-8")
    assert text.split("\n") == [*BEANCOUNT, ""]
    from beancount import loader

    entries, errors, _ = loader.load_string(text)
    assert errors == [] and len(entries) == 11 + 17  # the accounts opened, the transactions


# ---- JSON and CSV --------------------------------------------------------------------------


def line(account, amount_ore, text, **fields):
    """A line as the JSON carries it: every field, None where it does not apply."""
    keys = ("vat_code", "saft_code", "member_id", "member", "invoice", "kid", "due_on")
    assert set(fields) <= set(keys)
    return {"account": account, "amount_ore": amount_ore, "text": text} | {
        k: fields.get(k) for k in keys
    }


def voucher(vtype, number, on, source, text, *lines):
    return {
        "voucher_type": vtype,
        "voucher": number,
        "date": on,
        "source": source,
        "text": text,
        "lines": list(lines),
    }


POLARLYS_1 = {"member_id": 1, "member": "Polarlys Film AS"}
FJORD_2 = {"member_id": 2, "member": "Fjord Studio AS"}
S = {"vat_code": "S", "saft_code": "3"}
E = {"vat_code": "E", "saft_code": "6"}

# fmt: off
FEBRUARY_2026 = [
    voucher(2, 2, "2026-02-02", "payment", P2,
            line("1920", 778_500, P2),
            line("2900", -778_500, P2, **POLARLYS_1)),
    voucher(3, 3, "2026-02-02", "allocation", A3,
            line("2900", 203_500, A3, **POLARLYS_1, kid="0001100023"),
            line("1500", -203_500, A3, **POLARLYS_1, invoice=10002, kid="0001100023",
                 due_on="2025-01-24")),
    voucher(3, 4, "2026-02-02", "allocation", A4,
            line("2900", 575_000, A4, **POLARLYS_1, kid="0001100056"),
            line("1500", -575_000, A4, **POLARLYS_1, invoice=10005, kid="0001100056",
                 due_on="2026-01-24")),
    # An unknown KID is kept on both lines, for whoever later finds the payer.
    voucher(2, 3, "2026-02-05", "payment", P3,
            line("1920", 50_000, P3, kid="0009999999"),
            line("2900", -50_000, P3, kid="0009999999")),
    voucher(2, 4, "2026-02-06", "payment", P4, line("1920", 120_000, P4),
            line("2900", -120_000, P4)),
    voucher(5, 2, "2026-02-20", "reminder", R2,
            line("1500", 3_500, R2, **FJORD_2, invoice=10004, kid="0002100048",
                 due_on="2026-03-06"),
            line("8070", -3_500, R2)),
    # Waiving the fee is not a sale: no VAT code, no SAF-T code.
    voucher(1, 10006, "2026-02-25", "invoice", K6,
            line("1500", -3_500, K6, **FJORD_2, invoice=10006, due_on="2026-02-25"),
            line("8070", 3_500, K6, invoice=10006)),
]

YEAR_2025 = [
    voucher(1, 10001, "2025-01-10", "invoice", F1,
            line("1500", 375_000, F1, **FJORD_2, invoice=10001, kid="0002100014",
                 due_on="2025-01-24"),
            line("3000", -100_000, F1, **S, invoice=10001),
            line("3010", -200_000, F1, **S, invoice=10001),
            line("2700", -75_000, f"Utgående mva {F1}", **S, invoice=10001)),
    voucher(1, 10002, "2025-01-10", "invoice", F2,
            line("1500", 575_000, F2, **POLARLYS_1, invoice=10002, kid="0001100023",
                 due_on="2025-01-24"),
            line("3200", -200_000, F2, **E, invoice=10002),
            line("3010", -300_000, F2, **S, invoice=10002),
            line("2700", -75_000, f"Utgående mva {F2}", **S, invoice=10002)),
    voucher(2, 1, "2025-02-03", "payment", P1,
            line("1920", 400_000, P1, kid="0002100014"),
            line("2900", -400_000, P1, **FJORD_2, kid="0002100014")),
    voucher(3, 1, "2025-02-03", "allocation", A1,
            line("2900", 375_000, A1, **FJORD_2, kid="0002100014"),
            line("1500", -375_000, A1, **FJORD_2, invoice=10001, kid="0002100014",
                 due_on="2025-01-24")),
    voucher(1, 10003, "2025-02-10", "invoice", K3,
            line("1500", -375_000, K3, **POLARLYS_1, invoice=10003, due_on="2025-02-10"),
            line("3010", 300_000, K3, **S, invoice=10003),
            line("2700", 75_000, f"Utgående mva {K3}", **S, invoice=10003)),
    voucher(5, 1, "2025-03-01", "reminder", R1,
            line("1500", 3_500, R1, **POLARLYS_1, invoice=10002, kid="0001100023",
                 due_on="2025-03-15"),
            line("8070", -3_500, R1)),
    voucher(4, 1, "2025-12-15", "refund", T1,
            line("2900", 10_000, T1, **FJORD_2),
            line("1920", -10_000, T1)),
]
# fmt: on


def test_json_and_csv_carry_every_field_of_every_line(books):
    span = ("--from", "2026-02-01", "--to", "2026-02-28", "--again")
    out = books("export", "postings", "-f", "json", *span).stdout
    assert json.loads(out) == FEBRUARY_2026
    table = books("export", "postings", "-f", "csv", *span).stdout.splitlines()
    assert table == [
        "voucher_type,voucher,date,source,account,amount_ore,vat_code,saft_code,member_id,"
        "member,invoice,kid,due_on,text",
        f"2,2,2026-02-02,payment,1920,778500,,,,,,,,{P2}",
        f"2,2,2026-02-02,payment,2900,-778500,,,1,Polarlys Film AS,,,,{P2}",
        f"3,3,2026-02-02,allocation,2900,203500,,,1,Polarlys Film AS,,0001100023,,{A3}",
        f"3,3,2026-02-02,allocation,1500,-203500,,,1,Polarlys Film AS,10002,0001100023,"
        f"2025-01-24,{A3}",
        f"3,4,2026-02-02,allocation,2900,575000,,,1,Polarlys Film AS,,0001100056,,{A4}",
        f"3,4,2026-02-02,allocation,1500,-575000,,,1,Polarlys Film AS,10005,0001100056,"
        f"2026-01-24,{A4}",
        f"2,3,2026-02-05,payment,1920,50000,,,,,,0009999999,,{P3}",
        f"2,3,2026-02-05,payment,2900,-50000,,,,,,0009999999,,{P3}",
        f"2,4,2026-02-06,payment,1920,120000,,,,,,,,{P4}",
        f"2,4,2026-02-06,payment,2900,-120000,,,,,,,,{P4}",
        f"5,2,2026-02-20,reminder,1500,3500,,,2,Fjord Studio AS,10004,0002100048,2026-03-06,{R2}",
        f"5,2,2026-02-20,reminder,8070,-3500,,,,,,,,{R2}",
        f"1,10006,2026-02-25,invoice,1500,-3500,,,2,Fjord Studio AS,10006,,2026-02-25,{K6}",
        f"1,10006,2026-02-25,invoice,8070,3500,,,,,10006,,,{K6}",
    ]


def test_json_of_a_year_is_every_voucher_whole(books):
    out = books(
        "export", "postings", "-f", "json", "--from", "2025-01-01", "--to", "2025-12-31"
    ).stdout
    assert json.loads(out) == YEAR_2025


# ---- the export log ------------------------------------------------------------------------


def test_an_export_is_logged_and_the_next_takes_only_what_is_new(books, tmp_path, db_path):
    jan = tmp_path / "jan.gbat10"
    books(
        "export",
        "postings",
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
        "-o",
        jan,
        on="2025-02-01",
    )
    feb = books(
        "export",
        "postings",
        "--from",
        "2025-02-01",
        "--to",
        "2025-02-28",
        "-f",
        "json",
        on="2025-03-01",
    )
    assert [(v["source"], v["voucher"]) for v in json.loads(feb.stdout)] == [
        ("payment", 1),
        ("allocation", 1),
        ("invoice", 10003),
    ]
    # 2025 holds 7 vouchers; January's 2 and February's 3 were exported before.
    year = ("--from", "2025-01-01", "--to", "2025-12-31")
    refused = books("export", "postings", *year, on="2026-01-05", code=4)
    assert refused.stdout == ""
    assert refused.stderr == (
        "Error: 5 of the 7 vouchers from 2025-01-01 to 2025-12-31 were exported before "
        "(export #1 on 2025-02-01, #2 on 2025-03-01). Use --new to export only the others, "
        "or --again to export them all once more.\n"
    )
    new = books("export", "postings", *year, "--new", "-f", "csv", on="2026-01-05")
    assert [row.split(",")[:4] for row in new.stdout.splitlines()[1:]] == [
        ["5", "1", "2025-03-01", "reminder"],
        ["5", "1", "2025-03-01", "reminder"],
        ["4", "1", "2025-12-15", "refund"],
        ["4", "1", "2025-12-15", "refund"],
    ]
    assert books("export", "postings", *year, "--new", on="2026-01-06").stdout == ""
    # One day is a range: from and to the same day.
    day = books(
        "export",
        "postings",
        "--from",
        "2025-12-15",
        "--to",
        "2025-12-15",
        "--again",
        "-f",
        "json",
        on="2026-01-07",
    )
    assert [(v["source"], v["voucher"]) for v in json.loads(day.stdout)] == [("refund", 1)]
    both = books("export", "postings", *year, "--new", "--again", code=2)
    assert both.stderr == "Error: Give --new or --again, not both.\n"

    assert rows(db_path, "SELECT * FROM posting_exports ORDER BY id") == [
        {
            "id": 1,
            "exported_at": "2025-02-01T12:00:00+00:00",
            "from_on": "2025-01-01",
            "to_on": "2025-01-31",
            "format": "gbat10",
            "vouchers": 2,
            "target": str(jan),
        },
        {
            "id": 2,
            "exported_at": "2025-03-01T12:00:00+00:00",
            "from_on": "2025-02-01",
            "to_on": "2025-02-28",
            "format": "json",
            "vouchers": 3,
            "target": "-",
        },
        {
            "id": 3,
            "exported_at": "2026-01-05T12:00:00+00:00",
            "from_on": "2025-01-01",
            "to_on": "2025-12-31",
            "format": "csv",
            "vouchers": 2,
            "target": "-",
        },
        {
            "id": 4,
            "exported_at": "2026-01-06T12:00:00+00:00",
            "from_on": "2025-01-01",
            "to_on": "2025-12-31",
            "format": "gbat10",
            "vouchers": 0,
            "target": "-",
        },
        {
            "id": 5,
            "exported_at": "2026-01-07T12:00:00+00:00",
            "from_on": "2025-12-15",
            "to_on": "2025-12-15",
            "format": "json",
            "vouchers": 1,
            "target": "-",
        },
    ]
    # Each voucher stays with the export that first took it (invoices by their row id:
    # 10001 is 1, 10002 is 2, 10003 is 3); exporting it again does not move it.
    assert [
        (r["export_id"], r["source"], r["source_id"])
        for r in rows(db_path, "SELECT * FROM exported_vouchers ORDER BY id")
    ] == [
        (1, "invoice", 1),
        (1, "invoice", 2),
        (2, "payment", 1),
        (2, "allocation", 1),
        (2, "invoice", 3),
        (3, "reminder", 1),
        (3, "refund", 1),
    ]
    audit = rows(
        db_path,
        "SELECT action, entity, entity_id, before_json, after_json FROM audit_log "
        "WHERE action = 'export' ORDER BY id",
    )
    assert [
        (a["action"], a["entity"], a["entity_id"], a["before_json"], json.loads(a["after_json"]))
        for a in audit
    ] == [
        ("export", "postings", 1, None, {"from": "2025-01-01", "to": "2025-01-31", "vouchers": 2}),
        ("export", "postings", 2, None, {"from": "2025-02-01", "to": "2025-02-28", "vouchers": 3}),
        ("export", "postings", 3, None, {"from": "2025-01-01", "to": "2025-12-31", "vouchers": 2}),
        ("export", "postings", 4, None, {"from": "2025-01-01", "to": "2025-12-31", "vouchers": 0}),
        ("export", "postings", 5, None, {"from": "2025-12-15", "to": "2025-12-15", "vouchers": 1}),
    ]


def test_select_and_the_log_as_a_library_caller_uses_them(books, db_path, monkeypatch):
    monkeypatch.setenv("FILMKLYNGE_NOW", "2025-03-02T08:30:00+00:00")
    db = open_db(db_path)
    try:
        start, end = date(2025, 1, 1), date(2025, 2, 28)
        found = postings.vouchers(db, start=start, end=end)
        assert [(v.source, v.source_id, v.type, v.number, v.on) for v in found] == [
            ("invoice", 1, 1, 10001, "2025-01-10"),
            ("invoice", 2, 1, 10002, "2025-01-10"),
            ("payment", 1, 2, 1, "2025-02-03"),
            ("allocation", 1, 3, 1, "2025-02-03"),
            ("invoice", 3, 1, 10003, "2025-02-10"),
        ]
        assert postings.already_exported(db, found) == {}
        number = postings.record_export(
            db, found[:2], start=start, end=date(2025, 1, 31), fmt="gbat10", target="jan.gbat10"
        )
        assert number == 1
        assert postings.already_exported(db, found) == {("invoice", 1): 1, ("invoice", 2): 1}
        assert postings.already_exported(db, found[2:]) == {}
        # Without new or again, nothing exported before is exported unasked.
        with pytest.raises(Conflict) as refused:
            postings.select(db, start=start, end=end)
        assert str(refused.value) == (
            "2 of the 5 vouchers from 2025-01-01 to 2025-02-28 were exported before (export "
            "#1 on 2025-03-02). Use --new to export only the others, or --again to export "
            "them all once more."
        )
        assert postings.select(db, start=start, end=end, new=True) == found[2:]
        assert postings.select(db, start=start, end=end, again=True) == found
        assert postings.select(db, start=date(2025, 2, 3), end=date(2025, 2, 3)) == found[2:4]
        with pytest.raises(InvalidInput, match="swap them"):
            postings.select(db, start=date(2025, 2, 4), end=date(2025, 2, 3))
    finally:
        db.conn.close()


# ---- the writers on vouchers made by hand ----------------------------------------------------


def odd_voucher(text: str) -> Voucher:
    """A voucher with ``text`` (what a text or name may hold), a receivable line without a
    name or due date, and a line of 0,00."""
    return Voucher(
        "payment",
        7,
        7,
        "2026-10-05",
        text,
        [
            Line("1920", 12_345, text, kid="000710009"),
            Line("1500", -12_345, text, member_id=7, member=None, invoice=10009, kid="000710009"),
            Line("7790", 0, "Øreavrunding", member_id=7, member="Lyd;Bilde AS"),
        ],
    )


def test_gbat10_fields_never_break_the_line(tmp_path):
    out = io.StringIO(newline="")
    postings.write_gbat10(out, [odd_voucher('Innbetaling 7 Lyd;Bilde\r\n"Nord" C:\\AS')])
    gl = 'Innbetaling 7 Lyd Bilde "Nord" C:\\AS'  # ; and line breaks become one space
    assert out.getvalue().split("\r\n") == [
        gbat("GBAT10;7;20261005;2;10;2026;1920;0;123.45", text=gl),
        # A receivable line: the customer number even without a name (never "None").
        gbat(
            "GBAT10;7;20261005;2;10;2026;1500;0;-123.45",
            customer="7",
            invoice="10009",
            kid="000710009",
            text=gl,
            ledger=gl,
        ),
        # A member's line without an invoice is not a customer-ledger line; 0,00 is unsigned.
        gbat("GBAT10;7;20261005;2;10;2026;7790;0;0.00", text="Øreavrunding"),
        "",
    ]


def test_beancount_quotes_texts_and_names_accounts_without_a_name():
    out = io.StringIO()
    postings.write_beancount(
        out, [odd_voucher('Innbetaling 7 "Nord" C:\\AS')], {}, 'Klynge "Nord" \\ Sør'
    )
    assert out.getvalue().split("\n") == [
        'option "title" "Klynge \\"Nord\\" \\\\ Sør"',
        'option "operating_currency" "NOK"',
        "",
        "2026-10-05 open Assets:Konto-1500:M7 NOK",
        "2026-10-05 open Assets:Konto-1920 NOK",
        "2026-10-05 open Expenses:Konto-7790:M7 NOK",
        "",
        '2026-10-05 * "Innbetaling 7 \\"Nord\\" C:\\\\AS"',
        '  voucher: "2-7"',
        *post("Assets:Konto-1920", "123.45", kid="000710009"),
        *post("Assets:Konto-1500:M7", "-123.45", invoice="10009", kid="000710009"),
        *post("Expenses:Konto-7790:M7", "0.00"),
        "",
    ]


@pytest.mark.parametrize(
    ("number", "name", "member", "account"),
    [
        ("1500", "Kundefordringer", 7, "Assets:Kundefordringer-1500:M7"),
        ("1500", "Kundefordringer", None, "Assets:Kundefordringer-1500"),
        (
            "2900",
            "Forskudd fra medlemmer (innbetalt, ikke fordelt)",
            12,
            "Liabilities:Forskudd-Fra-Medlemmer-2900:M12",
        ),
        (
            "3000",
            "Medlemskontingent, avgiftspliktig",
            None,
            "Income:Medlemskontingent-Avgiftspliktig-3000",
        ),
        (
            "8070",
            "Purregebyr (annen finansinntekt)",
            None,
            "Income:Purregebyr-Annen-Finansinntekt-8070",
        ),
        # 4–7 and 9 are expenses; ø, Ø, æ, Æ are spelt o, O, ae, Ae; å loses its ring.
        ("7790", "Øreavrunding", None, "Expenses:Oreavrunding-7790"),
        ("6800", "Ærø kontorrekvisita", None, "Expenses:Aero-Kontorrekvisita-6800"),
        ("4000", "særavgift på ØL", None, "Expenses:Saeravgift-Pa-Ol-4000"),
        ("9990", "Utgående", None, "Expenses:Utgaende-9990"),
        # No letter or digit: beancount needs a name, so it is "Konto".
        ("1910", "§ –", None, "Assets:Konto-1910"),
    ],
)
def test_beancount_account_names(number, name, member, account):
    assert postings.beancount_account(number, name, member) == account
