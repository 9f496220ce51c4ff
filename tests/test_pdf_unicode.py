"""Every letter on the document (issue 14, point 4): names in Sámi, Swedish, Finnish and
Polish read back from the PDFs exactly as written, through the CLI and directly; the font
embedded is the glyphs the document uses, each the right one; a character the font lacks
never breaks a document."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from helpers import VALID, enrol, run_year
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from filmklynge.documents import fonts
from filmklynge.documents.pdf import FONT, _new_pdf, invoice_pdf, safe_text
from filmklynge.documents.statement import statement_pdf
from filmklynge.store.db import open_db

NAMES = [
    "Čáhppes Šaddu Filbma AS",
    "Đuođđi Ŋuolla Ŧeahter",
    "Åsa Ängström Örebro AB",
    "Ääni ja Kuva Oy",
    "Łódź Żółć Film Sp. z o.o.",
]
SELLER = "Sámi Filbmaguovddáš SA"
STREET = "Ǩeäʹjjvuõtt 3"  # Skolt Sámi: ǩ, õ and the softness mark ʹ


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def nordic(cluster, db_path):
    """The cluster renamed SELLER; members 1 to 5 named NAMES, each invoiced for 2026."""
    cluster("profile", "set", "--name", SELLER, "--city", "Guovdageaidnu")
    for name, orgnr in zip(NAMES, VALID, strict=False):
        enrol(
            cluster,
            name,
            orgnr,
            "--address",
            STREET,
            "--postal-code",
            "9520",
            "--city",
            "Guovdageaidnu",
            "--joined",
            "2025-01-01",
        )
    run_year(cluster, "--yes")
    return cluster


def test_every_name_reads_back_from_the_cli_documents(nordic, tmp_path):
    out = tmp_path / "fakturaer"
    nordic("invoices", "pdf", "--period", "2026", "--all", "-o", out)
    texts = [text_of(path.read_bytes()) for path in sorted(out.glob("faktura-*.pdf"))]
    assert len(texts) == len(NAMES)
    for name in NAMES:
        assert [name in text for text in texts].count(True) == 1, (name, texts)
    assert all(SELLER in text and STREET in text for text in texts)
    nordic("invoices", "pdf", "10001", "-o", tmp_path / "one.pdf")
    one = text_of((tmp_path / "one.pdf").read_bytes())
    assert one == text_of((out / "faktura-10001.pdf").read_bytes())
    assert any(name in one for name in NAMES)


def test_statement_prints_the_name_as_written(nordic, tmp_path):
    nordic("members", "statement", "2", "--pdf", tmp_path / "s.pdf")
    text = text_of((tmp_path / "s.pdf").read_bytes())
    assert f"Medlem: {NAMES[1]} (2)" in text and SELLER in text


def test_every_name_reads_back_from_invoice_pdf(nordic, db_path):
    db = open_db(db_path)
    try:
        ids = [r["id"] for r in db.query("SELECT id FROM invoices ORDER BY member_id")]
        for invoice_id, name in zip(ids, NAMES, strict=True):
            text = text_of(invoice_pdf(db, invoice_id))
            assert name in text and SELLER in text and "Guovdageaidnu" in text
    finally:
        db.close()


def test_statement_pdf_directly():
    data = {
        "member_id": 4,
        "member": NAMES[4],
        "language": "nb",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "opening_balance_ore": 0,
        "entries": [],
        "closing_balance_ore": 0,
        "outstanding_ore": 0,
        "credit_ore": 0,
    }
    profile = {"name": NAMES[1], "orgnr": "923609016", "city": "Kárášjohka"}
    text = text_of(statement_pdf(data, profile))
    assert NAMES[4] in text and NAMES[1] in text and "Kárášjohka" in text


# --------------------------------------------------------------------------- the font


def test_letters_of_the_names_are_kept_as_written():
    for name in [*NAMES, SELLER, STREET, "Ǥǥ Ǧǧ Ʒʒ Ǯǯ ʼ", "– — € § ‰ «» ‘’ “” „ …"]:
        assert safe_text(name) == name
        assert safe_text(unicodedata.normalize("NFD", name)) == name  # composed again


def test_what_the_font_lacks_falls_back_to_the_base_letter_or_a_question_mark():
    assert safe_text("ẁ ﬁ ẞ Ω 🎬 文") == "w fi ? ? ? ?"
    assert safe_text("a\tb\u200bc\r\nd") == "a bc  d"  # breaks a space, ZWSP left out
    assert safe_text("a\tb\u200bc\r\nd", lines=True) == "a bc \nd"  # a newline stays
    assert safe_text(None) == ""


@given(st.text(max_size=60))
def test_safe_text_writes_only_what_the_font_has(s):
    assert all(ord(c) in fonts.covered() for c in safe_text(s))
    assert all(ord(c) in fonts.covered() or c == "\n" for c in safe_text(s, lines=True))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=40))
def test_no_text_breaks_a_document(s):
    pdf = _new_pdf(s, s, s, {"page": "{page}/{pages}"}, None)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(80, 5, safe_text(s))
    pdf.multi_cell(80, 5, safe_text(s, lines=True))
    data = bytes(pdf.output())
    assert data.startswith(b"%PDF")
    assert not any(pdf.fonts[key].missing_glyphs for key in fonts.faces())


def _embedded(data: bytes):
    """(BaseFont, font program, {code: text}, CIDToGIDMap bytes) of each font of page 1."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        cid = font["/DescendantFonts"][0].get_object()
        program = cid["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        codes = {
            int(code, 16): bytes.fromhex(text).decode("utf-16-be")
            for code, text in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
        }
        gids = cid["/CIDToGIDMap"].get_object().get_data()
        yield str(font["/BaseFont"]), program, codes, gids


