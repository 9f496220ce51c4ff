"""KID (kundeidentifikasjon): MOD10 (Luhn) and MOD11 check digits, generation and validation.

filmklynge only *generates* fixed-length MOD10 KIDs (some banks refuse MOD11's ``-``), built
from the member number and the invoice number. It *validates* MOD10 and MOD11 KIDs from bank
files. See the payments spec §1.
"""

from __future__ import annotations

import re

from filmklynge.errors import InvalidInput

KID_MIN_LENGTH = 4
KID_MAX_LENGTH = 25
_KID_RE = re.compile(r"[0-9]{1,24}[0-9-]")  # ASCII only: str.isdigit() accepts full-width digits


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit sum of 2*d


def mod10(payload: str) -> str:
    """Luhn check digit of ``payload`` (weights 2,1,2,1... from the right)."""
    digits = payload[::-1]
    total = sum(_DOUBLED[int(ch)] for ch in digits[::2]) + sum(int(ch) for ch in digits[1::2])
    return str((10 - total % 10) % 10)


def mod11(payload: str) -> str:
    """MOD11 check character (weights 2..7 from the right); ``-`` when the remainder is 1."""
    weights = (2, 3, 4, 5, 6, 7)
    r = sum(int(ch) * weights[i % 6] for i, ch in enumerate(reversed(payload))) % 11
    return "0" if r == 0 else "-" if r == 1 else str(11 - r)


def is_valid(
    kid: str, algorithm: str = "MOD10", *, min_length: int = 2, max_length: int = 25
) -> bool:
    """True if ``kid`` is a well-formed KID whose last character is its check character."""
    if not (min_length <= len(kid) <= max_length) or not _KID_RE.fullmatch(kid):
        return False
    body, check = kid[:-1], kid[-1]
    expected = mod10(body) if algorithm == "MOD10" else mod11(body)
    return expected == check


def check_length(length: int) -> int:
    if not KID_MIN_LENGTH <= length <= KID_MAX_LENGTH:
        raise InvalidInput(
            f"KID length {length} is outside {KID_MIN_LENGTH}–{KID_MAX_LENGTH}. "
            "Set the length your bank agreement registers, e.g. --kid-length 10."
        )
    return length


def kid_layout(length: int) -> tuple[int, int]:
    """Digits for the member number and the invoice number in a KID of ``length``."""
    check_length(length)
    body = length - 1
    member_digits = body // 2
    return member_digits, body - member_digits


def make_kid(member_no: int, invoice_no: int, length: int) -> str:
    """A fixed-length MOD10 KID: member number, invoice number, check digit.

    Both parts have a fixed width for a given length (``kid_layout``), so two different
    invoice numbers never give the same KID.

    >>> make_kid(12, 10001, 10)
    '0012100012'
    """
    member_digits, invoice_digits = kid_layout(length)
    mem, inv = str(member_no), str(invoice_no)
    if member_no < 0 or invoice_no < 0 or len(mem) > member_digits or len(inv) > invoice_digits:
        raise InvalidInput(
            f"Member number {member_no} and invoice number {invoice_no} do not fit in a KID of "
            f"{length} digits ({member_digits} + {invoice_digits} + check digit). "
            "Raise the KID length with 'filmklynge profile set --kid-length'."
        )
    body = mem.zfill(member_digits) + inv.zfill(invoice_digits)
    return body + mod10(body)
