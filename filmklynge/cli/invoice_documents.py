"""invoices pdf and ehf: invoice, credit note and reminder documents, as PDF or EHF XML."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import Quiet, db_of

DocumentNumber = Annotated[
    int | None,
    typer.Argument(metavar="NUMBER", help="Invoice or credit-note number.", show_default=False),
]


def register(app: typer.Typer) -> None:
    app.command("pdf")(pdf)
    app.command("ehf")(ehf)


def pdf(
    ctx: typer.Context,
    number: DocumentNumber = None,
    reminder: Annotated[
        int | None,
        typer.Option(
            "--reminder",
            metavar="SEQ",
            help="Write reminder SEQ (1, 2 ...) of the invoice instead.",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="With --all: every invoice of 2026, 2026-H1, 2026-Q3 ...",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Write every invoice and credit note of --period.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (one document) or folder (with --all; created if missing). "
            "Default: the current folder.",
            metavar="PATH",
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="nb|en",
            help="Document language. Default: the invoice's own language.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", hidden=True, help="Kept for old scripts; files are replaced.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Write an invoice, credit note or reminder as PDF, or every invoice of a period.

    File names: faktura-NUMBER.pdf, kreditnota-NUMBER.pdf, purring-NUMBER-SEQ.pdf. Bokmål
    by default; English for foreign members or with --language en. An existing file of the
    same name is replaced; new files are private (0600).

    \b
    Examples:
      filmklynge invoices pdf 10001 -o faktura.pdf
      filmklynge invoices pdf 10001 --reminder 1
      filmklynge invoices pdf --period 2026 --all -o fakturaer/
    """
    from filmklynge import safe_write
    from filmklynge.documents import files
    from filmklynge.documents.pdf import check_language
    from filmklynge.errors import InvalidInput
    from filmklynge.output import note

    if language is not None:
        language = check_language(language)
    if number is not None and period is not None:
        raise InvalidInput("Give an invoice number or --period with --all, not both.")
    if all_ and period is None:
        raise InvalidInput("--all needs --period, like --period 2026 --all.")
    if number is None and period is None:
        raise InvalidInput(
            "Say which invoice: give its number (invoices pdf 10001), "
            "or write a whole period with --period 2026 --all."
        )
    if period is not None:
        files.check_period(period)
        if not all_:
            raise InvalidInput(f"Add --all to write every invoice of {period}.")
        if reminder is not None:
            raise InvalidInput("--reminder writes one reminder; give the invoice number with it.")

    db = db_of(ctx)
    if period is not None:
        docs = files.period_documents(db, period, lang=language)
        folder = Path(".") if output is None else output
        if folder.exists() and not folder.is_dir():
            raise InvalidInput(f"{folder} is a file. With --all, --output is a folder.")
    else:
        assert number is not None
        if reminder is not None:
            docs = [files.reminder_document(db, number, reminder, lang=language)]
        else:
            docs = [files.invoice_document(db, number, lang=language)]
        folder = Path(".")
        if output is not None:
            if output.is_dir():
                folder = output
            else:
                if not output.parent.is_dir():
                    raise InvalidInput(
                        f"Folder {output.parent} does not exist. Create it or choose another "
                        "--output."
                    )
                folder, docs_name = output.parent, output.name
                docs = [_renamed(docs[0], docs_name)]
    targets = [folder / d.file_name for d in docs]
    files.check_targets(targets, force=force)
    rendered = [d.render() for d in docs]
    folder.mkdir(parents=True, exist_ok=True)
    for doc, target, data in zip(docs, targets, rendered, strict=True):
        safe_write.write_bytes(target, data)
        note(f"Wrote {target} ({doc.label}).", quiet=quiet)
    if len(docs) > 1:
        note(f"Wrote {len(docs)} PDFs to {folder}.", quiet=quiet)


def _renamed(doc, name: str):
    from dataclasses import replace

    return replace(doc, file_name=name)


