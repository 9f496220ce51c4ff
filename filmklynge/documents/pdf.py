"""Invoice, credit-note and reminder PDFs, made from the stored rows alone.

``invoice_pdf`` and ``reminder_pdf`` are pure functions of the database rows: the same rows
give the same bytes (the PDF's dates are the document's own date, not the clock). They carry
what bokføringsforskriften kap. 5 asks of a sales document (number, dates, seller with
org.nr + "MVA" and "Foretaksregisteret", buyer, what and which period, amounts excl. VAT, VAT
per rate, total, due date, account, KID), in bokmål or English.

Documents are set in DejaVu Sans, regular and bold, shipped in ``documents/fonts`` with its
licence (cut down by scripts/make_fonts.py to Latin letters, accents and signs) and embedded
as a subset of the glyphs a document uses. So every letter of a name is printed as written:
Sámi č đ ŋ š ŧ ž ǥ ǩ ʒ, Polish ł ż ź, Swedish and Finnish å ä ö. A character the font lacks
is written as its base letter, or "?", so a name never breaks the document.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from filmklynge.documents import fonts
from filmklynge.documents.fonts import FONT
from filmklynge.errors import InvalidInput, NotFound
from filmklynge.identifiers import country_name, format_account, format_iban, format_orgnr
from filmklynge.ledger import vat
from filmklynge.money import format_nok, format_percent
from filmklynge.store.db import Database

LANGUAGES = ("nb", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "invoice": "Faktura",
        "credit": "Kreditnota",
        "reminder": "Betalingspåminnelse",
        "invoice_no": "Fakturanummer",
        "credit_no": "Kreditnotanummer",
        "issued": "Fakturadato",
        "date": "Dato",
        "due": "Forfallsdato",
        "customer_no": "Kundenummer",
        "period": "Periode",
        "credits": "Krediterer faktura",
        "credits_value": "{number} av {date}",
        "credit_text": "Denne kreditnotaen krediterer faktura {number} datert {date}. Beløpet "
        "trekkes fra det som står utestående, eller betales tilbake.",
        "customer": "Kunde",
        "orgnr": "Org.nr",
        "vat_id": "Mva-nr.",
        "description": "Beskrivelse",
        "net": "Eks. mva",
        "vat_code": "Mva-kode",
        "vat": "Mva",
        "gross": "Inkl. mva",
        "prorata": "Helårsbeløp {full}, {months} av {of} måneder",
        "vat_summary": "Mva-spesifikasjon",
        "rate": "Sats",
        "basis": "Grunnlag",
        "total_net": "Sum eks. mva",
        "total_vat": "Sum mva",
        "total_pay": "Å betale",
        "total_credit": "Sum kreditert",
        "payment": "Betalingsinformasjon",
        "account": "Kontonummer",
        "amount": "Beløp",
        "use_kid": "Oppgi KID ved betaling.",
        "foreign": "Betaling fra utlandet: bruk IBAN og BIC.",
        "vat_S": "Mva {rate}",
        "vat_E": "Unntatt mva",
        "vat_Z": "Fritatt mva (0 %)",
        "vat_G": "Utførsel, fritatt (0 %)",
        "reason": "Årsak",
        "vat_other": "Mva-kode {code} ({rate})",
        "page": "Side {page} av {pages}",
        "reminder_no": "Påminnelse nr.",
        "original_due": "Opprinnelig forfall",
        "new_due": "Ny forfallsdato",
        "settled": "Innbetalt eller kreditert",
        "outstanding": "Utestående",
        "fee": "Purregebyr",
        "reminder_text": "Vi har ikke registrert betaling av faktura {number}, som forfalt "
        "{due}. Vi ber om at utestående beløp betales innen {new_due}. Har du betalt nylig, "
        "kan du se bort fra denne påminnelsen.",
        "reminder_line": "Faktura {number} av {date}, forfall {due}",
    },
    "en": {
        "invoice": "Invoice",
        "credit": "Credit note",
        "reminder": "Payment reminder",
        "invoice_no": "Invoice number",
        "credit_no": "Credit note number",
        "issued": "Invoice date",
        "date": "Date",
        "due": "Due date",
        "customer_no": "Customer number",
        "period": "Period",
        "credits": "Credits invoice",
        "credits_value": "{number} of {date}",
        "credit_text": "This credit note credits invoice {number} dated {date}. The amount is "
        "deducted from what is outstanding, or refunded.",
        "customer": "Customer",
        "orgnr": "Org. no.",
        "vat_id": "VAT id",
        "description": "Description",
        "net": "Excl. VAT",
        "vat_code": "VAT code",
        "vat": "VAT",
        "gross": "Incl. VAT",
        "prorata": "Full-year amount {full}, {months} of {of} months",
        "vat_summary": "VAT summary",
        "rate": "Rate",
        "basis": "Basis",
        "total_net": "Total excl. VAT",
        "total_vat": "Total VAT",
        "total_pay": "Amount due",
        "total_credit": "Total credited",
        "payment": "Payment details",
        "account": "Account number",
        "amount": "Amount",
        "use_kid": "Please state the KID as the payment reference.",
        "foreign": "Payments from abroad: use IBAN and BIC.",
        "vat_S": "VAT {rate}",
        "vat_E": "Exempt from VAT",
        "vat_Z": "Zero-rated (0 %)",
        "vat_G": "Export, zero-rated (0 %)",
        "reason": "Reason",
        "vat_other": "VAT code {code} ({rate})",
        "page": "Page {page} of {pages}",
        "reminder_no": "Reminder no.",
        "original_due": "Original due date",
        "new_due": "New due date",
        "settled": "Paid or credited",
        "outstanding": "Outstanding",
        "fee": "Reminder fee",
        "reminder_text": "We have not registered payment of invoice {number}, which was due on "
        "{due}. Please pay the outstanding amount by {new_due}. If you have paid recently, "
        "please disregard this reminder.",
        "reminder_line": "Invoice {number} of {date}, due {due}",
    },
}

# Layout, in millimetres on A4.
_LEFT = 20.0
_RIGHT = 20.0
_WIDTH = 210.0 - _LEFT - _RIGHT
_INFO_X = 118.0
_GREY = (95, 95, 95)
_RULE = (180, 180, 180)
_BOX = (240, 244, 248)


# Line and paragraph breaks: a space in a one-line field, for a cell cannot show them.
_BREAKS = frozenset("\n\t\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def safe_text(text: Any, *, lines: bool = False) -> str:
    """``text`` as the document prints it: NFC; a character the font lacks as its base letter,
    or "?"; a line break as a space (with ``lines``, for a multi-line cell, a newline stays);
    other control and format characters (all invisible) left out."""
    s = unicodedata.normalize("NFC", "" if text is None else str(text))
    covered = fonts.covered()
    if covered.issuperset(map(ord, s)):
        return s
    out = []
    for ch in s:
        if ord(ch) in covered or (lines and ch == "\n"):
            out.append(ch)
        elif ch in _BREAKS:
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf"):
            base = unicodedata.normalize("NFKD", ch)
            kept = (c for c in base if ord(c) in covered and unicodedata.category(c) != "Mn")
            out.append("".join(kept) or "?")
    return "".join(out)


def check_language(lang: str) -> str:
    value = str(lang).strip().lower()
    if value not in LANGUAGES:
        raise InvalidInput(f"Language {lang!r} is not supported for documents; use nb or en.")
    return value


def document_language(
    invoice: dict[str, Any], member: dict[str, Any], profile: dict[str, Any], lang: str | None
) -> str:
    """``lang`` if given; English for a foreign member or an English invoice; else bokmål."""
    if lang is not None:
        return check_language(lang)
    if invoice.get("language") == "en" or (member.get("country") or "NO") != "NO":
        return "en"
    stored = invoice.get("language") or profile.get("language") or "nb"
    return stored if stored in LANGUAGES else "nb"


def _date(value: str | None) -> str:
    from filmklynge.dates import norwegian

    return norwegian(value) if value else ""


def _money(ore: int | None) -> str:
    return format_nok(int(ore or 0))


def _country_name(code: str | None, lang: str) -> str:
    return country_name(code or "NO", lang)


def _address_lines(text: str | None) -> list[str]:
    """A stored address, one line per newline or comma."""
    if not text:
        return []
    parts = [p.strip() for line in str(text).splitlines() for p in line.split(",")]
    return [p for p in parts if p]


def _seller_legal(profile: dict[str, Any], t: dict[str, str]) -> list[str]:
    """Org.nr (+ MVA), Foretaksregisteret: the seller's identity the law asks for."""
    orgnr = f"{t['orgnr']} {format_orgnr(profile['orgnr'])}"
    if profile.get("vat_registered"):
        orgnr += " MVA"
    parts = [orgnr]
    if profile.get("foretaksregisteret"):
        parts.append("Foretaksregisteret")
    return parts


