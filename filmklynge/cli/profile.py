"""init and profile: the cluster's own identity, bank account and invoice settings."""

from typing import Annotated

import typer

from filmklynge.cli._common import App, Command, Fmt, Language, NoInput, Output, Quiet, ask, db_of
from filmklynge.output import Format, cols, note, render

profile_app = App(
    no_args_is_help=True,
    help="""Show or change the cluster's profile.

    \b
    Examples:
      filmklynge profile show
      filmklynge profile set --payment-terms 21
    """,
)

_LABELS = [
    ("name", "Name"),
    ("orgnr", "Organisation number"),
    ("vat_registered", "VAT registered (MVA)"),
    ("foretaksregisteret", "Foretaksregisteret"),
    ("address_line", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("website", "Website"),
    ("account_no", "Account number"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("first_invoice_no", "First invoice number"),
    ("payment_terms_days", "Payment terms (days)"),
    ("kid_length", "KID length"),
    ("language", "Document language"),
    ("reminder_after_days", "Reminder after (days past due)"),
    ("reminder_fee_ore", "Reminder fee"),
    ("reminder_fee_cap_ore", "Reminder fee cap"),
    ("reminder_max_fees", "Reminders with a fee, at most"),
    ("reminder_max_count", "Reminders per invoice, at most"),
    ("smtp_host", "SMTP server"),
    ("smtp_port", "SMTP port"),
    ("smtp_security", "SMTP security"),
    ("smtp_user", "SMTP user"),
    ("smtp_sender", "E-mail sender (From)"),
    ("peppol_url", "Peppol access point URL"),
    ("peppol_sender_id", "Access point sender id"),
    ("books_closed_through", "Books closed through"),
]
# Secrets are never stored; `profile show` only says whether they are in the environment.
_SECRETS = [
    ("FILMKLYNGE_SMTP_PASSWORD", "SMTP password"),
    ("FILMKLYNGE_PEPPOL_TOKEN", "Access point token"),
]

Name = Annotated[
    str | None, typer.Option("--name", metavar="NAME", help="The cluster's legal name.")
]
Orgnr = Annotated[
    str | None, typer.Option("--orgnr", metavar="ORGNR", help="Organisation number (9 digits).")
]
Account = Annotated[
    str | None,
    typer.Option("--account", metavar="ACCOUNT", help="Bank account (11-digit kontonummer)."),
]
Vat = Annotated[
    bool | None,
    typer.Option("--vat/--no-vat", help="Registered for VAT (shows MVA after the orgnr)."),
]
Fr = Annotated[
    bool | None,
    typer.Option(
        "--foretaksregisteret/--no-foretaksregisteret",
        help="Registered in Foretaksregisteret (printed on invoices).",
    ),
]
Address = Annotated[
    str | None, typer.Option("--address", metavar="TEXT", help="Street address or P.O. box.")
]
Postal = Annotated[
    str | None, typer.Option("--postal-code", metavar="CODE", help="Postal code (4 digits).")
]
City = Annotated[str | None, typer.Option("--city", metavar="NAME", help="Postal town.")]
Email = Annotated[
    str | None, typer.Option("--email", metavar="EMAIL", help="The cluster's e-mail.")
]
Phone = Annotated[str | None, typer.Option("--phone", metavar="PHONE", help="The cluster's phone.")]
Website = Annotated[
    str | None, typer.Option("--website", metavar="URL", help="The cluster's website.")
]
Bic = Annotated[
    str | None, typer.Option("--bic", metavar="BIC", help="BIC of the bank, for foreign members.")
]
FirstNo = Annotated[
    int | None,
    typer.Option(
        "--first-invoice-no", metavar="NUMBER", help="First number of the invoice series."
    ),
]
Terms = Annotated[
    int | None,
    typer.Option("--payment-terms", metavar="DAYS", help="Days from issue to due date."),
]
KidLen = Annotated[
    int | None,
    typer.Option(
        "--kid-length", metavar="DIGITS", help="KID length in your bank agreement (4–25)."
    ),
]


def _money(value: str | None) -> int | None:
    from filmklynge.money import parse_nok

    return None if value is None else parse_nok(value)


def register(app: typer.Typer) -> None:
    app.command("init", cls=Command)(init)
    app.add_typer(profile_app, name="profile")


def init(
    ctx: typer.Context,
    name: Name = None,
    orgnr: Orgnr = None,
    account: Account = None,
    vat: Vat = None,
    foretaksregisteret: Fr = None,
    address: Address = None,
    postal_code: Postal = None,
    city: City = None,
    email: Email = None,
    phone: Phone = None,
    website: Website = None,
    bic: Bic = None,
    first_invoice_no: FirstNo = None,
    payment_terms: Terms = None,
    kid_length: KidLen = None,
    language: Language = None,
    no_input: NoInput = False,
    quiet: Quiet = False,
) -> None:
    """Create the database and the cluster's profile.

    Asks for the name, organisation number and account number on a terminal when they are
    not given. The database file is created readable by its owner only.

    \b
    Example:
      filmklynge init --name "Nordnorsk Filmklynge" --orgnr 923609016 \\
        --account "8601 11 17947"
    """
    from filmklynge.register import profile

    def check(key: str):
        return lambda answer: profile.check_field(key, answer)

    name = ask("Cluster name", name, no_input=no_input, option="--name", check=check("name"))
    orgnr = ask(
        "Organisation number", orgnr, no_input=no_input, option="--orgnr", check=check("orgnr")
    )
    account = ask(
        "Bank account number",
        account,
        no_input=no_input,
        option="--account",
        check=check("account_no"),
    )
    fields = dict(
        name=name,
        orgnr=orgnr,
        account_no=account,
        vat_registered=vat,
        foretaksregisteret=foretaksregisteret,
        address_line=address,
        postal_code=postal_code,
        city=city,
        email=email,
        phone=phone,
        website=website,
        bic=bic,
        first_invoice_no=first_invoice_no,
        payment_terms_days=payment_terms,
        kid_length=kid_length,
        language=language,
    )
    # Validate before the file exists, so a typo leaves nothing behind.
    profile._validated({k: v for k, v in fields.items() if v is not None})
    from filmklynge.cli._common import state

    path = state(ctx).db_path
    existed = path.exists() or path.is_symlink()  # a dangling link is the user's: kept
    try:
        db = db_of(ctx, create=True)
        result = profile.init_profile(db, **fields)
    except BaseException:
        if not existed:
            state(ctx).close()
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        raise
    note(
        f"Created {path} for {result['name']}. Next: filmklynge tiers add --help",
        quiet=quiet,
    )


@profile_app.command("show")
def show(ctx: typer.Context, fmt: Fmt = Format.table, output: Output = None) -> None:
    """Show the cluster's profile and invoice settings.

    The table says yes/no, kroner and dd.mm.yyyy; --format json gives the stored values
    (0/1, øre, ISO dates).

    \b
    Example:
      filmklynge profile show --format json
    """
    from filmklynge import identifiers
    from filmklynge.dates import norwegian
    from filmklynge.money import format_nok
    from filmklynge.register import profile

    row = profile.get_profile(db_of(ctx))
    shown = dict(row)
    for key in ("vat_registered", "foretaksregisteret"):
        shown[key] = "yes" if row.get(key) else "no"
    for key in ("reminder_fee_ore", "reminder_fee_cap_ore"):
        shown[key] = format_nok(row[key]) if row.get(key) is not None else None
    if row.get("books_closed_through"):
        shown["books_closed_through"] = norwegian(row["books_closed_through"])
    shown["orgnr"] = identifiers.format_orgnr(row["orgnr"]) + (
        " MVA" if row["vat_registered"] else ""
    )
    shown["account_no"] = identifiers.format_account(row["account_no"])
    shown["iban"] = identifiers.format_iban(row["iban"])
    rows = [
        {"field": label, "value": "" if shown.get(k) is None else str(shown[k])}
        for k, label in _LABELS
    ]
    import os

    for variable, label in _SECRETS:
        state = "set" if os.environ.get(variable) else "not set"
        rows.append({"field": label, "value": f"from {variable} ({state})"})
    if fmt == Format.json:
        render([], [], fmt, output, json_rows={k: row[k] for k in row if k != "id"})
    else:
        render(rows, cols(("field", "Field"), ("value", "Value")), fmt, output)


@profile_app.command("set")
def set_(
    ctx: typer.Context,
    name: Name = None,
    orgnr: Orgnr = None,
    account: Account = None,
    vat: Vat = None,
    foretaksregisteret: Fr = None,
    address: Address = None,
    postal_code: Postal = None,
    city: City = None,
    email: Email = None,
    phone: Phone = None,
    website: Website = None,
    bic: Bic = None,
    first_invoice_no: FirstNo = None,
    payment_terms: Terms = None,
    kid_length: KidLen = None,
    language: Language = None,
    reminder_after: Annotated[
        int | None,
        typer.Option("--reminder-after", metavar="DAYS", help="Days past due before a reminder."),
    ] = None,
    reminder_fee: Annotated[
        str | None,
        typer.Option(
            "--reminder-fee", metavar="AMOUNT", help="Reminder fee in kroner (0 for none)."
        ),
    ] = None,
    reminder_fee_cap: Annotated[
        str | None,
        typer.Option(
            "--reminder-fee-cap",
            metavar="AMOUNT",
            help="Highest reminder fee to charge; never above the legal maximum (profile "
            "reminder-limits).",
        ),
    ] = None,
    reminder_max_fees: Annotated[
        int | None,
        typer.Option(
            "--reminder-max-fees", metavar="COUNT", help="Reminders per invoice with a fee."
        ),
    ] = None,
    reminder_max_count: Annotated[
        int | None,
        typer.Option(
            "--reminder-max-count", metavar="COUNT", help="Reminders per invoice, at most."
        ),
    ] = None,
    vat_rate: Annotated[
        list[str] | None,
        typer.Option(
            "--vat-rate",
            help="Set a VAT code's rate, CODE=PERCENT (e.g. S=25).",
            metavar="CODE=PERCENT",
        ),
    ] = None,
    add_sector: Annotated[
        list[str] | None,
        typer.Option("--add-sector", metavar="SECTOR", help="Add a member sector."),
    ] = None,
    smtp_host: Annotated[
        str | None,
        typer.Option(
            "--smtp-host",
            metavar="HOST",
            help="SMTP server for sending invoices by e-mail.",
            rich_help_panel="Sending",
        ),
    ] = None,
    smtp_port: Annotated[
        str | None,
        typer.Option(
            "--smtp-port",
            metavar="PORT",
            help="SMTP port (default 587 starttls, 465 ssl, 25 none).",
            rich_help_panel="Sending",
        ),
    ] = None,
    smtp_user: Annotated[
        str | None,
        typer.Option(
            "--smtp-user",
            metavar="USER",
            help="SMTP login; the password is read from FILMKLYNGE_SMTP_PASSWORD.",
            rich_help_panel="Sending",
        ),
    ] = None,
    smtp_sender: Annotated[
        str | None,
        typer.Option(
            "--smtp-sender",
            metavar="EMAIL",
            help='From address, like "Klyngen <faktura@klynge.no>".',
            rich_help_panel="Sending",
        ),
    ] = None,
    smtp_security: Annotated[
        str | None,
        typer.Option(
            "--smtp-security",
            metavar="starttls|ssl|none",
            help="How the SMTP connection is encrypted (default starttls).",
            rich_help_panel="Sending",
        ),
    ] = None,
    peppol_url: Annotated[
        str | None,
        typer.Option(
            "--peppol-url",
            metavar="URL",
            help="Storecove API URL of your Peppol access point account, like https://api.storecove.com/api/v2. The token is read from FILMKLYNGE_PEPPOL_TOKEN.",
            rich_help_panel="Sending",
        ),
    ] = None,
    peppol_sender_id: Annotated[
        str | None,
        typer.Option(
            "--peppol-sender-id",
            metavar="ID",
            help="The cluster's legal entity id at the access point (Storecove legalEntityId).",
            rich_help_panel="Sending",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Change the cluster's profile and invoice settings.

    Only the options you give are changed; an empty value ("") clears a sending setting.
    VAT rates are settings too (--vat-rate S=25). Passwords and tokens are never stored:
    they are read from FILMKLYNGE_SMTP_PASSWORD and FILMKLYNGE_PEPPOL_TOKEN when sending.

    \b
    Examples:
      filmklynge profile set --kid-length 12 --reminder-fee 35 --payment-terms 21
      filmklynge profile set --smtp-host smtp.example.no --smtp-user faktura \\
        --smtp-sender faktura@klynge.no
    """
    from filmklynge.errors import InvalidInput
    from filmklynge.register import profile

    db = db_of(ctx)
    changes = dict(
        name=name,
        orgnr=orgnr,
        account_no=account,
        vat_registered=vat,
        foretaksregisteret=foretaksregisteret,
        address_line=address,
        postal_code=postal_code,
        city=city,
        email=email,
        phone=phone,
        website=website,
        bic=bic,
        first_invoice_no=first_invoice_no,
        payment_terms_days=payment_terms,
        kid_length=kid_length,
        language=language,
        reminder_after_days=reminder_after,
        reminder_fee_ore=_money(reminder_fee),
        reminder_fee_cap_ore=_money(reminder_fee_cap),
        reminder_max_fees=reminder_max_fees,
        reminder_max_count=reminder_max_count,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        smtp_user=smtp_user,
        smtp_sender=smtp_sender,
        smtp_security=smtp_security,
        peppol_url=peppol_url,
        peppol_sender_id=peppol_sender_id,
    )
    changes = {k: v for k, v in changes.items() if v is not None}
    rates = []
    for item in vat_rate or []:
        code, sep, pct = item.partition("=")
        if not sep:
            raise InvalidInput(f"--vat-rate {item!r} must be CODE=PERCENT, like S=25.")
        try:
            rates.append((code, round(float(pct.replace(",", ".").rstrip("% ")) * 100)))
        except ValueError:
            raise InvalidInput(f"--vat-rate {item!r}: {pct!r} is not a percentage.") from None
    if not changes and not rates and not add_sector:
        raise InvalidInput(
            "Nothing to change. See 'filmklynge profile set --help' for the options."
        )
    with db.atomic():
        if changes:
            profile.set_profile(db, **changes)
        for code, bp in rates:
            profile.set_vat_rate(db, code, rate_bp=bp)
        for sector in add_sector or []:
            profile.add_sector(db, sector)
    note("Profile updated. See: filmklynge profile show", quiet=quiet)
