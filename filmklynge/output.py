"""Rendering report rows as a table, CSV or JSON, and the stderr console for messages.

The only module that knows about Rich, JSON or CSV. Services return plain rows
(``list[dict]``) and a column spec; this turns them into text.
"""

from __future__ import annotations

import functools
import io
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple, TextIO

# csv, the identifiers' patterns and money formatting are imported when first needed: a command
# that prints JSON starts without them (benchmarks/startup.py).


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Column(NamedTuple):
    key: str
    header: str
    kind: str = "text"  # text | code | money | int | date | bool | percent | figure
    # code: short text never cut; figure: a number already formatted, aligned right.
    # Only "text" columns ever wrap; the others are as wide as their widest cell (_layout).


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
    return _unsafe_text().sub(_escaped, text)


def _escaped(match: Any) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


@functools.cache
def _unsafe_text():
    from filmklynge.identifiers import UNSAFE_TEXT

    return UNSAFE_TEXT


@functools.cache
def _format_nok():
    from filmklynge.money import format_nok

    return format_nok


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
        return _format_nok()(int(value), symbol=False)
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
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)  # RFC 4180: CRLF line ends, so a CR inside a cell is quoted
    writer.writerow([c.key for c in columns])
    from filmklynge.tablefile import neutralise  # a listing may be opened in Excel too

    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), neutralise) for c in columns])
    return buf.getvalue()


def _csv_cell(value: Any, neutralise: Any) -> Any:
    """A CSV cell: data, not display. Numbers stay numbers (øre integers, ratios), booleans
    are true/false as in JSON; only text gets the formula guard (a leading apostrophe)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return neutralise(value)


# Tables. Rich draws small ones; above STREAM_ROWS rows a plain writer streams the same
# columns, headers and alignment (Rich would keep every cell of every row in memory and take
# minutes at 100,000 rows). Both lay the columns out with _layout, so they look the same.

STREAM_ROWS = 500
_RIGHT = ("money", "int", "percent", "figure")  # aligned right
_MIN_TEXT = 6  # a free-text column is never narrower than this (or its header's longest word)


def _width(text: str) -> int:
    """Terminal cells ``text`` takes on its widest line."""
    if "\n" in text:
        return max(map(_width, text.split("\n")))
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _longest_word(text: str) -> int:
    return max(map(_width, text.split()), default=0)


def _column_width(values: list, kind: str) -> int:
    """The widest cell of a column, as shown. Whole numbers are measured by their extremes, so
    a big listing is not formatted twice."""
    present = [v for v in values if v is not None]
    if not present:
        return 0
    if kind in ("money", "int") and all(type(v) is int for v in present):
        present = [min(present), max(present)]
    elif kind == "date" and all(isinstance(v, str) and len(v) == 10 for v in present):
        present = present[:1]  # an ISO date shows as dd.mm.yyyy
    return max(_width(_cell(v, kind)) for v in present)


def terminal_width() -> int:
    """The width tables are laid out for: COLUMNS, else the terminal's, else 80 (as Rich)."""
    import os

    try:
        return max(int(os.environ["COLUMNS"]), 20)
    except (KeyError, ValueError):
        pass
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return 80


def _layout(rows: list[dict], columns: list[Column], width: int) -> tuple[list[int], int]:
    """Column widths and the gap between columns for a table ``width`` cells wide.

    Numbers, amounts, dates, codes and yes/no take their content's width and are never cut or
    wrapped. Free text takes the rest. Columns are two spaces apart, or one if that keeps
    every row on one line. Otherwise the widest free-text column wraps first (at spaces), down
    to its longest word, then the next widest; then headers of the other columns wrap at
    spaces; then the same with one space between columns; only then do free-text columns
    break words. A table that still does not fit is wider than the terminal (which wraps its
    lines) rather than lose a digit.
    """
    n = len(columns)
    content = [_column_width([r.get(c.key) for r in rows], c.kind) for c in columns]
    head = [_width(c.header) for c in columns]
    head_word = [_longest_word(c.header) for c in columns]
    natural = [max(content[i], head[i], 1) for i in range(n)]
    text = [i for i, c in enumerate(columns) if c.kind == "text"]
    fixed = [i for i in range(n) if i not in text]
    widths = list(natural)
    if sum(widths) + 2 * (n - 1) <= width:
        return widths, 2
    words = [
        max(
            head_word[i], max((_longest_word(_cell(r.get(c.key), "text")) for r in rows), default=0)
        )
        if i in text
        else 0
        for i, c in enumerate(columns)
    ]

    def shrink(among: list[int], floor: list[int], gap: int) -> int:
        """Take one cell at a time from the widest column of ``among`` above its floor, until
        the table fits; return how much it is still too wide."""
        over = sum(widths) + gap * (n - 1) - width
        while over > 0:
            able = [i for i in among if widths[i] > floor[i]]
            if not able:
                break
            widest = max(able, key=lambda i: (widths[i], i))
            widths[widest] -= 1
            over -= 1
        return over

    soft = [min(natural[i], words[i]) for i in range(n)]
    header_words = [max(content[i], head_word[i], 1) for i in range(n)]
    if sum(widths) + n - 1 <= width:
        return widths, 1
    for gap in (2, 1):
        widths = list(natural)
        shrink(text, soft, gap)
        if shrink(fixed, header_words, gap) <= 0:
            return widths, gap
    shrink(text, [min(natural[i], max(head_word[i], _MIN_TEXT)) for i in range(n)], 1)
    return widths, 1


