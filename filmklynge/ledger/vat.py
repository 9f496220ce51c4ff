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
