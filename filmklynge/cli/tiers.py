"""tiers: size classes and their fee per year."""

from typing import Annotated

import typer

from filmklynge.cli._common import App, Fmt, Output, Quiet, db_of
from filmklynge.output import Format, cols, note, render

app = App(
    no_args_is_help=True,
    help="""Fee tiers and their fee per year.

    \b
    Examples:
      filmklynge tiers add small --name "1–5 employees"
      filmklynge tiers set-fee small --year 2026 --membership "2 000" \\
        --service "3 000"
    """,
)

TierArg = Annotated[str, typer.Argument(metavar="TIER", help="Tier code.")]

_FEE_COLUMNS = cols(
    ("code", "Tier"),
    ("name", "Name"),
    ("year", "Year", "int"),
    ("membership_ore", "Membership", "money"),
    ("membership_vat", "VAT"),
    ("service_ore", "Service", "money"),
    ("service_vat", "VAT"),
    ("total_ore", "Total excl. VAT", "money"),
    ("members", "Members", "int"),
)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(metavar="TIER", help="Short code, one word (e.g. enk, small, festival)."),
    ],
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="Name shown to members.")],
    description: Annotated[
        str | None, typer.Option("--description", metavar="TEXT", help="Who belongs here.")
    ] = None,
    sort_order: Annotated[
        int | None, typer.Option("--order", metavar="NUMBER", help="Position in lists.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Add a fee tier (a size class).

    \b
    Example:
      filmklynge tiers add small --name "1–5 employees"
    """
    from filmklynge.register import tiers

    tier = tiers.add_tier(
        db_of(ctx), code=code, name=name, description=description, sort_order=sort_order
    )
    note(
        f"Added tier {tier['code']}. Next: filmklynge tiers set-fee {tier['code']} --year YEAR "
        "--membership AMOUNT --service AMOUNT",
        quiet=quiet,
    )


@app.command("set-fee")
def set_fee(
    ctx: typer.Context,
    tier: TierArg,
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="Fee year.")],
    membership: Annotated[
        str,
        typer.Option(
            "--membership", metavar="AMOUNT", help="Membership part in kroner, e.g. '2 000'."
        ),
    ] = "0",
    service: Annotated[
        str, typer.Option("--service", metavar="AMOUNT", help="Service part in kroner.")
    ] = "0",
    membership_vat: Annotated[
        str,
        typer.Option(
            "--membership-vat",
            metavar="CODE",
            help="VAT code of the membership part (E = exempt).",
        ),
    ] = "E",
    service_vat: Annotated[
        str,
        typer.Option(
            "--service-vat", metavar="CODE", help="VAT code of the service part (S = 25 %)."
        ),
    ] = "S",
    quiet: Quiet = False,
) -> None:
    """Set a tier's yearly fee: a membership part and a service part, excl. VAT.

    The membership part is VAT-exempt (mval. § 3-13, code E) and the service part carries
    25 % VAT (code S) unless you choose other codes; ask your accountant which applies.

    \b
    Example:
      filmklynge tiers set-fee small --year 2026 --membership "2 000" \\
        --service "3 000"
    """
    from filmklynge.money import format_nok, parse_nok
    from filmklynge.register import tiers

    fee = tiers.set_fee(
        db_of(ctx),
        tier,
        year=year,
        membership_ore=parse_nok(membership, field="membership part"),
        service_ore=parse_nok(service, field="service part"),
        membership_vat=membership_vat,
        service_vat=service_vat,
    )
    total = fee["membership_ore"] + fee["service_ore"]
    note(f"Fee for {tier} in {year}: {format_nok(total)} excl. VAT.", quiet=quiet)


@app.command("list")
def list_(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """List tiers with their fees per year and member counts.

    \b
    Example:
      filmklynge tiers list --format csv
    """
    from filmklynge.register import tiers

    rows = tiers.fee_table(db_of(ctx))
    render(
        rows, _FEE_COLUMNS, fmt, output, empty="No tiers yet. Add one with 'filmklynge tiers add'."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    tier: Annotated[str, typer.Argument(metavar="TIER", help="Tier code or id.")],
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show one tier and its fee history.

    \b
    Example:
      filmklynge tiers show small
    """
    from filmklynge.register import tiers

    db = db_of(ctx)
    row = tiers.find_tier(db, tier)
    fees = tiers.fees_of(db, row["id"])
    if fmt == Format.json:
        render([], [], fmt, output, json_rows={**row, "fees": fees})
        return
    if fmt == Format.table:
        note(
            f"{row['code']}: {row['name']}"
            + (f" ({row['description']})" if row["description"] else "")
        )
    render(
        [{**f, "code": row["code"], "name": row["name"]} for f in fees],
        _FEE_COLUMNS[:-1],
        fmt,
        output,
        empty="No fees set yet. Use 'filmklynge tiers set-fee'.",
    )
