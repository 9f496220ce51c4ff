"""The score of the last mutation run, per money module, from mutmut's files in mutants/.

    python scripts/mutation_score.py               killed/total per module
    python scripts/mutation_score.py --survivors   also each surviving mutant's name

Run by scripts/mutation.sh after ``mutmut run``; reads only, so it can be run again at will.
A mutant counts as killed when a test failed (or timed out: an endless loop is noticed too).
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# mutmut's exit codes (mutmut/stats.py): 1 and 3 a test failed, 0 survived, 33 and 5 no test
# covers the function, 36 and the signals a timeout; None: not run yet.
KILLED = {1, 3}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {36, 24, -24, 152, 255}


def status(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    if code in TIMEOUT:
        return "timeout"
    return "not checked" if code is None else "other"


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["mutmut"]["only_mutate"]


def main(argv: list[str]) -> int:
    show_survivors = "--survivors" in argv
    rows, survivors, totals = [], [], Counter()
    for module in modules():
        meta = ROOT / "mutants" / (module + ".meta")
        if not meta.exists():
            rows.append((module, None))
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(status(code) for code in codes.values())
        counts["total"] = len(codes)
        totals.update(counts)
        rows.append((module, counts))
        survivors += [name for name, code in sorted(codes.items()) if status(code) == "survived"]
    if not totals:
        print("No mutation results in mutants/: run scripts/mutation.sh first.", file=sys.stderr)
        return 1
    head = (
        f"{'module':36} {'killed':>7} {'survived':>8} {'no tests':>8} {'timeout':>7} {'total':>6}"
    )
    print(head + "  score")
    for module, c in [*rows, ("all", totals)]:
        if c is None:
            print(f"{module:36} (not run: no such file yet, or mutmut not run since it was added)")
            continue
        caught = c["killed"] + c["timeout"]
        score = f"{100 * caught / c['total']:5.1f} %" if c["total"] else "    -"
        print(
            f"{module:36} {c['killed']:>7} {c['survived']:>8} {c['no tests']:>8} "
            f"{c['timeout']:>7} {c['total']:>6}  {score}"
        )
    unfinished = totals["not checked"] + totals["other"]
    if unfinished:
        print(f"({unfinished} mutants not checked or with an unexpected result: run again)")
    if show_survivors:
        print("\nSurvivors (see each with: .venv/bin/mutmut show NAME):")
        print("\n".join(f"  {name}" for name in survivors) or "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
