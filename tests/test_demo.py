"""Trying filmklynge without the repository: `filmklynge demo` copies the sample that ships in
the package, and a demo database is frozen at its own day, so it does not age with the
calendar while a real database keeps it."""

import json
import shlex
import sqlite3
import stat
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from helpers import dump, rows
from typer.testing import CliRunner

from filmklynge import dates
from filmklynge.cli import app

ROOT = Path(__file__).resolve().parent.parent
FROZEN = date(2026, 11, 20)  # scripts/make_sample.py: SAMPLE_TODAY
REAL_CLOCK = {"FILMKLYNGE_TODAY": None, "FILMKLYNGE_NOW": None, "COLUMNS": "80"}


def invoke(*args, code=0, env=None):
    r = CliRunner().invoke(app, [str(a) for a in args], prog_name="filmklynge", env=env)
    assert r.exit_code == code, (
        f"exit {r.exit_code}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}\n{r.exception!r}"
    )
    return r


def set_clock(monkeypatch, day: date) -> None:
    """The system clock says ``day`` (FILMKLYNGE_TODAY is unset by REAL_CLOCK)."""

    class Clock(date):
        @classmethod
        def today(cls):
            return day

    monkeypatch.setattr(dates, "date", Clock)


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_demo_writes_a_private_copy_and_prints_commands_that_run(here):
    r = invoke("demo", env=REAL_CLOCK)
    copy = here / "filmklynge-demo.db"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert "20.11.2026" in r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) >= 5 and lines[0] == "filmklynge --db filmklynge-demo.db summary"
    for line in lines:
        words = shlex.split(line, comments=True)
        assert words[:3] == ["filmklynge", "--db", "filmklynge-demo.db"], line
        out = invoke(*words[1:], env=REAL_CLOCK)
        assert out.stdout.strip(), line
        assert out.stderr.count("is a demo database") == 1, line  # said once, on stderr
    assert rows(copy, "SELECT frozen_on FROM demo") == [{"frozen_on": "2026-11-20"}]