def test_embedded_font_is_the_glyphs_used_each_the_right_one(nordic, db_path):
    db = open_db(db_path)
    try:
        data = invoice_pdf(db, db.scalar("SELECT id FROM invoices WHERE member_id = 1"))
    finally:
        db.close()
    shipped = {
        False: TTFont(fonts.FOLDER / fonts.FILES[""]),
        True: TTFont(fonts.FOLDER / fonts.FILES["B"]),
    }
    seen = set()
    for base, program, codes, gids in _embedded(data):
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSans\w*", base)
        assert len(program) < 16_000  # the glyphs used, not the face (about 90 kB)
        font = TTFont(io.BytesIO(program), checkChecksums=2)  # raises on a bad checksum
        face = shipped["Bold" in base]
        order, face_cmap = font.getGlyphOrder(), face.getBestCmap()
        assert set(codes.values()) >= {"\x00", " "}  # .notdef and space: always there
        assert len(order) == len(set(codes.values()))
        for code, char in codes.items():
            if char == "\x00":
                assert order[int.from_bytes(gids[:2], "big")] == ".notdef"
                continue
            gid = int.from_bytes(gids[2 * code : 2 * code + 2], "big")
            glyph = font["glyf"][order[gid]]
            expected = face["glyf"][face_cmap[ord(char)]]
            assert (
                glyph.getCoordinates(font["glyf"])[0] == expected.getCoordinates(face["glyf"])[0]
            ), char
            assert font["hmtx"][order[gid]][0] == face["hmtx"][face_cmap[ord(char)]][0]
            seen.add(char)
    assert set(NAMES[0] + SELLER) <= seen


def _fonts_of(reader: PdfReader):
    """(BaseFont of the font, of its CIDFont, FontName of its descriptor, font program) of
    every Type0 font in the file, and every /BaseFont and /FontName the file holds."""
    fonts_, names = [], []
    for numbers in reader.xref.values():
        for number in numbers:
            obj = reader.get_object(number)
            if not hasattr(obj, "get"):
                continue
            names += [str(obj[key]) for key in ("/BaseFont", "/FontName") if key in obj]
            if obj.get("/Subtype") == "/Type0":
                cid = obj["/DescendantFonts"][0].get_object()
                descriptor = cid["/FontDescriptor"].get_object()
                program = descriptor["/FontFile2"].get_object().get_data()
                fonts_.append(
                    (
                        str(obj["/BaseFont"]),
                        str(cid["/BaseFont"]),
                        str(descriptor["/FontName"]),
                        program,
                    )
                )
    return fonts_, names


