"""export: members, invoices, payments and in-kind for other systems."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import day_or_today as _day
from filmklynge.cli._common import db_of
from filmklynge.output import note

app = typer.Typer(no_args_is_help=True, help="Export data as CSV, Excel CSV, JSON or XLSX.")


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


Fmt = Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, json or xlsx.")]
Excel = Annotated[
    bool, typer.Option("--excel", help="CSV for Norwegian Excel: semicolons, BOM, comma decimals.")
]
Fields = Annotated[
    str | None, typer.Option("--fields", help="Comma-separated fields, in the order wanted.")
]
Out = Annotated[Path | None, typer.Option("--output", "-o", help="File to write (- is stdout).")]


def _export(
    ctx: typer.Context,
    what: str,
    *,
    fmt: ExportFormat,
    excel: bool,
    fields: str | None,
    output: Path | None,
    public: bool = False,
    as_of: str | None = None,
    **filters,
) -> None:
    from filmklynge.errors import InvalidInput
    from filmklynge.output import emit
    from filmklynge.services import exports

    chosen = exports.choose_fields(what, fields, public)
    if excel and fmt != ExportFormat.csv:
        raise InvalidInput("--excel goes with --format csv.")
    if fmt == ExportFormat.xlsx and (output is None or str(output) == "-"):
        raise InvalidInput("XLSX is a binary file: give --output FILE.xlsx.")
    rows = exports.rows_for(db_of(ctx), what, as_of=_day(as_of, "--as-of"), **filters)
    if fmt == ExportFormat.xlsx:
        exports.write_xlsx(rows, chosen, output, sheet=what)
        note(f"Wrote {len(rows)} {what} to {output}.")
    elif fmt == ExportFormat.json:
        emit(exports.to_json(rows, chosen), output)
    else:
        text = exports.to_csv(rows, chosen, excel=excel)
        if output is not None and str(output) != "-":
            # Excel on Windows expects CRLF and reads the BOM; write bytes exactly.
            Path(output).write_bytes(text.encode("utf-8"))
            note(f"Wrote {len(rows)} {what} to {output}.")
        else:
            emit(text, None)


@app.command("members")
def members(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    public: Annotated[
        bool, typer.Option("--public", help="Only company, sector, municipality, website.")
    ] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status on this date.")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    tier: Annotated[str | None, typer.Option("--tier")] = None,
    county: Annotated[str | None, typer.Option("--county")] = None,
    sector: Annotated[str | None, typer.Option("--sector")] = None,
    search: Annotated[str | None, typer.Option("--search")] = None,
) -> None:
    """Export members (never contact persons). --public is safe for the website.

    Example: filmklynge export members --public --status active --format json --output medlemmer.json
    """
    _export(
        ctx,
        "members",
        fmt=fmt,
        excel=excel,
        fields=fields,
        output=output,
        public=public,
        as_of=as_of,
        status=status,
        tier=tier,
        county=county,
        sector=sector,
        search=search,
    )


@app.command("invoices")
def invoices(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status on this date.")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    period: Annotated[str | None, typer.Option("--period")] = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    member: Annotated[str | None, typer.Option("--member")] = None,
    overdue: Annotated[bool, typer.Option("--overdue")] = False,
) -> None:
    """Export invoices and credit notes with their status, for the accountant.

    Example: filmklynge export invoices --year 2026 --excel --output fakturaer-2026.csv
    """
    _export(
        ctx,
        "invoices",
        fmt=fmt,
        excel=excel,
        fields=fields,
        output=output,
        as_of=as_of,
        year=year,
        period=period,
        status=status,
        member=member,
        overdue=overdue,
    )


@app.command("payments")
def payments(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    since: Annotated[str | None, typer.Option("--from")] = None,
    until: Annotated[str | None, typer.Option("--to")] = None,
    member: Annotated[str | None, typer.Option("--member")] = None,
    method: Annotated[str | None, typer.Option("--method")] = None,
    unmatched: Annotated[bool, typer.Option("--unmatched")] = False,
) -> None:
    """Export payments with the invoices they settle.

    Example: filmklynge export payments --from 2026-01-01 --format xlsx --output innbetalinger.xlsx
    """
    _export(
        ctx,
        "payments",
        fmt=fmt,
        excel=excel,
        fields=fields,
        output=output,
        since=_day(since, "--from") if since else None,
        until=_day(until, "--to") if until else None,
        member=member,
        method=method,
        unmatched=unmatched,
    )


@app.command("inkind")
def inkind(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    member: Annotated[str | None, typer.Option("--member")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    grant: Annotated[str | None, typer.Option("--grant")] = None,
) -> None:
    """Export in-kind entries with hours, rate basis and value.

    Example: filmklynge export inkind --year 2026 --excel --output egeninnsats-2026.csv
    """
    _export(
        ctx,
        "inkind",
        fmt=fmt,
        excel=excel,
        fields=fields,
        output=output,
        member=member,
        year=year,
        grant=grant,
    )
