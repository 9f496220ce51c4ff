"""The one error hierarchy of filmklynge and the exit codes it maps to.

Every expected failure is a ``FilmklyngeError``: ``str(error)`` is shown to the user verbatim,
on one line, and ``error.exit_code`` becomes the process exit code. The CLI maps them in one
place (``filmklynge.cli``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    CONFLICT = 4
    CHECK_FAILED = 5
    INTERRUPTED = 130


class FilmklyngeError(Exception):
    """Expected failure. str(e) is shown to the user verbatim; no traceback."""

    exit_code = ExitCode.ERROR


class InvalidInput(FilmklyngeError):
    """The user gave a value that cannot be used (bad date, amount, orgnr ...)."""

    exit_code = ExitCode.USAGE


class NotFound(FilmklyngeError):
    exit_code = ExitCode.NOT_FOUND


class Conflict(FilmklyngeError):
    """The request clashes with what is stored (duplicate, already invoiced ...)."""

    exit_code = ExitCode.CONFLICT


class CheckFailed(FilmklyngeError):
    exit_code = ExitCode.CHECK_FAILED
