"""Money is integer øre. Parsing Norwegian input, formatting Norwegian output, exact arithmetic.

No float ever touches an amount: parsing goes through ``Decimal`` and every division rounds
half-up to whole øre.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from filmklynge.errors import InvalidInput

Ore = int
# Rates and shares are integer basis points: 10 000 is the whole (2 500 = 25 %).
BASIS_POINTS = 10_000

NBSP = "\u00a0"
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$")
# Grouped forms need their decimals: "12.500" or "12,500" alone is ambiguous and refused.
_GROUPED_DOT = re.compile(r"^-?\d{1,3}(?:\.\d{3})+,\d{1,2}$")  # 12.500,50
_GROUPED_COMMA = re.compile(r"^-?\d{1,3}(?:,\d{3})+\.\d{1,2}$")  # 12,500.50


# A trillion kroner: far above any real amount, far below what SQLite's integers hold.
MAX_ORE = 100 * 10**12
# One payment of a hundred million kroner: thousands of times any fee a cluster invoices, so a
# larger amount (typed or read from a bank file) is a mistake or a damaged file.
MAX_PAYMENT_ORE = 100 * 10**8


def check_payment_amount(ore: Ore, *, what: str = "The payment") -> Ore:
    """The amount rule of every payment, typed by hand or read from a bank file: more than
    0 kr and at most ``MAX_PAYMENT_ORE``."""
    if ore <= 0:
        raise InvalidInput(
            f"{what}: the amount is {format_nok(ore)}; a payment must be more than 0 kr (a "
            "refund is recorded with 'filmklynge payments refund', a bank reversal is marked "
            "as one)."
        )
    if ore > MAX_PAYMENT_ORE:
        raise InvalidInput(
            f"{what}: the amount {format_nok(ore)} is more than filmklynge accepts for one "
            f"payment ({format_nok(MAX_PAYMENT_ORE)}). Check the amount."
        )
    return ore


def parse_nok(text: str, *, allow_negative: bool = False, field: str = "amount") -> Ore:
    """Parse a Norwegian amount in kroner into øre.

    Accepts "12 500,50", "12500.50", "kr 12 500", "12 500,- kr", "NOK 12500", "12.500,50".

    >>> parse_nok("kr 12 500,50")
    1250050
    """
    original = text
    s = str(text).strip()
    s = re.sub(r"(?i)^(kr\.?|nok)\s*", "", s)
    s = re.sub(r"(?i)\s*(kr\.?|nok)$", "", s)
    s = s.removesuffix(",-").removesuffix(",–").strip()
    s = _SPACES.sub("", s)
    s = s.replace("\u2212", "-")
    if not s:
        raise InvalidInput(f"Empty {field}. Write an amount in kroner, like 12 500,50.")
    if _GROUPED_DOT.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _GROUPED_COMMA.match(s):
        s = s.replace(",", "")
    elif _PLAIN.match(s):
        s = s.replace(",", ".")
    else:
        raise InvalidInput(
            f"{field.capitalize()} {original!r} is not an amount in kroner. "
            "Write it like 12 500,50 or 12500.50 (at most two decimals)."
        )
    try:
        value = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the patterns above exclude this
        raise InvalidInput(f"{field.capitalize()} {original!r} is not an amount.") from None
    ore = int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if abs(ore) > MAX_ORE:
        raise InvalidInput(
            f"{field.capitalize()} {original!r} is larger than any amount filmklynge keeps "
            "(at most kr 1 000 000 000 000); check the number."
        )
    if ore < 0 and not allow_negative:
        raise InvalidInput(
            f"{field.capitalize()} {original!r} is negative; give an amount of 0 or more."
        )
    return ore


def format_nok(ore: Ore, *, symbol: bool = True, nbsp: bool = False, grouping: bool = True) -> str:
    """Format øre as Norwegian kroner: ``kr 12 500,00``.

    >>> format_nok(1250050)
    'kr 12 500,50'
    """
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    sep = NBSP if nbsp else " "
    whole = f"{kroner:,}".replace(",", sep) if grouping else str(kroner)
    number = f"{sign}{whole},{rest:02d}"
    if not symbol:
        return number
    return f"kr{sep}{number}"


def format_millions(ore: Ore) -> str:
    """Øre as million kroner with one decimal, for large totals: ``45 312 000,00`` -> ``45,3``.

    >>> format_millions(123_456_789_00)
    '123,5'
    """
    tenths = round_half_up(ore, 100 * 100_000)
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{sign}{whole:,}".replace(",", " ") + f",{tenth}"


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero, exactly."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def prorate(amount: Ore, part: int, whole: int) -> Ore:
    """``amount * part / whole`` rounded half-up to whole øre (``0 <= part <= whole``)."""
    if not 0 <= part <= whole or whole <= 0:
        raise ValueError(f"part {part} of {whole} is not a fraction between 0 and 1")
    return round_half_up(amount * part, whole)


def vat_of(amount: Ore, rate_bp: int) -> Ore:
    """VAT on ``amount`` at ``rate_bp`` basis points (2500 = 25 %), rounded half-up."""
    return round_half_up(amount * rate_bp, BASIS_POINTS)


def net_of(gross: Ore, rate_bp: int) -> Ore:
    """The amount before VAT in ``gross`` at ``rate_bp`` basis points, rounded half-up."""
    return round_half_up(gross * BASIS_POINTS, BASIS_POINTS + rate_bp)


def allocate(total: Ore, weights: list[int]) -> list[Ore]:
    """Split ``total`` in proportion to ``weights`` so that the parts add up exactly.

    Largest-remainder method; parts differ from their exact share by less than one øre.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    wsum = sum(weights)
    sign = -1 if total < 0 else 1
    t = abs(total)
    floors = [t * w // wsum for w in weights]
    remainders = [t * w % wsum for w in weights]
    left = t - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * f for f in floors]


def parse_basis_points(text: str, *, field: str, per_unit: int = 100) -> int:
    """A percentage ('12,5', '50 %') or, with ``per_unit=BASIS_POINTS``, a ratio ('1.0') as
    exact integer basis points; a value finer than one basis point is refused, never rounded."""
    from decimal import Decimal, InvalidOperation

    cleaned = str(text).strip().rstrip("% ").replace(",", ".").replace(" ", "")
    try:
        exact = Decimal(cleaned) * per_unit
    except InvalidOperation:
        raise InvalidInput(f"{field} {text!r} is not a number.") from None
    if not exact.is_finite() or exact != exact.to_integral_value():
        raise InvalidInput(f"{field} {text!r} has more decimals than a basis point (0,01 %).")
    return int(exact)


def format_percent(basis_points: int) -> str:
    """2500 -> '25 %', 1250 -> '12,5 %'."""
    whole, frac = divmod(basis_points, 100)
    if frac == 0:
        return f"{whole} %"
    return f"{whole},{frac:02d}".rstrip("0") + " %"
