"""members and contacts command groups."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import (
    App,
    AsOf,
    County,
    DryRun,
    Fmt,
    Language,
    MemberArg,
    MemberStatus,
    NoInput,
    OfMember,
    Output,
    Quiet,
    Search,
    Sector,
    SkipInvalid,
    Tier,
    Yes,
    ask,
    confirm_or_abort,
    db_of,
    interactive,
)
from filmklynge.output import Format, cols, note, render

members_app = App(
    no_args_is_help=True,
    help="""Member companies and their memberships.

    \b
    Examples:
      filmklynge members add --name "Polarlys Film AS" --orgnr 988077917 \\
        --county Troms --tier small
      filmklynge members list --as-of 31.12.2025
    """,
)
contacts_app = App(
    no_args_is_help=True,
    help="""Contact persons of members (personal data).

    \b
    Example:
      filmklynge contacts add Polarlys --name "Kari Nordmann" \\
        --email kari@polarlys.no
    """,
)

ContactArg = Annotated[
    str, typer.Argument(metavar="CONTACT", help="Contact id (see contacts list).")
]

_LIST_COLUMNS = cols(
    ("id", "Id", "int"),
    ("name", "Name", "text"),
    ("orgnr", "Org.nr", "code"),
    ("tier", "Tier", "code"),
    ("county", "County", "text"),
    ("status", "Status", "code"),
    ("joined_on", "Joined", "date"),
    ("left_on", "Left", "date"),
)
_CONTACT_COLUMNS = cols(
    ("id", "Id", "int"),
    ("member", "Member", "text"),
    ("name", "Name"),
    ("role", "Role"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("is_primary", "Primary", "bool"),
)

# Options shared by `members add` and `members edit` (tier, county and sector are in _common).
Name = Annotated[str | None, typer.Option("--name", metavar="NAME", help="Company name.")]
Orgnr = Annotated[
    str | None, typer.Option("--orgnr", metavar="ORGNR", help="Organisation number (9 digits).")
]
Country = Annotated[
    str | None,
    typer.Option("--country", metavar="CODE", help="Two-letter country code for foreign members."),
]
VatId = Annotated[
    str | None, typer.Option("--vat-id", metavar="VATID", help="VAT id (foreign members).")
]
LegalForm = Annotated[
    str | None, typer.Option("--legal-form", metavar="FORM", help="ENK, AS, ANS, DA, ...")
]
Municipality = Annotated[
    str | None, typer.Option("--municipality", metavar="NAME", help="Kommune.")
]
Address = Annotated[
    str | None, typer.Option("--address", metavar="TEXT", help="Postal address line.")
]
Postal = Annotated[str | None, typer.Option("--postal-code", metavar="CODE", help="Postal code.")]
City = Annotated[str | None, typer.Option("--city", metavar="NAME", help="Postal town.")]
Website = Annotated[str | None, typer.Option("--website", metavar="URL", help="Website.")]
Employees = Annotated[
    int | None, typer.Option("--employees", metavar="COUNT", help="Number of employees.")
]
InvoiceEmail = Annotated[
    str | None, typer.Option("--invoice-email", metavar="EMAIL", help="Where invoices go.")
]
BuyerRef = Annotated[
    str | None,
    typer.Option(
        "--buyer-reference",
        metavar="TEXT",
        help="The member's reference on its invoices (EHF BuyerReference; default: member id).",
    ),
]
Delivery = Annotated[
    str | None,
    typer.Option(
        "--invoice-delivery", metavar="email|ehf|post", help="How invoices go (default email)."
    ),
]
AttachEhf = Annotated[
    bool | None,
    typer.Option(
        "--attach-ehf/--no-attach-ehf",
        help="Attach the EHF XML to invoice e-mails as well as the PDF.",
    ),
]
Notes = Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="Free-text notes.")]
VatTreatment = Annotated[
    str | None,
    typer.Option(
        "--vat-treatment",
        metavar="domestic|export",
        help="domestic (default: the tier's VAT codes) or export: export of services to a "
        "business abroad, zero-rated under merverdiavgiftsloven § 6-22 (VAT code G, EHF 'Export "
        "outside the EU'), the legal reference printed on the invoice. A fee outside the VAT Act "
        "(E) stays E. Not for a Norwegian member; decide with the accountant.",
    ),
]


def _date(value: str | None, option: str):
    from filmklynge.dates import parse_date, today

    return parse_date(value, field=option) if value else today()


@members_app.command("add")
def add(
    ctx: typer.Context,
    name: Name = None,
    orgnr: Orgnr = None,
    country: Country = None,
    vat_id: VatId = None,
    legal_form: LegalForm = None,
    sector: Sector = None,
    tier: Tier = None,
    municipality: Municipality = None,
    county: County = None,
    address: Address = None,
    postal_code: Postal = None,
    city: City = None,
    website: Website = None,
    employees: Employees = None,
    invoice_email: InvoiceEmail = None,
    invoice_delivery: Delivery = None,
    buyer_reference: BuyerRef = None,
    attach_ehf: AttachEhf = None,
    language: Language = None,
    vat_treatment: VatTreatment = None,
    notes: Notes = None,
    joined: Annotated[
        str | None,
        typer.Option("--joined", metavar="DATE", help="First day of membership (default today)."),
    ] = None,
    contact_name: Annotated[
        str | None, typer.Option("--contact-name", metavar="NAME", help="First contact person.")
    ] = None,
    contact_email: Annotated[
        str | None, typer.Option("--contact-email", metavar="EMAIL", help="Their e-mail.")
    ] = None,
    contact_phone: Annotated[
        str | None, typer.Option("--contact-phone", metavar="PHONE", help="Their phone.")
    ] = None,
    contact_role: Annotated[
        str | None, typer.Option("--contact-role", metavar="TEXT", help="Their role.")
    ] = None,
    invoice: Annotated[
        bool, typer.Option("--invoice", help="Invoice the rest of the current period at once.")
    ] = False,
    no_input: NoInput = False,
    quiet: Quiet = False,
) -> None:
    """Enrol a member company (and, optionally, its first contact person).

    A Norwegian member needs --name, --orgnr and --county; a foreign member --name and
    --country (and --vat-id). Missing required values are asked for on a terminal.

    \b
    Example:
      filmklynge members add --name "Polarlys Film AS" --orgnr 988077917 \\
        --tier small --county Troms --joined 2026-01-01 \\
        --contact-name "Kari Nordmann" --contact-email kari@polarlys.no
    """
    from filmklynge.register import members

    db = db_of(ctx)
    # On a terminal, ask for what is missing; otherwise the domain says what is required.
    prompt = not no_input and interactive()
    name = ask("Company name", name, no_input=no_input, option="--name", required=prompt)
    if prompt and (not country or country.upper() == "NO"):
        orgnr = ask("Organisation number", orgnr, no_input=no_input, option="--orgnr")
        county = ask("County", county, no_input=no_input, option="--county")
    joined_on = _date(joined, "--joined")
    contact = None
    if contact_name or contact_email or contact_phone or contact_role:
        if not contact_name:
            from filmklynge.errors import InvalidInput

            raise InvalidInput("A contact needs a name: give --contact-name too.")
        contact = {
            "name": contact_name,
            "email": contact_email,
            "phone": contact_phone,
            "role": contact_role,
        }
    with db.atomic():
        member = members.add_member(
            db,
            name=name,
            orgnr=orgnr,
            country=country,
            vat_id=vat_id,
            legal_form=legal_form,
            sector=sector,
            tier=tier,
            municipality=municipality,
            county=county,
            address_line=address,
            postal_code=postal_code,
            city=city,
            website=website,
            employees=employees,
            invoice_email=invoice_email,
            invoice_delivery=invoice_delivery,
            buyer_reference=buyer_reference,
            attach_ehf=attach_ehf,
            language=language,
            vat_treatment=vat_treatment,
            notes=notes,
            joined_on=joined_on,
            contact=contact,
        )
        made = None
        if invoice:
            from filmklynge.ledger import invoicing

            made = invoicing.invoice_new_member(db, member["id"], issued_on=_date(None, "today"))
    note(f"Added member {member['id']}: {member['name']}.", quiet=quiet)
    if invoice:
        if made:
            from filmklynge.money import format_nok

            note(
                f"Invoice {made['number']} for {format_nok(made['total_ore'])}. "
                f"Next: filmklynge invoices pdf {made['number']}",
                quiet=quiet,
            )
        else:
            note("Nothing to invoice (no tier or no fee for the period).", quiet=quiet)


@members_app.command("list")
def list_(
    ctx: typer.Context,
    as_of: AsOf = None,
    status: MemberStatus = None,
    tier: Tier = None,
    county: County = None,
    sector: Sector = None,
    search: Search = None,
    sort: Annotated[
        str, typer.Option("--sort", metavar="name|id|joined|county|tier", help="Order by.")
    ] = "name",
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List members with their status on a date (no contact persons).

    --as-of DATE shows the register as it stood on DATE: the status then, and nothing that
    came after it. A member who left after DATE is active with no leaving date; one who left
    and rejoined after DATE is resigned (left on its earlier leaving date); one whose
    membership starts after DATE is pending, with its joining date (enrolled ahead of time).

    \b
    Example:
      filmklynge members list --as-of 31.12.2025 --county Finnmark --format csv
    """
    from filmklynge.register import members

    rows = members.list_members(
        db_of(ctx),
        as_of=_date(as_of, "--as-of"),
        status=status,
        tier=tier,
        county=county,
        sector=sector,
        search=search,
        sort=sort,
    )
    render(rows, _LIST_COLUMNS, fmt, output, empty="No members match.")


