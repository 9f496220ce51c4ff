"""db command group: check, backup, path, migrate, log."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import App, Fmt, Output, Quiet, db_of, state
from filmklynge.output import Format, cols, note, render

app = App(
    no_args_is_help=True,
    help="""The database file: check, back up, migrate, audit log.

    \b
    Examples:
      filmklynge db check
      filmklynge db backup klynge-2026-11-24.db
    """,
)


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the full path of the database file in use.

    \b
    Example:
      filmklynge db path
    """
    typer.echo(str(state(ctx).db_path.resolve()))


@app.command("check")
def check(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """Check the file: SQLite integrity plus domain rules; lists every problem, exit 5 if any.

    \b
    Example:
      filmklynge db check --format json
    """
    from filmklynge.dates import today
    from filmklynge.errors import CheckFailed, InvalidInput
    from filmklynge.reports import health as checks
    from filmklynge.store.db import open_db

    # SQLite's own check first, on the file as it is (no migration): a damaged file is
    # reported, never migrated or read further.
    try:
        raw = open_db(state(ctx).db_path, create=False, migrate=False)
    except InvalidInput as e:
        raise CheckFailed(str(e)) from None
    try:
        problems = checks.integrity(raw)
    finally:
        raw.close()
    if not any(p.kind == "integrity" for p in problems):  # the file can be read further
        problems += checks.check(db_of(ctx), today=today(), with_integrity=False)
    rows = checks.as_rows(problems)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows={"ok": not problems, "problems": rows})
    elif problems:
        render(
            sorted(rows, key=lambda r: r["kind"]),
            cols(("kind", "Kind", "code"), ("id", "Id", "int"), ("message", "Problem")),
            fmt,
            output,
        )
    if problems:
        raise CheckFailed(f"{len(problems)} problems found (listed above).")
    note("No problems found.")


@app.command("backup")
def backup(
    ctx: typer.Context,
    target: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="The new backup file.", show_default=False),
    ] = None,
    list_: Annotated[
        bool,
        typer.Option(
            "--list", help="List the backups taken, and which still hold data erased since."
        ),
    ] = False,
    fmt: Fmt = Format.table,
    output: Output = None,
    quiet: Quiet = False,
) -> None:
    """Copy the database safely while it may be in use, and verify the copy; or list them.

    Every backup is recorded. A backup is a copy: a person forgotten later is still in the
    backups taken before, and --list says which those are, so they can be deleted.

    \b
    Examples:
      filmklynge db backup klynge-2026-11-24.db
      filmklynge db backup --list
    """
    from filmklynge.errors import InvalidInput
    from filmklynge.store import backups

    if list_:
        if target is not None:
            raise InvalidInput("Give a file to back up to, or --list, not both.")
        rows = backups.history(db_of(ctx))
        for r in rows:
            r["taken_at"] = r["taken_at"][:16].replace("T", " ")
            r["holds"] = (
                f"yes: erased {r['erased_since_at'][:10]}" if r["holds_erased_data"] else "no"
            )
        render(
            rows,
            cols(
                ("taken_at", "Taken (UTC)", "code"),
                ("path", "File"),
                ("exists", "Exists", "bool"),
                ("holds", "Holds erased data", "code"),
            ),
            fmt,
            output,
            empty="No backups recorded. Take one with: filmklynge db backup FILE",
        )
        if any(r["holds_erased_data"] and r["exists"] for r in rows) and fmt == Format.table:
            note(
                "Backups that hold erased data still have the forgotten persons in them; "
                "delete them when they are no longer needed."
            )
        return
    if target is None:
        raise InvalidInput("Give the file to back up to, like klynge-2026-11-24.db, or --list.")
    taken = backups.take(db_of(ctx), target)
    note(f"Backed up to {target} ({taken['bytes'] / 1024:.0f} KiB), verified.", quiet=quiet)


@app.command("migrate")
def migrate(
    ctx: typer.Context,
    list_: Annotated[
        bool, typer.Option("--list", help="Only list migrations, applied and pending.")
    ] = False,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Apply pending schema migrations (done on every open anyway), or list them.

    \b
    Example:
      filmklynge db migrate --list
    """
    from filmklynge.store import migrations
    from filmklynge.store.db import open_db

    db = open_db(state(ctx).db_path, create=False, migrate=False)
    try:
        if not list_:
            applied = migrations.apply(db) if migrations.pending_names(db) else []
            note(f"Applied {', '.join(applied)}." if applied else "Nothing to migrate.")
        done = (
            {
                r["name"]: r["applied_at"]
                for r in db.query(
                    "SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = ?",
                    [migrations.MIGRATION_SET],
                )
            }
            if migrations.applied_names(db)
            else {}
        )
        rows = [
            {
                "name": fn.__name__,
                "status": "applied" if fn.__name__ in done else "pending",
                "applied_at": (done.get(fn.__name__) or "")[:19] or None,
                "description": (fn.__doc__ or "").strip().splitlines()[0],
            }
            for fn in migrations.STEPS
        ]
    finally:
        db.close()
    render(
        rows,
        cols(
            ("name", "Migration", "code"),
            ("status", "Status", "code"),
            ("applied_at", "Applied at", "code"),
            ("description", "What"),
        ),
        fmt,
        output,
    )


@app.command("log")
def log(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option("--entity", metavar="ENTITY", help="member, contact, invoice ..."),
    ] = None,
    entity_id: Annotated[
        int | None, typer.Option("--id", metavar="ID", help="Only this entity id.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Changes on or after DATE.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Changes on or before DATE.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", metavar="USER", help="Only this OS user.")
    ] = None,
    command: Annotated[
        str | None, typer.Option("--command", metavar="TEXT", help="Command line contains.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", metavar="COUNT", help="At most this many entries.")
    ] = 50,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show the audit log of changes, newest first.

    \b
    Example:
      filmklynge db log --entity member --from 2026-11-01
    """
    from filmklynge.dates import parse_date
    from filmklynge.store import auditlog

    rows = auditlog.entries(
        db_of(ctx),
        entity=entity,
        entity_id=entity_id,
        since=parse_date(since, field="--from") if since else None,
        until=parse_date(until, field="--to") if until else None,
        user=user,
        command=command,
        limit=limit,
    )
    if fmt == Format.json:
        for r in rows:
            r.pop("change")
        render([], [], fmt, output, json_rows=rows)
        return
    for r in rows:
        r["at"] = r["at"][:16].replace("T", " ")
    render(
        rows,
        cols(
            ("at", "When (UTC)", "code"),
            ("os_user", "User", "code"),
            ("action", "Action", "code"),
            ("entity", "Entity", "code"),
            ("entity_id", "Id", "int"),
            ("change", "Change"),
        ),
        fmt,
        output,
        empty="No audit entries match.",
    )