def test_the_quick_start_works_from_a_fresh_folder_and_again(here):
    """The README's first command, from `filmklynge demo` on, run twice: the second run must
    not stop on the copy the first one made."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lower().startswith("## quick start"))
    first = next(line for line in lines[start:] if "filmklynge demo" in line)
    commands = [
        shlex.split(part)[1:]
        for part in first.split("&&")
        if shlex.split(part)[0].endswith("/filmklynge")
    ]
    assert commands[0][0] == "demo" and commands[-1][-1] == "summary"
    for _ in range(2):
        outputs = [invoke(*args, env=REAL_CLOCK) for args in commands]
    assert "Nordnorsk Filmklynge SA — status 20.11.2026" in outputs[-1].stdout


def test_demo_never_replaces_a_file_that_is_not_an_earlier_demo(here, tmp_path):
    copy = here / "filmklynge-demo.db"
    invoke("demo")
    before = dump(copy)
    r = invoke("demo", code=4)
    assert "exists already" in r.stderr and "--force" in r.stderr and r.stdout == ""
    assert dump(copy) == before
    # --force starts again from the sample; an untouched copy is simply replaced ...
    invoke("demo", "--force")
    assert dump(copy) == before and sorted(p.name for p in here.iterdir()) == [copy.name]
    # ... a changed one is kept aside, never deleted (real members may have gone into it).
    invoke("--db", copy, "tiers", "add", "extra", "--name", "Ekstra", env=REAL_CLOCK)
    changed = dump(copy)
    for _ in range(2):  # twice within a second: two backups, neither overwritten
        r = invoke("demo", "--force")
        assert dump(copy) == before
        invoke("--db", copy, "tiers", "add", "extra", "--name", "Ekstra", env=REAL_CLOCK)
    invoke("demo", "--force")
    kept = sorted(here.glob("filmklynge-demo.db.*.bak"))
    assert len(kept) == 3
    assert "Your changed copy is kept as" in r.stderr
    assert all(rows(k, "SELECT name FROM tiers WHERE code = 'extra'") for k in kept)
    assert changed in [dump(k) for k in kept]

    real = tmp_path / "klynge.db"
    invoke(
        "--db", real, "init", "--name", "Ekte Klynge", "--orgnr", "923609016",
        "--account", "8601 11 17947", "--no-input",
    )  # fmt: skip
    kept = dump(real)
    r = invoke("demo", "--db", real, "--force", code=4)
    assert "is not a demo database" in r.stderr
    assert dump(real) == kept

    text = tmp_path / "notes.txt"
    text.write_text("mine\n")
    invoke("demo", "--db", text, "--force", code=4)
    assert text.read_text() == "mine\n"


def test_a_leftover_wal_file_is_not_joined_to_a_fresh_copy(here):
    leftover = here / "filmklynge-demo.db-wal"
    leftover.write_bytes(b"not this copy's")
    r = invoke("demo", code=4)
    assert "left over" in r.stderr and not (here / "filmklynge-demo.db").exists()
    invoke("demo", "--force")
    assert not leftover.exists()  # kept aside, not joined to the copy
    (kept,) = here.glob("filmklynge-demo.db.*.bak-wal")
    assert kept.read_bytes() == b"not this copy's"
    invoke("--db", "filmklynge-demo.db", "db", "check")


def test_where_the_copy_goes(here, tmp_path):
    invoke("--db", "mine.db", "demo")  # the root's --db, typed
    assert (here / "mine.db").exists()
    invoke("demo", "--db", "sub.db")
    assert (here / "sub.db").exists()
    # FILMKLYNGE_DB names the user's real database: the demo never goes there.
    invoke("demo", env={"FILMKLYNGE_DB": str(tmp_path / "klynge.db")})
    assert (here / "filmklynge-demo.db").exists() and not (tmp_path / "klynge.db").exists()
    r = invoke("demo", "--db", "my demo.db")  # printed quoted, so each line still runs
    first = r.stdout.splitlines()[0]
    assert first == "filmklynge --db 'my demo.db' summary"
    invoke(*shlex.split(first)[1:])
    r = invoke("--db", "a.db", "demo", "--db", "b.db", code=2)
    assert "Give one" in r.stderr
    r = invoke("demo", "--db", tmp_path / "missing" / "x.db", code=2)
    assert "does not exist" in r.stderr


def test_the_demo_does_not_age_with_the_calendar(here, monkeypatch):
    """The dashboard of the demo, with the system clock on the sample's day, a year later and
    five years later, is the same; and it is the summary as of the frozen day. Without the
    freeze a year later would show fee year 2027, nothing invoiced, every grant ended."""
    invoke("demo")
    db = ("--db", "filmklynge-demo.db")
    shown = {}
    for day in (FROZEN, date(2027, 11, 20), date(2031, 5, 5)):
        set_clock(monkeypatch, day)
        table = invoke(*db, "summary", env={**REAL_CLOCK, "NO_COLOR": "1"})
        data = invoke(*db, "summary", "--format", "json", env=REAL_CLOCK)
        assert table.stderr.count("is a demo database: today is 20.11.2026") == 1
        shown[day] = (table.stdout, data.stdout)
    assert len(set(shown.values())) == 1
    as_of = invoke(*db, "summary", "--as-of", "2026-11-20", "--format", "json", env=REAL_CLOCK)
    assert shown[FROZEN][1] == as_of.stdout
    assert "— status 20.11.2026" in shown[FROZEN][0]
    # FILMKLYNGE_TODAY still wins (tests set the day with it), and the view does change.
    later = invoke(*db, "summary", "--format", "json", env={"FILMKLYNGE_TODAY": "2027-11-20"})
    assert "FILMKLYNGE_TODAY=2027-11-20 instead" in later.stderr
    assert json.loads(later.stdout)["dues"] != json.loads(shown[FROZEN][1])["dues"]


def test_what_is_written_in_a_demo_is_dated_on_its_day(here, monkeypatch):
    invoke("demo")
    set_clock(monkeypatch, date(2030, 6, 1))
    db = ("--db", "filmklynge-demo.db")
    invoke(*db, "tiers", "add", "extra", "--name", "Ekstra", env=REAL_CLOCK)
    entry = json.loads(
        invoke(*db, "db", "log", "--limit", "1", "--format", "json", env=REAL_CLOCK).stdout
    )[0]
    assert entry["at"].startswith("2026-11-20T")


def test_a_real_database_keeps_the_calendar(cluster, db_path, monkeypatch):
    set_clock(monkeypatch, date(2031, 5, 5))
    r = cluster(
        "members", "add", "--name", "Polarlys Film AS", "--orgnr", "988077917",
        "--county", "Troms", "--tier", "small", "--no-input", env=REAL_CLOCK,
    )  # fmt: skip
    assert "demo" not in r.stderr
    assert rows(db_path, "SELECT joined_on FROM memberships") == [{"joined_on": "2031-05-05"}]
    assert rows(db_path, "SELECT * FROM demo") == []
    assert dates.today() == date(2031, 5, 5)  # and nothing is left frozen after a command


def test_today_asked_before_the_command_opens_the_database(here, monkeypatch):
    """A command that asks for today before it opens the database still gets the demo's day,
    and the next command (in the same process, as in tests) the calendar's."""
    from filmklynge.cli._common import State

    set_clock(monkeypatch, date(2030, 6, 1))
    monkeypatch.delenv("FILMKLYNGE_TODAY", raising=False)
    invoke("demo")
    state = State(here / "filmklynge-demo.db")
    try:
        assert dates.today() == FROZEN
        assert dates.now_utc().startswith("2026-11-20T")
    finally:
        state.close()
    assert dates.today() == date(2030, 6, 1)
    state = State(here / "nothing-here.db")  # `init`: no file yet, so the calendar's day
    try:
        assert dates.today() == date(2030, 6, 1)
        assert not (here / "nothing-here.db").exists()
    finally:
        state.close()


def test_the_sample_ships_in_the_package_once():
    sample = resources.files("filmklynge") / "data" / "sample.db"
    assert sample.is_file()
    assert sample.read_bytes()[:16] == b"SQLite format 3\x00"
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = setuptools["package-data"]["filmklynge"]
    assert any((ROOT / "filmklynge").glob(pattern) for pattern in declared)
    assert not (ROOT / "sample.db").exists(), "one copy: filmklynge/data/sample.db"
    conn = sqlite3.connect(f"file:{sample}?mode=ro&immutable=1", uri=True)
    try:
        frozen = conn.execute("SELECT frozen_on FROM demo").fetchone()[0]
    finally:
        conn.close()
    assert frozen == FROZEN.isoformat()
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert readme.count(f"frozen at {dates.norwegian(FROZEN)}") == 2  # the Quick start, summary
