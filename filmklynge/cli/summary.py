"""summary: the cluster at a glance."""

from typing import Annotated

import typer

from filmklynge.cli._common import AsOf, Command, Fmt, Output, db_of
from filmklynge.output import Format


def register(app: typer.Typer) -> None:
    app.command("summary", cls=Command)(summary)


def summary(
    ctx: typer.Context,
    as_of: AsOf = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", metavar="YEAR", help="Show this year (as of its last day, or today)."
        ),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """The cluster at a glance: members, dues, co-funding per grant, and what needs attention.

    \b
    Example:
      filmklynge --db sample.db summary --as-of 31.12.2025
    """
    from datetime import date

    from filmklynge.dates import parse_date, today
    from filmklynge.delivery import log as delivery_log
    from filmklynge.errors import InvalidInput
    from filmklynge.output import emit, to_json
    from filmklynge.register import profile
    from filmklynge.reports import summary as service

    db = db_of(ctx)
    day = parse_date(as_of, field="--as-of") if as_of else today()
    if year is not None:
        if not 1900 <= year <= 9999:
            raise InvalidInput(f"--year {year} is not a year like {day.year}.")
        if as_of and day.year != year:
            raise InvalidInput(f"--as-of {as_of} is not in --year {year}; give one of them.")
        if not as_of:
            if year > day.year:
                raise InvalidInput(
                    f"{year} has not begun; give --as-of with a day in it to look ahead."
                )
            day = min(day, date(year, 12, 31))
    cluster = profile.get_profile(db)
    data = {
        "cluster": cluster["name"],
        "members": service.member_summary(db, as_of=day),
        "dues": service.dues_summary(db, as_of=day),
        "cofunding": service.cofunding_status(db, as_of=day),
        "inkind_near_cap": service.inkind_near_cap(db, as_of=day),
        # Documents whose last delivery failed or is pending (a sibling of reports: asked here).
        "deliveries": delivery_log.needing_attention(db),
    }
    if fmt == Format.json:
        emit(to_json(data), output)
        return
    if fmt == Format.csv:
        from filmklynge.output import cols, render

        rows = [
            {"section": section, "name": r["name"], "members": r["members"]}
            for section in ("by_tier", "by_county", "by_sector")
            for r in data["members"][section]
        ]
        render(
            rows,
            cols(("section", "Section"), ("name", "Name"), ("members", "Members", "int")),
            fmt,
            output,
        )
        return
    from filmklynge.cli._common import prog_with_db
    from filmklynge.cli.dashboard import render_summary

    emit(render_summary(data, cluster["name"], prog_with_db(ctx)), output)
