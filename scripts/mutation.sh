#!/usr/bin/env bash
# Mutation testing of the money modules (issue 16).
#
# mutmut changes the money code one small step at a time (a `<=` becomes `<`, a 1 becomes 2,
# an `and` an `or` ...) and runs the tests that call the changed function. A mutant that no test
# notices "survives": either a rule no test pins down (write the test) or a change that cannot
# alter behaviour (an equivalent mutant: explain it in scripts/mutation-survivors.md).
#
# What is mutated and which tests run: [tool.mutmut] in pyproject.toml. Results are kept in
# mutants/ (ignored by git); a later run re-tests only functions that changed since.
#
#   scripts/mutation.sh              run, then print the score per module
#   scripts/mutation.sh --fresh      forget earlier results first (after removing tests)
#   scripts/mutation.sh --retest     test only the last run's survivors again (after adding
#                                    tests; also keeps results when the test selection grows)
#   scripts/mutation.sh --score      only print the score of the last run, with survivors
#   scripts/mutation.sh --show NAME  the change a mutant made (a name from --score)
#
# Needs the test extra (pip install -e '.[test]'). JOBS sets the parallel workers (default: the
# number of cores). A fresh run of the 5 400 mutants takes well over an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3

case "${1:-}" in
--score)
    exec "$python" scripts/mutation_score.py --survivors
    ;;
--show)
    exec "$python" -m mutmut show "${2:?give a mutant name from scripts/mutation.sh --score}"
    ;;
--fresh)
    rm -rf mutants
    ;;
--retest)
    "$python" scripts/mutation_retest.py
    ;;
"") ;;
*)
    sed -n '2,22p' "$0"
    exit 2
    ;;
esac

jobs=${JOBS:-$(nproc)}
if [ -t 1 ]; then
    "$python" -m mutmut run --max-children "$jobs"
else
    # Not a terminal: mutmut's progress line would be thousands of carriage returns. Keep its
    # output in mutants/run.log and show the end of it only if the run fails.
    mkdir -p mutants
    if ! "$python" -m mutmut run --max-children "$jobs" >mutants/run.log 2>&1; then
        tr '\r' '\n' <mutants/run.log | tail -n 40
        echo "mutmut failed (whole log: mutants/run.log)" >&2
        exit 1
    fi
fi
"$python" scripts/mutation_score.py --survivors