def ehf(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write NUMBER.xml files to (created if missing).",
            metavar="FOLDER",
        ),
    ],
    number: DocumentNumber = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="With --all: every invoice and credit note of 2026, 2026-H1, 2026-Q3 ...",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Write every invoice and credit note of --period.")
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Check each document by the official EN 16931 and Peppol BIS 3 rules "
            "(needs the optional extra ehf of filmklynge).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", hidden=True, help="Kept for old scripts; files are replaced.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Write invoices and credit notes as EHF 3.0 (Peppol BIS Billing 3.0) XML files.

    One file per document, named NUMBER.xml (mode 0600): an invoice is a UBL Invoice, a credit
    note a CreditNote that refers to the invoice it credits; each carries its own PDF.

    Every document is checked first. If any cannot be sent as EHF (a member without
    organisation number or postal address, VAT code O mixed with others, a member abroad
    without a VAT id Peppol can address ...), each is listed with its reason and nothing is
    written (exit 2). With --validate each document is also run through the official rules;
    fatal findings are listed and nothing is written (exit 5); warnings are shown only.

    \b
    Examples:
      filmklynge invoices ehf 10001 -o ehf/
      filmklynge invoices ehf --period 2026 --all -o ehf/ --validate
    """
    import contextlib
    import os
    import sys

    from filmklynge import safe_write
    from filmklynge.documents import ehf_batch, files
    from filmklynge.documents.ehf import ehf_problems
    from filmklynge.errors import CheckFailed, InvalidInput
    from filmklynge.output import note

    if number is not None and period is not None:
        raise InvalidInput("Give an invoice number or --period with --all, not both.")
    if number is None and period is None:
        raise InvalidInput(
            "Say which invoice: give its number (invoices ehf 10001 -o ehf/), "
            "or write a whole period with --period 2026 --all."
        )
    if period is not None:
        files.check_period(period)
        if not all_:
            raise InvalidInput(f"Add --all to write every invoice of {period}.")
    elif all_:
        raise InvalidInput("--all needs --period, like --period 2026 --all.")
    if output.exists() and not output.is_dir():
        raise InvalidInput(f"{output} is a file. --output is the folder to write to.")
    if validate:
        from filmklynge.documents import ehf_rules

        ehf_rules.check_installed()

    db = db_of(ctx)
    if period is not None:
        docs = files.period_documents(db, period)
    else:
        assert number is not None
        docs = [files.invoice_document(db, number)]
    refused = [(d, p) for d in docs if (p := ehf_problems(db, d.number))]
    if refused:
        for doc, problems in refused:
            sys.stderr.write(f"  {doc.label}: {'; '.join(problems)}\n")
        raise InvalidInput(
            f"{len(refused)} of {len(docs)} documents cannot be sent as EHF (listed above); "
            "nothing was written. Fix them, or send those members their PDF instead."
        )
    targets = [output / f"{d.number}.xml" for d in docs]
    files.check_targets(targets, force=force)

    made = ehf_batch.make(db, [d.number for d in docs], check=validate)
    created = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    failed = warnings = 0
    try:
        # Each file is written beside its target as it is made; all of them take their
        # names only when every document has passed.
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.closing(made))
            for doc, target, result in zip(docs, targets, made, strict=True):
                tmp = stack.enter_context(safe_write.replacing(target, mode=0o600))
                with tmp.open("wb") as f:
                    f.write(result.xml)
                    f.flush()
                    os.fsync(f.fileno())
                for finding in result.findings:
                    sys.stderr.write(f"  {doc.label}: {finding.line()}\n")
                fatal = sum(f.is_fatal for f in result.findings)
                failed += bool(fatal)
                warnings += len(result.findings) - fatal
            if failed:
                raise CheckFailed(
                    f"{failed} of {len(docs)} documents break the official EHF rules "
                    "(listed above); nothing was written."
                )
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                output.rmdir()
        raise
    for doc, target in zip(docs, targets, strict=True):
        note(f"Wrote {target} ({doc.label}).", quiet=quiet)
    if len(docs) > 1:
        note(f"Wrote {len(docs)} EHF documents to {output}.", quiet=quiet)
    if validate:
        note(f"Checked by the official EHF rules: 0 fatal, {warnings} warnings.", quiet=quiet)
