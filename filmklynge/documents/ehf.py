"""EHF 3.0 invoices and credit notes (Peppol BIS Billing 3.0, UBL 2.1) from the stored rows.

``ehf_problems(db, number)`` lists, one line each, why a document cannot be sent as EHF (the
data the rules need is missing or would be rejected); ``render_ehf(db, number)`` writes the
UBL XML and refuses a document with problems. ``documents.ehf_rules`` checks a document by the
official rules; the test suite runs every kind of document this module makes through them.

What goes into a document, and why:

* Seller: ``EndpointID`` and ``PartyLegalEntity/CompanyID`` are scheme 0192 with the
  organisation number; the VAT id ``NO<orgnr>MVA`` is given only when the profile is
  VAT-registered; ``Foretaksregisteret`` (tax scheme ``TAX``) when the profile says the cluster
  is registered there (NO-R-002).
* Buyer in Norway: ``EndpointID`` and ``CompanyID`` are 0192 with its organisation number.
* Buyer abroad: Peppol addresses a company by an identifier scheme (EAS). A Swedish or Danish
  member is addressed by the company number inside its VAT id (SE<10 digits>01 gives 0007
  organisationsnummer; DK<8 digits> gives 0184 CVR), a Finnish one by its VAT id (0213), and a
  member in a country with a Peppol VAT-number scheme (9914 AT ... 9957 FR) by its VAT id. A
  member elsewhere, or without a VAT id, is refused with a reason: send it by e-mail or post.
* Amounts are integer øre written as ``12500.00``; the totals are the stored ones. A credit
  note is stored with negative amounts and written as a ``CreditNote`` with positive ones.
* One line per stored line: quantity 1 (``C62``) at the line's amount, its VAT category from
  the stored VAT code (S with its rate, E with the stored exemption text, Z, O, and G for
  export of services, zero-rated under merverdiavgiftsloven § 6-22, with that legal reference
  as its exemption reason: EN 16931's "Export outside the EU", which BR-G-10 requires a reason
  for, where Z may not carry one). The VAT
  breakdown has one subtotal per code and rate (``ledger.vat``): E and Z, both 0 %, stay apart.
* ``InvoicePeriod`` is the months billed (``invoicing.billed_period``, as on the PDF): a
  member pays from the month of joining to the month of leaving.
* ``PaymentMeans`` 30 (credit transfer) with the KID and the account: the BBAN for a member in
  Norway, the IBAN and BIC for one abroad. Credit notes are not paid, so they have none.
* ``BuyerReference`` is the member's buyer reference, or else its member number.
* The PDF of the same document is embedded as an ``AdditionalDocumentReference``.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from filmklynge.errors import InvalidInput
from filmklynge.store.db import Database

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
ORGNR_SCHEME = "0192"
CATEGORIES = ("S", "E", "Z", "G", "O")

# Peppol's address schemes (EAS) for a company's VAT number, by country.
VAT_SCHEMES = {
    "AD": "9922",
    "AL": "9923",
    "AT": "9914",
    "BA": "9924",
    "BE": "9925",
    "BG": "9926",
    "CH": "9927",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "ES": "9920",
    "FI": "0213",
    "FR": "9957",
    "GB": "9932",
    "GR": "9933",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "LI": "9936",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MC": "9940",
    "ME": "9941",
    "MK": "9942",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "RS": "9948",
    "SI": "9949",
    "SK": "9950",
    "SM": "9951",
    "TR": "9952",
    "VA": "9953",
}
_SE_VAT = re.compile(r"SE(\d{10})01")
_DK_VAT = re.compile(r"DK\d{8}")
_NO_POSTAL = re.compile(r"^(\d{4})\s+(.+)$")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # cannot be in XML 1.0

ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)


# --------------------------------------------------------------------------- values


def amount(ore: int) -> str:
    """Øre as a UBL amount: 1250000 -> '12500.00', -5 -> '-0.05' (integers only)."""
    value = int(ore)
    whole, cents = divmod(abs(value), 100)
    return f"{'-' if value < 0 else ''}{whole}.{cents:02d}"


def percent(rate_bp: int) -> str:
    """Basis points as a UBL percentage: 2500 -> '25', 1250 -> '12.5', 0 -> '0'."""
    whole, frac = divmod(int(rate_bp), 100)
    return str(whole) if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


@dataclass(frozen=True)
class Party:
    """How the buyer is addressed in Peppol: its endpoint and, when known, its legal id."""

    endpoint_scheme: str
    endpoint_id: str
    legal_scheme: str | None
    legal_id: str | None
    vat_id: str | None


@dataclass
class _Rows:
    invoice: dict[str, Any]
    lines: list[dict[str, Any]]
    member: dict[str, Any]
    credited: dict[str, Any] | None
    profile: dict[str, Any]
    vat_codes: dict[str, dict[str, Any]]

    @property
    def is_credit(self) -> bool:
        return self.invoice["kind"] == "credit"

    @property
    def sign(self) -> int:
        """Stored amounts times this are the amounts in the document."""
        return -1 if self.is_credit else 1

    @property
    def country(self) -> str:
        return (self.member.get("country") or "NO").upper()

    @property
    def label(self) -> str:
        noun = "Credit note" if self.is_credit else "Invoice"
        return f"{noun} {self.invoice['number']} ({self.invoice['buyer_name']})"


def _load(db: Database, number: int) -> _Rows:
    from filmklynge.documents.files import invoice_by_number
    from filmklynge.register.profile import get_profile

    invoice = invoice_by_number(db, int(number))
    lines = list(
        db.query(
            "SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", [invoice["id"]]
        )
    )
    credited = None
    if invoice.get("credits_invoice_id"):
        credited = db.get("invoices", invoice["credits_invoice_id"])
    return _Rows(
        invoice=invoice,
        lines=lines,
        member=db.get("members", invoice["member_id"]) or {},
        credited=credited,
        profile=get_profile(db),
        vat_codes={r["code"]: r for r in db.query("SELECT * FROM vat_codes")},
    )


# --------------------------------------------------------------------------- problems


def ehf_problems(db: Database, number: int) -> list[str]:
    """Why invoice or credit note ``number`` cannot be sent as EHF; empty when it can.

    Each reason is one line that says what to fix. Raises NotFound for an unknown number.
    """
    return _problems(_load(db, number))


def _problems(rows: _Rows) -> list[str]:
    problems: list[str] = []
    profile, invoice = rows.profile, rows.invoice
    if not (profile.get("address_line") and profile.get("city")):
        problems.append(
            "the cluster's profile has no postal address "
            "(filmklynge profile set --address ... --postal-code ... --city ...)"
        )
    problems += _buyer_problems(rows)
    problems += _line_problems(rows)
    net = sum(int(line["net_ore"]) for line in rows.lines)
    vat = sum(int(line["vat_ore"]) for line in rows.lines)
    if (net, vat, net + vat) != (invoice["net_ore"], invoice["vat_ore"], invoice["total_ore"]):
        problems.append("its stored totals do not add up to its lines (run 'filmklynge db check')")
    if rows.is_credit:
        if rows.credited is None:
            problems.append("it does not say which invoice it credits")
    else:
        if not invoice.get("due_on"):
            problems.append("it has no due date")
        if rows.country != "NO" and not profile.get("iban"):
            problems.append(
                "a member abroad pays by IBAN, and the profile has none "
                "(filmklynge profile set --account ...)"
            )
    return problems


def _buyer_problems(rows: _Rows) -> list[str]:
    problems = []
    member_ref = f"member {rows.invoice['member_id']}"
    if not _address(rows).get("CityName"):
        problems.append(
            f"{member_ref} has no postal address "
            f"(filmklynge members edit {rows.invoice['member_id']} "
            "--address ... --postal-code ... --city ...)"
        )
    try:
        buyer_party(rows.invoice, rows.member)
    except InvalidInput as e:
        problems.append(str(e))
    return problems


def _line_problems(rows: _Rows) -> list[str]:
    problems = []
    if not rows.lines:
        return ["it has no lines"]
    codes = []
    for line in rows.lines:
        no, code, rate = line["line_no"], line["vat_code"], int(line["vat_rate_bp"])
        codes.append(code)
        if code not in CATEGORIES:
            problems.append(
                f"line {no} has VAT code {code}, which has no EHF category (S, E, Z, G or O)"
            )
        elif code == "S" and rate <= 0:
            problems.append(f"line {no} has VAT code S at 0 %; S needs a rate above 0")
        elif code in ("E", "Z", "G", "O") and rate != 0:
            problems.append(f"line {no} has VAT code {code} at a rate above 0 %")
        elif code in ("E", "G") and not _exemption_text(rows, line):
            problems.append(
                f"line {no} is {'exempt from' if code == 'E' else 'zero-rated as export for'} "
                f"VAT ({code}) but has no exemption text, which EHF requires (BR-{code}-10)"
            )
        if int(line["net_ore"]) * rows.sign < 0 or int(line["vat_ore"]) * rows.sign < 0:
            problems.append(f"line {no} has an amount of the wrong sign")
    present = set(codes)
    if "O" in present and len(present) > 1:
        others = ", ".join(sorted(present - {"O"}))
        problems.append(
            f"it mixes VAT code O (not subject to VAT) with {others}; "
            "EHF allows O only on its own (BR-O-11)"
        )
    profile = rows.profile
    if not profile.get("vat_registered"):
        if present & {"S", "Z", "G"}:
            problems.append(
                "it charges or zero-rates VAT (S, Z or G) but the cluster is not VAT-registered "
                "(filmklynge profile set --vat)"
            )
        elif "E" in present and not profile.get("foretaksregisteret"):
            problems.append(
                "a VAT-exempt (E) line needs the seller's VAT id or its registration in "
                "Foretaksregisteret, and the profile has neither (BR-E-02)"
            )
    for group in _breakdown(rows):
        if group["code"] == "S":
            exact = group["net_ore"] * group["rate_bp"]  # in øre x 10 000
            if abs(group["vat_ore"] * 10_000 - exact) > 100 * 10_000:
                problems.append(
                    f"its VAT at {percent(group['rate_bp'])} % is more than 1 krone off the rate"
                )
    return problems


# --------------------------------------------------------------------------- the buyer


def buyer_party(invoice: dict[str, Any], member: dict[str, Any]) -> Party:
    """The buyer's Peppol identifiers; InvalidInput says why a member cannot have them."""
    from filmklynge.identifiers import check_orgnr

    country = (member.get("country") or "NO").upper()
    who = f"member {invoice['member_id']}"
    if country == "NO":
        orgnr = invoice.get("buyer_orgnr") or member.get("orgnr")
        if not orgnr:
            raise InvalidInput(f"{who} has no organisation number, which EHF is addressed by")
        try:
            orgnr = check_orgnr(orgnr)
        except InvalidInput:
            raise InvalidInput(f"{who}'s organisation number {orgnr} is not valid") from None
        vat_id = invoice.get("buyer_vat_id") or None
        return Party(ORGNR_SCHEME, orgnr, ORGNR_SCHEME, orgnr, vat_id)
    vat_id = _prefixed_vat_id(invoice.get("buyer_vat_id") or member.get("vat_id"), country)
    send_otherwise = "send its documents by e-mail or post"
    if not vat_id:
        raise InvalidInput(
            f"{who} in {country} has no VAT id, which Peppol addresses it by; {send_otherwise}"
        )
    if country == "SE":
        match = _SE_VAT.fullmatch(vat_id)
        if not match:
            raise InvalidInput(
                f"{who}'s VAT id {vat_id} is not a Swedish one (SE, 10 digits, 01); "
                f"correct it or {send_otherwise}"
            )
        return Party("0007", match.group(1), "0007", match.group(1), vat_id)
    if country == "DK":
        if not _DK_VAT.fullmatch(vat_id):
            raise InvalidInput(
                f"{who}'s VAT id {vat_id} is not a Danish one (DK and 8 digits); "
                f"correct it or {send_otherwise}"
            )
        return Party("0184", vat_id, "0184", vat_id, vat_id)
    scheme = VAT_SCHEMES.get(country)
    if scheme is None:
        raise InvalidInput(
            f"{who} is in {country}, where Peppol has no VAT-number address; {send_otherwise}"
        )
    return Party(scheme, vat_id, None, None, vat_id)


