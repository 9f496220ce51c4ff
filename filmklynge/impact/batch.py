"""Importing yearly figures or productions from CSV, all or nothing: each row is tried in a
savepoint inside one transaction, which is rolled back unless every row is good (or the import
skips bad rows), and always on a dry run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from filmklynge.errors import FilmklyngeError, InvalidInput
from filmklynge.store.db import Database

MAX_COUNT = 1_000_000  # employees or productions in a year: more is a typing error


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do), and the rows it refused."""

    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)


class _Undo(Exception):
    """Rolls back an import's transaction: a dry run, or rows that are not all valid."""


def import_rows(
    db: Database,
    rows: list[tuple[int, dict[str, str]]],
    write_row: Callable[[dict[str, str]], str],
    *,
    skip_invalid: bool,
    dry_run: bool,
) -> ImportOutcome:
    """Every row is tried inside one transaction (each in a savepoint, so a bad row leaves
    nothing behind); unless every row is good (or ``skip_invalid``), or on a dry run, the
    whole transaction is rolled back and the database is as it was."""
    outcome = ImportOutcome()
    try:
        with db.atomic():
            for line, row in rows:
                try:
                    with db.atomic():
                        result = write_row(row)
                    setattr(outcome, result, getattr(outcome, result) + 1)
                except FilmklyngeError as e:
                    outcome.errors.append(f"line {line}: {e}")
            if dry_run or (outcome.errors and not skip_invalid):
                raise _Undo
    except _Undo:
        if outcome.errors and not skip_invalid:
            outcome.added = outcome.unchanged = outcome.replaced = 0
    return outcome


def whole_number(text: str, field: str) -> int:
    try:
        value = int(text.replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        raise InvalidInput(f"{field} {text!r} must be a whole number.") from None
    if abs(value) > MAX_COUNT:
        raise InvalidInput(f"{field} {text!r} is out of range.")
    return value
