"""Build examples/camt054-eksempel.xml: a bank file paying the invoices the README creates.

    python scripts/make_examples.py

Runs the README walkthrough up to its first `payments import` in a scratch folder, then writes
a camt.054 notification that pays invoice 10001 in full, 10002 in part, 10004 with too much,
and one payment without a KID (for `payments unmatched` and `payments allocate`).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readme_steps import ROOT, steps

DAY = "2026-11-24"


def main() -> None:
    from typer.testing import CliRunner

    from filmklynge.cli import app
    from filmklynge.ledger.bankfile_writers import make_camt
    from filmklynge.store.db import open_db

    env, commands = steps()
    env = {**env, "FILMKLYNGE_TODAY": DAY}
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "examples", Path(tmp) / "examples")
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            for args in commands:
                if args[:2] == ["payments", "import"]:
                    break
                result = runner.invoke(app, args, env=env, prog_name="filmklynge")
                if result.exit_code:
                    sys.exit(f"README step failed: filmklynge {' '.join(args)}\n{result.output}")
            db = open_db(Path(tmp) / env["FILMKLYNGE_DB"])
            owed = {
                r["number"]: (r["kid"], r["total_ore"], r["buyer_name"])
                for r in db.query(
                    "SELECT number, kid, total_ore, buyer_name FROM invoices WHERE kind = 'invoice'"
                )
            }
            db.close()
        finally:
            os.chdir(cwd)

    def kr(ore: int) -> str:
        return f"{ore / 100:.2f}"

    txs = [
        ("NB-0001", owed[10001][0], kr(owed[10001][1])),
        ("NB-0002", owed[10002][0], kr(owed[10002][1] // 2)),
        ("NB-0003", owed[10004][0], kr(owed[10004][1] + 25_000)),
        ("NB-0004", None, kr(owed[10005][1])),
    ]
    target = ROOT / "examples" / "camt054-eksempel.xml"
    target.write_text(make_camt("054", txs, booked=DAY), encoding="utf-8")
    print(f"Wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
