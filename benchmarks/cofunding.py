"""The co-funding table on a large register against its SQL aggregate alone.

500 members, 3 overlapping grants, 200,000 in-kind entries and 50,000 fee payments. Times
`filmklynge cofunding --by-member --format json` in-process (no interpreter start-up) and,
as the floor, the SQL that sums in-kind value and net fee payments per member and year.
Prints both and the ratio. Target: at most 3x the floor.

Run: python benchmarks/cofunding.py [--inkind 200000] [--payments 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FLOOR_SQL = [
    "SELECT member_id, substr(worked_on, 1, 4), sum(value_ore) FROM inkind GROUP BY 1, 2",
    "SELECT i.member_id, substr(a.allocated_on, 1, 4), "
    "sum((2 * a.amount_ore * i.net_ore + i.total_ore) / (2 * i.total_ore)) "
    "FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id GROUP BY 1, 2",
]


def build(path: Path, inkind: int, payments: int) -> None:
    from filmklynge.funding import grants
    from filmklynge.register import profile
    from filmklynge.store.db import open_db

    rng = random.Random(7)
    db = open_db(path)
    profile.init_profile(db, name="Benchmark", orgnr="923609016", account_no="86011117947")
    grants.add_funder(db, name="Innovasjon Norge", public=True)
    grants.add_funder(db, name="Stiftelsen", public=False)
    grants.add_grant(
        db,
        funder="Innovasjon Norge",
        reference="A",
        amount_ore=900_000_000,
        start_on=date(2024, 1, 1),
        end_on=date(2026, 12, 31),
    )
    grants.add_grant(
        db,
        funder="Stiftelsen",
        reference="B",
        amount_ore=200_000_000,
        start_on=date(2025, 7, 1),
        end_on=date(2026, 6, 30),
    )
    grants.add_grant(
        db,
        funder="Innovasjon Norge",
        reference="C",
        amount_ore=100_000_000,
        start_on=date(2026, 1, 1),
        end_on=date(2026, 12, 31),
    )
    start = date(2024, 1, 1)
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, country, invoice_delivery) "
            "VALUES (?, ?, 'NO', 'email')",
            [(m, f"Medlem {m}") for m in range(1, 501)],
        )
        db.executemany(
            "INSERT INTO inkind (member_id, person, worked_on, hours_x100, activity, rule, "
            "rate_ore, value_ore, grant_id) VALUES (?, ?, ?, ?, 'x', 'fixed', 50000, ?, ?)",
            [
                (
                    rng.randint(1, 500),
                    f"P{rng.randint(1, 3)}",
                    (start + timedelta(days=rng.randint(0, 1095))).isoformat(),
                    400,
                    200_000,
                    rng.choice((None, None, None, 1, 2)),
                )
                for _ in range(inkind)
            ],
        )
        db.executemany(
            "INSERT INTO invoices (id, number, kind, member_id, period, issued_on, due_on, kid, "
            "currency, language, buyer_name, net_ore, vat_ore, total_ore) VALUES "
            "(?, ?, 'invoice', ?, ?, '2024-01-10', '2024-01-24', ?, 'NOK', 'nb', 'x', "
            "500000, 75000, 575000)",
            [(n, 10000 + n, 1 + n % 500, f"p{n}", f"{n:010d}") for n in range(1, payments + 1)],
        )
        db.executemany(
            "INSERT INTO payments (id, paid_on, amount_ore, method, member_id, "
            "created_at) VALUES (?, ?, 575000, 'manual', ?, '')",
            [(n, "2024-02-01", 1 + n % 500) for n in range(1, payments + 1)],
        )
        db.executemany(
            "INSERT INTO payment_allocations (payment_id, invoice_id, amount_ore, allocated_on)"
            " VALUES (?, ?, 575000, ?)",
            [
                (n, n, (start + timedelta(days=rng.randint(0, 1095))).isoformat())
                for n in range(1, payments + 1)
            ],
        )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inkind", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=50_000)
    args = parser.parse_args()
    os.environ["FILMKLYNGE_TODAY"] = "2026-12-31"
    from typer.testing import CliRunner

    from filmklynge.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build(path, args.inkind, args.payments)
        runner = CliRunner()
        runner.invoke(app, ["--db", str(path), "grants", "list"])  # import everything once
        start = time.perf_counter()
        result = runner.invoke(
            app, ["--db", str(path), "cofunding", "--by-member", "--format", "json"]
        )
        ours = time.perf_counter() - start
        assert result.exit_code == 0, result.output
        import sqlite3

        conn = sqlite3.connect(path)
        start = time.perf_counter()
        for sql in FLOOR_SQL:
            conn.execute(sql).fetchall()
        floor = time.perf_counter() - start
        conn.close()
    print(f"in-kind entries / fee payments:       {args.inkind} / {args.payments}")
    print(f"cofunding --by-member --format json:  {ours * 1000:8.1f} ms")
    print(f"SQL aggregate alone (floor):          {floor * 1000:8.1f} ms")
    print(f"ratio (target <= 3.0):                {ours / floor:8.2f}")


if __name__ == "__main__":
    main()
