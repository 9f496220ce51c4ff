"""VAT on the ledger's documents, grouped by VAT code.

Codes, not rates, are the unit: E (exempt, merverdiavgiftsloven § 3-13) and Z (zero-rated) are
both 0 % but legally different, so they are never merged. Every document (the PDF, `invoices
show`, EHF) takes its VAT breakdown from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def breakdown(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Basis and VAT per (code, rate), in the order the codes first appear on the document."""
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    for line in lines:
        key = (line["vat_code"], int(line["vat_rate_bp"]))
        group = groups.setdefault(
            key, {"vat_code": key[0], "vat_rate_bp": key[1], "net_ore": 0, "vat_ore": 0}
        )
        group["net_ore"] += int(line["net_ore"])
        group["vat_ore"] += int(line["vat_ore"])
    return list(groups.values())


# ---- the VAT report per two-month term -----------------------------------------------------

TERMS = 6  # the Norwegian VAT return: six two-month terms (Jan–Feb, Mar–Apr, ...)


def term_of(month: int) -> int:
    return (month + 1) // 2


def term_bounds(year: int, term: int) -> tuple[str, str]:
    """First and last day of a term, as ISO dates."""
    import calendar

    first_month = 2 * term - 1
    last_day = calendar.monthrange(year, first_month + 1)[1]
    return f"{year}-{first_month:02d}-01", f"{year}-{first_month + 1:02d}-{last_day:02d}"


def report(db, *, year: int, term: int | None = None) -> list[dict[str, Any]]:
    """Basis and VAT per term and VAT code, of invoices and credit notes issued in the term
    (credit notes reduce them). These are the figures the postings carry, to the øre. Reminder
    fees are outside the VAT act and not sales: a credit note waiving one is left out."""
    from filmklynge.errors import InvalidInput

    if not 2000 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range (2000–2100).")
    if term is not None and not 1 <= term <= TERMS:
        raise InvalidInput(f"Term {term} must be 1–6 (two months each: 1 is January–February).")
    terms = [term] if term else list(range(1, TERMS + 1))
    start, end = term_bounds(year, terms[0])[0], term_bounds(year, terms[-1])[1]
    rows = db.query(
        """SELECT (CAST(substr(i.issued_on, 6, 2) AS INTEGER) + 1) / 2 AS term, l.vat_code,
                  c.saft_code, l.vat_rate_bp,
                  sum(CASE WHEN i.kind = 'invoice' THEN l.net_ore ELSE 0 END) AS invoiced_net_ore,
                  sum(CASE WHEN i.kind = 'credit' THEN l.net_ore ELSE 0 END) AS credited_net_ore,
                  sum(l.net_ore) AS basis_ore, sum(l.vat_ore) AS vat_ore,
                  count(DISTINCT i.id) AS documents
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
           LEFT JOIN vat_codes c ON c.code = l.vat_code
           WHERE i.issued_on BETWEEN ? AND ? AND l.fee_part <> 'reminder_fee'
           GROUP BY 1, 2, 4 ORDER BY 1, 2, 4""",
        [start, end],
    )
    return [{"year": year, **r} for r in rows]
