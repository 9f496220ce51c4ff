"""inkind and events command groups."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import (
    App,
    DryRun,
    Fmt,
    OfGrant,
    OfMember,
    Output,
    Quiet,
    SkipInvalid,
    WorkYear,
    db_of,
    report_import,
)
from filmklynge.cli._common import (
    day_or_today as _day,
)
from filmklynge.output import Format, cols, note, render, warn

inkind_app = App(
    no_args_is_help=True,
    help="""In-kind work (egeninnsats) and its rates.

    \b
    Examples:
      filmklynge inkind add --member Polarlys --person "Kari Nordmann" --hours 6 \\
        --activity "Klyngesamling Bodø" --salary "650 000"
      filmklynge inkind list --year 2026
    """,
)
events_app = App(
    no_args_is_help=True,
    help="""Gatherings, webinars and their attendance.

    \b
    Examples:
      filmklynge events add "Klyngesamling Bodø" --on 2026-03-12 --hours 6
      filmklynge events import-attendance 1 deltakere.csv
    """,
)

# An event named on the command line.
EventArg = Annotated[str, typer.Argument(metavar="EVENT", help="Event id or name.")]


def _kr(value: str | None, field: str) -> int | None:
    from filmklynge.money import parse_nok

    return None if value is None else parse_nok(value, field=field)


def register(app: typer.Typer) -> None:
    app.add_typer(inkind_app, name="inkind")
    app.add_typer(events_app, name="events")


@inkind_app.command("add")
def add(
    ctx: typer.Context,
    member: Annotated[
        str, typer.Option("--member", metavar="MEMBER", help="Member id, orgnr or name.")
    ],
    person: Annotated[str, typer.Option("--person", metavar="NAME", help="Who did the work.")],
    hours: Annotated[
        str, typer.Option("--hours", metavar="HOURS", help="Hours that day, e.g. 7,5.")
    ],
    activity: Annotated[str, typer.Option("--activity", metavar="TEXT", help="Event or project.")],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Date worked (default today).")
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            metavar="fixed|salary|project",
            help="How the hours are valued (default: salary if --salary is given, else the "
            "grant's fixed rate).",
        ),
    ] = None,
    salary: Annotated[
        str | None,
        typer.Option("--salary", metavar="AMOUNT", help="Gross annual salary, kroner."),
    ] = None,
    grant: Annotated[
        str | None, typer.Option("--grant", metavar="GRANT", help="Count for this grant only.")
    ] = None,
    owner: Annotated[
        bool, typer.Option("--owner", help="Owner or partner (ENK, ANS, DA): owner cap applies.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Record in-kind work, valued by the approved rate rules.

    Only members' in-kind counts for co-funding: work by a company that was not a member on
    the day (it had left, or not yet joined) is recorded with a warning and not counted.

    Salary rule: 1.2 ‰ of gross annual salary per hour, at most NOK 600/h (1 200/h for
    documented cluster-project costs, rule 'project'); owners of one-person firms and partners
    in ANS/DA at most NOK 350/h; at most 1 850 hours per person a year. See 'inkind rates'.

    \b
    Example:
      filmklynge inkind add --member Polarlys --person "Kari Nordmann" --hours 6 \\
        --activity "Klyngesamling Bodø" --on 2026-03-12 --salary "650 000"
    """
    from filmklynge.funding import inkind
    from filmklynge.money import format_nok

    e = inkind.add_entry(
        db_of(ctx),
        member=member,
        person=person,
        worked_on=_day(on, "--on"),
        hours_x100=inkind.parse_hours(hours),
        activity=activity,
        rule=rule,
        salary_ore=_kr(salary, "salary"),
        grant=grant,
        owner=owner,
    )
    note(
        f"In-kind for {e['member']}: {e['hours_x100'] / 100:g} h × {format_nok(e['rate_ore'])}"
        f" = {format_nok(e['value_ore'])} ({e['basis']}).",
        quiet=quiet,
    )
    if e["not_counted"]:
        warn(f"{e['not_counted']}.")