def _vat_label(code: str, rate_bp: int, t: dict[str, str]) -> str:
    key = f"vat_{code}"
    template = t.get(key, t["vat_other"])
    return template.format(rate=format_percent(rate_bp), code=code)


# --------------------------------------------------------------------------- loading rows


def _profile(db: Database) -> dict[str, Any]:
    from filmklynge.register.profile import get_profile

    return get_profile(db)


def _invoice_rows(db: Database, invoice_id: int) -> dict[str, Any]:
    invoice = db.get("invoices", invoice_id)
    if invoice is None:
        raise NotFound(
            f"No invoice with id {invoice_id}. Run 'filmklynge invoices list' to see invoices."
        )
    lines = list(
        db.query("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", [invoice_id])
    )
    member = db.get("members", invoice["member_id"]) or {}
    credited = None
    if invoice.get("credits_invoice_id"):
        credited = db.get("invoices", invoice["credits_invoice_id"])
    vat_codes = {r["code"]: r for r in db.query("SELECT * FROM vat_codes")}
    return {
        "invoice": invoice,
        "lines": lines,
        "member": member,
        "credited": credited,
        "profile": _profile(db),
        "vat_codes": vat_codes,
    }


def _exemption_text(
    line: dict[str, Any], invoice: dict[str, Any], vat_codes: dict[str, Any], lang: str
) -> str:
    """The stored exemption text, or the code's text in ``lang`` when the document is
    rendered in another language than the invoice was issued in."""
    stored = (line.get("vat_text") or "").strip()
    if invoice.get("language") != lang:
        code = vat_codes.get(line["vat_code"]) or {}
        translated = (code.get(f"text_{lang}") or "").strip()
        if stored and translated:
            return translated
    return stored


