"""impact and productions: members' growth against comparable firms, and film productions."""

from pathlib import Path
from typing import Annotated, Any

import typer

from filmklynge.cli._common import (
    App,
    DryRun,
    Fmt,
    Output,
    Quiet,
    SkipInvalid,
    db_of,
    report_import,
)
from filmklynge.output import Format, cols, note, render

impact_app = App(
    no_args_is_help=True,
    help="""Members' growth against comparable firms outside the cluster.

    Record yearly turnover and employees from the annual accounts (import a CSV, or add one
    at a time), then report growth from a base year for members and for the comparison
    group, and the difference in percentage points.

    \b
    Examples:
      filmklynge impact import regnskapstall.csv
      filmklynge impact report --base 2017 --years 2018,2019
    """,
)
productions_app = App(
    no_args_is_help=True,
    help="""Film productions members take part in, and national totals per year.

    \b
    Examples:
      filmklynge productions import produksjoner.csv
      filmklynge productions list --by-year
    """,
)
Replace = Annotated[
    bool,
    typer.Option("--replace", help="Overwrite figures already recorded (restated accounts)."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(impact_app, name="impact")
    app.add_typer(productions_app, name="productions")


def _kr(value: str | None, field: str) -> int | None:
    from filmklynge.money import parse_nok

    return None if value is None else parse_nok(value, field=field, allow_negative=True)


@impact_app.command("add")
def add(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="Accounting year.")],
    turnover: Annotated[
        str,
        typer.Option("--turnover", metavar="AMOUNT", help="Turnover (driftsinntekter), kr."),
    ],
    employees: Annotated[
        int, typer.Option("--employees", metavar="COUNT", help="Employees (årsverk).")
    ],
    member: Annotated[
        str | None, typer.Option("--member", metavar="MEMBER", help="A member company.")
    ] = None,
    orgnr: Annotated[
        str | None,
        typer.Option("--orgnr", metavar="ORGNR", help="A comparison firm outside the cluster."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="The comparison firm's name.")
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option("--sector", metavar="SECTOR", help="The comparison firm's sector."),
    ] = None,
    county: Annotated[
        str | None,
        typer.Option("--county", metavar="COUNTY", help="The comparison firm's county."),
    ] = None,
    value_added: Annotated[
        str | None,
        typer.Option("--value-added", metavar="AMOUNT", help="Value added (verdiskaping), kr."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="TEXT", help="e.g. Brønnøysundregistrene.")
    ] = None,
    replace: Replace = False,
    quiet: Quiet = False,
) -> None:
    """Record one year's turnover and employees for a member or a comparison firm.

    A comparison firm is registered by organisation number (with --name the first time)
    without becoming a member.

    \b
    Examples:
      filmklynge impact add --member Polarlys --year 2019 --turnover "5 400 000" \\
        --employees 6
      filmklynge impact add --orgnr 974760673 --name "Sørfilm AS" --county Agder \\
        --year 2019 --turnover "4 200 000" --employees 5
    """
    from filmklynge.impact import growth

    result = growth.add_observation(
        db_of(ctx),
        year=year,
        turnover_ore=_kr(turnover, "turnover"),
        employees=employees,
        member=member,
        orgnr=orgnr,
        name=name,
        sector=sector,
        county=county,
        value_added_ore=_kr(value_added, "value added"),
        source=source,
        replace=replace,
    )
    messages = {
        "added": f"Recorded the figures for {year}.",
        "replaced": f"Replaced the figures for {year}.",
        "unchanged": f"The same figures for {year} were already recorded; nothing changed.",
    }
    note(messages[result], quiet=quiet)


@impact_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="CSV: orgnr;navn;år;omsetning;ansatte[;verdiskaping;kilde;...]"
        ),
    ],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    replace: Replace = False,
    quiet: Quiet = False,
) -> None:
    """Import yearly figures for members and comparison firms; every row is checked first.

    Headings (Norwegian / English, any case): orgnr, navn/name, år/year,
    omsetning/turnover, ansatte/employees, verdiskaping/value_added, kilde/source,
    bransje/sector, fylke/county. An orgnr that is not a member becomes a comparison firm
    (its name is then required on its first row). Nothing is written unless every row is
    valid. Rows already recorded with the same figures are skipped, so importing the same
    file again adds nothing; other figures for a company and year already recorded are an
    error unless --replace.

    \b
    Example:
      filmklynge impact import examples/regnskapstall.csv --dry-run
    """
    from filmklynge.impact import growth
    from filmklynge.tablefile import load_text

    outcome = growth.import_observations(
        db_of(ctx), load_text(file), skip_invalid=skip_invalid, dry_run=dry_run, replace=replace
    )
    report_import(
        outcome.added,
        outcome.errors,
        what="yearly figures",
        skip=skip_invalid,
        dry_run=dry_run,
        unchanged=outcome.unchanged,
        replaced=outcome.replaced,
        quiet=quiet,
    )


_GROUPS = (("members", "Members"), ("comparison", "Comparison"))


