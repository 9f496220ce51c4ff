"""Shared option types, the per-invocation state, and small CLI helpers."""

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from filmklynge.output import Format

DbPath = Annotated[
    Path,
    typer.Option("--db", envvar="FILMKLYNGE_DB", help="The database file.", show_default=True),
]
Fmt = Annotated[
    Format,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format: table, csv or json."),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write the data to FILE instead of stdout.", metavar="FILE"
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No confirmation message on stderr.")]
NoInput = Annotated[
    bool, typer.Option("--no-input", help="Never prompt; fail if a required value is missing.")
]


class State:
    """What the root callback knows: where the database is, and the command line for the log."""

    def __init__(self, db_path: Path, debug: bool = False):
        self.db_path = db_path
        self.debug = debug
        self._db = None

    def db(self, *, create: bool = False):
        """Open (migrating if needed) the database once per invocation."""
        if self._db is None:
            from filmklynge.output import note
            from filmklynge.store.db import open_db

            self._db = open_db(self.db_path, create=create)
            self._db.command = command_line()
            self._db.inform = note
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def command_line() -> str:
    args = sys.argv[1:]
    return "filmklynge " + " ".join(shlex.quote(a) for a in args) if args else "filmklynge"


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def db_of(ctx: typer.Context, *, create: bool = False):
    return state(ctx).db(create=create)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def confirm_or_abort(question: str, *, yes: bool) -> None:
    """Ask on a terminal; without one, require --yes instead of hanging."""
    from filmklynge.errors import InvalidInput

    if yes:
        return
    if not interactive():
        raise InvalidInput(f"{question} Not a terminal, so nothing was done; add --yes to go on.")
    if not typer.confirm(question, default=False, err=True):
        raise typer.Exit(1)


def ask(
    label: str,
    value: Any,
    *,
    no_input: bool,
    option: str,
    required: bool = True,
    check: Callable[[str], Any] | None = None,
) -> Any:
    """Return ``value``, or prompt for it on a terminal when it is missing and required.

    ``check`` (a domain validator raising ``InvalidInput``) is applied to each answer as it is
    typed: a wrong one is explained and asked again, so nothing typed before is lost."""
    from filmklynge.errors import InvalidInput

    if value not in (None, ""):
        return value
    if not required:
        return value
    if no_input or not interactive():
        raise InvalidInput(f"{label} is required. Give it with {option}.")
    while True:
        answer = typer.prompt(label, err=True)
        if check is None:
            return answer
        try:
            check(answer)
        except InvalidInput as e:
            typer.echo(f"Error: {e} Try again.", err=True)
        else:
            return answer


def day_or_today(value: str | None, option: str):
    """A date option's value, or today (FILMKLYNGE_TODAY in tests) when it is not given."""
    from filmklynge.dates import parse_date, today

    return parse_date(value, field=option) if value else today()


def report_import(
    done: int,
    errors: list[str],
    *,
    what: str,
    skip: bool,
    dry_run: bool,
    unchanged: int = 0,
    replaced: int = 0,
) -> None:
    """Print an import's row errors; without --skip-invalid they stop it (nothing written)."""
    from filmklynge.errors import InvalidInput
    from filmklynge.output import note

    for line in errors:
        sys.stderr.write(f"  {'skipped ' if skip else ''}{line}\n")
    if errors and not skip:
        rows = "1 row is" if len(errors) == 1 else f"{len(errors)} rows are"
        raise InvalidInput(
            f"{rows} invalid (listed above); nothing was imported. Fix them, or use --skip-invalid."
        )
    extra = [f"{replaced} replaced"] if replaced else []
    if unchanged:
        extra.append(f"{unchanged} already recorded")
    more = f" ({', '.join(extra)})" if extra else ""
    note(f"{'Would import' if dry_run else 'Imported'} {done} {what}{more}.")