def _prefixed_vat_id(value: str | None, country: str) -> str | None:
    """A VAT id with its country prefix (EL for Greece), as EN 16931 wants it (BR-CO-09)."""
    if not value:
        return None
    compact = re.sub(r"[\s.\-]", "", str(value)).upper()
    if compact[:2].isalpha():
        return compact
    return ("EL" if country == "GR" else country) + compact


def _address(rows: _Rows) -> dict[str, str]:
    """The buyer's postal address as UBL fields: the address printed on the document, or the
    member's address now when none was printed (it was added after the document was issued).

    The member's own fields are used when they give the printed address (the usual case);
    otherwise the printed lines are split: street lines, then postal code and town."""
    from filmklynge.ledger.invoicing import buyer_address

    member, printed = rows.member, (rows.invoice.get("buyer_address") or "").strip()
    if member and (not printed or buyer_address(member) == printed):
        fields = {
            "StreetName": member.get("address_line") or "",
            "CityName": member.get("city") or "",
            "PostalZone": member.get("postal_code") or "",
        }
        return {k: v for k, v in fields.items() if v}
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    if len(lines) > 1 and rows.country != "NO":
        lines = lines[:-1]  # the country's name, printed last
    fields: dict[str, str] = {}
    if not lines:
        return fields
    last = lines[-1]
    match = _NO_POSTAL.match(last) if rows.country == "NO" else None
    if match:
        fields["PostalZone"], fields["CityName"] = match.group(1), match.group(2)
        lines = lines[:-1]
    elif len(lines) > 1:
        fields["CityName"] = last
        lines = lines[:-1]
    if lines:
        fields["StreetName"] = lines[0]
    if len(lines) > 1:
        fields["AdditionalStreetName"] = ", ".join(lines[1:])
    return fields


