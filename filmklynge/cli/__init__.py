"""The filmklynge command line: the root app, global options, and the one error mapping."""

# The CLI modules do not use `from __future__ import annotations`: Typer reads every command's
# signature on every start, and string annotations would make it compile and evaluate each
# one (about 25 ms over the whole command tree, measured with benchmarks/startup.py).

import functools
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main

from filmklynge import __version__
from filmklynge.cli._common import App, DbPath, Group, State
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


# The root lists its commands from this table, so `filmklynge --help` imports none of the
# command modules, and a command imports only the module that defines it (a lazy group).
# name: (loader, help panel, one-line help). tests/test_cli_root.py checks that each line here
# is the first line of the command's own help, and that every loader gives its names.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "demo",
        "Setup",
        "Copy the bundled sample cluster to a file of its own, and print what to try on it.",
    ),
    "init": ("profile", "Setup", "Create the database and the cluster's profile."),
    "profile": ("profile", "Setup", "Show or change the cluster's profile."),
    "members": ("members", "Register", "Member companies and their memberships."),
    "contacts": ("members", "Register", "Contact persons of members (personal data)."),
    "events": ("inkind", "Register", "Gatherings, webinars and their attendance."),
    "tiers": ("tiers", "Billing", "Fee tiers and their fee per year."),
    "invoices": ("invoices", "Billing", "Invoice the membership fee, credit, remind."),
    "payments": ("payments", "Billing", "Payments: bank files, manual payments, matching."),
    "dues": (
        "payments",
        "Billing",
        "Who owes what, per member, with the aging of what is overdue.",
    ),
    "books": (
        "books",
        "Billing",
        "Close accounting periods so handed-over figures cannot change.",
    ),
    "vat": ("books", "Billing", "VAT figures per two-month term."),
    "funders": ("grants", "Funding", "Who funds the cluster."),
    "grants": ("grants", "Funding", "Grants, tranches and disbursements."),
    "cofunding": ("grants", "Funding", "Do members' fees and in-kind work match each grant?"),
    "inkind": ("inkind", "Funding", "In-kind work (egeninnsats) and its rates."),
    "summary": (
        "summary",
        "Reports",
        "The cluster at a glance: members, dues, co-funding per grant, and what needs attention.",
    ),
    "export": ("export", "Reports", "Export data as CSV, Excel CSV, JSON or XLSX."),
    "impact": (
        "impact",
        "Reports",
        "Members' growth against comparable firms outside the cluster.",
    ),
    "productions": (
        "impact",
        "Reports",
        "Film productions members take part in, and national totals per year.",
    ),
    "db": ("db", "Maintenance", "The database file: check, back up, migrate, audit log."),
}


def _add_profile(app: typer.Typer) -> None:
    from filmklynge.cli import books, profile

    profile.register(app)
    books.register(app, profile.profile_app)  # adds `profile accounts` and `reminder-limits`


def _add_invoices(app: typer.Typer) -> None:
    from filmklynge.cli import invoice_delivery, invoice_documents, invoices

    invoice_documents.register(invoices.app)
    invoice_delivery.register(invoices.app)
    app.add_typer(invoices.app, name="invoices")


def _add_payments(app: typer.Typer) -> None:
    from filmklynge.cli import payments

    app.add_typer(payments.app, name="payments")
    payments.register_dues(app)


def _add_module(name: str) -> Callable[[typer.Typer], None]:
    """The loader of a module that registers its own commands (``register(app)``)."""

    def add(app: typer.Typer) -> None:
        import importlib

        importlib.import_module(f"filmklynge.cli.{name}").register(app)

    return add


def _add_groups(module: str, **groups: str) -> Callable[[typer.Typer], None]:
    """The loader of a module whose Typer apps become groups: ``name=attribute``."""

    def add(app: typer.Typer) -> None:
        import importlib

        loaded = importlib.import_module(f"filmklynge.cli.{module}")
        for name, attribute in groups.items():
            app.add_typer(getattr(loaded, attribute), name=name)

    return add


