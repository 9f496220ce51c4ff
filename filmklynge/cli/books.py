"""books close|status, vat report, profile accounts|reminder-limits: the accountant's side."""

from typing import Annotated

import typer

from filmklynge.cli._common import App, DryRun, Fmt, Output, Quiet, Yes, confirm_or_abort, db_of
from filmklynge.output import Format, cols, note, render

books_app = App(
    no_args_is_help=True,
    help="""Close accounting periods so handed-over figures cannot change.

    \b
    Examples:
      filmklynge books status
      filmklynge books close --through 31.12.2026 --dry-run
    """,
)
vat_app = App(
    no_args_is_help=True,
    help="""VAT figures per two-month term.

    \b
    Example:
      filmklynge vat report --year 2026 --term 1
    """,
)


def register(app: typer.Typer, profile_app: typer.Typer) -> None:
    app.add_typer(books_app, name="books")
    app.add_typer(vat_app, name="vat")
    profile_app.command("accounts")(accounts)
    profile_app.command("reminder-limits")(reminder_limits)


@books_app.command("close")
def close(
    ctx: typer.Context,
    through: Annotated[
        str, typer.Option("--through", metavar="DATE", help="Last day of the closed period.")
    ],
    dry_run: DryRun = False,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Close the books through DATE, for good.

    Afterwards nothing dated on or before DATE can be created or changed (invoices, credit
    notes, payments, allocations, refunds, reminders); such a write is refused with exit
    code 4. A closed period is never reopened. Audit-logged.

    \b
    Examples:
      filmklynge books close --through 31.12.2026 --dry-run
      filmklynge books close --through 31.12.2026 --yes
    """
    from filmklynge.dates import norwegian, parse_date
    from filmklynge.ledger import books

    db = db_of(ctx)
    day = parse_date(through, field="--through")
    plan = books.plan_close(db, through=day)
    if dry_run:
        now = plan["closed_through"]
        note(
            f"Would close the books through {norwegian(day)} (now "
            + (f"closed through {norwegian(now)}" if now else "never closed")
            + "). Dry run: nothing was written."
        )
        return
    confirm_or_abort(
        f"Close the books through {norwegian(day.isoformat())}? This cannot be undone.", yes=yes
    )
    books.close(db, through=day)
    note(
        f"The books are closed through {norwegian(day.isoformat())}. "
        "Next: filmklynge export postings --new",
        quiet=quiet,
    )


@books_app.command("status")
def status(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """Through which date the books are closed, and the last posting export.

    \b
    Example:
      filmklynge books status
    """
    from filmklynge.ledger import books

    s = books.status(db_of(ctx))
    last = s["last_export"] or {}
    row = {
        "closed_through": s["closed_through"],
        "vouchers_exported": s["vouchers_exported"],
        "last_export": last.get("id"),
        "last_export_on": (last.get("exported_at") or "")[:10] or None,
        "last_export_to": last.get("to_on"),
    }
    render(
        [row],
        cols(
            ("closed_through", "Closed through", "date"),
            ("vouchers_exported", "Vouchers exported", "int"),
            ("last_export", "Last export", "int"),
            ("last_export_on", "Exported on", "date"),
            ("last_export_to", "Covering to", "date"),
        ),
        fmt,
        output,
    )


@vat_app.command("report")
def vat_report(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="The VAT year.")],
    term: Annotated[
        int | None,
        typer.Option(
            "--term",
            min=1,
            max=6,
            metavar="TERM",
            help="One two-month term (1 = January–February).",
        ),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Basis and VAT per two-month term and VAT code.

    Of the invoices and credit notes issued in the term (credit notes count negative). The
    figures equal the exported postings to the øre; the SAF-T column is the standard tax code
    the accounting system maps.

    \b
    Example:
      filmklynge vat report --year 2026 --term 1
    """
    from filmklynge.ledger import vat

    rows = vat.report(db_of(ctx), year=year, term=term)
    render(
        rows,
        cols(
            ("term", "Term", "int"),
            ("vat_code", "VAT code", "code"),
            ("saft_code", "SAF-T", "code"),
            ("invoiced_net_ore", "Invoiced", "money"),
            ("credited_net_ore", "Credited", "money"),
            ("basis_ore", "Basis", "money"),
            ("vat_ore", "VAT", "money"),
            ("documents", "Docs", "int"),
        ),
        fmt,
        output,
    )
    if fmt == Format.table:
        from filmklynge.money import format_nok

        note(
            f"Total: basis {format_nok(sum(r['basis_ore'] for r in rows))}, "
            f"VAT {format_nok(sum(r['vat_ore'] for r in rows))}."
        )


def accounts(
    ctx: typer.Context,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", metavar="KEY=ACCOUNT", help="Point a posting key at an account (repeat)."
        ),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show or set the chart of accounts the postings use.

    The accounts default to NS 4102; each VAT code's SAF-T standard tax code is shown too.
    Keys: receivables, bank, output_vat, member_credit, membership_S|E|Z, service_S|E|Z,
    reminder_fees, rounding.

    \b
    Example:
      filmklynge profile accounts --set bank=1920 --set membership_E=3440
    """
    from filmklynge.errors import InvalidInput
    from filmklynge.ledger import books

    db = db_of(ctx)
    for item in set_ or []:
        key, sep, account = item.partition("=")
        if not sep:
            raise InvalidInput(f"--set {item!r} must be KEY=ACCOUNT, like bank=1920.")
        books.set_account(db, key.strip(), account)
    rows = books.accounts(db)
    render(
        rows,
        cols(("key", "Key", "code"), ("account", "Account", "code"), ("name", "Name", "text")),
        fmt,
        output,
    )
    if fmt == Format.table:
        codes = db.query("SELECT code, saft_code FROM vat_codes ORDER BY code")
        note("SAF-T tax codes: " + ", ".join(f"{c['code']} → {c['saft_code']}" for c in codes))


def reminder_limits(
    ctx: typer.Context,
    add: Annotated[
        str | None,
        typer.Option("--add", metavar="DATE", help="Record new figures valid from DATE."),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", metavar="AMOUNT", help="The collection rate (kr).")
    ] = None,
    max_fee: Annotated[
        str | None, typer.Option("--max-fee", metavar="AMOUNT", help="The maximum fee (kr).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="TEXT", help="Where the figures are published."),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """The legal maximum reminder fee (purregebyr) by date.

    Each figure comes with the collection rate (inkassosats) it is derived from. A reminder's
    fee is never above the figure in force on the reminder's date, whatever the profile says;
    `profile set --reminder-fee` refuses a fee above today's. Add each new year's figures when
    the Ministry publishes them.

    \b
    Example:
      filmklynge profile reminder-limits --add 01.01.2027 --rate 720 \\
        --max-fee 36 --source "Finanstilsynet"
    """
    from filmklynge.dates import parse_date
    from filmklynge.errors import InvalidInput
    from filmklynge.money import parse_nok
    from filmklynge.register import profile

    db = db_of(ctx)
    if add is not None:
        if rate is None or max_fee is None:
            raise InvalidInput("With --add, give --rate and --max-fee too.")
        profile.add_reminder_fee_limit(
            db,
            valid_from=parse_date(add, field="--add"),
            collection_rate_ore=parse_nok(rate, field="--rate"),
            max_fee_ore=parse_nok(max_fee, field="--max-fee"),
            source=source or "",
        )
    render(
        profile.reminder_fee_limits(db),
        cols(
            ("valid_from", "Valid from", "date"),
            ("collection_rate_ore", "Collection rate", "money"),
            ("max_fee_ore", "Max. reminder fee", "money"),
            ("source", "Source", "text"),
        ),
        fmt,
        output,
    )
