"""db command group: check, backup, path, migrate, log."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True, help="The database file: check, back up, migrate, audit log."
)
