import json
import os
import shutil

import pytest
from helpers import INVOICED_TODAY, VALID, rows, run_year
from typer.testing import CliRunner

from filmklynge.cli import app

os.environ.setdefault("NO_COLOR", "1")
os.environ.setdefault("COLUMNS", "200")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.db"


def _runner(db_path):
    """A function that invokes the CLI against ``db_path`` and asserts the exit code."""
    runner = CliRunner()

    def _run(*args, input=None, code=0, env=None):
        r = runner.invoke(
            app,
            ["--db", str(db_path), *map(str, args)],
            input=input,
            prog_name="filmklynge",
            env=env,
        )
        assert r.exit_code == code, (
            f"exit {r.exit_code}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}\n{r.exception!r}"
        )
        return r

    return _run


@pytest.fixture
def run(db_path):
    """Invoke the CLI against a temporary database; assert the exit code."""
    return _runner(db_path)


@pytest.fixture
def run_json(run):
    def _run_json(*args, **kw):
        return json.loads(run(*args, "--format", "json", **kw).stdout)

    return _run_json


# The databases the fixtures below start from are built once per test session, through the
# CLI as a user would, and copied for each test: a fresh database costs its migrations, about
# half a second a test.


def _build_cluster(run):
    run(
        "init",
        "--name",
        "Nordnorsk Filmklynge",
        "--orgnr",
        "923609016",
        "--account",
        "8601 11 17947",
        "--email",
        "post@filmklynge.no",
        "--no-input",
    )
    run("tiers", "add", "small", "--name", "1–5 tilsette")
    run("tiers", "add", "large", "--name", "21+ tilsette")
    for year in (2025, 2026):
        run(
            "tiers",
            "set-fee",
            "small",
            "--year",
            year,
            "--membership",
            "2 000",
            "--service",
            "3 000",
        )
        run(
            "tiers",
            "set-fee",
            "large",
            "--year",
            year,
            "--membership",
            "5 000",
            "--service",
            "10 000",
        )


def _build_billed(run):
    env = {"FILMKLYNGE_TODAY": "2026-01-10"}
    for name, orgnr, tier, joined in [
        ("Polarlys Film AS", VALID[0], "small", "2025-01-01"),
        ("Juni Film AS", VALID[1], "small", "2026-06-15"),
        ("Festivalen", VALID[2], "large", "2024-01-01"),
        ("Sluttet AS", VALID[3], "small", "2024-01-01"),
    ]:
        run(
            "members",
            "add",
            "--name",
            name,
            "--orgnr",
            orgnr,
            "--tier",
            tier,
            "--county",
            "Troms",
            "--joined",
            joined,
            "--no-input",
            env=env,
        )
    run("members", "resign", "Sluttet", "--on", "2025-12-31", env=env)


def _build_invoiced(run):
    run_year(run, "--yes")


_BUILDERS = {
    "cluster": (None, _build_cluster),
    "billed": ("cluster", _build_billed),
    "invoiced": ("billed", _build_invoiced),
}


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """``start(name, db_path)``: copy the named database to db_path, building it (on the one
    before it) on first use."""
    built = {}

    def start(name, db_path):
        if name not in built:
            path = tmp_path_factory.mktemp(name) / "template.db"
            parent, build = _BUILDERS[name]
            if parent:
                start(parent, path)
            build(_runner(path))
            assert not path.with_name(path.name + "-wal").exists()  # all in the one file
            built[name] = path
        shutil.copy(built[name], db_path)  # with its mode: 0600, as filmklynge creates it

    return start


@pytest.fixture
def cluster(run, db_path, _templates):
    """A fresh database with a profile and two tiers with fees for 2025 and 2026."""
    _templates("cluster", db_path)
    return run


@pytest.fixture
def billed(cluster, db_path, _templates):
    """Four members: Polarlys (small, since 2025), Juni Film (small, joins 15.06.2026),
    Festivalen (large, since 2024) and Sluttet AS (small, left 31.12.2025)."""
    _templates("billed", db_path)
    return cluster


@pytest.fixture
def invoiced(billed, db_path, _templates):
    """billed with the 2026 fee invoiced on 10.01.2026, due 24.01.2026:

    10001 Festivalen 17 500,00 (5 000 E + 10 000 S + 2 500 VAT), member 3
    10002 Juni Film AS 3 354,17 (7/12: 1 166,67 E + 1 750,00 S + 437,50 VAT), member 2
    10003 Polarlys Film AS 5 750,00 (2 000 E + 3 000 S + 750 VAT), member 1

    Returns a runner whose default date is 01.03.2026, and {number: (kid, total_ore)}."""
    _templates("invoiced", db_path)
    kids = {
        r["number"]: (r["kid"], r["total_ore"])
        for r in rows(db_path, "SELECT number, kid, total_ore FROM invoices")
    }

    def run(*args, **kw):
        kw.setdefault("env", INVOICED_TODAY)
        return billed(*args, **kw)

    return run, kids
