"""invoices send and invoices deliveries: delivering documents and the delivery log.

The CLI wires the two sibling packages together: ``documents`` renders the PDF and EHF bytes,
``delivery`` sends them and keeps the log.
"""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import DryRun, Fmt, Output, Quiet, Yes, confirm_or_abort, db_of
from filmklynge.output import Format, cols, note, render

# A progress bar (on a terminal) from this many documents on.
PROGRESS_FROM = 10

_PLAN_COLUMNS = cols(
    ("number", "No.", "int"),
    ("document", "Document", "code"),
    ("member", "Member", "text"),
    ("channel", "Channel", "code"),
    ("recipient", "Recipient", "text"),
    ("action", "Action", "text"),
)
_LOG_COLUMNS = cols(
    ("id", "Id", "int"),
    ("number", "No.", "int"),
    ("document", "Document", "code"),
    ("member", "Member", "text"),
    ("channel", "Channel", "code"),
    ("recipient", "Recipient", "text"),
    ("time", "Time", "code"),
    ("status", "Status", "code"),
    ("error", "Error", "text"),
)
_BY = {"email": "by e-mail", "ehf": "by EHF", "print": "on paper"}


def register(app: typer.Typer) -> None:
    app.command("send")(send)
    app.command("deliveries")(deliveries)


def renderers(db):
    """The documents' renderings, handed to delivery (which may not import documents)."""
    from filmklynge.delivery.send import Renderers
    from filmklynge.documents.files import default_name
    from filmklynge.documents.pdf import invoice_pdf, reminder_pdf

    def pdf(item):
        if item.reminder is not None:
            seq = item.reminder["seq"]
            return default_name("reminder", item.number, seq), reminder_pdf(db, item.reminder["id"])
        return default_name(item.kind, item.number), invoice_pdf(db, item.invoice["id"])

    try:
        from filmklynge.documents import ehf
    except ImportError:  # an installation without EHF: the channel reports it per document
        return Renderers(pdf=pdf)

    def xml(item):
        name = default_name(item.kind, item.number).removesuffix(".pdf") + ".xml"
        return name, ehf.render_ehf(db, item.number)

    return Renderers(pdf=pdf, ehf=xml, ehf_problems=lambda item: ehf.ehf_problems(db, item.number))


def _local_time(stamp: str | None) -> str:
    from datetime import datetime

    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return stamp


def describe_delivery(row) -> str:
    """One log row as a line for `invoices show`."""
    line = f"{row['status'].capitalize()} by {row['channel']}"
    if row["recipient"]:
        line += f" to {row['recipient']}"
    line += f" {_local_time(row['attempted_at'])}"
    if row["error"]:
        line += f": {row['error']}"
    return (
        (f"Reminder {row['reminder']}: " + line[0].lower() + line[1:]) if row["reminder"] else line
    )


