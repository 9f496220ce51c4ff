"""The filmklynge command line: the root app, global options, and the one error mapping."""

# The CLI modules do not use `from __future__ import annotations`: Typer reads every command's
# signature on every start, and string annotations would make it compile and evaluate each
# one (about 25 ms over the whole command tree, measured with benchmarks/startup.py).

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from filmklynge import __version__
from filmklynge.cli._common import DbPath, State
from filmklynge.errors import ExitCode, FilmklyngeError


def _message_for(exc: BaseException) -> tuple[str, int] | None:
    """The one place that turns an expected failure into a message and an exit code."""
    if isinstance(exc, FilmklyngeError):
        return str(exc), int(exc.exit_code)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return (
            "The database is busy (another filmklynge is writing). Try again in a moment.",
            int(ExitCode.CONFLICT),
        )
    if isinstance(exc, sqlite3.IntegrityError):
        if "UNIQUE" in str(exc):
            return (
                f"That would duplicate something already recorded ({exc}); nothing was written.",
                int(ExitCode.CONFLICT),
            )
        # A CHECK, NOT NULL or foreign key rule of the schema caught what validation missed.
        return (
            f"The database refused a value that breaks its rules ({exc}); nothing was written. "
            "Please report this as a bug.",
            int(ExitCode.CHECK_FAILED),
        )
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
        return "The file given with --db is not an SQLite database.", int(ExitCode.USAGE)
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and ("full" in text or "I/O error" in text):
        return (
            f"The disk is full or failing ({text}); nothing was written. Free some space "
            "and try again.",
            int(ExitCode.CHECK_FAILED),
        )
    if isinstance(exc, sqlite3.DatabaseError) and "malformed" in text:
        return (
            f"The database file is damaged ({text}). Run 'filmklynge db check', and restore "
            "the latest backup ('filmklynge db backup --list').",
            int(ExitCode.CHECK_FAILED),
        )
    if isinstance(exc, sqlite3.OperationalError) and (
        "readonly" in text or "unable to open" in text
    ):
        return (
            f"The database file cannot be written or opened ({text}); check the file given "
            "with --db and its folder's permissions.",
            int(ExitCode.USAGE),
        )
    if isinstance(exc, OSError):
        return _os_message(exc)
    return None


def _os_message(exc: OSError) -> tuple[str, int] | None:
    """A file the user named could not be read or written; or the disk is full."""
    import errno

    name = str(exc.filename) if exc.filename is not None else None
    if name is not None and len(name) > 80:
        name = name[:40] + "…" + name[-20:]
    where = f": {name}" if name else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        return (
            f"The disk is full or failing ({exc.strerror}{where}); nothing was written. "
            "Free some space and try again.",
            int(ExitCode.CHECK_FAILED),
        )
    if exc.errno in (
        errno.ENAMETOOLONG,
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EROFS,
        errno.ELOOP,
        errno.EEXIST,
    ) or (exc.errno in (errno.ENXIO, errno.EINVAL) and name):
        return (
            f"{exc.strerror}{where}. Check the file name, and that its folder exists and may "
            "be written.",
            int(ExitCode.USAGE),
        )
    return None


def _unsafe_argument(args: list[str]) -> str | None:
    """The message for the first argument that holds a control character or a bidi override:
    every name and text typed on the command line is refused with it, before any command."""
    from filmklynge.errors import InvalidInput
    from filmklynge.identifiers import UNSAFE_TEXT, check_text

    for i, arg in enumerate(args):
        if not UNSAFE_TEXT.search(arg):
            continue
        if arg.startswith("--") and "=" in arg:
            option = arg.split("=", 1)[0]
        elif i and args[i - 1].startswith("-") and "=" not in args[i - 1]:
            option = args[i - 1]
        else:
            option = None
        field = f"the value of {option}" if option else f"argument {i + 1}"
        try:
            check_text(arg, field, multiline=True, max_length=len(arg))
        except InvalidInput as e:
            return str(e)
    return None


class _Group(TyperGroup):
    def parse_args(self, ctx, args):
        ctx.meta["filmklynge.unsafe"] = _unsafe_argument(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            unsafe = ctx.meta.get("filmklynge.unsafe")
            if unsafe:
                from filmklynge.errors import InvalidInput

                raise InvalidInput(unsafe)
            return super().invoke(ctx)
        except KeyboardInterrupt:
            typer.echo("Interrupted; nothing was changed by the unfinished step.", err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (FilmklyngeError, sqlite3.Error, OSError) as exc:
            mapped = _message_for(exc)
            debug = isinstance(ctx.obj, State) and ctx.obj.debug
            if mapped is None or debug:
                raise
            message, code = mapped
            from filmklynge.output import visible

            typer.echo(f"Error: {visible(message)}", err=True)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=_Group,
    name="filmklynge",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="Membership, dues and co-funding for a Norwegian business cluster, in one SQLite file.",
    epilog="Start with: filmklynge init --help.  Docs: README.md.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"filmklynge {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: DbPath = Path("filmklynge.db"),
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a full traceback on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Membership, dues and co-funding for a Norwegian business cluster, in one SQLite file.

    Example: filmklynge --db klynge.db members list
    """
    state = State(db, debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register() -> None:
    from filmklynge.cli import db as db_cli
    from filmklynge.cli import invoices as invoices_cli
    from filmklynge.cli import members as members_cli
    from filmklynge.cli import profile as profile_cli
    from filmklynge.cli import summary as summary_cli
    from filmklynge.cli import tiers as tiers_cli

    profile_cli.register(app)
    app.add_typer(members_cli.members_app, name="members", rich_help_panel="Register")
    app.add_typer(members_cli.contacts_app, name="contacts", rich_help_panel="Register")
    app.add_typer(tiers_cli.app, name="tiers", rich_help_panel="Billing")
    summary_cli.register(app)
    app.add_typer(db_cli.app, name="db", rich_help_panel="Maintenance")
    from filmklynge.cli import invoice_documents

    invoice_documents.register(invoices_cli.app)
    from filmklynge.cli import invoice_delivery

    invoice_delivery.register(invoices_cli.app)
    app.add_typer(invoices_cli.app, name="invoices", rich_help_panel="Billing")
    from filmklynge.cli import payments as payments_cli

    app.add_typer(payments_cli.app, name="payments", rich_help_panel="Billing")
    payments_cli.register_dues(app)
    from filmklynge.cli import grants as grants_cli
    from filmklynge.cli import inkind as inkind_cli

    grants_cli.register(app)
    inkind_cli.register(app)
    from filmklynge.cli import export as export_cli

    app.add_typer(export_cli.app, name="export", rich_help_panel="Reports")
    from filmklynge.cli import impact as impact_cli

    impact_cli.register(app)
    from filmklynge.cli import books as books_cli

    books_cli.register(app, profile_cli.profile_app)


_register()


def main() -> None:
    """Console entry point: unexpected errors get one line unless --debug is given."""
    debug = "--debug" in sys.argv[1:]
    try:
        app(prog_name="filmklynge", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # unexpected: a bug, reported without a traceback
        if debug:
            raise
        sys.stderr.write(
            f"Error: unexpected {type(exc).__name__}: {exc}. Run again with --debug for details.\n"
        )
        sys.exit(int(ExitCode.ERROR))
