"""Tables in files, both ways: reading a CSV file with Norwegian or English headings, and
writing rows as CSV (plain or Norwegian Excel), JSON or XLSX.

Reading: UTF-8 (with or without BOM) or Windows-1252 as Norwegian Excel saves it, with ';' or
',' (whichever the header line uses); every import (members, in-kind, attendance, impact,
productions) goes through ``read_table``, so they accept the same files.

Writing: money stays integer øre in CSV and JSON; in Excel CSV and XLSX it is kroner (the column
is renamed ``*_kr``) so a spreadsheet can add it up. Formula neutralisation: in CSV a text cell
that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe
(the usual defence, as OWASP describes it); in XLSX such a cell is written as text with Excel's
quote prefix, so the value stays exactly as typed and is never evaluated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

from filmklynge.errors import InvalidInput

MAX_BYTES = 20 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Norwegian Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def load_text(path: Path) -> str:
    """The text of a CSV file to import, decoded; a clear error for a missing or foreign file."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"No file {path}.")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"{path} is larger than {MAX_BYTES // 1024 // 1024} MB.")
    try:
        return decode(data)
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path} is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8)."
        ) from None


def read_table(
    text: str,
    headings: dict[str, tuple[str, ...]],
    *,
    required: tuple[str, ...],
    noun: str = "row",
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs, the header being line 1; each row maps field names (the keys
    of ``headings``) to stripped text. Blank lines are skipped. Headings match in any case, with
    spaces read as underscores; an unknown, missing or repeated column is an error."""
    if not text.strip():
        raise InvalidInput(f"The file is empty. It needs a header line and one line per {noun}.")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_rows(reader, headings, required=required, noun=noun)
    except csv.Error as e:
        # A cell over the csv module's limit (128 KiB), a NUL byte, a broken quote: one line.
        raise InvalidInput(
            f"Line {reader.line_num}: the file cannot be read as CSV ({e}); "
            "check that it is the right file, saved as CSV."
        ) from None


def _read_rows(
    reader: Any, headings: dict[str, tuple[str, ...]], *, required: tuple[str, ...], noun: str
) -> list[tuple[int, dict[str, str]]]:
    lookup = {h: field for field, names in headings.items() for h in names}

    def named(field: str) -> str:  # the first (Norwegian) heading and an English one
        names = headings[field]
        return f"{names[0]}/{field if field in names else names[-1]}"

    header = next(reader)
    fields, unknown = [], []
    for heading in header:
        key = heading.strip().lower().replace(" ", "_")
        fields.append(lookup.get(key, ""))
        if key and key not in lookup:
            unknown.append(heading.strip()[:40])
    if unknown:
        accepted = ", ".join(named(f) for f in headings)
        raise InvalidInput(
            f"Unknown column(s) {', '.join(unknown)}. Accepted headings: {accepted}."
        )
    missing = [named(f) for f in required if f not in fields]
    if missing:
        raise InvalidInput(f"The file lacks the column(s) {', '.join(missing)}.")
    dupes = {f for f in fields if f and fields.count(f) > 1}
    if dupes:
        raise InvalidInput(f"Columns given twice: {', '.join(sorted(dupes))}.")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = {f: v.strip() for f, v in zip(fields, values, strict=False) if f}
        rows.append((reader.line_num, row))
    if not rows:
        raise InvalidInput(f"The file has a header but no {noun}s.")
    return rows


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    fetch = getattr(rows, "fetchmany", None)  # a database cursor hands out rows fastest
    if fetch is None:
        it = iter(rows)
        fetch = lambda size: list(islice(it, size))  # noqa: E731
    while chunk := fetch(size):
        yield chunk


# What may stand just before a cell that starts with each formula character, in CSV text
# written with ',' and CRLF: a comma or a line end, and an opening quote or not. The csv module
# always quotes a cell that holds a carriage return, so an unquoted CR is only ever a line end.
_BEFORE = {c: (",", ',"', "\n", '\n"') for c in "=+-@\t"} | {"\r": (',"', '\n"')}
_FIRST = tuple(FORMULA_START[:-1]) + tuple('"' + c for c in FORMULA_START)


def _may_start_formula(text: str) -> bool:
    """Whether some cell of this plain CSV text may start with a formula character.

    False alarms (a quoted cell holding ",-") only send the text the slow way. Substring
    searches, a few per character, are several times faster here than one regular expression.
    """
    if text.startswith(_FIRST):
        return True
    return any(
        c in text and any(before + c in text for before in befores)
        for c, befores in _BEFORE.items()
    )


def kroner_header(field: str) -> str:
    return field[:-4] + "_kr" if field.endswith("_ore") else field


def excel_number(value: int | float, *, ore: bool = False) -> str:
    """A number as Norwegian Excel reads it: comma decimals, no thousands separator."""
    if ore:
        sign = "-" if value < 0 else ""
        kroner, rest = divmod(abs(int(value)), 100)
        return f"{sign}{kroner},{rest:02d}"
    return str(value).replace(".", ",")  # the shortest text that reads back as the number


def excel_cell(value: Any, *, ore: bool = False) -> Any:
    """One value for a Norwegian Excel CSV cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return excel_number(value, ore=ore and isinstance(value, int))
    return value


def _plain_text(rows: list[Sequence[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)  # RFC 4180: CRLF, and a lone CR is quoted
    return buf.getvalue()


def write_csv(
    stream: TextIO,
    fields: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    excel: bool,
    chunk_rows: int = 5_000,
) -> int:
    """Write a header and the rows; return how many rows were written.

    Plain CSV is UTF-8 with ',' and CRLF (RFC 4180), money in øre. Excel CSV (``excel``) is what
    Norwegian Excel opens with a double click: a BOM, ';', CRLF, comma decimals, money in
    kroner. Both neutralise formulas. Plain CSV is written a chunk at a time by the csv module;
    only a chunk where some cell may start a formula is redone cell by cell.
    """
    count = 0
    if excel:
        stream.write("\ufeff")
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow([kroner_header(f) for f in fields])
        money = [f.endswith("_ore") for f in fields]
        for chunk in _chunks(rows, chunk_rows):
            writer.writerows(
                [excel_cell(v, ore=m) for v, m in zip(row, money, strict=True)] for row in chunk
            )
            count += len(chunk)
        return count
    stream.write(_plain_text([fields]))
    for chunk in _chunks(rows, chunk_rows):
        text = _plain_text(chunk)
        if _may_start_formula(text):
            text = _plain_text([[neutralise(v) for v in row] for row in chunk])
        stream.write(text)
        count += len(chunk)
    return count


def write_json(stream: TextIO, fields: list[str], rows: Iterable[Sequence[Any]]) -> int:
    records = [dict(zip(fields, row, strict=True)) for row in rows]
    stream.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    return len(records)


def _xlsx_cell_maker() -> Any:
    """The function that turns a value into a cell, with openpyxl imported once, not per cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(ws: Any, value: Any, kind: str) -> Any:
        """A value for a cell of a column of ``kind``: 'money' (øre), 'date' (ISO text), ''."""
        if kind == "date" and isinstance(value, str):
            try:
                c = WriteOnlyCell(ws, value=date.fromisoformat(value))
            except ValueError:
                pass
            else:
                c.number_format = "dd.mm.yyyy"  # a real date: it sorts and filters as one
                return c
        if isinstance(value, str):  # XML cannot hold most control characters: leave them out
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if kind == "money" and isinstance(value, int):
            c = WriteOnlyCell(ws, value=value / 100)
            c.number_format = "#,##0.00"
            return c
        if isinstance(value, str) and value.startswith(FORMULA_START):
            c = WriteOnlyCell(ws, value=value)
            c.data_type = "s"  # openpyxl would store "=..." as a formula
            c.quotePrefix = True
            return c
        return value

    return cell


def write_xlsx(path: Path, sheets: dict[str, Iterable[Sequence[Any]]]) -> int:
    """A workbook with one sheet per entry, whose first row is the header (kept in view).

    Integer øre in a ``*_ore`` column becomes kroner with two decimals (the header says
    ``*_kr``), ISO dates in a ``*_on`` column become dates; text that would start a formula is
    stored as text with Excel's quote prefix.
    Written in openpyxl's streaming mode, so memory stays flat. Returns the data rows written.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    try:
        count = _fill_workbook(wb, sheets)
        wb.save(path)
    except BaseException:
        _discard(wb)
        raise
    return count


def _discard(wb: Any) -> None:
    """Close what a failed save leaves open (each sheet's XML writer and its temporary file),
    so that nothing surfaces later as an ignored exception with a traceback on stderr."""
    import contextlib

    for ws in getattr(wb, "_sheets", []):
        for stream in (
            getattr(ws, "_rows", None),
            getattr(getattr(ws, "_writer", None), "xf", None),
        ):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
        with contextlib.suppress(Exception):
            ws._writer.cleanup()


def _fill_workbook(wb: Any, sheets: dict[str, Iterable[Sequence[Any]]]) -> int:
    from openpyxl.utils import get_column_letter

    cell = _xlsx_cell_maker()
    count = 0
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        it = iter(rows)
        header = [str(h) for h in next(it, [])]
        kinds = [
            "money" if h.endswith("_ore") else "date" if h.endswith("_on") else "" for h in header
        ]
        first = list(islice(it, 200))  # column widths from the first rows; the rest streams
        for i, h in enumerate(header):
            width = max([len(h), *(len(str(r[i] or "")) for r in first)])
            ws.column_dimensions[get_column_letter(i + 1)].width = min(60, width + 2)
        ws.freeze_panes = "A2"
        ws.append([kroner_header(h) for h in header])

        for row in chain(first, it):
            ws.append([cell(ws, v, k) for v, k in zip(row, kinds, strict=True)])
            count += 1
    return count