def test_each_font_program_in_a_print_batch_has_a_name_of_its_own(cluster, db_path, tmp_path):
    """Documents combined into one PDF each bring their own subset of a face: different
    programs must not share a name (ISO 32000-1 §9.6.4), or a printer that caches fonts by
    name draws one document's letters with another's glyphs."""
    post = ["--invoice-delivery", "post", "--postal-code", "9520", "--joined", "2025-01-01"]
    enrol(cluster, NAMES[0], VALID[0], "--address", STREET, "--city", "Guovdageaidnu", *post)
    enrol(cluster, "Ny Film AS", VALID[1], "--address", "Storgata 2", "--city", "Bodo", *post)
    run_year(cluster, "--yes")
    batch = tmp_path / "post.pdf"
    today = {"FILMKLYNGE_TODAY": "2026-01-12"}
    send = ("invoices", "send", "--period", "2026", "--all", "--channel", "print", "--yes")
    cluster(*send, "-o", batch, env=today)
    reader = PdfReader(batch)

    fonts_, names = _fonts_of(reader)
    assert names and all(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans\w*", name) for name in names)
    programs: dict[str, set[bytes]] = {}
    for base, cid_base, font_name, program in fonts_:
        assert base == cid_base == font_name
        programs.setdefault(base, set()).add(program)
    assert all(len(each) == 1 for each in programs.values()), programs.keys()
    assert len(programs) == len({p for each in programs.values() for p in each})
    regular = [name for name in programs if name.endswith("Book")]
    assert len(regular) == 2  # the two documents use different letters of the face

    # ... and every letter still reads back exactly as in the document on its own
    db = open_db(db_path)
    try:
        alone = {
            row["name"]: PdfReader(io.BytesIO(invoice_pdf(db, row["id"]))).pages
            for row in db.query(
                "SELECT i.id, m.name FROM invoices i JOIN members m ON m.id = i.member_id"
            )
        }
    finally:
        db.close()
    expected = []
    for item in reader.outline:
        expected += [page.extract_text() for page in alone[item.title.split(": ", 1)[1]]]
    assert [page.extract_text() for page in reader.pages] == expected
    assert NAMES[0] in expected[0] + expected[-1] and STREET in "".join(expected)


def test_a_subset_tag_is_six_letters_from_the_glyphs():
    from filmklynge.documents.fonts.program import tag

    assert re.fullmatch(r"[A-Z]{6}", tag("DejaVuSansBook", [".notdef", "space", "a"]))
    assert tag("DejaVuSansBook", [".notdef", "a"]) == tag("DejaVuSansBook", [".notdef", "a"])
    assert tag("DejaVuSansBook", [".notdef", "a"]) != tag("DejaVuSansBook", [".notdef", "b"])
    assert tag("DejaVuSansBook", [".notdef", "a", "b"]) != tag(
        "DejaVuSansBook", [".notdef", "b", "a"]
    )
    assert tag("DejaVuSansBook", [".notdef", "a"]) != tag("DejaVuSansBold", [".notdef", "a"])


def test_the_faces_are_built_once_when_threads_ask_together(monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from fpdf import FPDF

    calls, started = [], threading.Barrier(8)
    add_font = FPDF.add_font

    def slow_add_font(self, *args, **kwargs):
        calls.append(args)
        threading.Event().wait(0.01)  # the other threads arrive while the first builds
        return add_font(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "add_font", slow_add_font)
    fonts.faces.cache_clear()
    fonts._glyphs.cache_clear()

    def first_use(_):
        started.wait()
        return fonts.faces(), fonts._glyphs("dejavusans")

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(first_use, range(8)))
    finally:
        monkeypatch.undo()
    assert len(calls) == len(fonts.FILES)  # one build of each face, not one a thread
    assert all(r[0] is results[0][0] and r[1] is results[0][1] for r in results)


def test_faces_are_parsed_once_and_shared():
    pdf = _new_pdf("Faktura", "1", "", {"page": "{page}/{pages}"}, None)
    assert pdf.shared_faces  # False would mean fpdf2 changed: see documents/fonts
    for key, face in fonts.faces().items():
        assert pdf.fonts[key] is not face and pdf.fonts[key].cmap is face.cmap


def test_if_fpdf2_changes_the_document_is_made_the_plain_way(monkeypatch, nordic, db_path):
    keys = list(fonts.faces())
    monkeypatch.setattr(fonts, "faces", lambda: dict.fromkeys(keys, object()))
    pdf = _new_pdf("Faktura", "1", "", {"page": "{page}/{pages}"}, None)
    assert not pdf.shared_faces
    db = open_db(db_path)
    try:
        invoice_id = db.scalar("SELECT id FROM invoices WHERE member_id = 2")
        data = invoice_pdf(db, invoice_id)
        assert NAMES[1] in text_of(data)
        bases = [base for base, *_ in _embedded(data)]  # tagged by their glyphs here too
        assert all(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans\w*", base) for base in bases)
        assert not any(base.startswith("/MPDFAA+") for base in bases)
    finally:
        db.close()


def test_statement_without_a_start_says_up_to_and_stays_inside_the_margins():
    from pypdf import PdfReader

    data = {
        "member_id": 4,
        "member": NAMES[4],
        "language": "nb",
        "from": None,
        "to": "2026-12-31",
        "opening_balance_ore": 0,
        "entries": [
            {
                "date": "2026-01-15",
                "kind": "invoice",
                "ref": "10001",
                "amount_ore": 123_456_789,
                "balance_ore": 123_456_789,
            }
        ],
        "closing_balance_ore": 123_456_789,
        "outstanding_ore": 123_456_789,
        "credit_ore": 0,
    }
    profile = {"name": NAMES[1], "orgnr": "923609016", "city": "Tromsø"}
    page = PdfReader(io.BytesIO(statement_pdf(data, profile))).pages[0]
    text = page.extract_text()
    assert "Periode: til og med 31.12.2026" in text
    assert "–  31" not in text
    from filmklynge.money import format_nok

    amount = format_nok(123_456_789)
    starts = []

    def visit(text_piece, cm, tm, font_dict, font_size):
        if text_piece.strip() == amount:
            starts.append((tm[4], font_size))

    page.extract_text(visitor_text=visit)
    assert starts, "the balance is printed"
    face = TTFont(fonts.FOLDER / fonts.FILES[""])
    cmap, advance = face.getBestCmap(), face["hmtx"].metrics
    em = face["head"].unitsPerEm
    width = sum(advance[cmap[ord(c)]][0] for c in amount) / em
    right_margin = (210 - 20) / 25.4 * 72  # A4 is 210 mm wide, the margin 20 mm (in points)
    for x, size in starts:
        assert x + width * size <= right_margin + 0.5


def test_a_long_statement_text_shrinks_then_ends_in_an_ellipsis_before_the_amounts():
    from filmklynge.money import format_nok

    words = "Innbetaling fra Čáhppes Šaddu Filbma AS for fakturaene " + " ".join(
        str(10_000 + n) for n in range(30)
    )
    data = {
        "member_id": 4,
        "member": NAMES[4],
        "language": "nb",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "opening_balance_ore": 0,
        "entries": [
            {
                "date": "2026-01-15",
                "kind": "payment",
                "ref": "17",
                "text": words,
                "amount_ore": -123_456,
                "balance_ore": -123_456,
            }
        ],
        "closing_balance_ore": -123_456,
        "outstanding_ore": 0,
        "credit_ore": 123_456,
    }
    profile = {"name": NAMES[1], "orgnr": "923609016", "city": "Tromsø"}
    page = PdfReader(io.BytesIO(statement_pdf(data, profile))).pages[0]
    pieces = []
    page.extract_text(visitor_text=lambda t, cm, tm, fd, size: pieces.append((t, tm[4], size)))
    (line,) = [p for p in pieces if "Čáhppes" in p[0]]
    text, x, size = line
    assert text.strip().startswith("Innbetaling 17  Innbetaling fra Čáhppes Šaddu Filbma AS")
    assert text.rstrip().endswith("…") and size >= 6
    face = TTFont(fonts.FOLDER / fonts.FILES[""])
    cmap, advance = face.getBestCmap(), face["hmtx"].metrics
    width = sum(advance[cmap[ord(c)]][0] for c in text) / face["head"].unitsPerEm * size
    (amount_x,) = [p[1] for p in pieces if p[0].strip() == format_nok(-123_456)][:1]
    assert x + width < amount_x  # the text ends before the amount begins
