"""`summary` and `export members` on a very large register against the sqlite3 command line.

Builds a database with 100,000 members, 1,000,000 invoices with as many payments, and
200,000 in-kind entries, then times (median of 7, whole commands, in turns):

    filmklynge summary --format json            vs  sqlite3 running the same aggregates
    filmklynge export members --format csv      vs  sqlite3 -csv exporting the same table

The export's floor is the same table written by hand in SQL (each member with its tier, its
status on the day and the membership period that applies), and the benchmark checks that both
CSV files hold the same rows before it times them. Prints both and the ratios. Targets:
summary within 3x, export within 2x of the floor.

Run: python benchmarks/summary.py [--members 100000] [--invoices 1000000] [--inkind 200000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGGREGATES = """
SELECT count(DISTINCT member_id) FROM memberships WHERE joined_on <= '2026-06-30'
  AND (left_on IS NULL OR left_on >= '2026-06-30');
SELECT t.name, count(*) FROM members m JOIN memberships p ON p.member_id = m.id
  LEFT JOIN tiers t ON t.id = m.tier_id GROUP BY 1;
SELECT county, count(*) FROM members GROUP BY 1;
SELECT sector, count(*) FROM members GROUP BY 1;
SELECT substr(i.period, 1, 4), sum(i.total_ore), sum(a.paid) FROM invoices i
  LEFT JOIN (SELECT invoice_id, sum(amount_ore) AS paid FROM payment_allocations
             GROUP BY invoice_id) a ON a.invoice_id = i.id GROUP BY 1;
SELECT member_id, sum(value_ore) FROM inkind GROUP BY 1;
"""

# Every member with the fields `export members` writes by default; status on 2026-06-30. The
# benchmark's members have one period each, so the latest period is the one that applies.
EXPORT = """
SELECT m.id, m.name, m.orgnr, m.country, m.vat_id, m.legal_form, m.sector, t.code AS tier,
  m.municipality, m.county, m.address_line, m.postal_code, m.city, m.website, m.employees,
  m.invoice_email, m.invoice_delivery,
  CASE WHEN p.joined_on <= '2026-06-30' AND (p.left_on IS NULL OR p.left_on >= '2026-06-30')
       THEN 'active' WHEN p.joined_on > '2026-06-30' THEN 'pending' ELSE 'resigned' END AS status,
  p.joined_on, p.left_on
FROM members m LEFT JOIN tiers t ON t.id = m.tier_id
LEFT JOIN memberships p ON p.member_id = m.id
 AND p.joined_on = (SELECT max(joined_on) FROM memberships q WHERE q.member_id = m.id)
