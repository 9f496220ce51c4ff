"""demo: a copy of the bundled sample cluster to try filmklynge on, and what to try on it.

The sample ships inside the package (``filmklynge/data/sample.db``, built by
scripts/make_sample.py), so it is there however filmklynge was installed. It is a demo
database frozen at a day of its own (migration m013): every command on a copy takes that day
as today, so the demo looks the same whenever it is tried.
"""

import shlex
from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import Quiet

DEFAULT = Path("filmklynge-demo.db")

# What to try, in the order a new user would: each runs as printed, with the demo's --db.
TRY = [
    "summary",
    "members list",
    "dues --overdue",
    "payments unmatched",
    "cofunding",
    "impact report --base 2017 --years 2018,2019",
]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help=f"Where to write the demo database (default: {DEFAULT}).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Start again from a fresh copy: an earlier demo copy of that name is replaced "
            "(kept aside as FILE.<time>.bak if it was changed); never any other file.",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Copy the bundled sample cluster to a file of its own, and print what to try on it.

    The sample is a fictional North-Norwegian film cluster: members, three fee years of
    invoices, payments and reminders, grants with co-funding and in-kind work, growth
    figures. It is a demo database frozen at its own day: every command on it takes that
    day as today, so it shows the same whenever you try it. The file is created readable by
    its owner only; an existing file is never replaced, except an earlier demo copy with
    --force (kept aside as a .bak file if you changed it).

    \b
    Example:
      filmklynge demo
      filmklynge --db filmklynge-demo.db summary
    """
    from filmklynge.dates import norwegian
    from filmklynge.output import note

    target = _target(ctx, db)
    day = _copy_sample(target, force=force)
    note(
        f"Wrote the demo cluster to {target}: fictional, and frozen at {norwegian(day)}, so "
        "it shows the same whenever you try it. Try:",
        quiet=quiet,
    )
    where = shlex.quote(str(target))
    for command in TRY:
        typer.echo(f"filmklynge --db {where} {command}")


def _target(ctx: typer.Context, db: Path | None) -> Path:
    """The command's own --db, or the root's when it was typed (`filmklynge --db F demo`);
    never FILMKLYNGE_DB, which names the user's real database."""
    from filmklynge.cli._common import state
    from filmklynge.errors import InvalidInput

    # By name: Typer carries its own copy of Click, whose ParameterSource is another class.
    source = ctx.find_root().get_parameter_source("db")
    typed = source is not None and source.name == "COMMANDLINE"
    given = state(ctx).db_path if typed else None
    if db is not None and given is not None and db != given:
        raise InvalidInput(
            f"Two files given: --db {given} before 'demo' and --db {db} after it. Give one."
        )
    return db or given or DEFAULT


def _copy_sample(target: Path, *, force: bool):
    """Write the bundled sample to ``target`` as a new 0600 file; return the day it is frozen
    at. What is there already is refused, except an earlier demo copy with ``force``: removed
    with its WAL and shared-memory files (which would otherwise spoil the copy) if untouched,
    else moved aside as ``<name>.<time>.bak``, as is a stray WAL with no database."""
    import os
    from importlib import resources

    from filmklynge.errors import Conflict, InvalidInput
    from filmklynge.store.db import frozen_on, open_db

    data = (resources.files("filmklynge") / "data" / "sample.db").read_bytes()
    quoted = shlex.quote(str(target))
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder. Give --db a file name.")
    if not target.parent.is_dir():
        raise InvalidInput(
            f"Folder {target.parent} does not exist. Create it or choose another --db."
        )
    if target.is_symlink():
        raise Conflict(f"{target} is a symbolic link; the demo is written to a new file only.")
    sidecars = [target.with_name(target.name + suffix) for suffix in ("-wal", "-shm")]
    there = [p for p in (target, *sidecars) if p.exists() or p.is_symlink()]
    if there and not force:
        if target.exists():
            raise Conflict(
                f"{target} exists already. Try the demo in it as it is (filmklynge --db "
                f"{quoted} summary), or add --force to start again from a fresh copy."
            )
        raise Conflict(
            f"{there[0]} is left over from an earlier database of that name and would spoil a "
            "new copy. Add --force to move it aside, or choose another --db."
        )
    if target.exists() and not _is_demo(target):
        raise Conflict(
            f"{target} is not a demo database: filmklynge demo replaces only an earlier demo "
            "copy, even with --force. Choose another --db."
        )
    if target.exists() and _writes(target) == _writes(None):
        for path in there:  # an untouched copy: nothing in it that the sample lacks
            path.unlink()
    elif there:
        # Written to since it was copied (or a stray WAL with no database): kept aside, never
        # deleted, in case someone started keeping real members in it.
        from filmklynge.dates import now_utc
        from filmklynge.output import note

        stamp = "".join(c for c in now_utc()[:19] if c.isdigit() or c == "T").replace("T", "-")
        kept = target.with_name(f"{target.name}.{stamp}.bak")
        n = 1
        while any(kept.with_name(kept.name + x).exists() for x in ("", "-wal", "-shm")):
            n += 1
            kept = target.with_name(f"{target.name}.{stamp}-{n}.bak")
        for path in there:
            path.rename(kept.with_name(kept.name + path.name[len(target.name) :]))
        note(f"Your changed copy is kept as {kept}; starting again from a fresh one.")
    # O_EXCL: a file that appeared since the checks above is not replaced either.
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        try:
            os.fchmod(f.fileno(), 0o600)  # whatever the umask
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    try:
        db = open_db(target, create=False)  # the copy opens, and is up to date
        try:
            day = frozen_on(db)
        finally:
            db.close()
    except BaseException:
        for path in (target, *sidecars):
            path.unlink(missing_ok=True)
        raise
    assert day is not None, "the bundled sample is a demo database"
    return day


def _writes(path: Path | None) -> int:
    """How many writes the audit log of ``path`` (None: the bundled sample) records."""
    import sqlite3
    from importlib import resources

    if path is None:
        with resources.as_file(resources.files("filmklynge") / "data" / "sample.db") as sample:
            return _writes(sample)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def _is_demo(path: Path) -> bool:
    from filmklynge.errors import FilmklyngeError
    from filmklynge.store.db import frozen_on, open_db

    try:
        db = open_db(path, create=False, migrate=False)
    except FilmklyngeError:  # empty, not SQLite, another program's
        return False
    try:
        return frozen_on(db) is not None
    finally:
        db.close()
