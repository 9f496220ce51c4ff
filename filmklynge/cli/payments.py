"""payments and dues."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import (
    App,
    AsOf,
    Command,
    DryRun,
    Fmt,
    Method,
    OfMember,
    Output,
    PaidFrom,
    PaidTo,
    Quiet,
    Unmatched,
    Yes,
    confirm_or_abort,
    db_of,
)
from filmklynge.cli._common import day_or_today as _day
from filmklynge.output import Format, cols, note, render

app = App(
    no_args_is_help=True,
    help="""Payments: bank files, manual payments, matching.

    \b
    Examples:
      filmklynge payments import OCR.D241126.txt
      filmklynge payments add --invoice 10005 --amount "2 500" --on 2026-11-20
    """,
)

_COLUMNS = cols(
    ("id", "Id", "int"),
    ("paid_on", "Paid", "date"),
    ("amount_ore", "Amount", "money"),
    ("method", "Method", "code"),
    ("member", "Member", "text"),
    ("invoices", "Invoices", "code"),
    ("unallocated_ore", "Unallocated", "money"),
)


def _amount(value: str) -> int:
    from filmklynge.money import parse_nok

    return parse_nok(value, field="amount")


def register_dues(root: typer.Typer) -> None:
    root.command("dues", cls=Command)(dues)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Nets OCR giro file or camt.054/camt.053 XML.")
    ],
    dry_run: DryRun = False,
    fmt: Fmt = Format.table,
    output: Output = None,
    quiet: Quiet = False,
) -> None:
    """Import the bank's payment file and match payments to invoices by KID.

    Reads Nets OCR giro (with its end-record counts and totals checked) and ISO 20022
    camt.054/camt.053. Importing the same file, or an overlapping statement, adds nothing.

    \b
    Example:
      filmklynge payments import OCR.D241126.txt
    """
    from dataclasses import asdict

    from filmklynge.ledger import payments

    db = db_of(ctx)
    report = payments.preview_file(db, file) if dry_run else payments.import_file(db, file)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=asdict(report))
    elif report.unmatched_payments and fmt == Format.table:
        render(
            report.unmatched_payments,
            cols(
                ("id", "Unmatched", "int"),
                ("amount_ore", "Amount", "money"),
                ("kid", "KID", "code"),
                ("reference", "Text"),
            ),
            fmt,
            output,
        )
    for why in report.skipped_why[:20]:
        note(f"  skipped {why}", quiet=quiet)
    if len(report.skipped_why) > 20:
        note(f"  and {len(report.skipped_why) - 20} more skipped (see --format json)", quiet=quiet)
    for text in report.notes:
        note(f"Note: {text}.", quiet=quiet)
    note(report.line(), quiet=quiet and not dry_run)
    if report.unmatched and not dry_run:
        note("Next: filmklynge payments unmatched", quiet=quiet)


@app.command("add")
def add(
    ctx: typer.Context,
    amount: Annotated[
        str, typer.Option("--amount", metavar="AMOUNT", help="Amount in kroner, e.g. '2 500'.")
    ],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Payment date (default today).")
    ] = None,
    invoice: Annotated[
        str | None, typer.Option("--invoice", metavar="NUMBER", help="The invoice paid.")
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(
            "--member", metavar="MEMBER", help="The member who paid (oldest invoices first)."
        ),
    ] = None,
    kid: Annotated[
        str | None, typer.Option("--kid", metavar="KID", help="The KID the member gave.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", metavar="TEXT", help="Bank reference.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", metavar="manual|bank|cash", help="How it was paid.")
    ] = "manual",
    payer: Annotated[
        str | None, typer.Option("--payer", metavar="NAME", help="Who paid, if not the member.")
    ] = None,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Register a payment by hand; what is more than owed becomes a credit on the member.

    A payment on an invoice that owes nothing (already paid), or of more than twice what it
    owes, is asked about first (or needs --yes), saying how much becomes credit.

    \b
    Example:
      filmklynge payments add --invoice 10005 --amount "2 500" --on 2026-11-20
    """
    from filmklynge.ledger import payments
    from filmklynge.money import format_nok

    db = db_of(ctx)
    warning = payments.payment_warning(
        db, amount_ore=_amount(amount), paid_on=_day(on, "--on"), invoice=invoice, kid=kid
    )
    if warning:
        confirm_or_abort(f"{warning} Register it?", yes=yes)
    p = payments.add_payment(
        db,
        amount_ore=_amount(amount),
        paid_on=_day(on, "--on"),
        invoice=invoice,
        member=member,
        kid=kid,
        reference=reference,
        method=method,
        payer=payer,
    )
    msg = f"Payment {p['id']} of {format_nok(p['amount_ore'])} from {p['member']}"
    msg += f" settles invoice(s) {p['invoices']}" if p["invoices"] else ""
    if p["unallocated_ore"]:
        msg += f"; {format_nok(p['unallocated_ore'])} stays as credit on the member"
    note(msg + ".", quiet=quiet)