# --------------------------------------------------------------------------- VAT and period


def _exemption_text(rows: _Rows, line: dict[str, Any]) -> str:
    stored = (line.get("vat_text") or "").strip()
    if stored:
        return stored
    code = rows.vat_codes.get(line["vat_code"]) or {}
    lang = "en" if rows.invoice.get("language") == "en" else "nb"
    return (code.get(f"text_{lang}") or code.get("text_nb") or "").strip()


def _breakdown(rows: _Rows) -> list[dict[str, Any]]:
    """One group per VAT code and rate, amounts as in the document (positive)."""
    from filmklynge.ledger.vat import breakdown

    groups = []
    for group in breakdown(rows.lines):
        code = group["vat_code"]
        reason = ""
        if code in ("E", "G", "O"):
            reason = next(
                (
                    _exemption_text(rows, line)
                    for line in rows.lines
                    if line["vat_code"] == code and _exemption_text(rows, line)
                ),
                "Not subject to VAT" if code == "O" else "",
            )
        groups.append(
            {
                "code": code,
                "rate_bp": group["vat_rate_bp"],
                "net_ore": group["net_ore"] * rows.sign,
                "vat_ore": group["vat_ore"] * rows.sign,
                "reason": reason,
            }
        )
    return groups


def billed_period(rows: _Rows) -> tuple[str, str] | None:
    """First and last day of the months billed (``invoicing.billed_period``, as on the PDF)."""
    from filmklynge.ledger.invoicing import billed_period as months_billed

    return months_billed(rows.invoice, rows.lines)


