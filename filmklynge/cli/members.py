"""members and contacts command groups."""

from __future__ import annotations

import typer

members_app = typer.Typer(no_args_is_help=True, help="Member companies and their memberships.")
contacts_app = typer.Typer(no_args_is_help=True, help="Contact persons of members (personal data).")
