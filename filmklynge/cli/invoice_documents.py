"""invoices pdf: invoice, credit note and reminder documents."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