# --------------------------------------------------------------------------- the XML


def render_ehf(db: Database, number: int) -> bytes:
    """The UBL 2.1 XML of invoice or credit note ``number`` (an ``Invoice``, type 380, or a
    ``CreditNote``, type 381), with its PDF embedded. Raises InvalidInput with the problems
    when it cannot be sent as EHF."""
    from filmklynge.documents.pdf import invoice_pdf

    rows = _load(db, number)
    problems = _problems(rows)
    if problems:
        raise InvalidInput(f"{rows.label} cannot be sent as EHF: {'; '.join(problems)}.")
    return _xml(rows, invoice_pdf(db, rows.invoice["id"]))


class _Builder:
    """Elements in the cac/cbc namespaces, written as ``cbc:ID``."""

    def __init__(self, namespace: str, root: str):
        # The document's own namespace is the default one: the root is written unprefixed
        # with an xmlns attribute (ElementTree would otherwise invent a prefix like ns0).
        self.root = ET.Element(root, {"xmlns": namespace})

    def tag(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{CAC if prefix == 'cac' else CBC}}}{local}"

    def add(self, parent: ET.Element, name: str, text: str | None = None, **attrs: str):
        element = ET.SubElement(parent, self.tag(name), attrs)
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element


def _xml(rows: _Rows, pdf: bytes) -> bytes:
    from filmklynge.documents.files import default_name

    invoice, credit = rows.invoice, rows.is_credit
    b = _Builder(CREDIT_NOTE_NS if credit else INVOICE_NS, "CreditNote" if credit else "Invoice")
    root, add = b.root, b.add
    currency = invoice.get("currency") or "NOK"

    def money(parent: ET.Element, name: str, ore: int) -> None:
        add(parent, name, amount(ore), currencyID=currency)

    add(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    add(root, "cbc:ProfileID", PROFILE_ID)
    add(root, "cbc:ID", str(invoice["number"]))
    add(root, "cbc:IssueDate", invoice["issued_on"])
    if credit:
        add(root, "cbc:CreditNoteTypeCode", "381")
    else:
        add(root, "cbc:DueDate", invoice["due_on"])
        add(root, "cbc:InvoiceTypeCode", "380")
    note = _note(rows)
    if note:
        add(root, "cbc:Note", note)
    add(root, "cbc:DocumentCurrencyCode", currency)
    add(root, "cbc:BuyerReference", _buyer_reference(rows))
    period = billed_period(rows)
    if period:
        element = add(root, "cac:InvoicePeriod")
        add(element, "cbc:StartDate", period[0])
        add(element, "cbc:EndDate", period[1])
    if credit and rows.credited is not None:
        reference = add(add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        add(reference, "cbc:ID", str(rows.credited["number"]))
        add(reference, "cbc:IssueDate", rows.credited["issued_on"])
    attachment = add(root, "cac:AdditionalDocumentReference")
    add(attachment, "cbc:ID", str(invoice["number"]))
    add(attachment, "cbc:DocumentDescription", _pdf_description(rows))
    add(
        add(attachment, "cac:Attachment"),
        "cbc:EmbeddedDocumentBinaryObject",
        base64.b64encode(pdf).decode("ascii"),
        mimeCode="application/pdf",
        filename=default_name("credit" if credit else "invoice", invoice["number"]),
    )
    _seller(b, add(root, "cac:AccountingSupplierParty"), rows)
    _buyer(b, add(root, "cac:AccountingCustomerParty"), rows)
    if not credit:
        _payment_means(b, root, rows)
    groups = _breakdown(rows)
    tax_total = add(root, "cac:TaxTotal")
    money(tax_total, "cbc:TaxAmount", invoice["vat_ore"] * rows.sign)
    for group in groups:
        subtotal = add(tax_total, "cac:TaxSubtotal")
        money(subtotal, "cbc:TaxableAmount", group["net_ore"])
        money(subtotal, "cbc:TaxAmount", group["vat_ore"])
        _category(b, subtotal, "cac:TaxCategory", group["code"], group["rate_bp"], group["reason"])
    totals = add(root, "cac:LegalMonetaryTotal")
    money(totals, "cbc:LineExtensionAmount", invoice["net_ore"] * rows.sign)
    money(totals, "cbc:TaxExclusiveAmount", invoice["net_ore"] * rows.sign)
    money(totals, "cbc:TaxInclusiveAmount", invoice["total_ore"] * rows.sign)
    money(totals, "cbc:PayableAmount", invoice["total_ore"] * rows.sign)
    for line in rows.lines:
        net = int(line["net_ore"]) * rows.sign
        element = add(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        add(element, "cbc:ID", str(line["line_no"]))
        add(
            element,
            "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
            "1",
            unitCode="C62",
        )
        money(element, "cbc:LineExtensionAmount", net)
        item = add(element, "cac:Item")
        detail = _line_detail(rows, line)
        if detail:
            add(item, "cbc:Description", detail)
        add(item, "cbc:Name", line["description"])
        _category(b, item, "cac:ClassifiedTaxCategory", line["vat_code"], line["vat_rate_bp"])
        money(add(element, "cac:Price"), "cbc:PriceAmount", net)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _category(b: _Builder, parent: ET.Element, name: str, code: str, rate_bp: int, reason=""):
    category = b.add(parent, name)
    b.add(category, "cbc:ID", code)
    if code != "O":  # "not subject to VAT" has no rate (BR-O-05)
        b.add(category, "cbc:Percent", percent(rate_bp))
    # Only these carry a reason (BR-S-10, BR-Z-10); export (G) must (BR-G-10).
    if reason and code in ("E", "G", "O"):
        b.add(category, "cbc:TaxExemptionReason", reason)
    b.add(b.add(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _only_o(rows: _Rows) -> bool:
    return {line["vat_code"] for line in rows.lines} == {"O"}


def _seller(b: _Builder, parent: ET.Element, rows: _Rows) -> None:
    profile, add = rows.profile, b.add
    party = add(parent, "cac:Party")
    add(party, "cbc:EndpointID", profile["orgnr"], schemeID=ORGNR_SCHEME)
    add(add(party, "cac:PartyName"), "cbc:Name", profile["name"])
    _postal_address(
        b,
        party,
        {
            "StreetName": profile.get("address_line") or "",
            "CityName": profile.get("city") or "",
            "PostalZone": profile.get("postal_code") or "",
        },
        profile.get("country") or "NO",
    )
    # A document not subject to VAT (O) may not carry the seller's VAT id (BR-O-02).
    if profile.get("vat_registered") and not _only_o(rows):
        scheme = add(party, "cac:PartyTaxScheme")
        add(scheme, "cbc:CompanyID", f"NO{profile['orgnr']}MVA")
        add(add(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    if profile.get("foretaksregisteret"):
        scheme = add(party, "cac:PartyTaxScheme")
        add(scheme, "cbc:CompanyID", "Foretaksregisteret")
        add(add(scheme, "cac:TaxScheme"), "cbc:ID", "TAX")
    legal = add(party, "cac:PartyLegalEntity")
    add(legal, "cbc:RegistrationName", profile["name"])
    add(legal, "cbc:CompanyID", profile["orgnr"], schemeID=ORGNR_SCHEME)
    if profile.get("email") or profile.get("phone"):
        contact = add(party, "cac:Contact")
        if profile.get("phone"):
            add(contact, "cbc:Telephone", profile["phone"])
        if profile.get("email"):
            add(contact, "cbc:ElectronicMail", profile["email"])


def _buyer(b: _Builder, parent: ET.Element, rows: _Rows) -> None:
    add, invoice = b.add, rows.invoice
    buyer = buyer_party(invoice, rows.member)
    party = add(parent, "cac:Party")
    add(party, "cbc:EndpointID", buyer.endpoint_id, schemeID=buyer.endpoint_scheme)
    add(add(party, "cac:PartyName"), "cbc:Name", invoice["buyer_name"])
    _postal_address(b, party, _address(rows), rows.country)
    if buyer.vat_id and not _only_o(rows):  # BR-O-02: no buyer VAT id either
        scheme = add(party, "cac:PartyTaxScheme")
        add(scheme, "cbc:CompanyID", buyer.vat_id)
        add(add(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = add(party, "cac:PartyLegalEntity")
    add(legal, "cbc:RegistrationName", invoice["buyer_name"])
    if buyer.legal_id and buyer.legal_scheme:
        add(legal, "cbc:CompanyID", buyer.legal_id, schemeID=buyer.legal_scheme)


def _postal_address(b: _Builder, party: ET.Element, fields: dict[str, str], country: str):
    address = b.add(party, "cac:PostalAddress")
    for name in ("StreetName", "AdditionalStreetName", "CityName", "PostalZone"):
        if fields.get(name):
            b.add(address, f"cbc:{name}", fields[name])
    b.add(b.add(address, "cac:Country"), "cbc:IdentificationCode", country.upper())


def _payment_means(b: _Builder, root: ET.Element, rows: _Rows) -> None:
    add, profile = b.add, rows.profile
    means = add(root, "cac:PaymentMeans")
    add(means, "cbc:PaymentMeansCode", "30")
    if rows.invoice.get("kid"):
        add(means, "cbc:PaymentID", rows.invoice["kid"])
    account = add(means, "cac:PayeeFinancialAccount")
    if rows.country == "NO":
        add(account, "cbc:ID", profile["account_no"])
    else:
        add(account, "cbc:ID", profile["iban"])
        if profile.get("bic"):
            add(add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", profile["bic"])


def _buyer_reference(rows: _Rows) -> str:
    reference = (rows.member.get("buyer_reference") or "").strip()
    return reference or str(rows.invoice["member_id"])


def _english(rows: _Rows) -> bool:
    return rows.invoice.get("language") == "en" or rows.country != "NO"


def _note(rows: _Rows) -> str:
    """A credit note says what it credits and why (the PDF says the same)."""
    if not rows.is_credit:
        return ""
    from filmklynge.dates import norwegian

    reason = (rows.invoice.get("note") or "").strip()
    if rows.credited is None:
        return reason
    number, issued = rows.credited["number"], norwegian(rows.credited["issued_on"])
    text = (
        f"Credits invoice {number} of {issued}."
        if _english(rows)
        else f"Krediterer faktura {number} av {issued}."
    )
    return f"{text} {reason}" if reason else text


def _pdf_description(rows: _Rows) -> str:
    number = rows.invoice["number"]
    if _english(rows):
        return f"{'Credit note' if rows.is_credit else 'Invoice'} {number} (PDF)"
    return f"{'Kreditnota' if rows.is_credit else 'Faktura'} {number} (PDF)"


def _line_detail(rows: _Rows, line: dict[str, Any]) -> str:
    """For a pro rata line, the full-year amount and the months billed (as on the PDF)."""
    months, of, full = line.get("months"), line.get("months_of"), line.get("full_ore")
    if not months or not of or months >= of or full is None:
        return ""
    from filmklynge.money import format_nok

    if _english(rows):
        return f"Full-year amount {format_nok(int(full))}, {months} of {of} months"
    return f"Helårsbeløp {format_nok(int(full))}, {months} av {of} måneder"
