"""Start-up cost of a read command against the generic tool a user could reach for instead.

Times, over N runs each (default 15), the median wall time of

    filmklynge --db sample.db members list --format json
    sqlite-utils rows sample.db members

and prints both and their ratio. Target: ratio <= 1.0.

Run: python benchmarks/startup.py [--runs 15] [--db sample.db]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, check=True, capture_output=True)  # warm the page cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default=str(Path(__file__).resolve().parent.parent / "sample.db"))
    args = parser.parse_args()
    # pip compiles a wheel's modules to bytecode when it installs them; an editable install
    # (and PYTHONDONTWRITEBYTECODE) does not, so compile once to compare like with like.
    import compileall

    import filmklynge

    compileall.compile_dir(Path(filmklynge.__file__).parent, quiet=1)
    bindir = Path(sys.executable).parent
    ours = [str(bindir / "filmklynge"), "--db", args.db, "members", "list", "--format", "json"]
    generic_exe = shutil.which("sqlite-utils", path=str(bindir)) or shutil.which("sqlite-utils")
    if not generic_exe:
        sys.exit("sqlite-utils is not installed (it comes with filmklynge's dependencies).")
    generic = [generic_exe, "rows", args.db, "members"]
    t_ours = median_seconds(ours, args.runs)
    t_generic = median_seconds(generic, args.runs)
    print(f"runs per command:                         {args.runs}")
    print(f"filmklynge members list --format json:    {t_ours * 1000:7.1f} ms (median)")
    print(f"sqlite-utils rows sample.db members:      {t_generic * 1000:7.1f} ms (median)")
    print(f"ratio (target <= 1.0):                    {t_ours / t_generic:7.2f}")


if __name__ == "__main__":
    main()