@app.command("list")
def list_(
    ctx: typer.Context,
    since: PaidFrom = None,
    until: PaidTo = None,
    member: OfMember = None,
    method: Method = None,
    unmatched: Unmatched = False,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List payments with the invoices they settle.

    \b
    Example:
      filmklynge payments list --from 2026-01-01 --method ocr
    """
    from filmklynge.ledger import payments

    rows = payments.list_payments(
        db_of(ctx),
        since=_day(since, "--from") if since else None,
        until=_day(until, "--to") if until else None,
        member=member,
        method=method,
        unmatched=unmatched,
    )
    render(rows, _COLUMNS, fmt, output, empty="No payments match.")


@app.command("unmatched")
def unmatched(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """Payments no invoice or member was found for, with a suggestion where one fits.

    \b
    Example:
      filmklynge payments unmatched
    """
    from filmklynge.ledger import payments

    rows = payments.unmatched_with_suggestions(db_of(ctx))
    render(
        rows,
        cols(
            ("id", "Id", "int"),
            ("paid_on", "Paid", "date"),
            ("amount_ore", "Amount", "money"),
            ("kid", "KID", "code"),
            ("reference", "Text", "text"),
            ("suggested_invoice", "Invoice?", "int"),
            ("why", "Why", "text"),
        ),
        fmt,
        output,
        empty="No unmatched payments.",
    )
    if rows and fmt == Format.table:
        note("Settle one with: filmklynge payments allocate ID --invoice N (or --member M)")


@app.command("allocate")
def allocate(
    ctx: typer.Context,
    payment: Annotated[
        int, typer.Argument(metavar="PAYMENT", help="Payment id (see payments unmatched).")
    ],
    invoice: Annotated[
        str | None, typer.Option("--invoice", metavar="NUMBER", help="The invoice it pays.")
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(
            "--member", metavar="MEMBER", help="The member who paid (oldest invoices first)."
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="Allocation date (default today)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Settle an unmatched payment against an invoice or a member.

    Says "partly settles N (kr X still owing)" for an invoice the payment does not cover, and
    how much is left as credit on the member.

    \b
    Example:
      filmklynge payments allocate 17 --invoice 10012
    """
    from filmklynge.ledger import payments
    from filmklynge.money import format_nok

    db = db_of(ctx)
    day = _day(on, "--on")
    p = payments.allocate(db, payment, invoice=invoice, member=member, on=day)
    from filmklynge.ledger.invoicing import invoice_details

    settles = []
    for number in (p["invoices"] or "").split():
        left = invoice_details(db, number, as_of=day)["outstanding_ore"]
        settles.append(
            f"partly settles {number} ({format_nok(left)} still owing)"
            if left > 0
            else f"settles {number}"
        )
    note(
        f"Payment {p['id']} now belongs to {p['member']}"
        + (f" and {', '.join(settles)}" if settles else "")
        + (f"; {format_nok(p['unallocated_ore'])} is credit" if p["unallocated_ore"] else "")
        + ".",
        quiet=quiet,
    )


@app.command("refund")
def refund(
    ctx: typer.Context,
    member: Annotated[
        str, typer.Option("--member", metavar="MEMBER", help="The member to refund.")
    ],
    amount: Annotated[str, typer.Option("--amount", metavar="AMOUNT", help="Amount in kroner.")],
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Refund date (default today).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", metavar="TEXT", help="Bank reference.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Record a refund of a member's credit (an overpayment paid back).

    \b
    Example:
      filmklynge payments refund --member Polarlys --amount 500 --on 2026-11-25
    """
    from filmklynge.ledger import payments
    from filmklynge.money import format_nok

    r = payments.refund(
        db_of(ctx),
        member=member,
        amount_ore=_amount(amount),
        on=_day(on, "--on"),
        reference=reference,
    )
    note(
        f"Refunded {format_nok(r['amount_ore'])} to {r['member']}; credit left "
        f"{format_nok(r['credit_left_ore'])}.",
        quiet=quiet,
    )


def dues(
    ctx: typer.Context,
    as_of: AsOf = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only members with overdue invoices.")
    ] = False,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Who owes what, per member, with the aging of what is overdue.

    Per member: invoiced, credited, reminder fees, paid, outstanding and overdue, and the
    aging of what is overdue. A reminder fee is owed like the invoice it reminds of: owing =
    invoiced + credited + fees − paid, where credited is negative (credits are negative in
    every listing and export). With --as-of, documents and payments after that day are left
    out.

    \b
    Example:
      filmklynge dues --overdue --as-of 31.12.2026
    """
    from filmklynge.ledger import dues as service
    from filmklynge.money import format_nok

    data = service.dues(db_of(ctx), as_of=_day(as_of, "--as-of"), overdue_only=overdue)
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=data)
        return
    render(
        data["members"],
        cols(
            ("member", "Member", "text"),
            ("invoiced_ore", "Invoiced", "money"),
            ("credited_ore", "Credited", "money"),
            ("fees_ore", "Fees", "money"),
            ("paid_ore", "Paid", "money"),
            ("outstanding_ore", "Owing", "money"),
            ("overdue_ore", "Overdue", "money"),
            ("oldest_overdue_days", "Days", "int"),
        ),
        fmt,
        output,
        empty="Nobody owes anything.",
    )
    if fmt == Format.table:
        a, t = data["aging"], data["totals"]
        note(
            f"Totals: invoiced {format_nok(t['invoiced_ore'])}, reminder fees "
            f"{format_nok(t['fees_ore'])}, paid {format_nok(t['paid_ore'])},"
            f" owing {format_nok(t['outstanding_ore'])}, overdue {format_nok(t['overdue_ore'])}."
        )
        note(
            "Aging: "
            + ", ".join(
                f"{label} {format_nok(a[key + '_ore'])}"
                for label, key in (
                    ("not due", "not_due"),
                    ("1–30 days", "1_30"),
                    ("31–60", "31_60"),
                    ("61–90", "61_90"),
                    ("over 90", "over_90"),
                )
            )
        )
