"""The font program of a document: the glyphs it uses, put together from a face's bytes.

``Program`` is what fpdf2 finds as the fontTools font of a face when it writes the document
(see the package's docstring); ``Glyphs`` is a face taken apart once per process. The faces
have no composite glyphs (scripts/make_fonts.py draws every accented letter as one outline),
so a glyph is a slice of the face's ``glyf`` table and needs no other.

``Producer`` writes the document and names each font program ``tag()`` + "+" + the face.
"""

from __future__ import annotations

import copy
import hashlib
import struct
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf.fonts import TTFFont
from fpdf.output import OutputProducer, PDFFont
from fpdf.syntax import Name

_FPDF_TAG = "MPDFAA+"  # the one tag fpdf2 2.8 gives every subset


class Producer(OutputProducer):
    """fpdf2's output, with each embedded TrueType subset named by its own tag: the same
    glyphs in the same order (the same font program) give the same name, other glyphs
    another, so documents combined into one PDF never share a name between programs."""

    def _add_fonts(self, *args, **kwargs):
        objs = super()._add_fonts(*args, **kwargs)
        for font in self.fpdf.fonts.values():
            obj = objs.get(font.i)
            if not isinstance(font, TTFFont) or not isinstance(obj, PDFFont):
                continue
            if not obj.base_font.startswith(_FPDF_TAG) or not obj.descendant_fonts:
                continue
            # fpdf2 has subset font.ttfont in place: its glyph order is the font program's
            name = Name(f"{tag(font.name, font.ttfont.getGlyphOrder())}+{font.name}")
            obj.base_font = name
            for descendant in obj.descendant_fonts:
                descendant.base_font = name
                if descendant.font_descriptor is not None:
                    descendant.font_descriptor.font_name = name
        return objs


def tag(face: str, order: list[str]) -> str:
    """Six capital letters from a hash of ``face`` and the glyph names ``order`` (by glyph
    id): a subset's tag (ISO 32000-1 §9.6.4)."""
    digest = hashlib.sha256("\n".join([face, *order]).encode()).digest()
    n = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(6):
        n, letter = divmod(n, 26)
        letters.append(chr(ord("A") + letter))
    return "".join(letters)


class Program(TTFont):
    """A font with a glyph order and no tables. fpdf2 subsets it, which with no tables keeps
    the glyphs it names, in order, asks for their ids and saves it; saving writes the font
    program of just those glyphs."""

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__()
        self.glyphs = glyphs
        self.setGlyphOrder(list(glyphs.order))

    def save(self, file, reorderTables=True) -> None:
        data = self.glyphs.program(self.getGlyphOrder())
        if hasattr(file, "write"):
            file.write(data)
        else:
            Path(file).write_bytes(data)


class Glyphs:
    """One face as the bytes a font program is put together from: each glyph's outline and
    metrics, and the tables every program shares."""

    def __init__(self, font: TTFont) -> None:
        self.order = font.getGlyphOrder()
        raw, loca = font.reader["glyf"], font["loca"]
        self.outline = {name: raw[loca[i] : loca[i + 1]] for i, name in enumerate(self.order)}
        metrics = font["hmtx"].metrics
        self.metric = {name: struct.pack(">Hh", *metrics[name]) for name in self.order}
        self.unicodes: dict[str, list[int]] = {}
        for code, name in sorted(font.getBestCmap().items()):
            self.unicodes.setdefault(name, []).append(code)
        names = copy.deepcopy(font["name"])  # the copyright and the font's names, no more
        names.names = [r for r in names.names if r.nameID <= 6]
        self.name = names.compile(font)
        head = font.reader["head"]
        self.head = head[:8] + bytes(4) + head[12:50] + struct.pack(">hh", 1, 0)  # long loca
        self.hhea = font.reader["hhea"][:34]
        self.maxp = font.reader["maxp"]
        self.os2 = font.reader["OS/2"]
        self.post = struct.pack(">I", 0x00030000) + font.reader["post"][4:32]  # no names

    def program(self, order: list[str]) -> bytes:
        """A TrueType font of the glyphs ``order`` names, with those glyph ids."""
        outlines, offsets, at = [], [], 0
        for name in order:
            data = self.outline[name]
            data += bytes(-len(data) % 4)
            offsets.append(at)
            outlines.append(data)
            at += len(data)
        offsets.append(at)
        return _sfnt(
            {
                "OS/2": self.os2,
                "cmap": self._cmap(order),
                "glyf": b"".join(outlines),
                "head": self.head,
                "hhea": self.hhea + struct.pack(">H", len(order)),
                "hmtx": b"".join(self.metric[name] for name in order),
                "loca": struct.pack(f">{len(offsets)}I", *offsets),
                "maxp": self.maxp[:4] + struct.pack(">H", len(order)) + self.maxp[6:],
                "name": self.name,
                "post": self.post,
            }
        )

    def _cmap(self, order: list[str]) -> bytes:
        """A format 4 cmap (Windows, Unicode BMP): one segment a code point."""
        pairs = sorted(
            (code, gid) for gid, name in enumerate(order) for code in self.unicodes.get(name, ())
        )
        pairs.append((0xFFFF, 0))
        n = len(pairs)
        codes = [code for code, _ in pairs]
        deltas = [(gid - code) % 0x10000 for code, gid in pairs[:-1]] + [1]
        selector = n.bit_length() - 1
        search = 2 << selector
        table = struct.pack(">7H", 4, 16 + 8 * n, 0, 2 * n, search, selector, 2 * n - search)
        table += struct.pack(f">{n}H", *codes) + bytes(2) + struct.pack(f">{n}H", *codes)
        table += struct.pack(f">{n}H", *deltas) + bytes(2 * n)
        return struct.pack(">4HI", 0, 1, 3, 1, 12) + table


def _checksum(data: bytes) -> int:
    data += bytes(-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """A TrueType font file of ``tables`` (tag -> data), with its checksums."""
    tags = sorted(tables)
    n = len(tags)
    selector = n.bit_length() - 1
    search = 16 << selector
    head = struct.pack(">IHHHH", 0x00010000, n, search, selector, 16 * n - search)
    records, body, at, head_at = [], [], 12 + 16 * n, 0
    for tag in tags:
        data = tables[tag]
        padded = data + bytes(-len(data) % 4)
        if tag == "head":
            head_at = at
        records.append(struct.pack(">4sIII", tag.encode("ascii"), _checksum(data), at, len(data)))
        body.append(padded)
        at += len(padded)
    font = bytearray(head + b"".join(records) + b"".join(body))
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) % 0x100000000
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)