# --------------------------------------------------------------------------- rendering


def _new_pdf(title: str, number_text: str, footer: str, t: dict[str, str], when: str | None):
    from fpdf import FPDF

    class _Doc(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font(FONT, "", 8)
                self.set_text_color(*_GREY)
                self.set_xy(_LEFT, 10)
                self.cell(_WIDTH, 4, safe_text(f"{title} {number_text}"), align="R")
                self.set_text_color(0, 0, 0)
                self.set_y(20)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_draw_color(*_RULE)
            self.line(_LEFT, self.get_y() - 1.5, 210 - _RIGHT, self.get_y() - 1.5)
            self.set_font(FONT, "", 7.5)
            self.set_text_color(*_GREY)
            self.cell(_WIDTH - 30, 4, safe_text(footer))
            page = t["page"].format(page=self.page_no(), pages="{nb}")
            self.cell(30, 4, page, align="R")
            self.set_text_color(0, 0, 0)

        def output(self, *args, **kwargs):
            if self.shared_faces and not self.buffer:
                fonts.use_programs(self)
            kwargs.setdefault("output_producer_class", fonts.producer())
            return super().output(*args, **kwargs)

    pdf = _Doc(orientation="P", unit="mm", format="A4")
    pdf.shared_faces = fonts.add_faces(pdf)
    pdf.set_margins(_LEFT, 18, _RIGHT)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.set_title(safe_text(f"{title} {number_text}"))
    pdf.set_creator("filmklynge")
    stamp = date.fromisoformat(when) if when else date(2000, 1, 1)
    pdf.set_creation_date(datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC))
    pdf.add_page()
    return pdf


