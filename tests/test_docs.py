"""Every command has help text with an example, and the README names every command group."""

from pathlib import Path

from typer.main import get_command

from filmklynge.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _walk(command, ctx, path=()):
    """Every command under ``command``, through list_commands/get_command: the groups build
    their commands lazily, so their ``commands`` dict is not the whole story."""
    names = command.list_commands(ctx) if hasattr(command, "list_commands") else []
    if names:
        for name in names:
            yield from _walk(command.get_command(ctx, name), ctx, (*path, name))
    else:
        yield path, command


def all_commands():
    root = get_command(app)
    with root.make_context("filmklynge", ["db"], resilient_parsing=True) as ctx:
        return list(_walk(root, ctx))


def test_every_command_has_help_with_an_example():
    missing = []
    for path, command in all_commands():
        text = command.help or ""
        if not text.strip() or "Example" not in text:
            missing.append(" ".join(path))
    assert not missing, f"commands without help or example: {missing}"


def test_readme_mentions_every_command_group():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    groups = {path[0] for path, _ in all_commands()}
    absent = [
        g for g in sorted(groups) if f"filmklynge {g}" not in readme and f" {g} " not in readme
    ]
    assert not absent, f"README does not mention: {absent}"


def test_readme_quick_start_has_exactly_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lower().startswith("## quick start"))
    fence = [i for i in range(start, len(lines)) if lines[i].startswith("```")][:2]
    block = [
        line for line in lines[fence[0] + 1 : fence[1]] if line.strip() and not line.startswith("#")
    ]
    assert len(block) == 2
    assert "filmklynge demo" in block[0] and "summary" in block[0]  # tests/test_demo.py runs it
    assert "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1].strip() in ci


def test_help_runs_for_every_command():
    from typer.testing import CliRunner

    runner = CliRunner()
    for path, _ in all_commands():
        r = runner.invoke(app, [*path, "--help"], prog_name="filmklynge")
        assert r.exit_code == 0, (path, r.output)
        assert "Usage" in r.output
