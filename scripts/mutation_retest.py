"""Mark the survivors of the last mutation run (and mutants no test reached) to be tested again.

    python scripts/mutation_retest.py     then   scripts/mutation.sh

For after adding tests: a mutant killed before stays killed (a new test can only kill more), so
only the survivors need running again, minutes instead of the full run. mutmut itself would
start over from scratch when the test selection in [tool.mutmut] changes; this records the
current configuration as the one the kept results belong to. After removing or weakening tests,
run ``scripts/mutation.sh --fresh`` instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from mutation_score import NO_TESTS, SURVIVED  # mutmut's exit codes, read in one place

ROOT = Path(__file__).resolve().parent.parent
AGAIN = SURVIVED | NO_TESTS


def main() -> int:
    os.chdir(ROOT)
    stats = ROOT / "mutants" / "mutmut-stats.json"
    if not stats.exists():
        print("No mutation run to continue: run scripts/mutation.sh first.", file=sys.stderr)
        return 2
    from mutmut.configuration import config

    data = json.loads(stats.read_text(encoding="utf-8"))
    data["config_fingerprint"] = config().config_fingerprint()
    stats.write_text(json.dumps(data), encoding="utf-8")
    again = 0
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        results = json.loads(meta.read_text(encoding="utf-8"))
        codes = results["exit_code_by_key"]
        for name, code in codes.items():
            if code in AGAIN:
                codes[name] = None
                again += 1
        meta.write_text(json.dumps(results), encoding="utf-8")
    print(f"{again} mutants will be tested again by scripts/mutation.sh.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
