"""An invoice run for 10,000 members against the floor of plain sqlite3.executemany.

Builds a database with N members (default 10,000) in two tiers, then times, in-process (no
interpreter start-up), the whole run for one year: plan (membership periods, tiers, fees, pro
rata, VAT) and apply (numbers, KIDs, invoices, lines, audit log, one transaction). The floor
inserts the same number of invoice and line rows with sqlite3.executemany into a copy of the
same schema. Prints both and the ratio. Target: within 5x of the floor.

Run: python benchmarks/invoice_run.py [--members 10000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def orgnr(i: int) -> str | None:
    """A valid, unique organisation number for member i (9xxxxxxx, else 8xxxxxxx)."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    for first in "98":
        body = f"{first}{i:07d}"
        r = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
        if r != 1:
            return body + str(0 if r == 0 else 11 - r)
    return None


def build(path: Path, members: int):
    from filmklynge.register import profile, tiers
    from filmklynge.store.db import open_db

    db = open_db(path)
    profile.init_profile(
        db, name="Benchmark", orgnr="923609016", account_no="86011117947", kid_length=15
    )
    for code in ("small", "large"):
        tiers.add_tier(db, code=code, name=code)
        tiers.set_fee(db, code, year=2026, membership_ore=200_000, service_ore=300_000)
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, orgnr, country, tier_id, county, address_line, "
            "postal_code, city, invoice_delivery, created_at) VALUES "
            "(?, ?, ?, 'NO', ?, 'Troms', 'Storgata 1', '9008', 'Tromsø', 'email', '')",
            [(i, f"Medlem {i} AS", orgnr(i), 1 + i % 2) for i in range(1, members + 1)],
        )
        db.executemany(
            "INSERT INTO memberships (member_id, joined_on) VALUES (?, ?)",
            [
                (i, "2025-01-01" if i % 4 else f"2026-{1 + i % 12:02d}-15")
                for i in range(1, members + 1)
            ],
        )
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    os.environ["FILMKLYNGE_TODAY"] = "2026-01-15"
    from filmklynge.ledger import invoicing

    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp) / "bench.db", args.members)
        start = time.perf_counter()
        plan = invoicing.plan_run(db, year=2026, issued_on=date(2026, 1, 15))
        created = invoicing.apply_run(db, plan)
        ours = time.perf_counter() - start
        invoices = db.execute("SELECT * FROM invoices").fetchall()
        lines = db.execute("SELECT * FROM invoice_lines").fetchall()
        assert len(created) == args.members
        db.close()

        floor_path = Path(tmp) / "floor.db"
        floor_db = build(floor_path, 0)
        floor_db.close()
        conn = sqlite3.connect(floor_path, isolation_level=None)
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO invoices VALUES ({','.join('?' * 22)})", invoices)
        conn.executemany(f"INSERT INTO invoice_lines VALUES ({','.join('?' * 13)})", lines)
        conn.execute("COMMIT")
        floor = time.perf_counter() - start
        conn.close()
    print(f"members / invoices / lines:          {args.members} / {len(invoices)} / {len(lines)}")
    print(f"invoices run (plan + apply):         {ours * 1000:8.1f} ms")
    print(f"floor (sqlite3.executemany):         {floor * 1000:8.1f} ms")
    print(f"ratio (target <= 5.0):               {ours / floor:8.2f}")


if __name__ == "__main__":
    main()