@members_app.command("show")
def show(
    ctx: typer.Context,
    ref: MemberArg,
    as_of: AsOf = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """Show one member: company data, membership periods and contact persons.

    \b
    Example:
      filmklynge members show Polarlys
    """
    from filmklynge import identifiers
    from filmklynge.register import members

    data = members.member_details(db_of(ctx), ref, as_of=_date(as_of, "--as-of"))
    if fmt == Format.json:
        render([], [], fmt, output, json_rows=data)
        return
    fields = [
        ("Id", data["id"]),
        ("Name", data["name"]),
        ("Org.nr", identifiers.format_orgnr(data["orgnr"])),
        ("Country", data["country"]),
        ("VAT id", data["vat_id"]),
        ("Legal form", data["legal_form"]),
        ("Sector", data["sector"]),
        ("Tier", data["tier_name"]),
        ("Status", data["status"]),
        ("Municipality", data["municipality"]),
        ("County", data["county"]),
        (
            "Address",
            " ".join(filter(None, [data["address_line"], data["postal_code"], data["city"]])),
        ),
        ("Website", data["website"]),
        ("Employees", data["employees"]),
        ("Invoice e-mail", data["invoice_email"]),
        ("Invoice delivery", data["invoice_delivery"]),
        ("Buyer reference", data.get("buyer_reference")),
        ("EHF XML in e-mails", "yes" if data.get("attach_ehf") else "no"),
        ("VAT treatment", data.get("vat_treatment") or "domestic"),
        ("Notes", data["notes"]),
    ]
    rows = [{"field": k, "value": "" if v is None else str(v)} for k, v in fields]
    for p in data["memberships"]:
        rows.append(
            {
                "field": "Membership",
                "value": f"{p['joined_on']} – {p['left_on'] or ''}"
                + (f" ({p['left_reason']})" if p["left_reason"] else ""),
            }
        )
    for c in data["contacts"]:
        bits = [c["name"], c["role"], c["email"], c["phone"], "primary" if c["is_primary"] else ""]
        rows.append({"field": f"Contact {c['id']}", "value": ", ".join(b for b in bits if b)})
    render(rows, cols(("field", "Field"), ("value", "Value")), fmt, output)


@members_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: MemberArg,
    name: Name = None,
    orgnr: Orgnr = None,
    country: Country = None,
    vat_id: VatId = None,
    legal_form: LegalForm = None,
    sector: Sector = None,
    tier: Tier = None,
    municipality: Municipality = None,
    county: County = None,
    address: Address = None,
    postal_code: Postal = None,
    city: City = None,
    website: Website = None,
    employees: Employees = None,
    invoice_email: InvoiceEmail = None,
    invoice_delivery: Delivery = None,
    buyer_reference: BuyerRef = None,
    attach_ehf: AttachEhf = None,
    language: Language = None,
    vat_treatment: VatTreatment = None,
    notes: Notes = None,
    quiet: Quiet = False,
) -> None:
    """Change a member's data; only the options given change (an empty value clears it).

    \b
    Example:
      filmklynge members edit Polarlys --tier medium --employees 8
    """
    from filmklynge.register import members

    member = members.edit_member(
        db_of(ctx),
        ref,
        name=name,
        orgnr=orgnr,
        country=country,
        vat_id=vat_id,
        legal_form=legal_form,
        sector=sector,
        tier=tier,
        municipality=municipality,
        county=county,
        address_line=address,
        postal_code=postal_code,
        city=city,
        website=website,
        employees=employees,
        invoice_email=invoice_email,
        invoice_delivery=invoice_delivery,
        buyer_reference=buyer_reference,
        attach_ehf=attach_ehf,
        language=language,
        vat_treatment=vat_treatment,
        notes=notes,
    )
    note(f"Updated member {member['id']}: {member['name']}.", quiet=quiet)