def send(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(help="Invoice or credit-note number.", show_default=False, metavar="NUMBER"),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", metavar="PERIOD", help="With --all: every document of 2026, 2026-H1 ..."
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Send every invoice and credit note of --period.")
    ] = False,
    reminders: Annotated[
        bool,
        typer.Option(
            "--reminders",
            help="Send the recorded reminders (all, or those of NUMBER or --period) instead.",
        ),
    ] = False,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            metavar="ehf|email|print",
            help="Send every document this way instead of each member's own channel.",
        ),
    ] = None,
    resend: Annotated[
        bool,
        typer.Option("--resend", help="Send documents again that were sent before."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The print batch PDF (default utskrift-DATE.pdf in the current folder).",
        ),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    fmt: Fmt = Format.table,
    quiet: Quiet = False,
) -> None:
    """Send invoices, credit notes or reminders to members, after showing the plan.

    Each document goes the member's way (members --invoice-delivery): ehf through the
    Peppol access point (Storecove API; profile set --peppol-url --peppol-sender-id, token
    in FILMKLYNGE_PEPPOL_TOKEN), email with the PDF attached (profile set --smtp-host ...,
    password in FILMKLYNGE_SMTP_PASSWORD; the EHF XML too for members with --attach-ehf),
    post into one print batch PDF in postal-code order. Reminders have no EHF document:
    members on EHF get them by e-mail when an address is known, otherwise on paper.

    Every attempt is logged (invoices deliveries). A document sent before is skipped
    unless --resend. One failure does not stop the others; each is reported on one line,
    and the exit code is 5 if any document was not sent.

    \b
    Examples:
      filmklynge invoices send --period 2026 --all --dry-run
      filmklynge invoices send 10001 --channel email --yes
      filmklynge invoices send --reminders --yes --output purringer.pdf
    """
    from filmklynge.dates import today
    from filmklynge.delivery import plan as planning
    from filmklynge.errors import CheckFailed, Conflict, InvalidInput
    from filmklynge.register.profile import get_profile

    if channel is not None:
        channel = channel.strip().lower()
        if channel not in ("ehf", "email", "print"):
            raise InvalidInput(f"--channel {channel!r} must be ehf, email or print.")
    if number is not None and period is not None:
        raise InvalidInput("Give an invoice number or --period with --all, not both.")
    if all_ and period is None:
        raise InvalidInput("--all needs --period, like --period 2026 --all.")
    if period is not None and not all_:
        raise InvalidInput(f"Add --all to send every document of {period}.")
    if number is None and period is None and not reminders:
        raise InvalidInput(
            "Say what to send: an invoice number (invoices send 10001), a whole period "
            "(--period 2026 --all), or the recorded reminders (--reminders)."
        )
    if period is not None:
        from filmklynge.documents.files import check_period

        period = check_period(period)

    db = db_of(ctx)
    day = today()
    plan = planning.plan_send(
        db,
        number=number,
        period=period,
        reminders=reminders,
        channel=channel,
        resend=resend,
        as_of=day,
    )
    if not plan.items:
        note("Nothing to send: no reminders are recorded. See: filmklynge invoices remind")
        return
    if fmt == Format.json:
        render([i.row() for i in plan.items], [], fmt)
    else:
        render([i.row() for i in plan.items], _PLAN_COLUMNS, fmt)

    todo = plan.to_send
    by_channel = {}
    for item in todo:
        if not item.problem:
            by_channel[item.channel] = by_channel.get(item.channel, 0) + 1
    broken = sum(1 for i in todo if i.problem)
    parts = [f"{n} {_BY[c]}" for c, n in sorted(by_channel.items())]
    summary = f"Plan: {len(todo) - broken} to send" + (f" ({', '.join(parts)})" if parts else "")
    if broken:
        summary += f", {broken} cannot be sent (see Action)"
    if plan.skipped:
        summary += f", {len(plan.skipped)} skipped (--resend sends them again)"
    note(summary + ".")

    profile = get_profile(db)
    missing = planning.missing_settings(plan, profile)
    print_file = None
    if "print" in plan.channels():
        print_file = output or Path(f"utskrift-{day.isoformat()}.pdf")
        note(f"Documents on paper go into {print_file}, in postal-code order.")
        if print_file.exists():
            clash = f"{print_file} already exists. Choose another file for the print batch with --output."
            if not dry_run:
                raise Conflict(clash)
            missing.append(clash)
    if "email" in plan.channels() and not missing:
        security = profile.get("smtp_security") or "starttls"
        note(f"E-mail from {profile['smtp_sender']} via {profile['smtp_host']} ({security}).")
    if dry_run:
        for item in todo:
            if item.problem:
                note(f"  {item.label}: {item.problem}")
        for line in missing:
            note(f"Warning: {line}")
        note("Dry run: nothing was sent.")
        return
    if missing:
        for line in missing:
            note(f"  {line}")
        raise CheckFailed("The settings above are missing, so nothing was sent.")
    if not todo:
        note("Nothing to send.")
        return
    sendable = len(todo) - broken
    confirm_or_abort(
        f"Send {sendable} of {len(todo)} documents?" if broken else f"Send {sendable} documents?",
        yes=yes,
    )
    outcomes = _run(db, plan, renderers(db), print_file)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        state = "outcome unknown" if o.status == "pending" else "not sent"
        note(
            f"  {o.item.label} ({o.item.member['name']}) {_BY[o.item.channel]}: {state}: {o.error}"
        )
    sent = [o for o in outcomes if o.ok]
    done: dict[str, int] = {}
    for o in sent:
        done[o.item.channel] = done.get(o.item.channel, 0) + 1
    parts = [f"{n} {_BY[c]}" for c, n in sorted(done.items())]
    message = f"Sent {len(sent)} of {len(outcomes)} documents" + (
        f" ({', '.join(parts)})" if parts else ""
    )
    note(message + ".", quiet=quiet)
    if print_file is not None and done.get("print"):
        n = done["print"]
        note(
            f"Print {print_file} and post it: {n} document{'s' if n != 1 else ''}.",
            quiet=quiet,
        )
    for o in sent:
        if o.error:  # sent, with a remark (an EHF attachment that could not be made)
            note(f"  {o.item.label} ({o.item.member['name']}): {o.error}", quiet=quiet)
    if failed:
        raise CheckFailed(
            f"{len(failed)} of {len(outcomes)} documents were not sent (listed above). "
            "Fix what is said and run the same command again: what was sent is skipped. "
            "See: filmklynge invoices deliveries --status failed"
        )


def _run(db, plan, renderers, print_file):
    """Send, with a transient progress bar on a terminal when there are many documents."""
    from filmklynge.delivery.send import send
    from filmklynge.output import err_console

    console = err_console()
    total = len(plan.to_send)
    if total < PROGRESS_FROM or not console.is_terminal:
        return send(db, plan, renderers=renderers, print_file=print_file)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Sending"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("send", total=total)
        return send(
            db,
            plan,
            renderers=renderers,
            print_file=print_file,
            progress=lambda _outcome: bar.advance(task),
        )


def deliveries(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", metavar="sent|failed|pending", help="Only attempts with this status."
        ),
    ] = None,
    number: Annotated[
        int | None,
        typer.Option("--invoice", metavar="NUMBER", help="Only this document's attempts."),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List the delivery log: every attempt to send a document, oldest first.

    Recipient is the e-mail address, the Peppol participant (0192:orgnr) or the postal
    address; message_id is the SMTP Message-ID, the access point's id, or the print file.
    pending means the outcome is not known (cut short, or no answer in time): check with
    the recipient or the access point, then send again with --resend.

    \b
    Example:
      filmklynge invoices deliveries --status failed
    """
    from filmklynge.delivery import log

    invoice_id = None
    if number is not None:
        from filmklynge.ledger.invoicing import find_invoice

        invoice_id = find_invoice(db_of(ctx), number)["id"]
    rows = log.list_deliveries(db_of(ctx), status=status, invoice_id=invoice_id)
    if fmt == Format.json:
        render(rows, [], fmt, output)
        return
    shown = [
        {
            **r,
            "document": r["kind"] + (f" {r['reminder']}" if r["reminder"] else ""),
            "time": _local_time(r["attempted_at"]),
        }
        for r in rows
    ]
    columns = _LOG_COLUMNS
    if fmt == Format.csv:
        columns = cols(
            *[
                (k, k)
                for k in (
                    "id",
                    "number",
                    "kind",
                    "reminder",
                    "member",
                    "channel",
                    "recipient",
                    "attempted_at",
                    "status",
                    "message_id",
                    "error",
                )
            ]
        )
    render(shown, columns, fmt, output, empty="No deliveries match.")
