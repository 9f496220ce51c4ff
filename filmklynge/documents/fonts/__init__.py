"""The typeface of every document: DejaVu Sans and DejaVu Sans Bold, shipped in this folder
with their licence (LICENSE), cut by scripts/make_fonts.py to the Latin letters, accents and
signs a document prints, and embedded in each PDF as the glyphs that PDF uses.

fpdf2's own way, ``add_font`` for every document and on output a fontTools subset of each
face, costs tens of milliseconds a face and document, and an invoice run makes a PDF per
invoice. Here each face is parsed once per process (``faces``); a document gets copies that
share the parsed tables (``add_faces``); and on output its font program is put together from
the bytes of the glyphs it uses (``use_programs``, see program.py), no outline parsed. A PDF
then takes about twice as long as one in a core font (no embedding) did.

This leans on how fpdf2 2.8 holds a TrueType font and embeds it: a ``TTFFont`` with its own
``SubsetMap``, and on output ``Subsetter.subset(font.ttfont)``, ``getGlyphID`` and ``save``.
If the copying fails, ``add_faces`` falls back to ``add_font`` (the same document, slower);
tests/test_pdf_unicode.py says which way documents are made, reads every letter back and
checks each embedded glyph against the face.

fpdf2 names every embedded subset ``MPDFAA+`` and the face, so a print batch (many documents
in one PDF) would hold different font programs under one name, which ISO 32000-1 §9.6.4
forbids and a printer that caches fonts by name could draw wrong. Documents are written with
``producer()``, which tags each subset with six letters from a hash of its glyphs instead.

What is built once per process (the parsed faces, the letters they cover, their glyph bytes)
is built under a lock, so threads asking for it at the same time share one copy.
"""

from __future__ import annotations

import copy
import functools
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

FONT = "DejaVuSans"
FOLDER = Path(__file__).parent
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # by fpdf2 style

_T = TypeVar("_T")
_building = threading.RLock()  # re-entrant: a build may ask for another (faces, in covered)


def _once(build: Callable[..., _T]) -> Callable[..., _T]:
    """``build`` cached by its arguments, each built once even if threads ask together."""
    built: dict[tuple, Any] = {}

    @functools.wraps(build)
    def get(*args):
        if args not in built:
            with _building:
                if args not in built:
                    built[args] = build(*args)
        return built[args]

    get.cache_clear = built.clear  # type: ignore[attr-defined]
    return get


@_once
def faces() -> dict[str, Any]:
    """fpdf2's parsed font of each face (``TTFFont``), by its key in ``FPDF.fonts``."""
    from fpdf import FPDF

    pdf = FPDF()
    for style, name in FILES.items():
        pdf.add_font(FONT, style, FOLDER / name)
    return dict(pdf.fonts)


@_once
def covered() -> frozenset[int]:
    """The code points every face has a glyph for, without control or format characters."""
    common = set.intersection(*(set(face.cmap) for face in faces().values()))
    return frozenset(c for c in common if unicodedata.category(chr(c)) not in ("Cc", "Cf"))


def add_faces(pdf) -> bool:
    """Every face into ``pdf``; True if as copies of the parsed ones, False if parsed anew."""
    try:
        from fpdf.fonts import SubsetMap

        for key, face in faces().items():
            font = copy.copy(face)  # shares the parsed tables, widths and code point map
            font.i = len(pdf.fonts) + 1
            font.desc = copy.copy(face.desc)  # the output writes into it
            font.missing_glyphs = []
            font.biggest_size_pt = 0
            font.subset = SubsetMap(font)  # the glyphs this document uses
            pdf.fonts[key] = font
        return True
    except (ImportError, AttributeError, TypeError):
        for key in faces():
            pdf.fonts.pop(key, None)
        for style, name in FILES.items():
            pdf.add_font(FONT, style, FOLDER / name)
        return False


def use_programs(pdf) -> None:
    """Before output: each face's fontTools font in ``pdf`` replaced by a ``Program``, which
    fpdf2 subsets and saves as the font program of the glyphs the document uses."""
    from filmklynge.documents.fonts.program import Program

    for key in faces():
        pdf.fonts[key].ttfont = Program(_glyphs(key))


def producer():
    """The fpdf2 output class for documents (``FPDF.output(output_producer_class=...)``):
    fpdf2's, with each embedded subset tagged by its glyphs (see program.py)."""
    from filmklynge.documents.fonts.program import Producer

    return Producer


@_once
def _glyphs(key: str):
    """Face ``key`` as the bytes its documents' font programs are put together from."""
    from filmklynge.documents.fonts.program import Glyphs

    return Glyphs(faces()[key].ttfont)
