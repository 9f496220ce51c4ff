"""Reading a CSV file with Norwegian or English headings into (line number, row) pairs.

Shared by the in-kind and attendance imports; handles the Norwegian Excel dialect (semicolons,
UTF-8 with BOM or Windows-1252) like the member import.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from filmklynge.errors import InvalidInput

MAX_BYTES = 20 * 1024 * 1024


def load_text(path: Path) -> str:
    from filmklynge.services.member_import import load

    return load(path)


def read_table(
    text: str, headings: dict[str, tuple[str, ...]], *, required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    if not text.strip():
        raise InvalidInput("The file is empty. It needs a header line and one line per row.")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lookup = {h: field for field, names in headings.items() for h in names}
    header = next(reader)
    fields, unknown = [], []
    for heading in header:
        key = heading.strip().lower().replace(" ", "_")
        fields.append(lookup.get(key, ""))
        if key and key not in lookup:
            unknown.append(heading.strip())
    if unknown:
        accepted = ", ".join(f"{names[0]}/{names[-1]}" for names in headings.values())
        raise InvalidInput(f"Unknown column(s) {', '.join(unknown)}. Accepted: {accepted}.")
    missing = [f for f in required if f not in fields]
    if missing:
        raise InvalidInput(f"The file lacks the column(s) {', '.join(missing)}.")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = {f: v.strip() for f, v in zip(fields, values, strict=False) if f}
        rows.append((reader.line_num, row))
    if not rows:
        raise InvalidInput("The file has a header but no rows.")
    return rows
