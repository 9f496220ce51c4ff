"""Start-up cost: filmklynge against the generic tool a user could reach for instead.

Times, interleaved (one run of each in turn, so load on the machine hits both alike) over
N rounds (default 21), the median wall time of

    filmklynge --db sample.db members list --format json    vs  sqlite-utils rows sample.db members
    filmklynge --help                                       vs  sqlite-utils --help

and prints the absolute medians and their ratios. Targets (issue 14): read command <= 0.6x,
--help <= 1.0x. Python's own start-up (python -c pass) is printed for scale.

Run: python benchmarks/startup.py [--runs 21] [--db sample.db]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"read": 0.6, "help": 1.0}


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median seconds per command, the commands run in turn round after round."""
    for cmd in commands.values():  # warm the page cache once
        subprocess.run(cmd, check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--db", default=None, help="default: a copy of the bundled sample")
    args = parser.parse_args()
    # pip compiles a wheel's modules to bytecode when it installs them; an editable install
    # (and PYTHONDONTWRITEBYTECODE) does not, so compile once to compare like with like.
    import compileall

    import filmklynge

    compileall.compile_dir(Path(filmklynge.__file__).parent, quiet=1)
    bindir = Path(sys.executable).parent
    generic = shutil.which("sqlite-utils", path=str(bindir)) or shutil.which("sqlite-utils")
    if not generic:
        sys.exit("sqlite-utils is not installed (it comes with filmklynge's dependencies).")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = str(Path(tmp) / "sample.db")
            from importlib.resources import files

            shutil.copyfile(str(files("filmklynge") / "data" / "sample.db"), db)
        ours = str(bindir / "filmklynge")
        medians = interleaved(
            {
                "python": [sys.executable, "-c", "pass"],
                "read": [ours, "--db", db, "members", "list", "--format", "json"],
                "read_generic": [generic, "rows", db, "members"],
                "help": [ours, "--help"],
                "help_generic": [generic, "--help"],
            },
            args.runs,
        )
    ms = {name: value * 1000 for name, value in medians.items()}
    print(f"rounds (interleaved, median):                 {args.runs}")
    print(f"python -c pass:                               {ms['python']:7.1f} ms")
    print(f"filmklynge members list --format json:        {ms['read']:7.1f} ms")
    print(f"sqlite-utils rows sample.db members:          {ms['read_generic']:7.1f} ms")
    print(
        f"ratio (target <= {TARGETS['read']}):                       "
        f"{ms['read'] / ms['read_generic']:7.2f}"
    )
    print(f"filmklynge --help:                            {ms['help']:7.1f} ms")
    print(f"sqlite-utils --help:                          {ms['help_generic']:7.1f} ms")
    print(
        f"ratio (target <= {TARGETS['help']}):                       "
        f"{ms['help'] / ms['help_generic']:7.2f}"
    )


if __name__ == "__main__":
    main()