def rich_table(
    rows: list[dict], columns: list[Column], title: str | None = None, width: int | None = None
):
    """The Rich table for rows, in the house look, to print or to combine with other parts;
    laid out (by _layout) for ``width`` cells, the terminal's by default."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    widths, gap = _layout(rows, columns, width or terminal_width())
    # No vertical rules; two spaces between columns, one when the terminal is narrow.
    table = Table(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, gap - 1),
        collapse_padding=True,
        width=sum(widths) + gap * (len(columns) - 1) if columns else None,
    )
    for c, w in zip(columns, widths, strict=True):
        table.add_column(
            c.header,
            justify="right" if c.kind in _RIGHT else "left",
            width=w,
            overflow="fold",  # free text wraps at spaces; a word longer than the column folds
        )
    fixed = [c.kind != "text" for c in columns]
    for row in rows:
        # Text: a stored '[bold]' is shown, never read as markup. Numbers, dates and codes
        # have their content's width and are never wrapped.
        table.add_row(
            *(
                Text(_cell(row.get(c.key), c.kind), no_wrap=f)
                for c, f in zip(columns, fixed, strict=True)
            )
        )
    return table


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, as Rich wraps a cell: at spaces, a word
    longer than a line folded."""
    lines: list[str] = []
    for para in text.split("\n"):
        if _width(para) <= width:
            lines.append(para)
            continue
        line = ""
        for word in para.split():
            if line and _width(line) + 1 + _width(word) <= width:
                line += " " + word
                continue
            if line:
                lines.append(line)
            while _width(word) > width:
                cut = width
                while cut > 1 and _width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _lines(
    cells: list[list[str]], widths: list[int], right: list[bool], sep: str, *, bottom=False
) -> list[str]:
    """One table row of wrapped cells, as lines: cells at the top, or at the bottom (the
    header, as Rich has it)."""
    out = []
    height = max(map(len, cells), default=1)
    for k in range(height):
        parts = []
        for lines, w, r in zip(cells, widths, right, strict=True):
            at = k - (height - len(lines) if bottom else 0)
            s = lines[at] if 0 <= at < len(lines) else ""
            pad = " " * (w - _width(s))
            parts.append(pad + s if r else s + pad)
        out.append(sep.join(parts).rstrip(" "))
    return out


def write_table(
    rows: list[dict],
    columns: list[Column],
    out: TextIO,
    title: str | None = None,
    width: int | None = None,
) -> None:
    """Write the table of ``rows`` as plain text to ``out``, a thousand lines at a time: what
    rich_table shows (same layout, headers and alignment, without styles), for listings too
    long for Rich."""
    widths, gap = _layout(rows, columns, width or terminal_width())
    sep = " " * gap
    right = [c.kind in _RIGHT for c in columns]
    total = sum(widths) + gap * (len(columns) - 1)
    lines: list[str] = []
    if title:
        for line in _wrap(title, total):
            lines.append((" " * ((total - _width(line)) // 2) + line).rstrip(" "))
    lines += _lines(
        [_wrap(c.header, w) for c, w in zip(columns, widths, strict=True)],
        widths,
        right,
        sep,
        bottom=True,
    )
    lines.append("─" * total)
    spec = [(c.key, c.kind, w, r) for c, w, r in zip(columns, widths, right, strict=True)]
    for row in rows:
        parts = []
        for key, kind, w, r in spec:
            s = _cell(row.get(key), kind)
            n = len(s) if s.isascii() else _width(s)
            if n > w or "\n" in s:
                break
            parts.append(s.rjust(w) if r else s + " " * (w - n))
        else:
            lines.append(sep.join(parts).rstrip(" "))
            if len(lines) >= 1000:
                out.write("\n".join(lines) + "\n")
                lines.clear()
            continue
        cells = [_wrap(_cell(row.get(key), kind), w) for key, kind, w, _ in spec]
        lines += _lines(cells, widths, right, sep)
    if lines:
        out.write("\n".join(lines) + "\n")


def to_table(rows: list[dict], columns: list[Column], title: str | None = None) -> str:
    if len(rows) > STREAM_ROWS:
        buf = io.StringIO()
        write_table(rows, columns, buf, title)
        return buf.getvalue()
    return capture(rich_table(rows, columns, title))


def capture(renderable: Any) -> str:
    """Render a Rich renderable to text for stdout, honouring the terminal and NO_COLOR."""
    from rich.console import Console

    console = Console(file=sys.stdout, highlight=False)
    with console.capture() as cap:
        # Not cropped: a table too wide for the terminal is wrapped by it, never cut.
        console.print(renderable, crop=False)
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


def emit_stream(write: Callable[[TextIO], None], output: Path | None = None) -> None:
    """Like emit, for data written piece by piece by ``write(stream)``."""
    if output is None or str(output) == "-":
        write(sys.stdout)
        sys.stdout.flush()
        return
    from filmklynge.safe_write import replacing

    with replacing(Path(output)) as tmp, tmp.open("w", encoding="utf-8") as f:
        write(f)
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
        if len(rows) > STREAM_ROWS:
            emit_stream(lambda out: write_table(rows, columns, out, title), output)
        else:
            emit(to_table(rows, columns, title), output)


def write_stream(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text)
