"""Dates: ISO in storage, ``YYYY-MM-DD`` or ``dd.mm.yyyy`` on input, ``dd.mm.yyyy`` on documents."""

from __future__ import annotations

import re
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


def today() -> date:
    """Today, overridable with FILMKLYNGE_TODAY=YYYY-MM-DD (for tests, demos and the sample)."""
    import os

    forced = os.environ.get("FILMKLYNGE_TODAY")
    return parse_date(forced, field="FILMKLYNGE_TODAY") if forced else date.today()


def now_utc() -> str:
    """The current UTC time; FILMKLYNGE_NOW fixes it (for a repeatable sample.db)."""
    import os

    return os.environ.get("FILMKLYNGE_NOW") or datetime.now(UTC).isoformat(timespec="seconds")


def add_months(d: date, months: int) -> date:
    from dateutil.relativedelta import relativedelta

    return d + relativedelta(months=months)
