"""The print batch: every document that goes by post, in one PDF, in address order.

Combining PDFs needs a PDF reader; fpdf2 only writes. ``pypdf`` (pure Python, no
dependencies of its own, maintained by the py-pdf organisation) is imported here only, so
other commands never load it. Each document keeps its own pages and gets a bookmark.
"""

from __future__ import annotations

import io
from pathlib import Path


def combine(documents: list[tuple[str, bytes]]) -> bytes:
    """One PDF of ``documents`` (bookmark title, PDF bytes), in the order given."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for title, data in documents:
        writer.append(PdfReader(io.BytesIO(data)), outline_item=title)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_batch(path: Path, documents: list[tuple[str, bytes]]) -> int:
    """Write the combined PDF atomically; returns its number of pages."""
    from pypdf import PdfReader

    from filmklynge import safe_write

    data = combine(documents)
    safe_write.write_bytes(path, data)
    return len(PdfReader(io.BytesIO(data)).pages)
