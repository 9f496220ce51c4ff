"""Rendering report rows as a table, CSV or JSON, and the stderr console for messages.

The only module that knows about Rich, JSON or CSV. Services return plain rows
(``list[dict]``) and a column spec; this turns them into text.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from filmklynge.identifiers import UNSAFE_TEXT
from filmklynge.money import format_nok


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | code | money | int | date | bool | percent | figure
    # code: short text never cut; figure: a number already formatted, aligned right
    max_width: int | None = None


def cols(*specs: tuple) -> list[Column]:
    return [Column(*s) for s in specs]


_err_console = None


def err_console():
    """The stderr console for messages; one function so tests can swap it."""
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _err_console


def visible(text: str) -> str:
    """``text`` with every character that would act on a terminal (control characters, bidi
    overrides) shown as its escape, like ``\\x1b``: stored data is shown, never obeyed."""
    return UNSAFE_TEXT.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def note(message: str, *, quiet: bool = False) -> None:
    """A one-line message on stderr (state changes, next steps)."""
    if quiet:
        return
    sys.stderr.write(visible(message) + "\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    sys.stderr.write(f"Warning: {visible(message)}\n")
    sys.stderr.flush()


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = visible(value)
    if kind == "money":
        return format_nok(int(value), symbol=False)
    if kind == "date":
        from filmklynge.dates import norwegian

        return norwegian(value)
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "percent":
        return f"{value:.1f} %".replace(".", ",")
    return str(value)


def to_json(rows: Any) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"


def to_csv(rows: list[dict], columns: list[Column]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)  # RFC 4180: CRLF line ends, so a CR inside a cell is quoted
    writer.writerow([c.key for c in columns])
    from filmklynge.tablefile import neutralise  # a listing may be opened in Excel too

    for row in rows:
        writer.writerow(
            ["" if row.get(c.key) is None else neutralise(row.get(c.key)) for c in columns]
        )
    return buf.getvalue()


def rich_table(rows: list[dict], columns: list[Column], title: str | None = None):
    """The Rich table for rows, in the house look, to print or to combine with other parts."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # No vertical rules and one space between columns: listings fit an 80-column terminal.
    table = Table(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    cells = [[_cell(row.get(c.key), c.kind) for c in columns] for row in rows]
    for i, c in enumerate(columns):
        right = c.kind in ("money", "int", "percent", "figure")
        fixed = c.kind != "text"
        # Numbers, dates and codes are never cut or wrapped: the text columns give way.
        width = max([len(c.header)] + [len(r[i]) for r in cells]) if fixed else None
        table.add_column(
            c.header,
            justify="right" if right else "left",
            max_width=c.max_width,
            min_width=width,
            no_wrap=fixed or c.max_width is not None,
            overflow="ellipsis" if c.max_width else "fold",
        )
    for r in cells:
        table.add_row(*map(Text, r))  # Text: a stored '[bold]' is shown, never read as markup
    return table


def to_table(rows: list[dict], columns: list[Column], title: str | None = None) -> str:
    return capture(rich_table(rows, columns, title))


def capture(renderable: Any) -> str:
    """Render a Rich renderable to text for stdout, honouring the terminal and NO_COLOR."""
    from rich.console import Console

    console = Console(file=sys.stdout, highlight=False)
    with console.capture() as cap:
        console.print(renderable)
    # Rich pads table cells to the full width; trailing blanks only get in the way of a reader.
    return "\n".join(line.rstrip(" ") for line in cap.get().split("\n"))


def emit(text: str, output: Path | None = None) -> None:
    """Write data to stdout, or to ``output`` (``-`` is stdout)."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from filmklynge.safe_write import replacing

    with replacing(Path(output)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    note(f"Wrote {output}.")


def render(
    rows: list[dict],
    columns: list[Column],
    fmt: Format = Format.table,
    output: Path | None = None,
    *,
    title: str | None = None,
    json_rows: Any = None,
    empty: str | None = None,
) -> None:
    """Print rows in the chosen format. JSON keeps every field (integer øre, ISO dates)."""
    if fmt == Format.json:
        emit(to_json(rows if json_rows is None else json_rows), output)
    elif fmt == Format.csv:
        emit(to_csv(rows, columns), output)
    else:
        if not rows and empty:
            note(empty)
            return
        emit(to_table(rows, columns, title), output)


def write_stream(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text)