def _report_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The growth table, one row per group and year (base year first), raw values."""
    rows = []
    for group, _ in _GROUPS:
        g = data[group]
        first = g["years"][0] if g["years"] else {}
        rows.append(
            {
                "group": group,
                "year": data["base"],
                "firms": g["firms"],
                "turnover_ore": first.get("turnover_base_ore"),
                "employees": first.get("employees_base"),
            }
        )
        rows.extend({"group": group, **r} for r in g["years"])
    rows.extend({"group": "difference_pp", **d} for d in data["difference"])
    return rows


def _growth_table(data: dict[str, Any]):
    from filmklynge.money import format_millions
    from filmklynge.output import rich_table

    def pct(value: float | None, diff: bool) -> str:
        if value is None:
            return ""
        text = f"{value:+.1f}" if diff and round(value, 1) else f"{value:.1f}"
        return (text if diff else text + " %").replace(".", ",")

    labels = dict(_GROUPS)
    shown = []
    for r in _report_rows(data):
        diff = r["group"] == "difference_pp"
        unit = "pp" if diff else "pct"
        row = {
            "group": "Diff. (pp)" if diff else labels[r["group"]],
            "year": str(r["year"]),
            "firms": "" if diff else str(r["firms"]),
            "turnover": "" if r.get("turnover_ore") is None else format_millions(r["turnover_ore"]),
            "employees": "" if r.get("employees") is None else str(r["employees"]),
        }
        for measure in ("turnover", "employees"):
            row[f"{measure}_growth"] = pct(r.get(f"{measure}_growth_{unit}"), diff)
            row[f"{measure}_median"] = pct(r.get(f"{measure}_median_growth_{unit}"), diff)
        shown.append(row)
    return rich_table(
        shown,
        cols(
            ("group", "Group", "code"),
            ("year", "Year", "code"),
            ("firms", "Firms", "figure"),
            ("turnover", "Turnover", "figure"),
            ("turnover_growth", "Growth", "figure"),
            ("turnover_median", "Median", "figure"),
            ("employees", "Employees", "figure"),
            ("employees_growth", "Growth", "figure"),
            ("employees_median", "Median", "figure"),
        ),
    )


def _report_text(data: dict[str, Any]) -> str:
    from rich.console import Group
    from rich.text import Text

    from filmklynge.output import capture, rich_table

    base, years = data["base"], data["years"]
    parts: list[Any] = [
        Text(
            f"Growth from {base} to {', '.join(map(str, years))}: members against comparable "
            "firms outside the cluster",
            style="bold",
        ),
        Text(
            "Turnover in million kroner. Growth is that of the group's total; median is the "
            "middle firm's own growth. Diff. = members minus comparison, in percentage "
            "points (pp)."
        ),
        Text(""),
        _growth_table(data),
        Text(""),
    ]
    for group, label in _GROUPS:
        left = data[group]["left_out"]
        if left:
            parts.append(
                Text(
                    f"{label} left out, figures missing for a year ({len(left)}): {', '.join(left)}."
                )
            )
    shares = data["productions"]
    if any(p["member_productions"] or p["national"] for p in shares):
        parts += [
            Text(""),
            Text("Members' share of national film productions", style="bold"),
            rich_table(
                [
                    {
                        "year": str(p["year"]),
                        "members": p["member_productions"],
                        "national": p["national"],
                        "share": p["share_pct"],
                    }
                    for p in shares
                ],
                cols(
                    ("year", "Year", "code"),
                    ("members", "Members' productions", "int"),
                    ("national", "National", "int"),
                    ("share", "Share", "percent"),
                ),
            ),
        ]
        if any(p["national"] is None for p in shares):
            parts.append(
                Text(
                    "A year without a national total has no share: "
                    "filmklynge productions national --year Y --count N"
                )
            )
    return capture(Group(*parts))


@impact_app.command("report")
def report(
    ctx: typer.Context,
    base: Annotated[int, typer.Option("--base", metavar="YEAR", help="Base year, e.g. 2017.")],
    years: Annotated[
        str,
        typer.Option(
            "--years", metavar="YEARS", help="Years to compare with the base, e.g. 2018,2019."
        ),
    ],
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Growth in turnover and employees for members and comparison firms, and the difference.

    For each group: the firms' total turnover and employees in the base year and each year
    asked for, the growth of the totals, and the median of the firms' own growth rates. A
    firm missing a year is left out of that comparison and listed. Members' share of
    national film productions per year follows. --format csv gives one row per group and
    year (money in øre); --format json gives everything, with the firms included.

    \b
    Examples:
      filmklynge impact report --base 2017 --years 2018,2019
      filmklynge impact report --base 2017 --years 2019 --format csv -o vekst.csv
    """
    from filmklynge.errors import InvalidInput, NotFound
    from filmklynge.impact import growth
    from filmklynge.output import emit

    try:
        wanted = [int(y) for y in years.split(",") if y.strip()]
    except ValueError:
        raise InvalidInput(f"--years {years!r} must be years like 2018,2019.") from None
    data = growth.report(db_of(ctx), base=base, years=wanted)
    if not data["members"]["firms"] and not data["comparison"]["firms"]:
        raise NotFound(
            f"No company has figures for {base} and {', '.join(map(str, data['years']))}. "
            "Import them with 'filmklynge impact import FILE'."
        )
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=data)
    elif fmt == Format.csv:
        shares = {p["year"]: p for p in data["productions"]}
        rows = []
        for r in _report_rows(data):
            p = shares.get(r["year"], {}) if r["group"] == "members" else {}
            rows.append(
                {
                    **r,
                    "member_productions": p.get("member_productions"),
                    "national_productions": p.get("national"),
                    "production_share_pct": p.get("share_pct"),
                }
            )
        keys = [
            "group",
            "year",
            "firms",
            "turnover_ore",
            "turnover_growth_pct",
            "turnover_median_growth_pct",
            "employees",
            "employees_growth_pct",
            "employees_median_growth_pct",
            "turnover_growth_pp",
            "turnover_median_growth_pp",
            "employees_growth_pp",
            "employees_median_growth_pp",
            "member_productions",
            "national_productions",
            "production_share_pct",
        ]
        render(rows, cols(*((k, k) for k in keys)), fmt, output)
    else:
        emit(_report_text(data), output)


