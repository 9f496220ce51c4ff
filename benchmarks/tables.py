"""`dues` as a table against `dues --format csv` on a very large register.

Builds a database the way benchmarks/summary.py does, with 100,000 members each with one
invoice (and its payment), then times (median of 5, whole commands, in turns, stdout to
/dev/null so no pipe is timed):

    filmklynge dues                   (a table: above 500 rows the streaming writer)
    filmklynge dues --format csv

and measures the peak memory (max RSS) of each command's process. Targets: the table within
2x of the CSV, peak memory of the table at most 150 MB.

Run: python benchmarks/tables.py [--members 100000] [--db FILE (kept and reused)]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summary import build  # (same database shape as the summary benchmark)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time in seconds and the peak RSS in MB of one run of ``cmd``."""
    start = time.perf_counter()
    # A fresh process group member: the ru_maxrss of RUSAGE_CHILDREN is the largest of all
    # children waited for so far, so each run is measured in a child of its own.
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True
    ).stdout
    elapsed = time.perf_counter() - start
    return elapsed, int(out.split()[-1]) / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="Build here (once) and keep the file.")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "filmklynge")
    os.environ.update({"FILMKLYNGE_TODAY": "2026-06-30", "COLUMNS": "120"})
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "big.db"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.members, args.members, 0)
            print(
                f"built {args.members} members, each with an invoice and a payment, "
                f"in {time.perf_counter() - t0:.0f} s"
            )
        table_cmd = [exe, "--db", str(path), "dues"]
        csv_cmd = [exe, "--db", str(path), "dues", "--format", "csv"]
        lines = subprocess.run(table_cmd, check=True, capture_output=True, text=True).stdout
        rows = len(lines.splitlines()) - 2  # header and rule
        print(f"dues as a table: {rows} rows")
        results: tuple[list, list] = ([], [])
        for _ in range(args.runs):
            for i, cmd in enumerate((table_cmd, csv_cmd)):
                results[i].append(timed(cmd))
    (table_t, csv_t) = (statistics.median(t for t, _ in r) for r in results)
    (table_m, csv_m) = (max(m for _, m in r) for r in results)
    ratio = table_t / csv_t
    print(
        f"dues (table):          {table_t:6.2f} s  peak {table_m:6.1f} MB\n"
        f"dues --format csv:     {csv_t:6.2f} s  peak {csv_m:6.1f} MB\n"
        f"ratio {ratio:.2f} (target <= 2), table peak {table_m:.0f} MB (target <= 150)"
    )
    if ratio > 2 or table_m > 150:
        sys.exit(1)


if __name__ == "__main__":
    main()
