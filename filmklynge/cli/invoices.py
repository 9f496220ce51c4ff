"""invoices command group: run, list, show, credit, remind (pdf: invoice_documents.py)."""

from typing import Annotated

import typer

from filmklynge.cli._common import (
    App,
    AsOf,
    DryRun,
    FeeYear,
    Fmt,
    InvoiceStatus,
    OfMember,
    Output,
    Overdue,
    Period,
    Quiet,
    Yes,
    confirm_or_abort,
    db_of,
)
from filmklynge.cli._common import (
    day_or_today as _day,
)
from filmklynge.output import Format, cols, note, render

app = App(
    no_args_is_help=True,
    help="""Invoice the membership fee, credit, remind.

    \b
    Examples:
      filmklynge invoices run --year 2026 --dry-run
      filmklynge invoices list --year 2026 --overdue
    """,
)

# An invoice or credit note, by its number in the one series.
Number = Annotated[str, typer.Argument(metavar="NUMBER", help="Invoice number.")]

_LIST_COLUMNS = cols(
    ("number", "No.", "int"),
    ("member", "Member", "text"),
    ("period", "Period", "code"),
    ("due_on", "Due", "date"),
    ("total_ore", "Total", "money"),
    ("outstanding_ore", "Outstanding", "money"),
    ("status", "Status", "code"),
)
_PLAN_SHOWN = 20  # rows of the plan shown as a table; --format csv|json has them all
_PLAN_COLUMNS = cols(
    ("member_id", "Id", "int"),
    ("member", "Member", "text"),
    ("net_ore", "Excl. VAT", "money"),
    ("vat_ore", "VAT", "money"),
    ("total_ore", "Total", "money"),
)


