"""`invoices ehf --validate` for 1,000 invoices against the floor of checking the same files.

Builds a database with N members (default 1,000; a quarter of them joined during the year and
are invoiced pro rata) and invoices the 2026 fee (membership part E, service part S). Then
times, as whole commands (interpreter start-up included, median of --repeat runs, in turns):

    filmklynge invoices ehf --period 2026 --all -o DIR --validate
        every document checked, made (PDF embedded), checked by the official rules, written
    the floor: a Python process that compiles the official rules once (ehf_rules.Validator)
        and validates the same N files read from DIR

and, for generation alone, `invoices ehf --period 2026 --all -o DIR` (no --validate) and the
same documents rendered one after the other in one process (render_ehf, no workers).
Prints wall-clock and CPU times and their ratios. Target: the command within 1.5x of the floor
in wall-clock time. The command shares a large batch between worker processes (one per CPU, up
to four), so its wall-clock time depends on free CPUs: on a busy machine it approaches the CPU
figure; the load average is printed with the results.

Run: python benchmarks/ehf.py [--members 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

FLOOR = """
import sys
from pathlib import Path
from filmklynge.documents.ehf_rules import Validator
validator = Validator()
fatal = 0
for path in sorted(Path(sys.argv[1]).glob("*.xml")):
    fatal += sum(f.is_fatal for f in validator.validate(path.read_bytes()))
assert fatal == 0, fatal
"""


def build(path: Path, members: int) -> int:
    from invoice_run import orgnr

    from filmklynge.ledger import invoicing
    from filmklynge.register import profile, tiers
    from filmklynge.store.db import open_db

    db = open_db(path)
    profile.init_profile(
        db,
        name="Benchmark klynge SA",
        orgnr="923609016",
        account_no="86011117947",
        vat_registered=True,
        foretaksregisteret=True,
        address_line="Storgata 12",
        postal_code="9008",
        city="Tromsø",
        email="post@klynge.example",
        kid_length=15,
    )
    tiers.add_tier(db, code="small", name="small")
    tiers.set_fee(
        db,
        "small",
        year=2026,
        membership_ore=200_000,
        membership_vat="E",
        service_ore=300_000,
        service_vat="S",
    )
    with db.atomic():
        db.executemany(
            "INSERT INTO members (id, name, orgnr, country, tier_id, county, address_line, "
            "postal_code, city, invoice_delivery, created_at) VALUES "
            "(?, ?, ?, 'NO', 1, 'Troms', 'Storgata 1', '9008', 'Tromsø', 'ehf', '')",
            [(i, f"Medlem {i} AS", orgnr(i)) for i in range(1, members + 1)],
        )
        db.executemany(
            "INSERT INTO memberships (member_id, joined_on) VALUES (?, ?)",
            [
                (i, "2025-01-01" if i % 4 else f"2026-{1 + i % 12:02d}-15")
                for i in range(1, members + 1)
            ],
        )
    plan = invoicing.plan_run(db, year=2026, issued_on=date(2026, 1, 15))
    created = invoicing.apply_run(db, plan)
    db.close()
    return len(created)


def timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, worker processes included) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["FILMKLYNGE_TODAY"] = "2026-01-15"
    load = os.getloadavg()
    python = sys.executable
    cli = [python, "-m", "filmklynge"]
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        invoices = build(db_path, args.members)
        out = Path(tmp) / "ehf"
        ours_cmd = [*cli, "--db", str(db_path), "invoices", "ehf", "--period", "2026", "--all"]
        ours, floor, plain = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            ours.append(timed([*ours_cmd, "-o", str(out), "--validate", "-q"]))
            floor.append(timed([python, "-c", FLOOR, str(out)]))
            shutil.rmtree(out, ignore_errors=True)
            plain.append(timed([*ours_cmd, "-o", str(out), "-q"]))
        assert len(list(out.glob("*.xml"))) == invoices

        from filmklynge.documents import ehf_batch
        from filmklynge.store.db import open_db

        db = open_db(db_path)
        numbers = [r["number"] for r in db.query("SELECT number FROM invoices ORDER BY number")]
        start = time.perf_counter()
        for _ in ehf_batch.make(db, numbers, jobs=1):
            pass
        in_process = time.perf_counter() - start
        db.close()

    per = 1000 / invoices
    ours_s, floor_s, plain_s = (statistics.median(w for w, _ in t) for t in (ours, floor, plain))
    ours_cpu, floor_cpu, plain_cpu = (
        statistics.median(c for _, c in t) for t in (ours, floor, plain)
    )

    def row(label: str, *values: str) -> None:
        print(f"{label:<50}" + " ".join(f"{v:>9}" for v in values))

    jobs = min(ehf_batch.cpus(), ehf_batch.MAX_JOBS)
    row("invoices (a quarter pro rata):", str(invoices))
    row("load average before / after:", f"{load[0]:.1f}", f"{os.getloadavg()[0]:.1f}")
    row("worker processes for a batch:", str(jobs))
    row("", "wall", "CPU")
    row("invoices ehf --period --all --validate:", f"{ours_s:.2f} s", f"{ours_cpu:.2f} s")
    row(
        "floor (compile rules once + validate the files):", f"{floor_s:.2f} s", f"{floor_cpu:.2f} s"
    )
    row("ratio (target <= 1.5 wall):", f"{ours_s / floor_s:.2f}", f"{ours_cpu / floor_cpu:.2f}")
    row(
        "generation alone per 1,000, invoices ehf:",
        f"{plain_s * per:.2f} s",
        f"{plain_cpu * per:.2f} s",
    )
    row("generation alone per 1,000, one process:", f"{in_process * per:.2f} s")


if __name__ == "__main__":
    main()
