"""Shared option types, the per-invocation state, and small CLI helpers."""

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from filmklynge.output import Format

# A non-breaking hyphen holds a word together while Click re-wraps the help text.
_HELD_HYPHEN = "\u2011"


class _HelpFormatter(typer.Context.formatter_class):
    """Click's help layout, except that a line never breaks at a hyphen: an option such as
    --peppol-sender-id, or a word such as co-funding, stays whole when the text re-wraps."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args.replace("-", _HELD_HYPHEN), prefix)

    def write_text(self, text: str) -> None:
        super().write_text(text.replace("-", _HELD_HYPHEN))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        held = [(term, text.replace("-", _HELD_HYPHEN)) for term, text in rows]
        super().write_dl(held, col_max, col_spacing)

    def getvalue(self) -> str:
        return super().getvalue().replace(_HELD_HYPHEN, "-")


class _Context(typer.Context):
    formatter_class = _HelpFormatter


class Command(TyperCommand):
    """A command whose help re-wraps without breaking words at hyphens, and whose usage line
    names its arguments by what to type, the Click way: ``members show [OPTIONS] MEMBER``
    (Typer writes ``{MEMBER}`` for a required one)."""

    context_class = _Context

    def collect_usage_pieces(self, ctx):
        return [
            piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
            for piece in super().collect_usage_pieces(ctx)
        ]


class Group(TyperGroup):
    """A command group whose help re-wraps as a ``Command``'s does."""

    context_class = _Context


class App(typer.Typer):
    """A command group of filmklynge: a ``Group`` whose commands are ``Command``s."""

    def __init__(self, *, cls: type | None = None, **kwargs: Any):
        super().__init__(cls=cls or Group, **kwargs)

    def command(self, name: str | None = None, *, cls: type | None = None, **kwargs: Any):
        return super().command(name, cls=cls or Command, **kwargs)


# Every option that takes a value says what to type (its metavar), in one vocabulary: MEMBER,
# NUMBER, DATE, AMOUNT, YEAR, PERIOD, FILE, FOLDER, TEXT ... or the choices, like nb|en.
# tests/test_help.py walks the command tree and holds every command to it.

DbPath = Annotated[
    Path,
    typer.Option(
        "--db", envvar="FILMKLYNGE_DB", metavar="PATH", help="The database file.", show_default=True
    ),
]
Fmt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        metavar="table|csv|json",
        help="Output format.",
    ),
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
SkipInvalid = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the valid rows, list the others.")
]
Language = Annotated[
    str | None, typer.Option("--language", metavar="nb|en", help="Documents in bokmål or English.")
]

# A member named on the command line: by id, organisation number or part of the name.
MemberArg = Annotated[
    str,
    typer.Argument(
        metavar="MEMBER",
        help="Member id, organisation number or part of the name.",
        show_default=False,
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="The date to look at (default today)."),
]

# The filters of the listings; `export` takes the same ones as the listing it exports.
OfMember = Annotated[
    str | None, typer.Option("--member", metavar="MEMBER", help="Only this member.")
]
MemberStatus = Annotated[
    str | None,
    typer.Option(
        "--status", metavar="active|pending|resigned", help="Only members with this status."
    ),
]
Tier = Annotated[str | None, typer.Option("--tier", metavar="TIER", help="Fee tier code.")]
County = Annotated[
    str | None, typer.Option("--county", metavar="COUNTY", help="Fylke, e.g. Nordland.")
]
Sector = Annotated[
    str | None, typer.Option("--sector", metavar="SECTOR", help="e.g. 'film production'.")
]
Search = Annotated[
    str | None,
    typer.Option("--search", "-s", metavar="TEXT", help="Part of name, orgnr or place."),
]
FeeYear = Annotated[int | None, typer.Option("--year", metavar="YEAR", help="Only this fee year.")]
Period = Annotated[
    str | None,
    typer.Option("--period", metavar="PERIOD", help="Only this period: 2026, 2026-H2, 2026-Q3 ..."),
]
InvoiceStatus = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="open, partly paid, paid, overdue, credited or credit note.",
    ),
]
Overdue = Annotated[bool, typer.Option("--overdue", help="Only overdue invoices.")]
PaidFrom = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="Only payments on or after DATE.")
]
PaidTo = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Only payments on or before DATE.")
]
Method = Annotated[
    str | None,
    typer.Option("--method", metavar="METHOD", help="manual, bank, cash, ocr, camt054 or camt053."),
]
Unmatched = Annotated[
    bool, typer.Option("--unmatched", help="Only payments not matched to an invoice.")
]
WorkYear = Annotated[
    int | None, typer.Option("--year", metavar="YEAR", help="Only work done this year.")
]
OfGrant = Annotated[
    str | None, typer.Option("--grant", metavar="GRANT", help="Only entries assigned to GRANT.")
]


def prog_with_db(ctx: typer.Context) -> str:
    """``filmklynge`` as the user has to type it again: with ``--db PATH`` when the database was
    named on the command line (not by FILMKLYNGE_DB or the default), so a suggested command
    runs on the same file."""
    root = ctx.find_root()
    source = root.get_parameter_source("db")
    if getattr(source, "name", None) != "COMMANDLINE":
        return "filmklynge"
    return f"filmklynge --db {shlex.quote(str(root.params['db']))}"


class State:
    """What the root callback knows: where the database is, and the command line for the log.

    It is also where today comes from while the command runs (``dates.freeze``): a demo
    database is frozen at a day of its own, which every command on it takes as today."""

    def __init__(self, db_path: Path, debug: bool = False):
        from filmklynge import dates

        self.db_path = db_path
        self.debug = debug
        self._db = None
        self._frozen_on = None  # the demo database's day, once the database is open
        self._peeking = False
        dates.freeze(self.frozen_on)

    def db(self, *, create: bool = False):
        """Open (migrating if needed) the database once per invocation."""
        if self._db is None:
            import os

            from filmklynge.dates import norwegian
            from filmklynge.output import note
            from filmklynge.store.db import frozen_on, open_db

            db = open_db(self.db_path, create=create)
            db.command = command_line()
            db.inform = note
            self._db = db
            self._frozen_on = frozen_on(db)
            if self._frozen_on is not None:
                forced = os.environ.get("FILMKLYNGE_TODAY")
                note(
                    f"{self.db_path} is a demo database: today is "
                    f"{norwegian(self._frozen_on)} in it, whatever the calendar says"
                    + (f" (here FILMKLYNGE_TODAY={forced} instead)." if forced else ".")
                )
        return self._db

    def frozen_on(self):
        """The day the database is frozen at if it is a demo, else None; asked for today
        before the command has opened the database, it opens it (never creating it)."""
        if self._db is None and not self._peeking:
            from filmklynge.errors import FilmklyngeError

            self._peeking = True  # opening must not ask again
            try:
                self.db()
            except FilmklyngeError:
                pass  # not there yet (init) or unusable: the command says so when it opens it
            finally:
                self._peeking = False
        return self._frozen_on

    def close(self) -> None:
        from filmklynge import dates

        dates.freeze(None)  # the next invocation (tests run many in one process) starts afresh
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
    quiet: bool = False,
) -> None:
    """Print an import's row errors; without --skip-invalid they stop it (nothing written).

    With --quiet only the summary line is left out, and only when something was written:
    the rows skipped are still listed, and a dry run still says what it would import."""
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
    note(
        f"{'Would import' if dry_run else 'Imported'} {done} {what}{more}.",
        quiet=quiet and not dry_run,
    )
