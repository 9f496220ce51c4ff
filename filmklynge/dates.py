"""Dates: ISO in storage, ``YYYY-MM-DD`` or ``dd.mm.yyyy`` on input, ``dd.mm.yyyy`` on documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from filmklynge.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(text: str | date, *, field: str = "date") -> date:
    """Parse ``2025-03-14`` or ``14.03.2025``."""
    if isinstance(text, date):
        return text
    s = str(text).strip()
    m = _ISO.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _NO.match(s)
        if not m:
            raise InvalidInput(
                f"{field.capitalize()} {text!r} is not a date. Write YYYY-MM-DD or dd.mm.yyyy, "
                "like 2026-03-14 or 14.03.2026."
            )
        d, mo, y = (int(g) for g in m.groups())
    try:
        day = date(y, mo, d)
    except ValueError as e:
        raise InvalidInput(f"{field.capitalize()} {text!r} is not a real date ({e}).") from None
    return check_range(day, field=field, text=s)


# The dates anything in a cluster's register can fall on. The lower bound catches a mistyped
# year (0001, 0206); the upper keeps date arithmetic (due dates, reminders) far from year 9999.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def check_range(day: date, *, field: str = "date", text: str | None = None) -> date:
    if not EARLIEST <= day <= LATEST:
        shown = text if text is not None else day.isoformat()
        raise InvalidInput(
            f"{field.capitalize()} {shown!r} is out of range: filmklynge keeps dates from "
            f"{EARLIEST.year} to {LATEST.year}. Check the year."
        )
    return day


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def norwegian(d: date | str | None) -> str:
    """``dd.mm.yyyy``; empty for None."""
    if d is None or d == "":
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return d.strftime("%d.%m.%Y")


# Where today comes from when FILMKLYNGE_TODAY is not set: the system clock, unless the
# database in use is a demo frozen at a day of its own (the CLI points this at it; ``freeze``).
_frozen_day: Callable[[], date | None] | None = None


def freeze(day: Callable[[], date | None] | None) -> None:
    """Take today from ``day()`` while it gives a date (a demo database is frozen at one), so
    the demo looks the same whenever it is run; ``None`` goes back to the system clock.
    FILMKLYNGE_TODAY and FILMKLYNGE_NOW still win."""
    global _frozen_day
    _frozen_day = day


def _frozen() -> date | None:
    return _frozen_day() if _frozen_day is not None else None


def today() -> date:
    """Today: FILMKLYNGE_TODAY=YYYY-MM-DD if set (tests), else the day a demo database is
    frozen at (``freeze``), else the system clock."""
    import os

    forced = os.environ.get("FILMKLYNGE_TODAY")
    if forced:
        return parse_date(forced, field="FILMKLYNGE_TODAY")
    return _frozen() or date.today()


def now_utc() -> str:
    """The current UTC time; FILMKLYNGE_NOW fixes it (for a repeatable sample). In a frozen
    demo database it is the time of day on its today, so nothing is stamped after "today"."""
    import os

    fixed = os.environ.get("FILMKLYNGE_NOW")
    if fixed:
        return fixed
    now = datetime.now(UTC)
    if _frozen() is not None:
        now = datetime.combine(today(), now.timetz())
    return now.isoformat(timespec="seconds")


def add_months(d: date, months: int) -> date:
    from dateutil.relativedelta import relativedelta

    return d + relativedelta(months=months)