@inkind_app.command("list")
def list_(
    ctx: typer.Context,
    member: OfMember = None,
    year: WorkYear = None,
    grant: OfGrant = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List in-kind entries with hours, rate basis and value.

    \b
    Example:
      filmklynge inkind list --year 2026 --format csv
    """
    from filmklynge.funding import inkind

    render(
        inkind.list_entries(db_of(ctx), member=member, year=year, grant=grant),
        cols(
            ("worked_on", "Date", "date"),
            ("member", "Member", "text"),
            ("person", "Person", "text"),
            ("hours", "Hours", "code"),
            ("rate_ore", "Rate", "money"),
            ("value_ore", "Value", "money"),
        ),
        fmt,
        output,
        empty="No in-kind entries match.",
    )


@inkind_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV: medlem;person;dato;timer;aktivitet[;regel;lønn;tilskudd;eier]",
        ),
    ],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    quiet: Quiet = False,
) -> None:
    """Import in-kind entries from CSV; every row is checked first.

    Headings (Norwegian / English): medlem/member (orgnr or name), person, dato/date,
    timer/hours, aktivitet/activity, regel/rule, lønn/salary, tilskudd/grant, eier/owner.

    Rows by a company that was not a member on the date (it had left, or not yet joined) are
    recorded but not counted for co-funding; they are listed.

    \b
    Example:
      filmklynge inkind import timer-2026.csv --dry-run
    """
    from filmklynge.funding import inkind
    from filmklynge.tablefile import load_text

    added, errors, apart = inkind.import_entries(
        db_of(ctx), load_text(file), skip_invalid=skip_invalid, dry_run=dry_run
    )
    report_import(
        added, errors, what="in-kind entries", dry_run=dry_run, skip=skip_invalid, quiet=quiet
    )
    _report_not_counted(apart)


def _report_not_counted(apart: list[str]) -> None:
    """List rows by companies that were not members on the day (recorded, not counted): a
    warning, so --quiet leaves it."""
    if not apart:
        return
    rows = "1 row is" if len(apart) == 1 else f"{len(apart)} rows are"
    warn(f"{rows} by non-members, not counted in co-funding:")
    for line in apart:
        note(f"  {line}")


@inkind_app.command("rates")
def rates(
    ctx: typer.Context,
    valid_from: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="Add a new set of rates valid from DATE."),
    ] = None,
    salary_permille: Annotated[
        str,
        typer.Option(
            "--salary-permille", metavar="PERMILLE", help="Rate per hour, ‰ of annual salary."
        ),
    ] = "1.2",
    cap: Annotated[
        str, typer.Option("--cap", metavar="AMOUNT", help="Hourly cap, kroner.")
    ] = "600",
    project_cap: Annotated[
        str,
        typer.Option(
            "--project-cap", metavar="AMOUNT", help="Hourly cap for cluster projects, kroner."
        ),
    ] = "1200",
    owner_cap: Annotated[
        str,
        typer.Option(
            "--owner-cap", metavar="AMOUNT", help="Hourly cap for owners and partners, kroner."
        ),
    ] = "350",
    max_hours: Annotated[
        int, typer.Option("--max-hours", metavar="HOURS", help="Per person per year.")
    ] = 1850,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show the approved in-kind rates by date, or add a new set with --from.

    \b
    Example:
      filmklynge inkind rates --from 2027-01-01 --cap 650
    """
    from decimal import Decimal

    from filmklynge.funding import inkind

    db = db_of(ctx)
    if valid_from:
        inkind.add_rates(
            db,
            valid_from=_day(valid_from, "--from"),
            salary_permille_x10=int(Decimal(salary_permille.replace(",", ".")) * 10),
            cap_ore=_kr(cap, "cap"),
            project_cap_ore=_kr(project_cap, "project cap"),
            owner_cap_ore=_kr(owner_cap, "owner cap"),
            max_hours_year=max_hours,
        )
    rows = [{**r, "salary_permille": r["salary_permille_x10"] / 10} for r in inkind.list_rates(db)]
    render(
        rows,
        cols(
            ("valid_from", "Valid from", "date"),
            ("salary_permille", "‰ of salary", "code"),
            ("cap_ore", "Cap/h", "money"),
            ("project_cap_ore", "Project cap/h", "money"),
            ("owner_cap_ore", "Owner cap/h", "money"),
            ("max_hours_year", "Max h/year", "int"),
        ),
        fmt,
        output,
    )


# ---- events ---------------------------------------------------------------------------------


@events_app.command("add")
def event_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Event name.")],
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="Date held.")],
    hours: Annotated[str, typer.Option("--hours", metavar="HOURS", help="Length in hours.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="gathering, regional, webinar, festival, workshop or other.",
        ),
    ] = "gathering",
    place: Annotated[str | None, typer.Option("--place", metavar="TEXT", help="Where.")] = None,
    online: Annotated[bool, typer.Option("--online", help="Held online.")] = False,
    quiet: Quiet = False,
) -> None:
    """Add an event (gathering, regional meeting, webinar, festival).

    \b
    Example:
      filmklynge events add "Klyngesamling Bodø" --on 2026-03-12 --hours 6 \\
        --place Bodø
    """
    from filmklynge.funding import events, inkind

    e = events.add_event(
        db_of(ctx),
        name=name,
        kind=kind,
        held_on=_day(on, "--on"),
        hours_x100=inkind.parse_hours(hours),
        place=place,
        online=online,
    )
    note(
        f"Added event {e['id']}: {e['name']}. Next: filmklynge events attend {e['id']} "
        "--member MEMBER --person NAME",
        quiet=quiet,
    )


