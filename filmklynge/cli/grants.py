"""funders, grants and cofunding."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import App, Command, DryRun, Fmt, Output, Quiet, db_of
from filmklynge.cli._common import day_or_today as _day
from filmklynge.output import Format, cols, note, render

funders_app = App(
    no_args_is_help=True,
    help="""Who funds the cluster.

    \b
    Example:
      filmklynge funders add "Innovasjon Norge" --public
    """,
)
grants_app = App(
    no_args_is_help=True,
    help="""Grants, tranches and disbursements.

    \b
    Examples:
      filmklynge grants show IN-2026-17
      filmklynge grants disburse IN-2026-17 --amount "450 000" --on 2026-02-15
    """,
)

# A grant named on the command line: by the funder's reference or its id.
GrantArg = Annotated[str, typer.Argument(metavar="GRANT", help="Grant reference or id.")]


def _kr(value: str, field: str) -> int:
    from filmklynge.money import parse_nok

    return parse_nok(value, field=field)


def register(app: typer.Typer) -> None:
    app.add_typer(funders_app, name="funders")
    app.add_typer(grants_app, name="grants")
    app.command("cofunding", cls=Command)(cofunding)


@funders_app.command("add")
def funder_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The funder's name.")],
    public: Annotated[
        bool, typer.Option("--public/--private", help="Whether the money counts as public.")
    ] = True,
    quiet: Quiet = False,
) -> None:
    """Add a funder, public (Innovasjon Norge, a county) or private (a foundation).

    \b
    Example:
      filmklynge funders add "Kulturnæringsstiftelsen" --private
    """
    from filmklynge.funding import grants

    f = grants.add_funder(db_of(ctx), name=name, public=public)
    note(
        f"Added funder {f['name']} ({'public' if f['is_public'] else 'private'} money).",
        quiet=quiet,
    )


@funders_app.command("list")
def funder_list(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """List funders.

    \b
    Example:
      filmklynge funders list
    """
    from filmklynge.funding import grants

    render(
        grants.list_funders(db_of(ctx)),
        cols(
            ("id", "Id", "int"),
            ("name", "Funder"),
            ("is_public", "Public", "bool"),
            ("grants", "Grants", "int"),
        ),
        fmt,
        output,
        empty="No funders yet. Add one with 'filmklynge funders add'.",
    )


@grants_app.command("add")
def grant_add(
    ctx: typer.Context,
    funder: Annotated[str, typer.Option("--funder", metavar="FUNDER", help="Funder name.")],
    reference: Annotated[
        str, typer.Option("--reference", metavar="TEXT", help="The funder's case number.")
    ],
    amount: Annotated[
        str, typer.Option("--amount", metavar="AMOUNT", help="Granted amount in kroner.")
    ],
    start: Annotated[
        str, typer.Option("--from", metavar="DATE", help="First day of the grant period.")
    ],
    end: Annotated[str, typer.Option("--to", metavar="DATE", help="Last day of the grant period.")],
    match_ratio: Annotated[
        str,
        typer.Option(
            "--match-ratio", metavar="RATIO", help="Members' cash + in-kind ≥ RATIO × grant."
        ),
    ] = "1.0",
    max_public: Annotated[
        str,
        typer.Option(
            "--max-public-share",
            metavar="PERCENT",
            help="Highest public share of total funding.",
        ),
    ] = "50",
    hourly_rate: Annotated[
        str | None,
        typer.Option(
            "--hourly-rate", metavar="AMOUNT", help="Fixed hourly rate for in-kind, kroner."
        ),
    ] = None,
    tranches: Annotated[
        str | None,
        typer.Option(
            "--tranches", metavar="PERCENTS", help="Payment tranches in %, e.g. 30,50,20."
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Register a grant with its period, rules and payment tranches.

    Default tranches: 30/50/20 % for a public funder (the last 20 % held back until the final
    report), 75/25 % for a private one.

    \b
    Example:
      filmklynge grants add --funder "Innovasjon Norge" --reference IN-2026-17 \\
        --amount "1 500 000" --from 2026-01-01 --to 2028-12-31
    """
    from filmklynge.funding import grants
    from filmklynge.money import BASIS_POINTS, format_nok, parse_basis_points

    g = grants.add_grant(
        db_of(ctx),
        funder=funder,
        reference=reference,
        amount_ore=_kr(amount, "amount"),
        start_on=_day(start, "--from"),
        end_on=_day(end, "--to"),
        match_ratio_bp=parse_basis_points(
            match_ratio, field="--match-ratio", per_unit=BASIS_POINTS
        ),
        max_public_share_bp=parse_basis_points(max_public, field="--max-public-share"),
        fixed_hourly_rate_ore=_kr(hourly_rate, "hourly rate") if hourly_rate else None,
        tranches=grants.parse_tranches(tranches) if tranches else None,
    )
    note(
        f"Added grant {g['reference']} from {g['funder']}: {format_nok(g['amount_ore'])}.",
        quiet=quiet,
    )