@members_app.command("resign")
def resign(
    ctx: typer.Context,
    ref: MemberArg,
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="Last day of membership.")],
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why they left.")
    ] = None,
    credit_unused: Annotated[
        bool,
        typer.Option(
            "--credit-unused",
            help="Credit the whole months invoiced after the month of leaving (a credit note "
            "per invoice); shows the amount and asks first.",
        ),
    ] = False,
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            metavar="COUNT",
            help="With --credit-unused: credit only this many (last) unused months.",
        ),
    ] = None,
    issued_on: Annotated[
        str | None,
        typer.Option(
            "--issued-on", metavar="DATE", help="Date of the credit notes (default today)."
        ),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Register that a member leaves; the last day of membership is --on.

    A leaver pays to the month it leaves in: an invoice run after this bills whole months from
    the month of joining (or the period's start) to the month of leaving. A member already
    invoiced past its leaving month can get the unused whole months back with --credit-unused:
    each line is credited its amount less the pro rata of its full-year amount for the months
    kept, so the invoice less the credit note is what a leaver invoiced now would pay. Crediting
    more months than are unused is refused.

    \b
    Example:
      filmklynge members resign Polarlys --on 2026-07-31 --credit-unused --yes
    """
    from filmklynge.errors import InvalidInput
    from filmklynge.register import members

    db = db_of(ctx)
    day = _date(on, "--on")
    if months is not None and not credit_unused:
        raise InvalidInput("--months goes with --credit-unused.")
    if not credit_unused:
        member = members.resign(db, ref, on=day, reason=reason)
        note(f"{member['name']} leaves after {on}.", quiet=quiet)
        return
    from filmklynge.ledger import invoicing
    from filmklynge.money import format_nok

    member = members.find_member(db, ref)
    plans = invoicing.plan_unused_credit(db, member["id"], left_on=day, months=months)
    total = sum(p.total_ore for p in plans)
    for p in plans:
        note(
            f"Invoice {p.invoice_number}: {p.months} unused months "
            f"({_nb(p.unused_from)}–{_nb(p.unused_to)}), credit {format_nok(p.total_ore)}."
        )
    if dry_run:
        note(f"Dry run: would credit {format_nok(total)}; nothing was written.")
        return
    if plans:
        confirm_or_abort(
            f"{member['name']} leaves after {_nb(day.isoformat())}; credit "
            f"{format_nok(total)} for the unused months?",
            yes=yes,
        )
    with db.atomic():
        members.resign(db, member["id"], on=day, reason=reason)
        notes = invoicing.credit_unused(
            db, plans, issued_on=_date(issued_on, "--issued-on"), reason=None
        )
    note(f"{member['name']} leaves after {on}.", quiet=quiet)
    for n, p in zip(notes, plans, strict=True):
        note(
            f"Credit note {n['number']} credits {format_nok(-n['total_ore'])} on invoice "
            f"{p.invoice_number}.",
            quiet=quiet,
        )
    if not plans:
        note("No invoice bills months after the month of leaving; nothing to credit.", quiet=quiet)


def _nb(iso: str) -> str:
    from filmklynge.dates import norwegian

    return norwegian(iso)


@members_app.command("rejoin")
def rejoin(
    ctx: typer.Context,
    ref: MemberArg,
    on: Annotated[
        str, typer.Option("--on", metavar="DATE", help="First day of the new membership.")
    ],
    quiet: Quiet = False,
) -> None:
    """Start a new membership period for a member who has left.

    \b
    Example:
      filmklynge members rejoin Polarlys --on 2027-03-01
    """
    from filmklynge.register import members

    member = members.rejoin(db_of(ctx), ref, on=_date(on, "--on"))
    note(f"{member['name']} is a member again from {on}.", quiet=quiet)


@members_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="CSV file (comma or semicolon, UTF-8 or Excel)."),
    ],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    quiet: Quiet = False,
) -> None:
    """Import members (and one contact each) from a CSV file; all rows are checked first.

    Nothing is written unless every row is valid, or --skip-invalid is given. Files saved by
    Norwegian Excel (semicolons, Windows-1252 or UTF-8 with BOM, dd.mm.yyyy) work as they are.

    Headings (Norwegian / English, any case): navn/name, orgnr/organisation_number, land/country,
    mva/vat_id, selskapsform/legal_form, bransje/sector, nivå/tier, kommune/municipality,
    fylke/county, adresse/address, postnr/postal_code, poststed/city, nettside/website,
    ansatte/employees, faktura_epost/invoice_email, fakturalevering/invoice_delivery,
    deres_ref/buyer_reference, innmeldt/joined, sluttet/left,
    kontaktperson/contact_name, epost/contact_email, telefon/contact_phone, rolle/contact_role,
    merknad/notes.

    \b
    Example:
      filmklynge members import nye-medlemmer.csv --dry-run
    """
    import sys

    from filmklynge.errors import InvalidInput
    from filmklynge.register import member_import
    from filmklynge.tablefile import load_text

    db = db_of(ctx)
    result = member_import.validate(db, load_text(file))
    if result.errors and not skip_invalid:
        for line in result.errors:
            sys.stderr.write(f"  {line}\n")
        raise InvalidInput(
            f"{len(result.bad_lines)} of {len(result.bad_lines) + len(result.valid)} rows are "
            "invalid (listed above); nothing was imported. Fix them, or use --skip-invalid."
        )
    for line in result.errors:
        sys.stderr.write(f"  skipped {line}\n")
    if not dry_run and result.valid:
        member_import.apply(db, result)
    note(member_import.summary_line(result, dry_run=dry_run), quiet=quiet and not dry_run)


@members_app.command("forget")
def forget(
    ctx: typer.Context,
    ref: MemberArg,
    dry_run: DryRun = False,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Erase the personal data held on a member (contacts, notes); invoices and payments stay.

    Shows what will be erased first. An erasure cannot be undone, and backups taken before
    still hold the data ('filmklynge db backup --list' says which).

    \b
    Examples:
      filmklynge members forget Polarlys --dry-run
      filmklynge members forget Polarlys --yes
    """
    from filmklynge.register import members

    db = db_of(ctx)
    plan = members.plan_forget_member(db, ref)
    member = plan["member"]
    _show_erasure(plan, quiet=quiet and not dry_run)
    if dry_run:
        note("Dry run: nothing was erased.")
        return
    confirm_or_abort(f"Erase all contact persons and notes of {member['name']}?", yes=yes)
    result = members.forget_member(db, str(member["id"]))
    note(f"Erased {result['contacts_erased']} contact persons of {member['name']}.", quiet=quiet)
    _after_erasure(db, result, quiet=quiet)


def _show_erasure(plan: dict, *, quiet: bool) -> None:
    """What an erasure will change, from its plan (all a dry run prints)."""
    fields = {
        "notes": "notes",
        "invoice_email": "invoice e-mail",
        "buyer_reference": "buyer reference",
    }
    lines = [f"To erase from {plan['member']['name']}:"]
    if plan["contacts"]:
        lines.append(
            "  contact persons: " + ", ".join(f"{c['id']} {c['name']}" for c in plan["contacts"])
        )
    if plan["member_fields"]:
        lines.append("  the member's " + ", ".join(fields[f] for f in plan["member_fields"]))
    if plan["persons"]:
        lines.append(
            f"  {len(plan['persons'])} names on in-kind work and attendance (placeholders "
            "take their place; the hours stay)"
        )
    lines.append("  mentions of these persons in the delivery log and the audit log")
    lines.append("Kept: the company, its invoices and payments.")
    for line in lines:
        note(line, quiet=quiet)


def _after_erasure(db, result: dict, *, quiet: bool) -> None:
    """What an erasure also changed, and where the person's data still is: backups."""
    from filmklynge.store import backups

    erased = result["erased"]
    if erased["inkind_and_attendance_persons"]:
        note(
            f"Names on in-kind work and attendance replaced by placeholders: "
            f"{erased['inkind_and_attendance_persons']} (hours kept).",
            quiet=quiet,
        )
    if "invoice_email" in erased["member_fields"]:
        note(
            "The member's invoice e-mail was cleared; set a new one with "
            "'filmklynge members edit ID --invoice-email ...'.",
            quiet=quiet,
        )
    if not result["purged"]:
        note(
            "Warning: another program has the database open; the erased data leaves the "
            "file's WAL when it closes."
        )
    older = [b for b in backups.history(db) if b["holds_erased_data"] and b["exists"]]
    if older:
        note(
            f"Warning: {len(older)} backup(s) taken before still hold this data; "
            "see 'filmklynge db backup --list'."
        )


@members_app.command("statement")
def statement(
    ctx: typer.Context,
    ref: MemberArg,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First day (default: the first entry)."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last day (default today).")
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", metavar="FILE", help="Also write the statement as a PDF."),
    ] = None,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """The member's account: invoices, credit notes, payments and refunds, with a balance.

    The running balance is positive when the member owes, negative in the member's favour.
    The balance carried in from before --from opens it; the closing balance is what `dues`
    shows as outstanding, less the member's unused credit. The PDF is in the member's
    language.

    \b
    Example:
      filmklynge members statement Polarlys --from 01.01.2026 --pdf polarlys.pdf
    """
    from filmklynge.cli._common import day_or_today
    from filmklynge.dates import parse_date
    from filmklynge.ledger.statements import statement as account
    from filmklynge.money import format_nok

    db = db_of(ctx)
    data = account(
        db,
        ref,
        start=parse_date(start, field="--from") if start else None,
        end=day_or_today(end, "--to"),
    )
    if fmt == Format.json:
        render([data], [], fmt, output, json_rows=data)
    else:
        if fmt == Format.table:
            note(f"{data['member']}: opening balance {format_nok(data['opening_balance_ore'])}")
        render(
            data["entries"],
            cols(
                ("date", "Date", "date"),
                ("kind", "Entry", "code"),
                ("ref", "No.", "int"),
                ("text", "Text", "text"),
                ("amount_ore", "Amount", "money"),
                ("balance_ore", "Balance", "money"),
            ),
            fmt,
            output,
        )
        if fmt == Format.table:
            note(
                f"Closing balance {format_nok(data['closing_balance_ore'])}: outstanding "
                f"{format_nok(data['outstanding_ore'])}, in credit {format_nok(data['credit_ore'])}."
            )
    if pdf is not None:
        from filmklynge.documents.statement import statement_pdf
        from filmklynge.register.profile import get_profile
        from filmklynge.safe_write import replacing

        with replacing(pdf) as tmp:
            tmp.write_bytes(statement_pdf(data, get_profile(db)))
        note(f"Wrote {pdf}.")


# ---- contacts -------------------------------------------------------------------------------


@contacts_app.command("add")
def contact_add(
    ctx: typer.Context,
    member: MemberArg,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="The person's name.")],
    role: Annotated[
        str | None, typer.Option("--role", metavar="TEXT", help="e.g. daglig leder.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="EMAIL", help="E-mail.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", metavar="PHONE", help="Phone.")] = None,
    primary: Annotated[bool, typer.Option("--primary", help="Make this the main contact.")] = False,
    quiet: Quiet = False,
) -> None:
    """Add a contact person to a member.

    \b
    Example:
      filmklynge contacts add Polarlys --name "Ola Nordmann" --role produsent \\
        --email ola@polarlys.no
    """
    from filmklynge.register import contacts

    c = contacts.add_contact(
        db_of(ctx), member, name=name, role=role, email=email, phone=phone, primary=primary
    )
    note(f"Added contact {c['id']} to {c['member']}.", quiet=quiet)


@contacts_app.command("list")
def contact_list(
    ctx: typer.Context,
    member: OfMember = None,
    missing_email: Annotated[
        bool, typer.Option("--missing-email", help="Only contacts without e-mail.")
    ] = False,
    fmt: Fmt = Format.table,
    output: Output = None,
) -> None:
    """List contact persons (personal data: share with care).

    \b
    Example:
      filmklynge contacts list --missing-email
    """
    from filmklynge.register import contacts

    rows = contacts.list_contacts(db_of(ctx), member=member, missing_email=missing_email)
    render(rows, _CONTACT_COLUMNS, fmt, output, empty="No contacts match.")


@contacts_app.command("edit")
def contact_edit(
    ctx: typer.Context,
    contact_id: ContactArg,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="Name.")] = None,
    role: Annotated[str | None, typer.Option("--role", metavar="TEXT", help="Role.")] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="EMAIL", help="E-mail.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", metavar="PHONE", help="Phone.")] = None,
    primary: Annotated[
        bool | None, typer.Option("--primary/--not-primary", help="Main contact or not.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Change a contact person's data.

    \b
    Example:
      filmklynge contacts edit 12 --email kari@polarlys.no --primary
    """
    from filmklynge.register import contacts

    c = contacts.edit_contact(
        db_of(ctx), contact_id, name=name, role=role, email=email, phone=phone, primary=primary
    )
    note(f"Updated contact {c['id']}.", quiet=quiet)


@contacts_app.command("remove")
def contact_remove(
    ctx: typer.Context,
    contact_id: ContactArg,
    dry_run: DryRun = False,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Remove a contact person who no longer works for the member.

    \b
    Examples:
      filmklynge contacts remove 12 --dry-run
      filmklynge contacts remove 12 --yes
    """
    from filmklynge.register import contacts

    db = db_of(ctx)
    c = contacts.get_contact(db, contact_id)
    if dry_run:
        note(
            f"Would remove contact {c['id']} ({c['name']}) of {c['member']}. "
            "Dry run: nothing was removed."
        )
        return
    confirm_or_abort(f"Remove contact {c['id']} ({c['name']}) of {c['member']}?", yes=yes)
    contacts.remove_contact(db, contact_id)
    note(f"Removed contact {c['id']}.", quiet=quiet)


@contacts_app.command("forget")
def contact_forget(
    ctx: typer.Context,
    contact_id: ContactArg,
    dry_run: DryRun = False,
    yes: Yes = False,
    quiet: Quiet = False,
) -> None:
    """Erase one person's data for good (GDPR); the member and its invoices stay.

    Shows what will be erased first; an erasure cannot be undone.

    \b
    Examples:
      filmklynge contacts forget 12 --dry-run
      filmklynge contacts forget 12 --yes
    """
    from filmklynge.register import contacts

    db = db_of(ctx)
    plan = contacts.plan_forget_contact(db, contact_id)
    c = plan["contacts"][0]
    _show_erasure(plan, quiet=quiet and not dry_run)
    if dry_run:
        note("Dry run: nothing was erased.")
        return
    confirm_or_abort(f"Erase all data on contact {c['id']} of {c['member']}?", yes=yes)
    result = contacts.forget_contact(db, contact_id)
    note(f"Contact {c['id']} is forgotten.", quiet=quiet)
    _after_erasure(db, result, quiet=quiet)
