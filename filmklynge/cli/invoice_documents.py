"""invoices pdf: invoice, credit note and reminder documents."""

from pathlib import Path
from typing import Annotated

import typer

from filmklynge.cli._common import Quiet, db_of


def register(app: typer.Typer) -> None:
    app.command("pdf")(pdf)


def pdf(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(help="Invoice or credit-note number.", show_default=False, metavar="N"),
    ] = None,
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
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File to write (one document) or folder (with --all; created if missing). "
            "Default: the current folder.",
            metavar="PATH",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="nb|en",
            help="Document language, nb or en. Default: the invoice's own language.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    quiet: Quiet = False,
) -> None:
    """Write an invoice, credit note or reminder as PDF, or every invoice of a period.

    File names: faktura-N.pdf, kreditnota-N.pdf, purring-N-SEQ.pdf.
    Bokmål by default; English for foreign members or with --lang en.
    Existing files are kept unless --force is given.

    Example: filmklynge invoices pdf 10001 --out faktura.pdf

    Example: filmklynge invoices pdf --period 2026 --all --out fakturaer/
    """
    from filmklynge import safe_write
    from filmklynge.documents import files
    from filmklynge.documents.pdf import check_language
    from filmklynge.errors import InvalidInput
    from filmklynge.output import note

    if lang is not None:
        lang = check_language(lang)
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
        docs = files.period_documents(db, period, lang=lang)
        folder = Path(".") if out is None else out
        if folder.exists() and not folder.is_dir():
            raise InvalidInput(f"{folder} is a file. With --all, --out is a folder.")
    else:
        assert number is not None
        if reminder is not None:
            docs = [files.reminder_document(db, number, reminder, lang=lang)]
        else:
            docs = [files.invoice_document(db, number, lang=lang)]
        folder = Path(".")
        if out is not None:
            if out.is_dir():
                folder = out
            else:
                if not out.parent.is_dir():
                    raise InvalidInput(
                        f"Folder {out.parent} does not exist. Create it or choose another --out."
                    )
                folder, docs_name = out.parent, out.name
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
