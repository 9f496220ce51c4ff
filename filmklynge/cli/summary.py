"""summary: the register at a glance."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
