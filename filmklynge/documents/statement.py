"""The member's statement as a PDF (kontoutskrift): every entry with a running balance, in the
member's language. A pure function of the statement data and the cluster's profile."""

from __future__ import annotations

from typing import Any

from filmklynge.documents.pdf import (
    _GREY,
    _LEFT,
    _WIDTH,
    FONT,
    _fit,
    _head,
    _new_pdf,
    _rule,
    safe_text,
)
from filmklynge.money import format_nok

TEXTS = {
    "nb": {
        "title": "Kontoutskrift",
        "member": "Medlem",
        "period": "Periode",
        "through": "til og med",
        "opening": "Inngående saldo",
        "closing": "Utgående saldo",
        "date": "Dato",
        "what": "Hva",
        "amount": "Beløp",
        "balance": "Saldo",
        "outstanding": "Utestående på fakturaer",
        "credit": "Til gode (innbetalt, ikke brukt)",
        "kinds": {
            "invoice": "Faktura",
            "credit": "Kreditnota",
            "payment": "Innbetaling",
            "refund": "Tilbakebetalt",
            "reminder fee": "Purregebyr, faktura",
        },
        "sign": "Positiv saldo er det du skylder; negativ saldo har du til gode.",
    },
    "en": {
        "title": "Statement of account",
        "member": "Member",
        "period": "Period",
        "through": "up to and including",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "date": "Date",
        "what": "Entry",
        "amount": "Amount",
        "balance": "Balance",
        "outstanding": "Outstanding on invoices",
        "credit": "In credit (paid, not used)",
        "kinds": {
            "invoice": "Invoice",
            "credit": "Credit note",
            "payment": "Payment",
            "refund": "Refund",
            "reminder fee": "Reminder fee, invoice",
        },
        "sign": "A positive balance is what you owe; a negative balance is in your favour.",
    },
}


def _day(iso: str | None) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if iso else ""


def statement_pdf(data: dict[str, Any], profile: dict[str, Any]) -> bytes:
    lang = data["language"] if data["language"] in TEXTS else "nb"
    t = TEXTS[lang]
    footer = profile["name"]
    pdf = _new_pdf(t["title"], data["member"], footer, {"page": "{page}/{pages}"}, data["to"])
    _head(pdf, profile, {"orgnr": "Org.nr", "vat_reg": "MVA"}, t["title"])
    pdf.set_font(FONT, "", 10)
    pdf.cell(
        _WIDTH,
        5,
        safe_text(f"{t['member']}: {data['member']} ({data['member_id']})"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        _WIDTH,
        5,
        safe_text(
            f"{t['period']}: {_day(data['from'])} – {_day(data['to'])}"
            if data["from"]
            else f"{t['period']}: {t['through']} {_day(data['to'])}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    widths = (24, 86, 30, 30)  # the text width, 170 mm
    pdf.set_font(FONT, "B", 9)
    for w, head, align in zip(
        widths, (t["date"], t["what"], t["amount"], t["balance"]), "LLRR", strict=True
    ):
        pdf.cell(w, 6, safe_text(head), align=align)
    pdf.ln(6)
    _rule(pdf)
    pdf.set_font(FONT, "", 9)
    pdf.cell(widths[0], 5, "")
    pdf.cell(widths[1] + widths[2], 5, safe_text(t["opening"]))
    pdf.cell(widths[3], 5, format_nok(data["opening_balance_ore"]), align="R")
    pdf.ln(5)
    for e in data["entries"]:
        what = f"{t['kinds'][e['kind']]} {e['ref']}"
        if e.get("text"):
            what += f"  {e['text']}"
        pdf.set_x(_LEFT)
        pdf.cell(widths[0], 5, _day(e["date"]))
        _fit(pdf, widths[1], 5, what, "L", cut=True)  # never over the amount
        pdf.cell(widths[2], 5, format_nok(e["amount_ore"]), align="R")
        pdf.cell(widths[3], 5, format_nok(e["balance_ore"]), align="R")
        pdf.ln(5)
    _rule(pdf)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(widths[0] + widths[1] + widths[2], 6, safe_text(t["closing"]))
    pdf.cell(widths[3], 6, format_nok(data["closing_balance_ore"]), align="R")
    pdf.ln(8)
    pdf.set_font(FONT, "", 9)
    for label, key in ((t["outstanding"], "outstanding_ore"), (t["credit"], "credit_ore")):
        pdf.cell(widths[0] + widths[1] + widths[2], 5, safe_text(label))
        pdf.cell(widths[3], 5, format_nok(data[key]), align="R")
        pdf.ln(5)
    pdf.ln(3)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(_WIDTH, 4.5, safe_text(t["sign"]))
    return bytes(pdf.output())
