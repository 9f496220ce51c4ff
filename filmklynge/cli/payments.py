"""payments and dues."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Payments: bank files, manual payments, matching.")


def register_dues(root: typer.Typer) -> None:
    pass
