"""The README walkthrough works as written, command by command, on a fresh database."""

import os
import shutil
import sys
from pathlib import Path

from typer.testing import CliRunner

from filmklynge.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "filmklynge" / "data" / "sample.db"
sys.path.insert(0, str(ROOT / "scripts"))

from readme_steps import steps  # noqa: E402

# Where the walkthrough runs: a folder git ignores, with a copy of the example files.
WORK = "mkdir -p work && cp -R examples work/ && cd work"


def test_the_walkthrough_runs_in_a_folder_git_ignores():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    walkthrough = readme[readme.index("## The administrator's first day") :]
    first_block = walkthrough.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0] == WORK
    assert "/work/" in (ROOT / ".gitignore").read_text().splitlines()


def test_every_walkthrough_command_succeeds(tmp_path, monkeypatch):
    env, commands = steps()
    assert len(commands) > 40
    work = tmp_path / "work"  # as the README's first line makes it
    shutil.copytree(ROOT / "examples", work / "examples")
    monkeypatch.chdir(work)
    env = {**env, "FILMKLYNGE_TODAY": "2026-11-24"}
    runner = CliRunner()
    outputs = {}
    for args in commands:
        r = runner.invoke(app, args, env=env, prog_name="filmklynge")
        assert r.exit_code == 0, f"filmklynge {' '.join(args)}\n{r.stdout}\n{r.stderr}"
        outputs.setdefault(" ".join(args[:2]), []).append(r.stderr)
    imports = outputs["payments import"]
    assert imports[0].splitlines()[0] == (
        "Imported camt054-eksempel.xml (camt054): 4 payments read, 4 new, 0 already imported; "
        "1 matched, 1 partly matched, 1 overpaid, 1 unmatched, 0 skipped; total kr 17 468,74."
    )
    assert "4 payments read, 0 new, 4 already imported; 0 matched" in imports[1]
    assert (work / "faktura-10001.pdf").exists()
    assert (work / "fakturaer").is_dir()
    assert (work / "purring-10002-1.pdf").exists()
    assert os.stat(work / "klynge.db").st_mode & 0o077 == 0
    assert os.stat(work / "filmklynge-demo.db").st_mode & 0o077 == 0
    assert outputs["impact report"][0] == ""  # the report is data: stdout, nothing on stderr
    assert "difference_pp,2019" in (work / "vekst-2017-2019.csv").read_text()
    assert "Imported 3 productions" in outputs["productions import"][0]


def test_the_sample_report_in_the_readme_is_what_the_sample_prints(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("On the bundled sample cluster the last command prints:")[1]
    shown = shown.split("```text\n")[1].split("```")[0]
    sample = tmp_path / "sample.db"  # a copy: opening a file may migrate it
    shutil.copy(SAMPLE, sample)
    r = CliRunner().invoke(
        app,
        [
            "--db",
            str(sample),
            "impact",
            "report",
            "--base",
            "2017",
            "--years",
            "2018,2019",
        ],
        env={"COLUMNS": "80", "NO_COLOR": "1"},
    )
    assert r.exit_code == 0, r.output
    assert shown in r.stdout
