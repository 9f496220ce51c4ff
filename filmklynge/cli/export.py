"""export: members, invoices, payments and in-kind for other systems."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import (
    App,
    AsOf,
    County,
    FeeYear,
    InvoiceStatus,
    MemberStatus,
    Method,
    OfGrant,
    OfMember,
    Overdue,
    PaidFrom,
    PaidTo,
    Period,
    Search,
    Sector,
    Tier,
    Unmatched,
    WorkYear,
    db_of,
)
from filmklynge.cli._common import day_or_today as _day
from filmklynge.output import note

app = App(
    no_args_is_help=True,
    help="""Export data as CSV, Excel CSV, JSON or XLSX.

    \b
    Examples:
      filmklynge export members --public --format json -o medlemmer.json
      filmklynge export postings --new -o bilag.gbat10
    """,
)


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


Fmt = Annotated[
    ExportFormat,
    typer.Option(
        "--format", "-f", case_sensitive=False, metavar="csv|json|xlsx", help="File format."
    ),
]
Excel = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for Norwegian Excel: semicolons, BOM, comma decimals, kroner. Excel drops "
        "leading zeros (KID, postal codes); XLSX keeps them.",
    ),
]
Fields = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="FIELDS",
        help="Comma-separated fields, in the order wanted (default: all).",
    ),
]
Out = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write (default or - is stdout).", metavar="FILE"),
]


def _listing_fields(what: str):
    """Put the fields a `--fields` list may name into the command's help, where FIELDS stands."""

    def add(command):
        from filmklynge.reports.exports import DEFAULT_FIELDS, PUBLIC_FIELDS

        text = f"Fields (all by default, in this order): {', '.join(DEFAULT_FIELDS[what])}."
        if what in PUBLIC_FIELDS:
            text += f" With --public: {', '.join(PUBLIC_FIELDS[what])}."
        command.__doc__ = command.__doc__.replace("FIELDS", text)
        return command

    return add


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
    import sys

    from filmklynge import tablefile
    from filmklynge.errors import InvalidInput
    from filmklynge.reports import exports
    from filmklynge.safe_write import replacing

    chosen = exports.choose_fields(what, fields, public)
    if excel and fmt != ExportFormat.csv:
        raise InvalidInput("--excel goes with --format csv.")
    to_stdout = output is None or str(output) == "-"
    if fmt == ExportFormat.xlsx and to_stdout:
        raise InvalidInput("XLSX is a binary file: give --output FILE.xlsx.")
    rows = exports.export_rows(db_of(ctx), what, chosen, as_of=_day(as_of, "--as-of"), **filters)
    if fmt == ExportFormat.xlsx:
        from itertools import chain

        with replacing(output) as tmp:
            count = tablefile.write_xlsx(tmp, {what: chain([chosen], rows)})
    elif to_stdout:
        if fmt == ExportFormat.json:
            tablefile.write_json(sys.stdout, chosen, rows)
        else:
            tablefile.write_csv(sys.stdout, chosen, rows, excel=excel)
        sys.stdout.flush()
        return
    else:
        with replacing(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
            if fmt == ExportFormat.json:
                count = tablefile.write_json(fh, chosen, rows)
            else:
                count = tablefile.write_csv(fh, chosen, rows, excel=excel)
    note(f"Wrote {count} {what} to {output}.")


@app.command("members")
@_listing_fields("members")
def members(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="For the website: company, sector, municipality, website of active members.",
        ),
    ] = False,
    as_of: AsOf = None,
    status: MemberStatus = None,
    tier: Tier = None,
    county: County = None,
    sector: Sector = None,
    search: Search = None,
) -> None:
    """Export members (never contact persons). --public is safe for the website.

    FIELDS Same filters as 'members list'.

    \b
    Example:
      filmklynge export members --public --format json -o medlemmer.json
    """
    if public and status is None:
        status = "active"  # a website lists today's members; --status says otherwise
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
@_listing_fields("invoices")
def invoices(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    as_of: AsOf = None,
    year: FeeYear = None,
    period: Period = None,
    status: InvoiceStatus = None,
    member: OfMember = None,
    overdue: Overdue = False,
) -> None:
    """Export invoices and credit notes with their status, for the accountant.

    FIELDS Money in øre (kroner with --excel and in XLSX). Same filters as 'invoices list'.

    \b
    Example:
      filmklynge export invoices --year 2026 --excel -o fakturaer-2026.csv
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
@_listing_fields("payments")
def payments(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    since: PaidFrom = None,
    until: PaidTo = None,
    member: OfMember = None,
    method: Method = None,
    unmatched: Unmatched = False,
) -> None:
    """Export payments with the invoices they settle.

    FIELDS Money in øre (kroner with --excel and in XLSX). Same filters as 'payments list'.

    \b
    Example:
      filmklynge export payments --from 2026-01-01 -f xlsx -o innbetalinger.xlsx
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
@_listing_fields("inkind")
def inkind(
    ctx: typer.Context,
    fmt: Fmt = ExportFormat.csv,
    excel: Excel = False,
    fields: Fields = None,
    output: Out = None,
    member: OfMember = None,
    year: WorkYear = None,
    grant: OfGrant = None,
) -> None:
    """Export in-kind entries with hours, rate basis and value (the person's name included).

    FIELDS Money in øre (kroner with --excel and in XLSX). Same filters as 'inkind list'.

    \b
    Example:
      filmklynge export inkind --year 2026 --excel -o egeninnsats-2026.csv
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


class PostingFormat(StrEnum):
    gbat10 = "gbat10"
    beancount = "beancount"
    csv = "csv"
    json = "json"


@app.command("postings")
def postings(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First day (default: the first voucher)."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last day (default today).")
    ] = None,
    fmt: Annotated[
        PostingFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            metavar="gbat10|beancount|csv|json",
            help="The voucher format; csv and json in øre.",
        ),
    ] = PostingFormat.gbat10,
    new: Annotated[bool, typer.Option("--new", help="Only vouchers not exported before.")] = False,
    again: Annotated[
        bool, typer.Option("--again", help="Export vouchers that were exported before once more.")
    ] = False,
    output: Out = None,
) -> None:
    """Vouchers for the accounting system, each balanced to the øre.

    Every invoice, credit note, payment, allocation, refund and reminder fee dated from
    --from to --to is a voucher. GBAT10 is the voucher import of Tripletex, PowerOffice Go, Visma and Mamut (semicolons,
    YYYYMMDD dates, amounts with a point, SAF-T tax codes in the VAT column); beancount is a
    journal an auditor can check with bean-check, with a receivable and a credit sub-account
    per member. Accounts come from 'filmklynge profile accounts'.

    Every export is remembered: a range that holds vouchers exported before is refused unless
    you say --new (only the others) or --again (all of them once more).

    \b
    Example:
      filmklynge export postings --from 01.01.2026 --to 31.01.2026 \\
        -o januar.gbat10
    """
    import io
    import sys

    from filmklynge import tablefile
    from filmklynge.cli._common import day_or_today
    from filmklynge.ledger import postings as book
    from filmklynge.ledger.books import accounts
    from filmklynge.safe_write import replacing

    db = db_of(ctx)
    first = db.scalar(
        "SELECT min(d) FROM (SELECT min(issued_on) AS d FROM invoices UNION ALL "
        "SELECT min(paid_on) FROM payments UNION ALL SELECT min(allocated_on) FROM "
        "payment_allocations UNION ALL SELECT min(refunded_on) FROM refunds)"
    )
    begin = day_or_today(start or first, "--from")
    finish = day_or_today(end, "--to")
    found = book.select(db, start=begin, end=finish, new=new, again=again)
    buffer = io.StringIO(newline="")
    if fmt == PostingFormat.gbat10:
        book.write_gbat10(buffer, found)
    elif fmt == PostingFormat.beancount:
        names = {a["account"]: a["name"] for a in accounts(db)}
        title = db.scalar("SELECT name FROM profile WHERE id = 1") or "filmklynge"
        book.write_beancount(buffer, found, names, title)
    elif fmt == PostingFormat.csv:
        tablefile.write_csv(buffer, list(book.CSV_FIELDS), book.rows(found), excel=False)
    else:
        import json

        buffer.write(json.dumps(book.as_json(found), ensure_ascii=False, indent=2) + "\n")
    to_stdout = output is None or str(output) == "-"
    if to_stdout:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    else:
        with replacing(output) as tmp:
            tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    number = book.record_export(
        db, found, start=begin, end=finish, fmt=fmt.value, target="-" if to_stdout else str(output)
    )
    lines = sum(len(v.lines) for v in found)
    note(
        f"Exported {len(found)} vouchers ({lines} lines) from {begin.isoformat()} to "
        f"{finish.isoformat()} as export #{number}" + ("." if to_stdout else f" to {output}.")
    )