def _head(pdf, profile: dict[str, Any], t: dict[str, str], title: str) -> None:
    """Seller at the top left, the document's title at the top right."""
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 14)
    pdf.set_xy(_LEFT, top)
    pdf.multi_cell(_INFO_X - _LEFT - 4, 6.5, safe_text(profile["name"]), align="L")
    pdf.set_font(FONT, "", 9)
    lines = [profile.get("address_line") or ""]
    city = " ".join(p for p in (profile.get("postal_code"), profile.get("city")) if p)
    lines.append(city)
    if (profile.get("country") or "NO") != "NO":
        lines.append(_country_name(profile.get("country"), "en"))
    lines.append("  ".join(_seller_legal(profile, t)))
    contact = "  ".join(p for p in (profile.get("email"), profile.get("phone")) if p)
    lines.append(contact)
    if profile.get("website"):
        lines.append(profile["website"])
    for line in lines:
        if line:
            pdf.set_x(_LEFT)
            pdf.cell(_INFO_X - _LEFT - 4, 4.4, safe_text(line), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(_INFO_X, top - 1)
    pdf.set_font(FONT, "B", 20 if len(title) < 14 else 17)
    pdf.cell(210 - _RIGHT - _INFO_X, 10, safe_text(title), align="R")
    pdf.set_y(max(bottom, top + 12) + 6)


def _buyer_and_info(
    pdf,
    t: dict[str, str],
    lang: str,
    invoice: dict[str, Any],
    member: dict[str, Any],
    info: list[tuple[str, str]],
) -> None:
    """The buyer on the left (the envelope window), facts of the document on the right."""
    top = pdf.get_y()
    pdf.set_xy(_LEFT, top)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*_GREY)
    pdf.cell(80, 4, safe_text(t["customer"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(88, 5.2, safe_text(invoice["buyer_name"]), align="L")
    pdf.set_font(FONT, "", 10)
    address = _address_lines(invoice.get("buyer_address"))
    country = (member.get("country") or "NO").upper()
    if country != "NO":
        name = _country_name(country, lang)
        if not any(name.lower() in a.lower() or a.upper() == country for a in address):
            address.append(name)
    for line in address:
        pdf.set_x(_LEFT)
        pdf.cell(88, 5, safe_text(line), new_x="LMARGIN", new_y="NEXT")
    ids = []
    if invoice.get("buyer_orgnr"):
        ids.append(f"{t['orgnr']} {format_orgnr(invoice['buyer_orgnr'])}")
    if invoice.get("buyer_vat_id"):
        ids.append(f"{t['vat_id']} {invoice['buyer_vat_id']}")
    pdf.set_font(FONT, "", 9)
    for line in ids:
        pdf.set_x(_LEFT)
        pdf.cell(88, 5, safe_text(line), new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    y = top
    label_w, value_w = 36.0, 210 - _RIGHT - _INFO_X - 36.0
    for label, value in info:
        pdf.set_xy(_INFO_X, y)
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*_GREY)
        pdf.cell(label_w, 5, safe_text(label))
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(value_w, 5, safe_text(value), align="R")
        y += 5.4
    pdf.set_y(max(left_bottom, y) + 8)


def _fit(pdf, w: float, h: float, text: str, align: str, *, cut: bool = False) -> None:
    """A one-line cell; the font shrinks (down to 6 pt) rather than overflow its column. With
    ``cut`` (free text, never an amount), text still too wide at 6 pt ends in "…" instead of
    running into the next column."""
    size = pdf.font_size_pt
    text = safe_text(text)
    while pdf.get_string_width(text) > w - 0.5 and pdf.font_size_pt > 6:
        pdf.set_font_size(pdf.font_size_pt - 0.5)
    if cut and pdf.get_string_width(text) > w - 0.5:
        while len(text) > 1 and pdf.get_string_width(text + "…") > w - 0.5:
            text = text[:-1]
        text = text.rstrip() + "…"
    pdf.cell(w, h, text, align=align)
    pdf.set_font_size(size)


def _rule(pdf, weight: float = 0.2) -> None:
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(weight)
    pdf.line(_LEFT, pdf.get_y(), 210 - _RIGHT, pdf.get_y())
    pdf.set_line_width(0.2)


def _paragraph(pdf, text: str, size: float = 9.5) -> None:
    pdf.set_x(_LEFT)
    pdf.set_font(FONT, "", size)
    text = safe_text(text, lines=True)
    pdf.multi_cell(_WIDTH, 4.8, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


# Line table columns: description, excl. VAT, VAT code, VAT, incl. VAT.
_COLS = (75.0, 26.0, 17.0, 24.0, 28.0)


def _line_table(
    pdf,
    t: dict[str, str],
    lang: str,
    invoice: dict[str, Any],
    lines: list[dict[str, Any]],
    vat_codes: dict[str, Any],
) -> None:
    heads = (t["description"], t["net"], t["vat_code"], t["vat"], t["gross"])
    aligns = ("L", "R", "C", "R", "R")

    def head_row() -> None:
        pdf.set_font(FONT, "B", 8.5)
        pdf.set_text_color(*_GREY)
        pdf.set_x(_LEFT)
        for text, w, a in zip(heads, _COLS, aligns, strict=True):
            pdf.cell(w, 6, safe_text(text), align=a)
        pdf.ln(6)
        pdf.set_text_color(0, 0, 0)
        _rule(pdf, 0.3)
        pdf.ln(1.5)

    head_row()
    for line in lines:
        sub: list[str] = []
        months, of = line.get("months"), line.get("months_of")
        if months and of and months != of and line.get("full_ore") is not None:
            sub.append(t["prorata"].format(months=months, of=of, full=_money(line["full_ore"])))
        exemption = _exemption_text(line, invoice, vat_codes, lang)
        if exemption:
            sub.append(exemption.replace("§ ", "§\u00a0"))
        description = safe_text(line["description"], lines=True)
        pdf.set_font(FONT, "", 10)
        main = pdf.multi_cell(_COLS[0] - 2, 5, description, dry_run=True, output="LINES")
        pdf.set_font(FONT, "", 8)  # the notes below: small and grey (no italic face to embed)
        extra = sum(
            len(pdf.multi_cell(_COLS[0] - 2, 4, safe_text(s), dry_run=True, output="LINES"))
            for s in sub
        )
        height = len(main) * 5 + extra * 4 + 2.5
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            head_row()
        y = pdf.get_y()
        pdf.set_xy(_LEFT, y)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(_COLS[0] - 2, 5, description, align="L")
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*_GREY)
        for s in sub:
            pdf.set_x(_LEFT)
            pdf.multi_cell(_COLS[0] - 2, 4, safe_text(s), align="L")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "", 10)
        gross = int(line["net_ore"]) + int(line["vat_ore"])
        cells = (
            _money(line["net_ore"]),
            f"{line['vat_code']} {format_percent(int(line['vat_rate_bp']))}",
            _money(line["vat_ore"]),
            _money(gross),
        )
        pdf.set_xy(_LEFT + _COLS[0], y)
        for text, w, a in zip(cells, _COLS[1:], aligns[1:], strict=True):
            _fit(pdf, w, 5, text, a)
        pdf.set_y(y + height - 1)
        _rule(pdf)
        pdf.ln(1.5)


def _totals(
    pdf, t: dict[str, str], invoice: dict[str, Any], lines: list[dict[str, Any]], total_key: str
) -> None:
    """VAT per rate on the left, the totals on the right."""
    top = pdf.get_y() + 2
    summary = vat.breakdown(lines)
    if pdf.get_y() + 14 + 5 * max(len(summary), 3) > pdf.page_break_trigger:
        pdf.add_page()
        top = pdf.get_y()
    pdf.set_xy(_LEFT, top)
    pdf.set_font(FONT, "B", 8.5)
    pdf.cell(85, 5, safe_text(t["vat_summary"]), new_x="LMARGIN", new_y="NEXT")
    widths = (37.0, 25.0, 23.0)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*_GREY)
    for text, w, a in zip((t["rate"], t["basis"], t["vat"]), widths, "LRR", strict=True):
        pdf.cell(w, 4.5, safe_text(text), align=a)
    pdf.ln(4.5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "", 8.5)
    for group in summary:
        label = _vat_label(group["vat_code"], group["vat_rate_bp"], t)
        cells = (
            f"{label} ({group['vat_code']})",
            _money(group["net_ore"]),
            _money(group["vat_ore"]),
        )
        pdf.set_x(_LEFT)
        for text, w, a in zip(cells, widths, "LRR", strict=True):
            _fit(pdf, w, 4.5, text, a)
        pdf.ln(4.5)
    left_bottom = pdf.get_y()

    x = 122.0
    label_w, value_w = 36.0, 210 - _RIGHT - x - 36.0
    pdf.set_xy(x, top)
    for label, ore in ((t["total_net"], invoice["net_ore"]), (t["total_vat"], invoice["vat_ore"])):
        pdf.set_x(x)
        pdf.set_font(FONT, "", 9.5)
        pdf.cell(label_w, 5.5, safe_text(label))
        _fit(pdf, value_w, 5.5, _money(ore), "R")
        pdf.ln(5.5)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(x, pdf.get_y() + 0.5, 210 - _RIGHT, pdf.get_y() + 0.5)
    pdf.ln(1.5)
    pdf.set_x(x)
    pdf.set_font(FONT, "B", 11.5)
    pdf.cell(label_w, 7, safe_text(t[total_key]))
    _fit(pdf, value_w, 7, _money(invoice["total_ore"]), "R")
    pdf.ln(7)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


def _payment_box(
    pdf,
    t: dict[str, str],
    profile: dict[str, Any],
    *,
    amount_ore: int,
    due_on: str | None,
    kid: str | None,
    foreign: bool,
) -> None:
    """The part a payer copies from: account, KID (large), amount, due date; IBAN/BIC abroad."""
    rows = 2 + (1 if foreign else 0)
    height = 12 + rows * 11 + 6
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_fill_color(*_BOX)
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(_LEFT, top, _WIDTH, height, style="DF")
    pdf.set_xy(_LEFT + 5, top + 3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(_WIDTH - 10, 6, safe_text(t["payment"]))

    def field(x: float, y: float, w: float, label: str, value: str, size: float) -> None:
        pdf.set_xy(x, y)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*_GREY)
        pdf.cell(w, 4, safe_text(label))
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(x, y + 4)
        pdf.set_font(FONT, "B", size)
        pdf.cell(w, 6.5, safe_text(value))

    left, right = _LEFT + 5, _LEFT + 5 + 95
    y = top + 11
    field(left, y, 90, t["account"], format_account(profile["account_no"]), 13)
    field(right, y, 60, t["amount"], _money(amount_ore), 13)
    y += 11
    field(left, y, 90, "KID", kid or "", 16)
    field(right, y, 60, t["due"], _date(due_on), 13)
    if foreign:
        y += 11
        field(left, y, 90, "IBAN", format_iban(profile.get("iban")), 11)
        field(right, y, 60, "BIC", profile.get("bic") or "", 11)
    pdf.set_xy(left, top + height - 6.5)
    pdf.set_font(FONT, "", 8)
    note = t["use_kid"] if kid else ""
    if foreign:
        note = f"{note} {t['foreign']}".strip()
    pdf.cell(_WIDTH - 10, 4, safe_text(note))
    pdf.set_y(top + height + 4)


def _footer_text(profile: dict[str, Any], t: dict[str, str]) -> str:
    parts = [profile["name"], *_seller_legal(profile, t)]
    if profile.get("email"):
        parts.append(profile["email"])
    return "  ·  ".join(parts)


def _bytes(pdf) -> bytes:
    return bytes(pdf.output())


def invoice_pdf(db: Database, invoice_id: int, *, lang: str | None = None) -> bytes:
    """The PDF of invoice or credit note ``invoice_id`` (the row id), in ``lang`` or its own."""
    rows = _invoice_rows(db, invoice_id)
    invoice, member, profile = rows["invoice"], rows["member"], rows["profile"]
    lines, credited = rows["lines"], rows["credited"]
    language = document_language(invoice, member, profile, lang)
    t = TEXTS[language]
    is_credit = invoice["kind"] == "credit"
    title = t["credit"] if is_credit else t["invoice"]
    number = str(invoice["number"])
    pdf = _new_pdf(title, number, _footer_text(profile, t), t, invoice["issued_on"])
    _head(pdf, profile, t, title)

    from filmklynge.ledger.invoicing import billed_period

    period = ""
    billed = billed_period(invoice, lines)  # the months billed, as the EHF InvoicePeriod
    if billed:
        period = f"{_date(billed[0])}–{_date(billed[1])}"
    if is_credit:
        info = [(t["credit_no"], number), (t["date"], _date(invoice["issued_on"]))]
        if credited:
            info.append(
                (
                    t["credits"],
                    t["credits_value"].format(
                        number=credited["number"], date=_date(credited["issued_on"])
                    ),
                )
            )
    else:
        info = [
            (t["invoice_no"], number),
            (t["issued"], _date(invoice["issued_on"])),
            (t["due"], _date(invoice.get("due_on"))),
        ]
        if invoice.get("kid"):
            info.append(("KID", invoice["kid"]))
    info.append((t["customer_no"], str(invoice["member_id"])))
    _buyer_and_info(pdf, t, language, invoice, member, info)

    if is_credit and credited:
        _paragraph(
            pdf,
            t["credit_text"].format(number=credited["number"], date=_date(credited["issued_on"])),
        )
    if is_credit and (invoice.get("note") or "").strip():
        _paragraph(pdf, f"{t['reason']}: {invoice['note'].strip()}")
    if period:
        pdf.set_x(_LEFT)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(_WIDTH, 6, safe_text(f"{t['period']}: {period}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    _line_table(pdf, t, language, invoice, lines, rows["vat_codes"])
    _totals(pdf, t, invoice, lines, "total_credit" if is_credit else "total_pay")
    if not is_credit:
        _payment_box(
            pdf,
            t,
            profile,
            amount_ore=int(invoice["total_ore"]),
            due_on=invoice.get("due_on"),
            kid=invoice.get("kid"),
            foreign=(member.get("country") or "NO") != "NO",
        )
    return _bytes(pdf)


def reminder_pdf(db: Database, reminder_id: int, *, lang: str | None = None) -> bytes:
    """The PDF of reminder ``reminder_id`` (the row id): what is owed, the fee, the new date.

    ``outstanding_ore`` is what was unpaid on the invoice when the reminder was made; the
    fee comes on top of it.
    """
    reminder = db.get("reminders", reminder_id)
    if reminder is None:
        raise NotFound(
            f"No reminder with id {reminder_id}. Run 'filmklynge invoices list' to see invoices."
        )
    rows = _invoice_rows(db, reminder["invoice_id"])
    invoice, member, profile = rows["invoice"], rows["member"], rows["profile"]
    language = document_language(invoice, member, profile, lang)
    t = TEXTS[language]
    title = t["reminder"]
    number = str(invoice["number"])
    pdf = _new_pdf(
        title, f"{number}-{reminder['seq']}", _footer_text(profile, t), t, reminder["sent_on"]
    )
    _head(pdf, profile, t, title)
    info = [
        (t["reminder_no"], str(reminder["seq"])),
        (t["date"], _date(reminder["sent_on"])),
        (t["invoice_no"], number),
        (t["issued"], _date(invoice["issued_on"])),
        (t["original_due"], _date(invoice.get("due_on"))),
        (t["new_due"], _date(reminder["due_on"])),
    ]
    if invoice.get("kid"):
        info.append(("KID", invoice["kid"]))
    info.append((t["customer_no"], str(invoice["member_id"])))
    _buyer_and_info(pdf, t, language, invoice, member, info)
    _paragraph(
        pdf,
        t["reminder_text"].format(
            number=number, due=_date(invoice.get("due_on")), new_due=_date(reminder["due_on"])
        ),
        size=10,
    )
    pdf.ln(2)

    outstanding = int(reminder["outstanding_ore"])
    fee = int(reminder["fee_ore"])
    total = int(invoice["total_ore"])
    entries: list[tuple[str, int, bool]] = [
        (
            t["reminder_line"].format(
                number=number,
                date=_date(invoice["issued_on"]),
                due=_date(invoice.get("due_on")),
            ),
            total,
            False,
        )
    ]
    if total != outstanding:
        entries.append((t["settled"], outstanding - total, False))
    entries.append((t["outstanding"], outstanding, False))
    if fee:
        entries.append((t["fee"], fee, False))
    entries.append((t["total_pay"], outstanding + fee, True))
    _rule(pdf, 0.3)
    pdf.ln(1.5)
    for label, ore, bold in entries:
        if bold:
            pdf.set_draw_color(0, 0, 0)
            pdf.line(_LEFT + 100, pdf.get_y(), 210 - _RIGHT, pdf.get_y())
            pdf.ln(1)
        pdf.set_x(_LEFT)
        pdf.set_font(FONT, "B" if bold else "", 11.5 if bold else 10)
        pdf.cell(_WIDTH - 40, 6.5 if bold else 5.5, safe_text(label))
        _fit(pdf, 40, 6.5 if bold else 5.5, _money(ore), "R")
        pdf.ln(6.5 if bold else 5.5)
    pdf.ln(8)
    _payment_box(
        pdf,
        t,
        profile,
        amount_ore=outstanding + fee,
        due_on=reminder["due_on"],
        kid=invoice.get("kid"),
        foreign=(member.get("country") or "NO") != "NO",
    )
    return _bytes(pdf)
