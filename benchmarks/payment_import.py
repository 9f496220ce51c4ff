"""Importing an OCR giro file of 100,000 KID payments against netsgiro parsing it alone.

Builds a database with N open invoices (default 100,000; rows inserted directly, with real
MOD10 KIDs) and an OCR giro file paying each of them (written by netsgiro). Times the whole
import in-process: read, line and end-record checks, parse, match by KID, store payments and
allocations in one transaction. Prints it with the time of netsgiro.parse on the same file
alone, and the ratio. Target: at most 2x the parse alone.

Run: python benchmarks/payment_import.py [--invoices 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(path: Path, count: int) -> list[tuple[str, int]]:
    from filmklynge import kid
    from filmklynge.register import profile
    from filmklynge.store.db import open_db

    db = open_db(path)
    profile.init_profile(
        db, name="Benchmark", orgnr="923609016", account_no="86011117947", kid_length=15
    )
    members = 1000
    kids = []
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, country, invoice_delivery) "
            "VALUES (?, ?, 'SE', 'email')",
            [(m, f"Medlem {m}") for m in range(1, members + 1)],
        )
        rows = []
        for n in range(count):
            member, number = 1 + n % members, 10001 + n
            k = kid.make_kid(member, number, 15)
            total = 500_000 + (n % 7) * 12_500
            kids.append((k, total))
            rows.append(
                (
                    n + 1,
                    number,
                    "invoice",
                    member,
                    "2026" if n < members else f"x{n}",
                    "2026-01-15",
                    "2026-01-29",
                    k,
                    "NOK",
                    "nb",
                    f"Medlem {member}",
                    total,
                    0,
                    total,
                    "",
                )
            )
        db.executemany(
            "INSERT INTO invoices (id, number, kind, member_id, period, issued_on, due_on, kid, "
            "currency, language, buyer_name, net_ore, vat_ore, total_ore, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return kids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["FILMKLYNGE_TODAY"] = "2026-02-10"
    import netsgiro

    from filmklynge.ledger import payments
    from filmklynge.ledger.bankfile_writers import make_ocr
    from filmklynge.store.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        kids = build(db_path, args.invoices)
        ocr = Path(tmp) / "OCR.D100226.txt"
        ocr.write_bytes(make_ocr(kids, on=date(2026, 2, 9)))

        start = time.perf_counter()
        netsgiro.parse(ocr.read_bytes().decode("iso-8859-1"))
        parse_only = time.perf_counter() - start

        db = open_db(db_path)
        start = time.perf_counter()
        report = payments.import_file(db, ocr)
        ours = time.perf_counter() - start
        db.close()
    assert report.matched == args.invoices, report
    print(f"payments in file:                     {args.invoices}")
    print(f"payments import (check+match+store):  {ours:8.2f} s")
    print(f"netsgiro.parse alone:                 {parse_only:8.2f} s")
    print(f"ratio (target <= 2.0):                {ours / parse_only:8.2f}")


if __name__ == "__main__":
    main()