LOADERS: dict[str, Callable[[typer.Typer], None]] = {
    "profile": _add_profile,
    "books": _add_profile,  # one loader: books adds two commands to the profile group
    "members": _add_groups("members", members="members_app", contacts="contacts_app"),
    "tiers": _add_groups("tiers", tiers="app"),
    "invoices": _add_invoices,
    "payments": _add_payments,
    "grants": _add_module("grants"),
    "inkind": _add_module("inkind"),
    "summary": _add_module("summary"),
    "export": _add_groups("export", export="app"),
    "impact": _add_module("impact"),
    "db": _add_groups("db", db="app"),
    "demo": _add_module("demo"),
}


@functools.cache
def _registered(loader: Callable[[typer.Typer], None]) -> typer.Typer:
    """The Typer app a loader fills, once per process (the command modules' apps are global)."""
    holder = App()
    loader(holder)
    return holder


@functools.cache
def _load(name: str) -> Any:
    """The click command of one top-level name. A group's own commands are built when one of
    them is asked for (Typer reads every parameter of a command to build it)."""
    import copy

    holder = _registered(LOADERS[COMMANDS[name][0]])
    for info in holder.registered_groups:
        if info.name == name:
            shallow = copy.copy(info.typer_instance)
            shallow.registered_commands = []
            lazy = copy.copy(info)
            lazy.typer_instance = shallow
            lazy.cls = _LazyGroup
            group = typer.main.get_group_from_info(
                lazy, pretty_exceptions_short=True, suggest_commands=True, rich_markup_mode=None
            )
            group.pending = {
                c.name or typer.main.get_command_name(c.callback.__name__): c
                for c in info.typer_instance.registered_commands
            }
            return _plain(group)
    for info in holder.registered_commands:
        if info.name == name:
            return _built(info)
    return None


def _built(info: Any) -> Any:
    return _plain(
        typer.main.get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)
    )


def _plain(command: Any) -> Any:
    for each in _walk(command):
        each.rich_markup_mode = None  # plain Click help: fast, and re-wraps at any width
        if each.help and not each.short_help:
            # A group lists each command with its first sentence, whole (Click would cut it).
            each.short_help = first_sentence(each.help)
    return command


class _LazyGroup(Group):
    """A command group that builds each of its commands when it is first asked for."""

    pending: dict[str, Any]

    def list_commands(self, ctx):
        return [*self.commands, *(n for n in self.pending if n not in self.commands)]

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.pending:
            self.commands[name] = _built(self.pending[name])
        return self.commands.get(name)


def first_sentence(text: str) -> str:
    """The first sentence of a help text's first paragraph, on one line."""
    import inspect
    import re

    paragraph = " ".join(inspect.cleandoc(text).split("\n\n", 1)[0].split())
    abbreviations = "".join(
        f"(?<!{a})" for a in (r"e\.g", r"i\.e", "excl", "incl", r"\bkr", r"\bnr")
    )
    match = re.search(abbreviations + r"[.!?](?=\s+[A-ZÆØÅ]|$)", paragraph)
    return paragraph[: match.start() + 1] if match else paragraph


def _walk(command: Any):
    yield command
    for child in getattr(command, "commands", {}).values():
        yield from _walk(child)


class _Group(Group):
    def list_commands(self, ctx):
        return [*self.commands, *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        return _load(name)

    def format_commands(self, ctx, formatter):
        """The commands by panel, from the table: no command module is imported for this."""
        panels: dict[str, list[tuple[str, str]]] = {}
        width = max(map(len, COMMANDS))
        for name, (_, panel, line) in COMMANDS.items():
            panels.setdefault(panel, []).append((name.ljust(width), line))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's standalone mode, except that a usage error is one line on stderr."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        # Typer 0.28 carries its own Click (pinned in pyproject.toml); its exceptions live here.
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as e:  # a group given no command: its help, on stdout
            typer.echo(e.ctx.get_help())  # (so `filmklynge members | less` shows it)
            sys.exit(e.exit_code)
        except UsageError as e:
            hint = f" See '{e.ctx.command_path} --help'." if e.ctx is not None else ""
            message = e.format_message().rstrip()
            typer.echo(f"Error: {message}{'' if message.endswith('.') else '.'}{hint}", err=True)
            sys.exit(e.exit_code)
        except ClickException as e:
            typer.echo(f"Error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except typer.Abort:
            typer.echo("Aborted; nothing was changed.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

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
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
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

    \b
    Example: filmklynge --db klynge.db members list
    """
    state = State(db, debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)


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