ORDER BY m.name COLLATE NOCASE;
"""


def build(path: Path, members: int, invoices: int, inkind: int) -> None:
    from filmklynge.register import profile, tiers
    from filmklynge.store.db import open_db

    rng = random.Random(1)
    db = open_db(path)
    profile.init_profile(
        db, name="Benchmark", orgnr="923609016", account_no="86011117947", kid_length=15
    )
    for code in ("small", "large"):
        tiers.add_tier(db, code=code, name=code)
    counties = ["Nordland", "Troms", "Finnmark", "Oslo", "Vestland"]
    sectors = ["film production", "music", "design", "games"]
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, orgnr, country, tier_id, county, sector, "
            "municipality, website, invoice_delivery) VALUES (?, ?, ?, 'NO', ?, ?, ?, ?, ?, "
            "'email')",
            [
                (
                    m,
                    f"Medlem {m} AS",
                    f"9{m:08d}",
                    1 + m % 2,
                    counties[m % 5],
                    sectors[m % 4],
                    "Tromsø",
                    f"https://m{m}.example",
                )
                for m in range(1, members + 1)
            ],
        )
        db.executemany(
            "INSERT INTO memberships (member_id, joined_on, left_on) VALUES (?, ?, ?)",
            [
                (m, "2024-01-01", "2025-12-31" if m % 20 == 0 else None)
                for m in range(1, members + 1)
            ],
        )
        periods = ["2024", "2025", "2026"]
        db.executemany(
            "INSERT INTO invoices (id, number, kind, member_id, period, issued_on, due_on, kid, "
            "currency, language, buyer_name, net_ore, vat_ore, total_ore) VALUES "
            "(?, ?, 'invoice', ?, ?, ?, ?, ?, 'NOK', 'nb', 'x', 500000, 75000, 575000)",
            (
                (
                    n,
                    n,
                    1 + n % members,
                    f"{periods[n % 3]}-{n}" if n > members * 3 else periods[n % 3],
                    f"{periods[n % 3]}-01-15",
                    f"{periods[n % 3]}-01-29",
                    f"{n:015d}",
                )
                for n in range(1, invoices + 1)
            ),
        )
        db.executemany(
            "INSERT INTO payments (id, paid_on, amount_ore, method, member_id, "
            "created_at) VALUES (?, '2026-02-01', 575000, 'manual', ?, '')",
            ((n, 1 + n % members) for n in range(1, invoices + 1)),
        )
        db.executemany(
            "INSERT INTO payment_allocations (payment_id, invoice_id, amount_ore, allocated_on)"
            " VALUES (?, ?, ?, ?)",
            ((n, n, 575000 if n % 10 else 100000, "2026-02-01") for n in range(1, invoices + 1)),
        )
        start = date(2024, 1, 1)
        db.executemany(
            "INSERT INTO inkind (member_id, person, worked_on, hours_x100, activity, rule, "
            "rate_ore, value_ore) VALUES (?, 'P', ?, 400, 'x', 'fixed', 50000, 200000)",
            (
                (
                    rng.randint(1, members),
                    (start + timedelta(days=rng.randint(0, 1000))).isoformat(),
                )
                for _ in range(inkind)
            ),
        )
    db.execute("ANALYZE")
    db.close()


def same_rows(ours: list[str], floor: list[str]) -> None:
    """Stop unless both commands write the same CSV rows (quoting may differ)."""
    import csv
    import io

    def rows(cmd: list[str], stdin: str | None = None) -> list[list[str]]:
        out = subprocess.run(cmd, input=stdin, check=True, capture_output=True, text=True).stdout
        return list(csv.reader(io.StringIO(out)))

    a, b = rows(ours), rows(floor, EXPORT)
    if a != b:
        sys.exit(f"export members and the floor differ: {len(a)} vs {len(b)} rows")


def paired_medians(
    ours: list[str], floor: list[str], *, floor_stdin: str, runs: int = 7
) -> tuple[float, float]:
    """Median wall time of each command, run in turns so that the machine's moods hit both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for i, (cmd, stdin) in enumerate(((ours, None), (floor, floor_stdin))):
            start = time.perf_counter()  # output to /dev/null: no pipe or decoding to time
            subprocess.run(cmd, input=stdin, check=True, stdout=subprocess.DEVNULL, text=True)
            times[i].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--inkind", type=int, default=200_000)
    args = parser.parse_args()
    sqlite3_cli = shutil.which("sqlite3")
    if not sqlite3_cli:
        sys.exit("The sqlite3 command-line tool is needed for the floor (apt-get install sqlite3).")
    exe = str(Path(sys.executable).parent / "filmklynge")
    env = {**os.environ, "FILMKLYNGE_TODAY": "2026-06-30"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        build(path, args.members, args.invoices, args.inkind)
        print(
            f"built {args.members} members, {args.invoices} invoices and payments, "
            f"{args.inkind} in-kind in {time.perf_counter() - t0:.0f} s"
        )
        os.environ.update(env)
        ours_summary, floor_summary = paired_medians(
            [exe, "--db", str(path), "summary", "--format", "json"],
            [sqlite3_cli, str(path)],
            floor_stdin=AGGREGATES,
        )
        ours_cmd = [exe, "--db", str(path), "export", "members", "--format", "csv"]
        floor_cmd = [sqlite3_cli, "-csv", "-header", str(path)]
        same_rows(ours_cmd, floor_cmd)
        ours_export, floor_export = paired_medians(ours_cmd, floor_cmd, floor_stdin=EXPORT)
    print(
        f"summary --format json:         {ours_summary:7.2f} s   sqlite3 aggregates: "
        f"{floor_summary:6.2f} s   ratio {ours_summary / floor_summary:5.2f} (target <= 3)"
    )
    print(
        f"export members --format csv:   {ours_export:7.2f} s   sqlite3 -csv:       "
        f"{floor_export:6.2f} s   ratio {ours_export / floor_export:5.2f} (target <= 2)"
    )


if __name__ == "__main__":
    main()