@grants_app.command("list")
def grant_list(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """List grants with what has been received.

    \b
    Example:
      filmklynge grants list --format json
    """
    from filmklynge.funding import grants

    render(
        grants.list_grants(db_of(ctx)),
        cols(
            ("reference", "Grant", "code"),
            ("funder", "Funder", "text"),
            ("amount_ore", "Amount", "money"),
            ("received_ore", "Received", "money"),
            ("start_on", "From", "date"),
            ("end_on", "To", "date"),
        ),
        fmt,
        output,
        empty="No grants yet. Add one with 'filmklynge grants add'.",
    )


@grants_app.command("show")
def grant_show(
    ctx: typer.Context,
    grant: GrantArg,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show a grant: tranches granted, received and left, and the disbursements.

    \b
    Example:
      filmklynge grants show IN-2026-17
    """
    from filmklynge.funding import grants
    from filmklynge.money import format_nok

    g = grants.grant_details(db_of(ctx), grant)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=g)
        return
    note(
        f"{g['reference']} from {g['funder']}: {format_nok(g['amount_ore'])}, "
        f"{g['start_on']}–{g['end_on']}; received {format_nok(g['received_ore'])}."
    )
    render(
        g["tranches"],
        cols(
            ("seq", "#", "int"),
            ("label", "Tranche"),
            ("amount_ore", "Granted", "money"),
            ("received_ore", "Received", "money"),
            ("left_ore", "Held back / left", "money"),
        ),
        fmt,
        output,
    )


@grants_app.command("disburse")
def grant_disburse(
    ctx: typer.Context,
    grant: GrantArg,
    amount: Annotated[
        str, typer.Option("--amount", metavar="AMOUNT", help="Amount received, kroner.")
    ],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Date received (default today).")
    ] = None,
    tranche: Annotated[
        int | None,
        typer.Option("--tranche", metavar="SEQ", help="Tranche number (default: first open)."),
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", metavar="TEXT", help="Bank reference.")
    ] = None,
    dry_run: DryRun = False,
    quiet: Quiet = False,
) -> None:
    """Record money received from a funder against a tranche (never more than is left).

    A disbursement cannot be removed once recorded: --dry-run shows the tranche it goes to.

    \b
    Examples:
      filmklynge grants disburse IN-2026-17 --amount "450 000" --dry-run
      filmklynge grants disburse IN-2026-17 --amount "450 000" --on 2026-02-15
    """
    from filmklynge.dates import norwegian
    from filmklynge.funding import grants
    from filmklynge.money import format_nok

    db = db_of(ctx)
    amount_ore = _kr(amount, "amount")
    received_on = _day(on, "--on")
    if dry_run:
        plan = grants.plan_disbursement(db, grant, amount_ore=amount_ore, tranche=tranche)
        g, t = plan["grant"], plan["tranche"]
        note(
            f"Would record {format_nok(amount_ore)} received {norwegian(received_on)} "
            f"against tranche {t['seq']} ({t['label']}) of {g['reference']}: "
            f"{format_nok(t['left_ore'] - amount_ore)} of the tranche and "
            f"{format_nok(g['left_ore'] - amount_ore)} of the grant left after it. "
            "Dry run: nothing was written."
        )
        return
    g = grants.disburse(
        db,
        grant,
        amount_ore=amount_ore,
        received_on=received_on,
        tranche=tranche,
        reference=reference,
    )
    note(
        f"Received {format_nok(g['received_ore'])} of {format_nok(g['amount_ore'])} on "
        f"{g['reference']}.",
        quiet=quiet,
    )


@grants_app.command("report")
def grant_report(
    ctx: typer.Context,
    grant: GrantArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="FILE.xlsx, or a folder for CSV files.",
        ),
    ],
    year: Annotated[
        int | None, typer.Option("--year", metavar="YEAR", help="Only this year.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Write the funder's report pack: financing, in-kind, fee payments, tranches (XLSX or CSV).

    \b
    Example:
      filmklynge grants report IN-2026-17 --year 2026 -o rapport-2026.xlsx
    """
    from filmklynge.dates import today
    from filmklynge.funding import grant_report

    written = grant_report.write(db_of(ctx), grant, out=output, year=year, as_of=today())
    note(f"Wrote {', '.join(str(p) for p in written)}.", quiet=quiet)


def cofunding(
    ctx: typer.Context,
    grant: Annotated[
        str | None, typer.Option("--grant", metavar="GRANT", help="Only this grant.")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", metavar="YEAR", help="Only this year.")
    ] = None,
    by_member: Annotated[
        bool, typer.Option("--by-member", help="Each member's cash and in-kind.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="As it stood on DATE: count what was paid and worked up to it; years "
            "that start after it show 'not started'.",
        ),
    ] = None,
    split_on: Annotated[
        str | None,
        typer.Option(
            "--split-on",
            metavar="DATE",
            help="Only show how a contribution dated DATE is split between the grants active then.",
        ),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Do members' fees and in-kind work match each grant? Pass or shortfall per rule and year.

    Where grants overlap, a contribution dated on a day is split by each grant's amount per
    day on that day (grant amount / days of its period), exactly to the øre; one assigned to a
    grant ('inkind add --grant') counts for that grant only. The split key is printed under the
    table and is in --format json ('split_key').

    Only members' in-kind counts: work by a company that was not a member on the day (it had
    left, or not yet joined) is recorded but not counted, and listed apart.

    With --as-of, a year of a grant that starts after that date shows 'not started', not a
    shortfall; the grant's total then shows 'running'.

    \b
    Examples:
      filmklynge cofunding --grant IN-2026-17 --by-member
      filmklynge cofunding --split-on 01.03.2026
    """
    from filmklynge.funding import cofunding as service

    if split_on:
        key = service.split_on(db_of(ctx), _day(split_on, "--split-on"))
        if fmt == Format.json:
            render([], [], fmt, output, json_rows=key)
            return
        render(key["grants"], _SPLIT_COLUMNS, fmt, output)
        note(key["rule"])
        return
    data = service.cofunding(
        db_of(ctx), as_of=_day(as_of, "--as-of"), grant=grant, year=year, by_member=by_member
    )
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=data)
        return
    if not data["grants"]:
        if year and grant:
            from filmklynge.dates import norwegian
            from filmklynge.funding.grants import find_grant

            g = find_grant(db_of(ctx), grant)
            note(
                f"Grant {g['reference']} runs {norwegian(g['start_on'])}–"
                f"{norwegian(g['end_on'])}, not in {year}."
            )
        elif year:
            note(f"No grant runs in {year}; 'filmklynge grants list' shows their periods.")
        else:
            note("No grants yet. Add one with 'filmklynge grants add'.")
        return
    if fmt == Format.csv:
        # Data, not display: øre integers, booleans and the ratio as a number.
        render(
            [
                {
                    "grant": g["grant"],
                    "year": r["year"],
                    "status": r["status"],
                    "granted_ore": r["granted_ore"],
                    "cash_ore": r["members_cash_ore"],
                    "inkind_ore": r["inkind_ore"],
                    "contribution_ratio": r["contribution_ratio"],
                    "match_ok": r["match_ok"],
                    "match_shortfall_ore": r["match_shortfall_ore"],
                    "public_ok": r["public_ok"],
                    "public_shortfall_ore": r["public_shortfall_ore"],
                }
                for g in data["grants"]
                for r in [*g["years"], g["total"]]
            ],
            _COFUNDING_CSV,
            fmt,
            output,
        )
        return
    rows = []
    for g in data["grants"]:
        for r in [*g["years"], g["total"]]:
            rows.append(
                {
                    "grant": g["grant"],
                    "year": r["year"],
                    "granted_ore": r["granted_ore"],
                    "cash_ore": r["members_cash_ore"],
                    "inkind_ore": r["inkind_ore"],
                    "ratio": ""
                    if r["contribution_ratio"] is None
                    else f"{r['contribution_ratio']:.2f}".replace(".", ","),
                    "match": _verdict(r, "match"),
                    "public": _verdict(r, "public"),
                }
            )
    render(
        rows,
        cols(
            ("grant", "Grant", "code"),
            ("year", "Year", "code"),
            ("granted_ore", "Granted", "money"),
            ("cash_ore", "Fees", "money"),
            ("inkind_ore", "In-kind", "money"),
            ("ratio", "Ratio", "figure"),
            ("match", "Match", "figure"),
            ("public", "Public", "figure"),
        ),
        fmt,
        output,
    )
    from filmklynge.dates import norwegian

    if by_member and fmt == Format.table:
        for g in data["grants"]:
            render(
                g["members"],
                cols(
                    ("member", f"{g['grant']}: member", "text"),
                    ("cash_ore", "Fees", "money"),
                    ("inkind_ore", "In-kind", "money"),
                    ("total_ore", "Total", "money"),
                ),
                fmt,
                output,
            )
    note(
        "Match: members' fees (net of VAT) + in-kind ≥ ratio × grant; Public: public money ≤ "
        "its cap of the total. A negative figure is the shortfall in NOK; 'not started': the "
        f"year starts after {norwegian(data['as_of'])}; 'running': the total includes such "
        "years."
    )
    _print_split_key(data)
    _print_not_counted(data)


_SPLIT_COLUMNS = cols(
    ("grant", "Grant", "code"),
    ("amount_ore", "Amount", "money"),
    ("days", "Days", "int"),
    ("per_day_ore", "Per day", "money"),
    ("share", "Share", "code"),
)


_COFUNDING_CSV = cols(
    ("grant", "Grant"),
    ("year", "Year"),
    ("status", "Status"),
    ("granted_ore", "Granted", "int"),
    ("cash_ore", "Fees", "int"),
    ("inkind_ore", "In-kind", "int"),
    ("contribution_ratio", "Ratio", "figure"),
    ("match_ok", "Match", "bool"),
    ("match_shortfall_ore", "Match shortfall", "int"),
    ("public_ok", "Public", "bool"),
    ("public_shortfall_ore", "Public shortfall", "int"),
)


def _verdict(row: dict, rule: str) -> str:
    """ok, the shortfall in kroner and øre ('-62 240,00'), 'not started' or 'running' for one
    rule of a row, as the table shows it."""
    from filmklynge.money import format_nok

    if row["status"] in ("not started", "running"):
        return row["status"]
    if row[f"{rule}_ok"]:
        return "ok"
    return format_nok(-row[f"{rule}_shortfall_ore"], symbol=False)


def _print_split_key(data: dict) -> None:
    from filmklynge.dates import norwegian
    from filmklynge.money import format_nok, format_percent

    for overlap in data["split_key"]:
        shares = ", ".join(
            f"{g['grant']} {format_nok(g['amount_ore'])} / {g['days']} days "
            f"≈ {format_nok(g['per_day_ore'])} a day ({format_percent(round(g['share'] * 10_000))})"
            for g in overlap["grants"]
        )
        note(f"Split key {norwegian(overlap['from'])}–{norwegian(overlap['to'])}: {shares}.")
    if data["split_key"]:
        note(data["split_rule"])


def _print_not_counted(data: dict) -> None:
    from filmklynge.money import format_nok

    apart = data["inkind_not_counted"]
    if not apart["entries"]:
        return
    who = ", ".join(
        f"{e['member']} {e['worked_on']} {format_nok(e['value_ore'])}" for e in apart["entries"][:5]
    ) + (" …" if len(apart["entries"]) > 5 else "")
    note(
        f"In-kind by non-members, not counted: {format_nok(apart['value_ore'])} "
        f"({len(apart['entries'])} entries: {who}). {apart['rule']}"
    )