@app.command("run")
def run(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", metavar="YEAR", help="Fee year to invoice.")],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            metavar="year|h1|h2|q1..q4",
            help="The whole year, a half or a quarter of it.",
        ),
    ] = "year",
    issued_on: Annotated[
        str | None,
        typer.Option("--issued-on", metavar="DATE", help="Invoice date (default today)."),
    ] = None,
    skip_untiered: Annotated[
        bool, typer.Option("--skip-untiered", help="Leave out members without a tier.")
    ] = False,
    dry_run: DryRun = False,
    yes: Yes = False,
    fmt: Fmt = Format.table,
    output: Output = None,
    quiet: Quiet = False,
) -> None:
    """Invoice the fee of a period to every member active in it, after showing the plan.

    Members who join during the period pay whole months from the month they joined
    ("7/12 av årskontingent 2026"). Running the same period again creates nothing. A table
    shows the plan's first 20 invoices and its totals; --format csv|json gives every one.

    \b
    Examples:
      filmklynge invoices run --year 2026 --dry-run
      filmklynge invoices run --year 2026 --period h2 --yes
    """
    from filmklynge.ledger import invoicing
    from filmklynge.money import format_nok

    db = db_of(ctx)
    plan = invoicing.plan_run(
        db,
        year=year,
        period=period,
        issued_on=_day(issued_on, "--issued-on"),
        skip_untiered=skip_untiered,
    )
    totals = plan.totals()
    if plan.untiered:
        note(f"Skipping {len(plan.untiered)} members without a tier: {', '.join(plan.untiered)}.")
    if not plan.invoices:
        note(
            f"Nothing to invoice: all {plan.already_invoiced} members active in {plan.key} "
            "are already invoiced."
            if plan.already_invoiced
            else f"Nothing to invoice for {plan.key}: no member with a fee is active in it."
        )
        return
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=plan.to_json())
    elif fmt == Format.csv:
        render(plan.rows(), _PLAN_COLUMNS, fmt, output)
    else:  # a table shows the first rows; the totals follow
        rows = plan.rows()
        render(rows[:_PLAN_SHOWN], _PLAN_COLUMNS, fmt, output)
        if len(rows) > _PLAN_SHOWN:
            note(
                f"… {len(rows) - _PLAN_SHOWN} more; the full plan with --format csv|json.",
            )
    note(
        f"Plan for {plan.key}: {totals['invoices']} invoices, {format_nok(totals['net_ore'])} "
        f"excl. VAT + {format_nok(totals['vat_ore'])} VAT = {format_nok(totals['total_ore'])}"
        + (
            f" ({plan.already_invoiced} members already invoiced)."
            if plan.already_invoiced
            else "."
        )
    )
    if dry_run:
        note("Dry run: nothing was written.")
        return
    confirm_or_abort(f"Create {totals['invoices']} invoices for {plan.key}?", yes=yes)
    created = invoicing.apply_run(db, plan)
    note(
        f"Created invoices {created[0]['number']}–{created[-1]['number']} "
        f"(total {format_nok(totals['total_ore'])}). "
        f"Next: filmklynge invoices pdf --period {plan.key} --all -o fakturaer/",
        quiet=quiet,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    year: FeeYear = None,
    period: Period = None,
    status: InvoiceStatus = None,
    member: OfMember = None,
    overdue: Overdue = False,
    as_of: AsOf = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List invoices and credit notes with their status (derived from payments and credits).

    \b
    Example:
      filmklynge invoices list --year 2026 --overdue
    """
    from filmklynge.ledger import invoicing

    rows = invoicing.list_invoices(
        db_of(ctx),
        as_of=_day(as_of, "--as-of"),
        year=year,
        period=period,
        status=status,
        member=member,
        overdue=overdue,
    )
    render(rows, _LIST_COLUMNS, fmt, output, empty="No invoices match.")


@app.command("show")
def show(
    ctx: typer.Context,
    number: Number,
    as_of: AsOf = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show an invoice: lines, VAT per code, KID, credit notes, payments and reminders.

    \b
    Example:
      filmklynge invoices show 10001
    """
    from filmklynge.dates import norwegian
    from filmklynge.delivery.log import list_deliveries
    from filmklynge.ledger import invoicing
    from filmklynge.money import format_nok, format_percent

    d = invoicing.invoice_details(db_of(ctx), number, as_of=_day(as_of, "--as-of"))
    d["deliveries"] = list_deliveries(db_of(ctx), invoice_id=d["id"])
    if fmt != Format.table:
        render(
            [{k: v for k, v in d.items() if not isinstance(v, list)}],
            cols(*[(k, k) for k in d if not isinstance(d[k], list)]),
            fmt,
            output,
            json_rows=d,
        )
        return
    title = "Kreditnota" if d["kind"] == "credit" else "Faktura"
    head = [
        f"{title} {d['number']}  {d['buyer_name']}  ({d['status']})",
        f"Period {d['period']}  issued {norwegian(d['issued_on'])}  due {norwegian(d['due_on'])}"
        + (f"  KID {d['kid']}" if d["kid"] else "")
        + (f"  credits invoice {d['credits_invoice']}" if d["credits_invoice"] else ""),
    ]
    rows = [
        {
            "no": line["line_no"],
            "text": line["description"],
            "net": line["net_ore"],
            "vat": f"{line['vat_code']} {format_percent(line['vat_rate_bp'])}",
            "vat_ore": line["vat_ore"],
        }
        for line in d["lines"]
    ]
    note("\n".join(head))
    render(
        rows,
        cols(
            ("no", "#", "int"),
            ("text", "Description", "text"),
            ("net", "Excl. VAT", "money"),
            ("vat", "VAT code", "code"),
            ("vat_ore", "VAT", "money"),
        ),
        fmt,
        output,
    )
    for group in d["vat_by_code"]:  # E and Z are both 0 % but never merged
        note(
            f"VAT {group['vat_code']} {format_percent(group['vat_rate_bp'])}: "
            f"basis {format_nok(group['net_ore'])}, VAT {format_nok(group['vat_ore'])}"
        )
    tail = [f"Total {format_nok(d['total_ore'])}"]
    if d["credited_ore"]:
        tail.append(f"credited {format_nok(d['credited_ore'])}")
    if d["paid_ore"]:
        tail.append(f"paid {format_nok(d['paid_ore'])}")
    tail.append(f"outstanding {format_nok(d['outstanding_ore'])}")
    note(", ".join(tail))
    for c in d["credit_notes"]:
        note(f"Credit note {c['number']} {norwegian(c['issued_on'])}: {format_nok(c['total_ore'])}")
    for p in d["payments"]:
        note(
            f"Payment {p['payment_id']} {norwegian(p['paid_on'])}: {format_nok(p['amount_ore'])}"
            f" ({p['method']})"
        )
    for r in d["reminders"]:
        note(
            f"Reminder {r['seq']} sent {norwegian(r['sent_on'])}, due {norwegian(r['due_on'])}"
            + (f", fee {format_nok(r['fee_ore'])}" if r["fee_ore"] else "")
        )
    for x in d["deliveries"]:
        from filmklynge.cli.invoice_delivery import describe_delivery

        note(describe_delivery(x))


@app.command("credit")
def credit(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The invoice to credit.")],
    amount: Annotated[
        str | None,
        typer.Option("--amount", metavar="AMOUNT", help="Credit this much (kroner, incl. VAT)."),
    ] = None,
    line: Annotated[
        list[int] | None,
        typer.Option("--line", metavar="LINE", help="Credit this line in full (repeatable)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why; shown on the note.")
    ] = None,
    issued_on: Annotated[
        str | None,
        typer.Option(
            "--issued-on", metavar="DATE", help="Date of the credit note (default today)."
        ),
    ] = None,
    reminder_fees: Annotated[
        bool,
        typer.Option("--reminder-fees", help="Waive the reminder fees still owed instead."),
    ] = False,
    dry_run: DryRun = False,
    quiet: Quiet = False,
) -> None:
    """Issue a credit note for an invoice: all of it, some lines, or an amount.

    With --reminder-fees it credits the reminder fees still owed on the invoice instead (a
    fee is owed like the invoice). Issued invoices are never changed; a credit note in the
    same number series corrects them, and cannot be taken back: --dry-run shows it first.

    \b
    Examples:
      filmklynge invoices credit 10003 --amount "1 000" --reason "Feil nivå" -n
      filmklynge invoices credit 10003 --line 2
    """
    from filmklynge.ledger import invoicing
    from filmklynge.money import format_nok, parse_nok

    db = db_of(ctx)
    day = _day(issued_on, "--issued-on")
    if reminder_fees:
        from filmklynge.errors import InvalidInput
        from filmklynge.ledger.reminders import plan_waiver, waive_fees

        if amount is not None or line:
            raise InvalidInput("--reminder-fees goes alone, without --amount or --line.")
        if dry_run:
            plan = plan_waiver(db, number, issued_on=day)
            note(
                f"Would issue credit note {plan['number']}, waiving "
                f"{format_nok(plan['amount_ore'])} in reminder fees on invoice "
                f"{plan['invoice']['number']}. Dry run: nothing was written."
            )
            return
        waived = waive_fees(db, number, issued_on=day, reason=reason)
        note(
            f"Credit note {waived['number']} waives {format_nok(-waived['total_ore'])} in "
            f"reminder fees on invoice {waived['credits']}.",
            quiet=quiet,
        )
        return
    amount_ore = parse_nok(amount) if amount is not None else None
    if dry_run:
        plan = invoicing.plan_credit(
            db, number, amount_ore=amount_ore, line_nos=line, issued_on=day
        )
        render(
            plan.rows(),
            cols(
                ("line_no", "Line", "int"),
                ("description", "Description", "text"),
                ("net_ore", "Excl. VAT", "money"),
                ("vat_code", "VAT code", "code"),
                ("vat_ore", "VAT", "money"),
            ),
            Format.table,
            None,
        )
        note(
            f"Would issue credit note {plan.number} for {format_nok(plan.total_ore)} "
            f"crediting invoice {plan.invoice['number']}. Dry run: nothing was written."
        )
        return
    note_row = invoicing.credit_invoice(
        db,
        number,
        amount_ore=amount_ore,
        line_nos=line,
        reason=reason,
        issued_on=day,
    )
    note(
        f"Credit note {note_row['number']} for {format_nok(note_row['total_ore'])} credits "
        f"invoice {number}. Next: filmklynge invoices pdf {note_row['number']}",
        quiet=quiet,
    )


@app.command("remind")
def remind(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Date the reminders are sent (default today)."
        ),
    ] = None,
    invoice: Annotated[
        int | None,
        typer.Option("--invoice", metavar="NUMBER", help="Remind only this invoice."),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    fmt: Fmt = Format.table,
    output: Output = None,
    quiet: Quiet = False,
) -> None:
    """Record reminders for overdue invoices: 14 days to pay, a fee only where the law allows.

    When none is due it says why: nothing overdue, or the reminders the profile allows are used
    up ("consider debt collection for invoices N, M"), or it is too soon; --format json then
    prints [].

    This records the reminders; it sends nothing. 'filmklynge invoices send --reminders'
    sends them (by e-mail, or on paper in a print batch), and 'invoices pdf NUMBER --reminder
    SEQ' writes one as PDF.

    \b
    Examples:
      filmklynge invoices remind --dry-run
      filmklynge invoices remind --yes
      filmklynge invoices send --reminders --yes
    """
    from filmklynge.ledger import reminders
    from filmklynge.money import format_nok

    db = db_of(ctx)
    day = _day(as_of, "--as-of")
    planned = reminders.plan_reminders(db, on=day, number=invoice)
    if not planned:
        if fmt == Format.json:
            render([], [], fmt, output)
        note(reminders.why_none_due(db, on=day))
        return
    from dataclasses import asdict

    rows = [asdict(p) for p in planned]
    render(
        rows,
        cols(
            ("number", "Invoice", "int"),
            ("member", "Member", "text"),
            ("seq", "Reminder", "int"),
            ("outstanding_ore", "Outstanding", "money"),
            ("fee_ore", "Fee", "money"),
            ("due_on", "New due", "date"),
        ),
        fmt,
        output,
    )
    if dry_run:
        note(f"Dry run: {len(planned)} reminders would be sent; nothing was written.")
        return
    confirm_or_abort(f"Record {len(planned)} reminders?", yes=yes)
    reminders.apply_reminders(db, planned)
    fees = sum(p.fee_ore for p in planned)
    note(
        f"Recorded {len(planned)} reminders"
        + (f" with {format_nok(fees)} in fees" if fees else "")
        + ". Next: filmklynge invoices send --reminders --dry-run",
        quiet=quiet,
    )
