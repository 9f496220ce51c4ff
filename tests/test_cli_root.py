"""The root command: its table of commands, lazy loading, -h, shell completion, plain help."""

import os
import subprocess
import sys
import textwrap

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from filmklynge.cli import COMMANDS, LOADERS, _registered, app, first_sentence

runner = CliRunner()


def _child(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh Python (nothing imported yet) and return its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return result.stdout


def test_every_command_a_loader_adds_is_in_the_table_and_the_other_way_round():
    added = set()
    for loader in set(LOADERS.values()):
        holder = _registered(loader)
        added |= {g.name for g in holder.registered_groups}
        added |= {c.name for c in holder.registered_commands}
    assert added == set(COMMANDS)
    for name, (loader, _, _) in COMMANDS.items():
        holder = _registered(LOADERS[loader])
        names = {g.name for g in holder.registered_groups} | {
            c.name for c in holder.registered_commands
        }
        assert name in names, f"{name} is not added by the {loader} loader"


def test_the_line_in_the_root_help_is_the_first_sentence_of_the_command_help():
    root = get_command(app)
    with root.make_context("filmklynge", ["members"], resilient_parsing=True) as ctx:
        for name, (_, _, line) in COMMANDS.items():
            command = root.get_command(ctx, name)
            assert command is not None, name
            assert first_sentence(command.help or "") == line, name


def test_first_sentence_stops_at_a_sentence_not_at_an_abbreviation():
    assert first_sentence("Show one member: data. More here.") == "Show one member: data."
    assert first_sentence("Fylke, e.g. Nordland.\n\nExample: x") == "Fylke, e.g. Nordland."
    assert first_sentence("  One line\n  wrapped here.  Then Next.") == "One line wrapped here."
    assert first_sentence("No full stop") == "No full stop"
    assert first_sentence("A fee excl. VAT and kr. 5. Next.") == "A fee excl. VAT and kr. 5."


def test_root_help_lists_every_command_under_its_panel_without_importing_any():
    out = _child(
        """
        import sys
        from filmklynge.cli import app
        try:
            app(["--help"], prog_name="filmklynge")
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.startswith("filmklynge.cli."))
        print("LOADED", loaded)
        """,
        env={"COLUMNS": "80"},
    )
    help_text, loaded = out.rsplit("LOADED", 1)
    assert loaded.strip() == "['filmklynge.cli._common']"
    for name, (_, panel, _) in COMMANDS.items():
        assert f"\n  {name} " in help_text
        assert f"\n{panel}:\n" in help_text
    assert "Example: filmklynge" in help_text
    assert max(len(line) for line in help_text.splitlines()) <= 80
    assert "╭" not in help_text  # plain help, no boxes


def test_a_command_imports_only_the_module_that_defines_it(cluster, db_path):
    out = _child(
        """
        import sys
        from filmklynge.cli import app
        try:
            app(["--db", sys.argv[1], "members", "list", "--format", "json"],
                prog_name="filmklynge")
        except SystemExit:
            pass
        print("LOADED", sorted(m for m in sys.modules if m.startswith("filmklynge.cli.")))
        """,
        str(db_path),
    )
    loaded = out.rsplit("LOADED", 1)[1].strip()
    assert loaded == "['filmklynge.cli._common', 'filmklynge.cli.members']"


@pytest.mark.parametrize(
    "args",
    [["-h"], ["members", "-h"], ["members", "list", "-h"], ["invoices", "credit", "-h"]],
)
def test_dash_h_is_help_at_every_level(args):
    long = runner.invoke(app, [*args[:-1], "--help"], prog_name="filmklynge")
    short = runner.invoke(app, args, prog_name="filmklynge")
    assert short.exit_code == 0
    assert short.output == long.output
    assert short.output.startswith("Usage: filmklynge")


def test_a_group_lists_its_commands_with_their_whole_first_sentence():
    result = runner.invoke(
        app, ["members", "--help"], prog_name="filmklynge", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert "Enrol a member company (and, optionally, its first contact person)." in flat
    assert "..." not in result.output.split("Commands:")[1]


def test_shell_completion_can_be_installed_and_completes_lazily():
    result = runner.invoke(app, ["--help"], prog_name="filmklynge")
    assert "--install-completion" in result.output
    out = _child(
        """
        from filmklynge.cli import main
        import sys
        sys.argv = ["filmklynge"]
        try:
            main()
        except SystemExit:
            pass
        """,
        env={
            "_FILMKLYNGE_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "filmklynge invoices cr",
        },
    )
    assert '"credit"' in out
    assert '"remind"' not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["membres", "list"], "Error: No such command 'membres'. See 'filmklynge --help'."),
        (["--bogus"], "Error: No such option: --bogus. See 'filmklynge --help'."),
        (
            ["tiers", "add", "x", "--fee", "3"],
            "Error: No such option: --fee. See 'filmklynge tiers add --help'.",
        ),
        (
            ["members", "list", "--format", "xml"],
            "See 'filmklynge members list --help'.",
        ),
    ],
)
def test_a_usage_error_is_one_line_on_stderr(args, message, tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "x.db"), *args], prog_name="filmklynge")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_the_newest_migration_is_named_where_opening_a_database_looks_for_it():
    from filmklynge.store import db, migrations

    assert migrations.STEPS[-1].__name__ == db.NEWEST_MIGRATION
    assert db.MIGRATION_SET == migrations.MIGRATION_SET


def test_a_group_given_no_command_shows_its_help_on_stdout():
    result = runner.invoke(app, ["members"], prog_name="filmklynge")
    assert result.exit_code == 2
    assert result.stdout.startswith("Usage: filmklynge members [OPTIONS] COMMAND")
    assert "Commands:" in result.stdout and result.stderr == ""
