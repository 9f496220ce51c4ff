"""impact and productions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import DryRun, Fmt, Output, Quiet, db_of, report_import
from filmklynge.output import Format, cols, note, render

impact_app = typer.Typer(no_args_is_help=True, help="Members' growth against comparable firms.")
productions_app = typer.Typer(no_args_is_help=True, help="Film productions members take part in.")


def register(app: typer.Typer) -> None:
    app.add_typer(impact_app, name="impact", rich_help_panel="Reports")
    app.add_typer(productions_app, name="productions", rich_help_panel="Reports")


def _kr(value: str | None, field: str) -> int | None:
    from filmklynge.money import parse_nok

    return None if value is None else parse_nok(value, field=field, allow_negative=True)


@impact_app.command("add")
def add(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help="Accounting year.")],
    turnover: Annotated[str, typer.Option("--turnover", help="Turnover (driftsinntekter), kr.")],
    employees: Annotated[int, typer.Option("--employees", help="Employees (årsverk).")],
    member: Annotated[str | None, typer.Option("--member", help="A member company.")] = None,
    orgnr: Annotated[
        str | None, typer.Option("--orgnr", help="A comparison firm outside the cluster.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The comparison firm's name.")] = None,
    value_added: Annotated[str | None, typer.Option("--value-added", help="Kroner.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="e.g. Brønnøysund.")] = None,
    quiet: Quiet = False,
) -> None:
    """Record one year's turnover and employees for a member or a comparison firm.

    A comparison firm is registered by organisation number without becoming a member.

    Example: filmklynge impact add --orgnr 974760673 --name "Sørfilm AS" --year 2018 --turnover "4 200 000" --employees 5
    """
    from filmklynge.services import impact

    impact.add_observation(
        db_of(ctx),
        year=year,
        turnover_ore=_kr(turnover, "turnover"),
        employees=employees,
        member=member,
        orgnr=orgnr,
        name=name,
        value_added_ore=_kr(value_added, "value added"),
        source=source,
    )
    note(f"Recorded {year}.", quiet=quiet)


@impact_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: orgnr;navn;år;omsetning;ansatte[;verdiskaping;kilde]")
    ],
    dry_run: DryRun = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid")] = False,
) -> None:
    """Import yearly figures for members and comparison firms; every row is checked first.

    Headings: orgnr, navn/name, år/year, omsetning/turnover, ansatte/employees,
    verdiskaping/value_added, kilde/source. An orgnr that is not a member becomes a
    comparison firm (its name is then required).

    Example: filmklynge impact import regnskapstall.csv
    """
    from filmklynge.services import impact
    from filmklynge.services.tablefile import load_text

    done, errors = impact.import_observations_safely(
        db_of(ctx), load_text(file), skip_invalid=skip_invalid, dry_run=dry_run
    )
    report_import(done, errors, what="observations", skip=skip_invalid, dry_run=dry_run)


@impact_app.command("report")
def report(
    ctx: typer.Context,
    base: Annotated[int, typer.Option("--base", help="Base year.")],
    years: Annotated[str, typer.Option("--years", help="Years to compare, e.g. 2018,2019.")],
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Growth in turnover and employees for members and comparison firms, and the difference.

    Firms missing a year are left out of the comparison and listed. Also shows members' share
    of national film productions per year.

    Example: filmklynge impact report --base 2017 --years 2018,2019
    """
    from filmklynge.errors import InvalidInput
    from filmklynge.services import impact

    try:
        wanted = [int(y) for y in years.split(",") if y.strip()]
    except ValueError:
        raise InvalidInput(f"--years {years!r} must be years like 2018,2019.") from None
    data = impact.report(db_of(ctx), base=base, years=wanted)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=data)
        return
    rows = []
    for group, label in (("members", "Members"), ("comparison", "Comparison")):
        for r in data[group]["years"]:
            rows.append(
                {
                    "group": label,
                    "year": r["year"],
                    "firms": r["firms"],
                    "turnover": r["turnover_growth_pct"],
                    "turnover_median": r["turnover_median_growth_pct"],
                    "employees": r["employees_growth_pct"],
                    "employees_median": r["employees_median_growth_pct"],
                }
            )
    for d in data["difference"]:
        rows.append(
            {
                "group": "Difference (pp)",
                "year": d["year"],
                "firms": None,
                "turnover": d["turnover_growth_pp"],
                "turnover_median": d["turnover_median_growth_pp"],
                "employees": d["employees_growth_pp"],
                "employees_median": d["employees_median_growth_pp"],
            }
        )
    render(
        rows,
        cols(
            ("group", f"Growth from {base}", "code"),
            ("year", "Year", "code"),
            ("firms", "Firms", "int"),
            ("turnover", "Turnover %", "percent"),
            ("turnover_median", "Median %", "percent"),
            ("employees", "Employees %", "percent"),
            ("employees_median", "Median %", "percent"),
        ),
        fmt,
        output,
    )
    if fmt == Format.table:
        for group in ("members", "comparison"):
            if data[group]["left_out"]:
                note(f"Left out of {group} (a year missing): {', '.join(data[group]['left_out'])}")
        shares = [p for p in data["productions"] if p["national"]]
        if shares:
            note(
                "Share of national productions: "
                + ", ".join(
                    f"{p['year']} {p['member_productions']}/{p['national']} "
                    f"({p['share_pct']:.1f} %)".replace(".", ",")
                    for p in shares
                )
            )


@productions_app.command("add")
def production_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Title.")],
    year: Annotated[int, typer.Option("--year")],
    kind: Annotated[
        str, typer.Option("--kind", help="feature, documentary, series, short, commercial.")
    ],
    member: Annotated[list[str], typer.Option("--member", help="Member involved (repeatable).")],
    quiet: Quiet = False,
) -> None:
    """Register a film production and the member companies involved.

    Example: filmklynge productions add "Nordlysjegerne" --year 2019 --kind documentary --member Polarlys
    """
    from filmklynge.services import impact

    p = impact.add_production(db_of(ctx), year=year, title=title, kind=kind, members=member)
    note(f"Added production {p['id']}: {p['title']} ({p['year']}).", quiet=quiet)


@productions_app.command("list")
def production_list(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year")] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List productions with the members involved.

    Example: filmklynge productions list --year 2019
    """
    from filmklynge.services import impact

    render(
        impact.list_productions(db_of(ctx), year=year),
        cols(
            ("year", "Year", "code"),
            ("title", "Title", "text", 30),
            ("kind", "Kind", "code"),
            ("members", "Members", "text", 30),
        ),
        fmt,
        output,
        empty="No productions yet.",
    )


@productions_app.command("import")
def production_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: år;tittel;type;medlemmer (orgnr|orgnr)")],
) -> None:
    """Import productions; the members column lists orgnr or names separated by |.

    Example: filmklynge productions import produksjoner.csv
    """
    from filmklynge.services import impact
    from filmklynge.services.tablefile import load_text

    done, errors = impact.import_productions(db_of(ctx), load_text(file))
    report_import(done, errors, what="productions", skip=False, dry_run=False)


@productions_app.command("national")
def production_national(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year")],
    count: Annotated[int, typer.Option("--count", help="National productions that year.")],
    source: Annotated[
        str | None, typer.Option("--source", help="e.g. Norsk filminstitutt.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Set the national number of productions for a year (for members' share).

    Example: filmklynge productions national --year 2019 --count 148 --source "Norsk filminstitutt"
    """
    from filmklynge.services import impact

    impact.set_national_total(db_of(ctx), year=year, count=count, source=source)
    note(f"National total for {year}: {count}.", quiet=quiet)
