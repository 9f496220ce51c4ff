import json
import os

import pytest
from typer.testing import CliRunner

from filmklynge.cli import app

os.environ.setdefault("NO_COLOR", "1")
os.environ.setdefault("COLUMNS", "200")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.db"


@pytest.fixture
def run(db_path):
    """Invoke the CLI against a temporary database; assert the exit code."""
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
def run_json(run):
    def _run_json(*args, **kw):
        return json.loads(run(*args, "--format", "json", **kw).stdout)

    return _run_json


@pytest.fixture
def cluster(run):
    """A fresh database with a profile and two tiers with fees for 2025 and 2026."""
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
    return run