@events_app.command("list")
def event_list(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option("--year", metavar="YEAR", help="Only this year.")
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List events with their number of participants.

    \b
    Example:
      filmklynge events list --year 2026
    """
    from filmklynge.funding import events

    render(
        events.list_events(db_of(ctx), year=year),
        cols(
            ("id", "Id", "int"),
            ("held_on", "Date", "date"),
            ("name", "Event", "text"),
            ("kind", "Kind", "code"),
            ("participants", "People", "int"),
            ("members", "Members", "int"),
        ),
        fmt,
        output,
        empty="No events yet.",
    )


@events_app.command("show")
def event_show(
    ctx: typer.Context,
    event: EventArg,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show an event and who attended.

    \b
    Example:
      filmklynge events show 1
    """
    from filmklynge.funding import events

    e = events.event_details(db_of(ctx), event)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=e)
        return
    note(f"{e['name']} ({e['kind']}), {e['held_on']}, {e['hours_x100'] / 100:g} h")
    render(
        e["attendance"],
        cols(
            ("member", "Member", "text"),
            ("person", "Person"),
            ("hours", "Hours", "code"),
            ("inkind_id", "In-kind", "int"),
        ),
        fmt,
        output,
        empty="No attendance yet.",
    )


@events_app.command("attend")
def event_attend(
    ctx: typer.Context,
    event: EventArg,
    member: Annotated[
        str, typer.Option("--member", metavar="MEMBER", help="Member orgnr or exact name.")
    ],
    person: Annotated[str, typer.Option("--person", metavar="NAME", help="Participant's name.")],
    hours: Annotated[
        str | None, typer.Option("--hours", metavar="HOURS", help="Default: the event's.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Register one participant at an event.

    \b
    Example:
      filmklynge events attend 1 --member 988077917 --person "Kari Nordmann"
    """
    from filmklynge.funding import events
    from filmklynge.register.members import find_member

    db = db_of(ctx)
    m = find_member(db, member)
    _, already, errors, apart = events.record_attendance(
        db,
        event,
        [(1, {"member": m["orgnr"] or m["name"], "person": person, "hours": hours or ""})],
    )
    if errors:
        from filmklynge.errors import InvalidInput

        raise InvalidInput(errors[0].removeprefix("line 1: "))
    note("Already registered." if already else f"Registered {person} ({m['name']}).", quiet=quiet)
    if apart:
        warn(f"{apart[0].removeprefix('line 1: ')}.")


@events_app.command("import-attendance")
def event_import(
    ctx: typer.Context,
    event: EventArg,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV: medlem;deltaker[;timer]")],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    quiet: Quiet = False,
) -> None:
    """Import attendance from CSV (1 500 participants are fine); unknown members are listed.

    Headings: medlem/member (orgnr or exact name), deltaker/person, timer/hours (optional).

    Participants of a company that was not a member on the event's day (it had left, or not
    yet joined) are recorded but their in-kind is not counted for co-funding; they are listed.

    \b
    Example:
      filmklynge events import-attendance 1 deltakere.csv --skip-invalid
    """
    from filmklynge.funding import events
    from filmklynge.tablefile import load_text

    added, already, errors, apart = events.import_attendance(
        db_of(ctx), event, load_text(file), skip_invalid=skip_invalid, dry_run=dry_run
    )
    report_import(
        added,
        errors,
        what=f"participants ({already} already registered)",
        dry_run=dry_run,
        skip=skip_invalid,
        quiet=quiet,
    )
    _report_not_counted(apart)


@events_app.command("to-inkind")
def event_to_inkind(
    ctx: typer.Context,
    event: EventArg,
    grant: Annotated[
        str | None,
        typer.Option(
            "--grant", metavar="GRANT", help="Value by this grant's fixed rate; count for it."
        ),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", metavar="AMOUNT", help="Hourly rate, kroner.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Turn an event's attendance into in-kind entries (once; running again adds nothing).

    \b
    Example:
      filmklynge events to-inkind 1 --rate 500
    """
    from filmklynge.funding import events

    made, already, apart = events.to_inkind(
        db_of(ctx), event, grant=grant, rate_ore=_kr(rate, "rate")
    )
    note(f"Made {made} in-kind entries ({already} were made before).", quiet=quiet)
    if apart:
        warn(
            f"{apart} of them by companies that were not members on the event's day: "
            "recorded, not counted in co-funding."
        )