@productions_app.command("add")
def production_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="Title.")],
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="Year of release.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", metavar="KIND", help="feature, documentary, series, short or commercial."
        ),
    ],
    member: Annotated[
        list[str],
        typer.Option("--member", metavar="MEMBER", help="A member involved (repeat for several)."),
    ],
    quiet: Quiet = False,
) -> None:
    """Register a film production and the member companies involved.

    \b
    Example:
      filmklynge productions add "Nordlysjegerne" --year 2019 --kind documentary \\
        --member Polarlys --member "Sápmi Film"
    """
    from filmklynge.impact import productions

    p = productions.add_production(db_of(ctx), year=year, title=title, kind=kind, members=member)
    if p["result"] == "unchanged":
        note(f"{p['title']} ({p['year']}) is already registered; nothing changed.", quiet=quiet)
    else:
        note(f"Added production {p['id']}: {p['title']} ({p['year']}).", quiet=quiet)


@productions_app.command("list")
def production_list(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option("--year", metavar="YEAR", help="Only this year.")
    ] = None,
    by_year: Annotated[
        bool,
        typer.Option(
            "--by-year", help="Totals per year: by kind, national total and members' share."
        ),
    ] = False,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List productions with the members involved, or totals per year (--by-year).

    \b
    Examples:
      filmklynge productions list --year 2019
      filmklynge productions list --by-year
    """
    from filmklynge.impact import productions

    if by_year:
        short = {"documentary": "Doc", "commercial": "Ads"}
        totals = productions.production_totals(db_of(ctx))
        if year:
            totals = [t for t in totals if t["year"] == year]
        render(
            totals,
            cols(
                ("year", "Year", "code"),
                *((k, short.get(k, k.capitalize()), "int") for k in productions.KINDS),
                ("member_productions", "Members", "int"),
                ("national", "National", "int"),
                ("share_pct", "Share", "percent"),
            ),
            fmt,
            output,
            empty="No productions yet.",
        )
        return
    render(
        productions.list_productions(db_of(ctx), year=year),
        cols(
            ("year", "Year", "code"),
            ("title", "Title", "text"),
            ("kind", "Kind", "code"),
            ("members", "Members", "text"),
        ),
        fmt,
        output,
        empty="No productions yet.",
    )


@productions_app.command("import")
def production_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV: år;tittel;type;medlemmer")],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    quiet: Quiet = False,
) -> None:
    """Import productions; every row is checked first.

    Headings (Norwegian / English): år/year, tittel/title, type/kind (feature, documentary,
    series, short, commercial), medlemmer/members (organisation numbers or names, separated
    by |). A production already registered (same title and year, same details) is skipped,
    so importing the same file again adds nothing.

    \b
    Example:
      filmklynge productions import produksjoner.csv --dry-run
    """
    from filmklynge.impact import productions
    from filmklynge.tablefile import load_text

    outcome = productions.import_productions(
        db_of(ctx), load_text(file), skip_invalid=skip_invalid, dry_run=dry_run
    )
    report_import(
        outcome.added,
        outcome.errors,
        what="productions",
        skip=skip_invalid,
        dry_run=dry_run,
        unchanged=outcome.unchanged,
        quiet=quiet,
    )


@productions_app.command("national")
def production_national(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="The year.")],
    count: Annotated[
        int, typer.Option("--count", metavar="COUNT", help="National productions that year.")
    ],
    source: Annotated[
        str | None, typer.Option("--source", metavar="TEXT", help="e.g. Norsk filminstitutt.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Set the national number of productions for a year (for members' share).

    Setting a year again replaces its number.

    \b
    Example:
      filmklynge productions national --year 2019 --count 148 \\
        --source "Norsk filminstitutt"
    """
    from filmklynge.impact import productions

    productions.set_national_total(db_of(ctx), year=year, count=count, source=source)
    note(f"National total for {year}: {count}.", quiet=quiet)
