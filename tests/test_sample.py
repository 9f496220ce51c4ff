"""The bundled sample (filmklynge/data/sample.db) is built by scripts/make_sample.py from the
current schema; it must be current."""

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "filmklynge" / "data" / "sample.db"


def dump(path: Path) -> list[str]:
    # immutable: reading leaves no -wal or -shm file beside the package's copy
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        lines = [
            line
            for line in conn.iterdump()
            if not line.startswith('INSERT INTO "_sqlite_migrations"')
        ]
    finally:
        conn.close()
    return lines


def test_committed_sample_is_current(tmp_path):
    fresh = tmp_path / "sample.db"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample.py"), str(fresh)],
        check=True,
        capture_output=True,
    )
    committed, rebuilt = dump(SAMPLE), dump(fresh)
    assert len(committed) == len(rebuilt), "sample.db is stale: run python scripts/make_sample.py"
    stale = [(a, b) for a, b in zip(committed, rebuilt, strict=True) if a != b]
    assert not stale, (
        f"sample.db is stale (first difference {stale[0]}); run scripts/make_sample.py"
    )


def test_sample_tells_a_story():
    conn = sqlite3.connect(f"file:{SAMPLE}?mode=ro&immutable=1", uri=True)
    try:
        members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        resigned = conn.execute(
            "SELECT count(*) FROM memberships WHERE left_on IS NOT NULL"
        ).fetchone()[0]
        festival = conn.execute("SELECT count(*) FROM members WHERE sector = 'festival'").fetchone()
        tiers = conn.execute("SELECT count(*) FROM tiers").fetchone()[0]
        fee_years = conn.execute("SELECT count(DISTINCT year) FROM tier_fees").fetchone()[0]
        counties = {r[0] for r in conn.execute("SELECT DISTINCT county FROM members")}
    finally:
        conn.close()
    assert 28 <= members <= 35
    assert resigned == 2
    assert festival[0] == 1
    assert tiers == 4 and fee_years == 3
    assert {"Nordland", "Troms", "Finnmark"} <= counties
