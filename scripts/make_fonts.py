"""Build filmklynge/documents/fonts/: DejaVu Sans and DejaVu Sans Bold cut down to what a
document prints.

    python scripts/make_fonts.py SOURCE_DIR

SOURCE_DIR holds DejaVuSans.ttf and DejaVuSans-Bold.ttf of DejaVu fonts 2.37 (the `ttf/` folder
of dejavu-fonts-ttf-2.37, https://dejavu-fonts.github.io/, or a distribution's package of it).
Each face keeps the glyphs of REPERTOIRE below: Basic Latin, Latin-1, Latin Extended-A and -B
(all the letters of the Sámi, Nordic, Finnish and Polish alphabets), the spacing and combining
accents, the spaces, dashes, quotes and signs of a Norwegian document. It drops the hinting
(instructions for small screen sizes, which PDF viewers mostly ignore) and the kerning and
layout tables fpdf2 does not use, and stores each accented letter as one outline rather than
letter + accent, so that a document's font is just the glyphs it uses, each a slice of the
face (see filmklynge/documents/fonts/program.py).

The licence (fonts/LICENSE, Bitstream Vera and Arev terms) allows a modified font as long as
its name contains neither "Bitstream", "Vera", "Tavmjong Bah" nor "Arev": the faces keep
their DejaVu names and every name record, copyright and licence notices included; the script
checks both. The output is the same bytes every time (no time stamps are changed), so running
it again shows whether the shipped files are what this script makes from those sources.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from io import BytesIO
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "filmklynge" / "documents" / "fonts"
FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
VERSION = "Version 2.37"

# Code points kept, as inclusive ranges.
REPERTOIRE = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: æ ø å ä ö ü é, §, no-break space, « », ·
    (0x0100, 0x017F),  # Latin Extended-A: č đ ŋ š ŧ ž (Sámi), ł ż ź ć ń ś (Polish) ...
    (0x0180, 0x024F),  # Latin Extended-B: ǥ ǧ ǩ ǯ Ʒ (Skolt and Inari Sámi) ...
    (0x0292, 0x0292),  # ʒ (Skolt Sámi)
    (0x02B0, 0x02FF),  # spacing modifiers: ʹ ʼ (Skolt Sámi), ˆ ˇ ˘ ˙ ˚ ˛ ˜ ˝
    (0x0300, 0x036F),  # combining accents, for a letter with no precomposed form
    (0x2000, 0x200A),  # en and em spaces, thin and hair spaces
    (0x2010, 0x2027),  # hyphens, – —, quotes ‘ ’ ‚ “ ” „, † ‡ • …
    (0x202F, 0x2030),  # narrow no-break space, ‰
    (0x2032, 0x2033),  # ′ ″
    (0x2039, 0x203A),  # ‹ ›
    (0x2044, 0x2044),  # ⁄
    (0x20A0, 0x20BF),  # currency signs: € ...
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),  # ™
    (0x2212, 0x2212),  # − (minus)
)
# Letters that must survive the cut (a test of the script, not the whole list).
MUST_HAVE = "ČčĐđŊŋŠšŦŧŽžÁáǤǥǦǧǨǩǮǯƷʒʹÅåÄäÖöÆæØøŁłŻżŹźĆćŃńŚśĘęĄąÓó–—€§‰\u00a0\u202f"
# Words the licence forbids in the name of a modified font.
FORBIDDEN = ("bitstream", "vera", "tavmjong bah", "arev")
NAME_IDS = (1, 3, 4, 6, 16, 17)  # family, unique id, full name, PostScript name, typographic


def codepoints() -> set[int]:
    return {c for first, last in REPERTOIRE for c in range(first, last + 1)}


def cut(source: bytes) -> bytes:
    """``source`` (a whole DejaVu face) reduced to REPERTOIRE, as TrueType bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(source), recalcTimestamp=False)
    options = subset.Options(
        glyph_names=True,
        name_IDs=["*"],
        name_languages=["*"],
        name_legacy=True,
        notdef_outline=True,
        recommended_glyphs=True,
        hinting=False,
        layout_features=[],
    )
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern", "hdmx", "gasp"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    decompose(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def decompose(font) -> None:
    """Every composite glyph (an accented letter drawn as letter + accent) as one simple
    glyph with the same outline, so a document's font is its glyphs alone, with no others
    they refer to (filmklynge.documents.fonts cuts it that way, fast)."""
    from fontTools.ttLib.tables import ttProgram
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        if not glyph.isComposite():
            continue
        coordinates, ends, flags = glyph.getCoordinates(glyf)
        simple = Glyph()
        simple.numberOfContours = len(ends)
        simple.coordinates = coordinates
        simple.endPtsOfContours = list(ends)
        simple.flags = bytearray(flag & 1 for flag in flags)  # on-curve bit only
        simple.program = ttProgram.Program()
        simple.program.fromBytecode(b"")
        simple.recalcBounds(glyf)
        glyf[name] = simple


def check(data: bytes, name: str) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(data))
    cmap = font.getBestCmap()
    if any(font["glyf"][g].isComposite() for g in font.getGlyphOrder()):
        sys.exit(f"{name}: a composite glyph is left")
    missing = [ch for ch in MUST_HAVE if ord(ch) not in cmap]
    if missing:
        sys.exit(f"{name}: no glyph for {''.join(missing)!r}")
    names = font["name"]
    if not (names.getDebugName(1) or "").startswith("DejaVu"):
        sys.exit(f"{name}: the family name is no longer DejaVu")
    for record in names.names:
        if record.nameID in NAME_IDS:
            text = record.toUnicode().lower()
            if any(word in text for word in FORBIDDEN):
                sys.exit(f"{name}: name {record.nameID} {text!r} has a name the licence forbids")
    if not any(r.nameID == 0 and "Bitstream" in r.toUnicode() for r in names.names):
        sys.exit(f"{name}: the copyright notice is missing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder with the DejaVu 2.37 TTF files")
    args = parser.parse_args()
    from fontTools.ttLib import TTFont

    OUT.mkdir(exist_ok=True)
    if not (OUT / "LICENSE").exists():
        sys.exit(f"{OUT / 'LICENSE'} is missing: the fonts may not be shipped without it.")
    for name in FACES:
        source = (args.source / name).read_bytes()
        version = TTFont(BytesIO(source))["name"].getDebugName(5) or ""
        if not version.startswith(VERSION):
            sys.exit(f"{name}: {version!r}, expected DejaVu {VERSION}")
        data = cut(source)
        check(data, name)
        (OUT / name).write_bytes(data)
        glyphs = len(TTFont(BytesIO(data)).getGlyphOrder())
        digest = hashlib.sha256(data).hexdigest()[:16]
        print(f"{name}: {len(source):,} -> {len(data):,} bytes, {glyphs} glyphs, sha256 {digest}")


if __name__ == "__main__":
    main()
