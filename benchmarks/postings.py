"""`export postings --format gbat10` on a large ledger against the sqlite3 command line.

Builds a database with 100,000 invoices (two lines each: membership part exempt, service part
with 25 % VAT) and 100,000 payments, each allocated to its invoice, then times (median of 5,
whole commands, in turns, output to /dev/null):

    filmklynge export postings --format gbat10 --again
    sqlite3 -separator ';' running one query that writes the same GBAT10 lines

The floor's query writes the same vouchers and lines in the same layout; the benchmark checks
that both outputs have the same number of lines and the same sum before it times them. Ours
also checks every voucher balances and records the export (which vouchers went out), as the
command always does. Prints both and the ratio. Target: within 3x of the floor.

Run: python benchmarks/postings.py [--invoices 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The same lines as ours: receivable, income per part, VAT per invoice; bank and member credit
# per payment; member credit and receivable per allocation. Dates YYYYMMDD, amounts 2 decimals.
FLOOR = """
WITH lines(voucher, type, day, account, vat, amount, customer, name, invoice, kid, due, text) AS (
  SELECT i.number, 1, i.issued_on, '1500', '0', i.total_ore, i.member_id, i.buyer_name,
         i.number, i.kid, i.due_on, 'Faktura ' || i.number || ' ' || i.buyer_name
    FROM invoices i
  UNION ALL
  SELECT i.number, 1, i.issued_on, CASE l.vat_code WHEN 'S' THEN '3010' ELSE '3200' END,
         CASE l.vat_code WHEN 'S' THEN '3' ELSE '6' END, -l.net_ore, NULL, NULL, NULL, NULL,
         NULL, 'Faktura ' || i.number || ' ' || i.buyer_name
    FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
  UNION ALL
  SELECT i.number, 1, i.issued_on, '2700', '3', -i.vat_ore, NULL, NULL, NULL, NULL, NULL,
         'Utgående mva Faktura ' || i.number || ' ' || i.buyer_name
    FROM invoices i WHERE i.vat_ore <> 0
  UNION ALL
  SELECT p.id, 2, p.paid_on, '1920', '0', p.amount_ore, NULL, NULL, NULL, NULL, NULL,
         'Innbetaling ' || p.id FROM payments p
  UNION ALL
  SELECT p.id, 2, p.paid_on, '2900', '0', -p.amount_ore, NULL, NULL, NULL, NULL, NULL,
         'Innbetaling ' || p.id FROM payments p
  UNION ALL
  SELECT a.id, 3, a.allocated_on, '2900', '0', a.amount_ore, NULL, NULL, NULL, NULL, NULL,
         'Innbetaling til faktura ' || i.number
    FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
  UNION ALL
  SELECT a.id, 3, a.allocated_on, '1500', '0', -a.amount_ore, i.member_id, i.buyer_name,
         i.number, i.kid, i.due_on, 'Innbetaling til faktura ' || i.number
    FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
)
SELECT 'GBAT10', voucher, replace(day, '-', ''), type, CAST(substr(day, 6, 2) AS INTEGER),
       substr(day, 1, 4), account, vat, printf('%.2f', amount / 100.0), coalesce(customer, ''),
       '', coalesce(name, ''), '', '', '', coalesce(invoice, ''), coalesce(kid, ''),
       coalesce(replace(due, '-', ''), ''), '', '', text, '', '', '', '', '', '', '', '', ''
FROM lines ORDER BY day, type, voucher;
"""


def build(path: Path, invoices: int) -> None:
    from filmklynge.register import profile
    from filmklynge.store.db import open_db

    db = open_db(path)
    profile.init_profile(
        db, name="Benchmark", orgnr="923609016", account_no="86011117947", kid_length=15
    )
    members = max(1, invoices // 10)
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, orgnr, country, county, invoice_delivery) "
            "VALUES (?, ?, ?, 'NO', 'Troms', 'email')",
            [(m, f"Medlem {m} AS", f"9{m:08d}") for m in range(1, members + 1)],
        )
        db.executemany(
            "INSERT INTO invoices (id, number, kind, member_id, period, issued_on, due_on, kid, "
            "currency, language, buyer_name, net_ore, vat_ore, total_ore, created_at) VALUES "
            "(?, ?, 'invoice', ?, ?, ?, ?, ?, 'NOK', 'nb', ?, 800000, 75000, 875000, '')",
            (
                (
                    n,
                    10000 + n,
                    1 + n % members,
                    f"{2020 + n // members}",
                    f"{2020 + n // members}-01-15",
                    f"{2020 + n // members}-01-29",
                    f"{n:015d}",
                    f"Medlem {1 + n % members} AS",
                )
                for n in range(1, invoices + 1)
            ),
        )
        db.executemany(
            "INSERT INTO invoice_lines (invoice_id, line_no, fee_part, description, net_ore, "
            "vat_code, vat_rate_bp, vat_ore) VALUES (?, ?, ?, 'x', ?, ?, ?, ?)",
            (
                row
                for n in range(1, invoices + 1)
                for row in (
                    (n, 1, "membership", 500000, "E", 0, 0),
                    (n, 2, "service", 300000, "S", 2500, 75000),
                )
            ),
        )
        db.executemany(
            "INSERT INTO payments (id, paid_on, amount_ore, method, member_id, created_at) "
            "VALUES (?, ?, 875000, 'manual', ?, '')",
            ((n, f"{2020 + n // members}-02-01", 1 + n % members) for n in range(1, invoices + 1)),
        )
        db.executemany(
            "INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_ore, "
            "allocated_on, created_at) VALUES (?, ?, ?, 875000, ?, '')",
            ((n, n, n, f"{2020 + n // members}-02-01") for n in range(1, invoices + 1)),
        )
    db.execute("ANALYZE")
    db.close()


def lines_and_sum(cmd: list[str], stdin: str | None = None) -> tuple[int, Decimal]:
    out = subprocess.run(cmd, input=stdin, check=True, capture_output=True, text=True).stdout
    rows = [line.split(";") for line in out.splitlines() if line]
    return len(rows), sum((Decimal(r[8]) for r in rows), Decimal(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sqlite3_cli = shutil.which("sqlite3")
    if not sqlite3_cli:
        sys.exit("The sqlite3 command-line tool is needed for the floor (apt-get install sqlite3).")
    exe = str(Path(sys.executable).parent / "filmklynge")
    os.environ["FILMKLYNGE_TODAY"] = "2035-01-01"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        build(path, args.invoices)
        print(f"built {args.invoices} invoices and payments in {time.perf_counter() - t0:.0f} s")
        ours = [exe, "--db", str(path), "export", "postings", "--format", "gbat10", "--again"]
        floor = [sqlite3_cli, "-separator", ";", str(path)]
        a, b = lines_and_sum(ours), lines_and_sum(floor, FLOOR)
        if a != b:
            sys.exit(f"ours and the floor differ: {a} vs {b} (lines, sum)")
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(args.runs):
            for i, (cmd, stdin) in enumerate(((ours, None), (floor, FLOOR))):
                start = time.perf_counter()
                subprocess.run(cmd, input=stdin, check=True, stdout=subprocess.DEVNULL, text=True)
                times[i].append(time.perf_counter() - start)
    t_ours, t_floor = statistics.median(times[0]), statistics.median(times[1])
    print(f"lines per export:                      {a[0]}")
    print(f"export postings --format gbat10:       {t_ours:6.2f} s (median of {args.runs})")
    print(f"sqlite3 with one query:                {t_floor:6.2f} s")
    print(f"ratio (target <= 3):                   {t_ours / t_floor:6.2f}")


if __name__ == "__main__":
    main()
