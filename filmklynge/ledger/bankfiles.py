"""Reading the bank's payment files: Nets OCR giro and ISO 20022 camt.054 / camt.053.

Pure functions from bytes to ``BankFile``; nothing here touches the database. Every file is
checked as a whole before a single payment is returned, and a failed check names the line (OCR)
or the element (camt) and what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from filmklynge.errors import InvalidInput

MAX_BYTES = 50 * 1024 * 1024
# The versions the help names: camt.053.001.02 to .13 and camt.054.001.02 to .13.
CAMT_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.(0[2-9]|1[0-3])$")
CAMT_MESSAGES = {"053": ("BkToCstmrStmt", "Stmt"), "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
REVERSALS = {18, 20}
CURRENCY = "NOK"
# ISO 20022 amounts: unsigned, at most 18 digits of which 5 decimals (the schema's
# ActiveOrHistoricCurrencyAndAmount). Anything else (a sign, an exponent, Infinity, NaN) is
# refused before Decimal sees it.
_CAMT_AMOUNT = re.compile(r"^[0-9]{1,18}(?:\.[0-9]{1,5})?$")
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ISO_STAMP = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
)
# Bank texts are kept bounded (a 10 MB message must not travel into every listing), and
# characters that would act on a terminal are replaced. The limits are ISO 20022's own:
# Max140Text for names and unstructured remittance lines, Max35Text for references.
MAX_TEXT = 500
MAX_NAME = 140
MAX_REF = 35
# Control characters (other than CR and LF) and the C1 range are not ISO-8859-1 text.
_NOT_LATIN1_TEXT = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class BankPayment:
    bank_ref: str
    paid_on: date
    value_on: date | None
    amount_ore: int
    kid: str | None
    reference: str | None
    payer_name: str | None = None
    payer_account: str | None = None


@dataclass
class BankFile:
    format: str  # ocr | camt054 | camt053
    payments: list[BankPayment] = field(default_factory=list)
    skipped: int = 0
    skipped_why: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was changed on the way in
    shortened: int = 0  # texts cut to their limit
    cleaned: int = 0  # texts with control characters replaced

    def text(self, value: str | None, limit: int) -> str | None:
        """A bank text as stored: control characters and bidi overrides replaced by U+FFFD,
        cut to ``limit`` characters (and counted, so the import can say so)."""
        if value is None:
            return None
        from filmklynge.identifiers import UNSAFE_TEXT

        value = value.strip()
        if UNSAFE_TEXT.search(value):
            value = UNSAFE_TEXT.sub("\ufffd", value)
            self.cleaned += 1
        if len(value) > limit:
            value = value[: limit - 1] + "…"
            self.shortened += 1
        return value or None

    def finish(self) -> BankFile:
        if self.shortened:
            self.notes.append(
                f"{self.shortened} text(s) longer than the bank standard allows were cut "
                "(names 140, references 35, messages 500 characters)"
            )
        if self.cleaned:
            self.notes.append(f"{self.cleaned} text(s) held control characters, replaced by \ufffd")
        return self


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_amount(ore: int, where: str) -> int:
    """A payment from a bank file follows the amount rule of one typed by hand."""
    from filmklynge.money import check_payment_amount

    try:
        return check_payment_amount(ore, what=where)
    except InvalidInput as e:
        raise InvalidInput(f"{e} Nothing was imported.") from None


def parse(data: bytes, *, name: str = "the file") -> BankFile:
    """Detect the format and read it; raises InvalidInput saying which check failed where."""
    if not data.strip():
        raise InvalidInput(f"{name} is empty. Download the payment file from the bank again.")
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"{name} is larger than {MAX_BYTES // 1024 // 1024} MB; "
            "split it or check it is a payment file."
        )
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"NY000010"):
        return parse_ocr(data, name=name)
    if head.startswith(b"<"):
        return parse_camt(data, name=name)
    raise InvalidInput(
        f"{name} is neither a Nets OCR giro file (first line starts NY000010) nor ISO 20022 "
        "camt.053/camt.054 XML. Download the OCR or camt file from the bank."
    )


# ---- Nets OCR giro -------------------------------------------------------------------------

_NEXT = {  # record type -> record types allowed after it
    "10": {"20", "89"},
    "20": {"30", "88"},
    "30": {"31"},
    "31": {"30", "32", "88"},
    "32": {"30", "88"},
    "88": {"20", "89"},
    "89": set(),
}


def _ocr_lines(data: bytes, name: str) -> list[str]:
    bad = _NOT_LATIN1_TEXT.search(data)
    if bad:
        i, byte = bad.start(), data[bad.start()]
        line = data.count(b"\n", 0, i) + 1
        raise InvalidInput(
            f"{name}: byte 0x{byte:02X} on line {line} is not ISO-8859-1 text; an OCR giro "
            "file holds only ISO-8859-1 characters (was it saved in another encoding?)."
        )
    text = data.decode("iso-8859-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    for n, line in enumerate(lines, start=1):
        if len(line) != 80:
            raise InvalidInput(
                f"{name}: line {n} has {len(line)} characters; every OCR giro record has "
                "exactly 80. The file is damaged or not an OCR giro file."
            )
        if not line.startswith("NY") or line[6:8] not in _NEXT:
            raise InvalidInput(f"{name}: line {n} is not an OCR giro record (starts {line[:8]!r}).")
    return lines


def _number(line: str, start: int, end: int, what: str, n: int, name: str) -> int:
    """A numeric OCR field (``line[start:end]``), or a message naming the line and positions."""
    text = line[start:end]
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(
            f"{name}: line {n}: {what} {text!r} (positions {start + 1}-{end}) is not a number; "
            "the file is damaged or not an OCR giro file."
        )
    return int(text)


def _check_ocr_structure(lines: list[str], name: str) -> None:
    """Record order and the end records' counts and totals against the body (spec §3.5)."""
    if lines[0][6:8] != "10":
        raise InvalidInput(f"{name}: line 1 must be the transmission start record (10).")
    for n, line in enumerate(lines, start=1):  # every numeric field the checks below read
        if line[6:8] in ("30", "31", "32"):
            _number(line, 4, 6, "transaction type", n, name)
            _number(line, 8, 15, "transaction number", n, name)
        if line[6:8] == "30":
            _number(line, 32, 49, "amount", n, name)
        elif line[6:8] in ("88", "89"):
            _number(line, 8, 16, "number of transactions", n, name)
            _number(line, 16, 24, "number of records", n, name)
            _number(line, 24, 41, "total amount", n, name)
    tx_total = tx_count = 0
    a_start = a_count = a_amount = 0
    for n, line in enumerate(lines, start=1):
        kind = line[6:8]
        if n > 1:
            before = lines[n - 2][6:8]
            if kind not in _NEXT[before]:
                raise InvalidInput(
                    f"{name}: line {n}: record type {kind} cannot follow record type {before} "
                    "(wrong record order)."
                )
        if kind == "32" and int(line[4:6]) not in (20, 21):
            raise InvalidInput(
                f"{name}: line {n}: amount item 3 only belongs to transaction types 20 and 21."
            )
        if kind == "31" and line[8:15] != lines[n - 2][8:15]:
            raise InvalidInput(
                f"{name}: line {n}: amount item 2 has another transaction number "
                "than the item 1 before it."
            )
        if kind == "20":
            a_start, a_count, a_amount = n, 0, 0
        elif kind == "30":
            a_count += 1
            a_amount += int(line[32:49])
        elif kind == "88":
            number = lines[a_start - 1][17:24]
            records = n - a_start + 1
            checks = [
                ("number of transactions", int(line[8:16]), a_count),
                ("number of records", int(line[16:24]), records),
                ("total amount (øre)", int(line[24:41]), a_amount),
            ]
            for what, stated, counted in checks:
                if stated != counted:
                    raise InvalidInput(
                        f"{name}: the end record of assignment {number} (line {n}) states "
                        f"{what} {stated}, but the assignment holds {counted}. The file is "
                        "incomplete or damaged; nothing was imported."
                    )
            tx_count += a_count
            tx_total += a_amount
        elif kind == "89":
            if n != len(lines):
                raise InvalidInput(
                    f"{name}: line {n}: the transmission end record (89) must be the last line."
                )
            for what, stated, counted in [
                ("number of transactions", int(line[8:16]), tx_count),
                ("number of records", int(line[16:24]), len(lines)),
                ("total amount (øre)", int(line[24:41]), tx_total),
            ]:
                if stated != counted:
                    raise InvalidInput(
                        f"{name}: the transmission end record (line {n}) states {what} "
                        f"{stated}, but the file holds {counted}. Nothing was imported."
                    )
    if lines[-1][6:8] != "89":
        raise InvalidInput(
            f"{name}: the file does not end with a transmission end record (89); "
            "it is probably cut off."
        )


def parse_ocr(data: bytes, *, name: str = "the file") -> BankFile:
    import netsgiro

    lines = _ocr_lines(data, name)
    _check_ocr_structure(lines, name)
    try:
        transmission = netsgiro.parse("\n".join(lines))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        # netsgiro names the record it could not read; its message is one line, kept short.
        detail = " ".join(str(e).split())[:120]
        raise InvalidInput(f"{name}: not a valid OCR giro file ({detail}).") from None
    result = BankFile(format="ocr")
    for assignment in transmission.assignments:
        for tx in assignment.transactions:
            ref = f"ocr:{transmission.number}:{assignment.number}:{tx.number}"
            # A reversal is transaction type 18 or 20, or (by some agreements) the sign '-'.
            if int(tx.type) in REVERSALS or tx.sign == "-":
                why = f"transaction type {int(tx.type)}" if int(tx.type) in REVERSALS else "sign -"
                result.skipped += 1
                result.skipped_why.append(f"{ref}: reversal ({why})")
                continue
            where = f"{name}: transaction {tx.number} of assignment {assignment.number}"
            amount = check_amount(int(tx.amount_in_cents), where)
            kid = result.text(tx.kid, MAX_REF)
            account = tx.debit_account if tx.debit_account and int(tx.debit_account) else None
            result.payments.append(
                BankPayment(
                    bank_ref=ref,
                    paid_on=tx.date,
                    value_on=tx.bank_date,
                    amount_ore=amount,
                    kid=kid,
                    reference=result.text(tx.text, MAX_TEXT),
                    payer_account=account,
                )
            )
    return result.finish()


# ---- ISO 20022 camt.053 / camt.054 ---------------------------------------------------------


def _ln(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el, *names):
    for name in names:
        if el is None:
            return None
        el = next((c for c in el if _ln(c.tag) == name), None)
    return el


def _children(el, name):
    return [c for c in el if _ln(c.tag) == name] if el is not None else []


def _text(el, *names) -> str | None:
    found = _child(el, *names)
    return found.text.strip() if found is not None and found.text else None


def _ore(text: str | None, where: str, name: str) -> int:
    """An ISO 20022 amount in kroner as øre, checked by the rules of ``payments add``."""
    raw = (text or "").strip()
    if raw.startswith("-"):
        raise InvalidInput(
            f"{name}: {where} has the amount {raw[:40]!r}; camt amounts have no sign (a "
            "reversal is marked RvslInd, a debit CdtDbtInd DBIT). Nothing was imported."
        )
    if not _CAMT_AMOUNT.match(raw):
        raise InvalidInput(
            f"{name}: {where} has the amount {raw[:40]!r}, which is not an amount (digits, "
            "at most 18, with a decimal point). Nothing was imported."
        )
    value = Decimal(raw) * 100
    if value != value.to_integral_value():
        raise InvalidInput(f"{name}: amount {raw} in {where} has more than two decimals.")
    return check_amount(int(value), f"{name}: {where}")


def _date(text: str | None, what: str, where: str, name: str) -> date | None:
    """An ISODate (``2026-11-24``) or the date of an ISODateTime; anything else is refused."""
    if text is None:
        return None
    stamp = _ISO_STAMP.match(text)
    day = stamp.group(1) if stamp else text if _ISO_DAY.match(text) else None
    if day is not None:
        try:
            return date.fromisoformat(day)
        except ValueError:
            pass
    raise InvalidInput(
        f"{name}: {where} has the {what} {text[:40]!r}, which is not a date (YYYY-MM-DD). "
        "Nothing was imported."
    )


def _entry_date(ntry, element: str, what: str, where: str, name: str) -> date | None:
    return _date(_text(ntry, element, "Dt") or _text(ntry, element, "DtTm"), what, where, name)


def parse_camt(data: bytes, *, name: str = "the file") -> BankFile:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InvalidInput(
            f"{name} declares a DOCTYPE or entities, which bank files never do; refused for "
            "safety. Download the file from the bank again."
        ) from None
    except (ParseError, ValueError) as e:
        raise InvalidInput(f"{name} is not well-formed XML ({e}); is it cut off?") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    match = CAMT_NS.match(ns)
    if _ln(root.tag) != "Document" or not match:
        raise InvalidInput(
            f"{name}: unknown XML namespace {ns[:80]!r}; filmklynge reads camt.053 and camt.054 "
            "(urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .13, and camt.054 likewise)."
        )
    kind = f"camt{match.group(1)}"
    wrapper, block = CAMT_MESSAGES[match.group(1)]
    message = _child(root, wrapper)
    statements = _children(message, block)
    if not statements:
        raise InvalidInput(
            f"{name} is camt.{match.group(1)} but holds no {block} element "
            f"(Document/{wrapper}/{block}), so no payments; the file is cut off or not the "
            "bank's payment file. Nothing was imported."
        )
    result = BankFile(format=kind)
    seen: dict[str, int] = {}
    for stmt in statements:
        account = result.text(
            _text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id"), MAX_REF
        )
        for entry_no, ntry in enumerate(_children(stmt, "Ntry"), start=1):
            where = f"entry {entry_no}"
            details = [tx for d in _children(ntry, "NtryDtls") for tx in _children(d, "TxDtls")]
            status_el = _child(ntry, "Sts")
            status = _text(status_el, "Cd") or (
                status_el.text.strip() if status_el is not None and status_el.text else None
            )
            if _text(ntry, "CdtDbtInd") != "CRDT":
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: not a credit (a debit entry)")
                continue
            if status != "BOOK":
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: not booked ({(status or '')[:20]})")
                continue
            if (_text(ntry, "RvslInd") or "").lower() in ("true", "1"):
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: reversal")
                continue
            booked = _entry_date(ntry, "BookgDt", "booking date", where, name)
            if booked is None:
                raise InvalidInput(f"{name}: {where} has no booking date.")
            valued = _entry_date(ntry, "ValDt", "value date", where, name)
            entry_ref = _text(ntry, "AcctSvcrRef")
            for tx_no, tx in enumerate(details or [None], start=1):
                here = where if len(details) <= 1 else f"{where}, transaction {tx_no}"
                amount_el = None
                if tx is not None:
                    amount_el = _child(tx, "AmtDtls", "TxAmt", "Amt")
                    if amount_el is None:
                        amount_el = _child(tx, "Amt")
                if amount_el is None:
                    amount_el = _child(ntry, "Amt")
                if amount_el is None:
                    raise InvalidInput(f"{name}: {here} has no amount.")
                currency = (amount_el.get("Ccy") or "").strip()
                if currency != CURRENCY:
                    # Only kroner pay a kroner invoice: a foreign amount is never matched.
                    result.skipped += 1
                    shown = currency[:3] if currency else "none given"
                    result.skipped_why.append(
                        f"{here}: currency {shown}, not {CURRENCY} (only NOK payments are imported)"
                    )
                    continue
                amount = _ore(amount_el.text, here, name)
                refs = [
                    r
                    for s in _children(_child(tx, "RmtInf"), "Strd")
                    for cri in _children(s, "CdtrRefInf")
                    if (r := _text(cri, "Ref"))
                ]
                free = result.text(
                    " ".join(
                        u.text.strip() for u in _children(_child(tx, "RmtInf"), "Ustrd") if u.text
                    )
                    or None,
                    MAX_TEXT,
                )
                payer = (
                    result.text(_text(tx, "RltdPties", "Dbtr", "Nm"), MAX_NAME)
                    if tx is not None
                    else None
                )
                payer_account = None
                if tx is not None:
                    payer_account = result.text(
                        _text(tx, "RltdPties", "DbtrAcct", "Id", "IBAN")
                        or _text(tx, "RltdPties", "DbtrAcct", "Id", "Othr", "Id"),
                        MAX_REF,
                    )
                tx_ref = _text(tx, "Refs", "AcctSvcrRef") if tx is not None else None
                e2e = _text(tx, "Refs", "EndToEndId") if tx is not None else None
                kid = result.text(refs[0], MAX_REF) if refs else None
                if tx_ref:
                    bank_ref = _bank_ref(tx_ref)
                elif entry_ref and len(details) <= 1:
                    bank_ref = _bank_ref(entry_ref)
                elif e2e and e2e.upper() != "NOTPROVIDED":
                    bank_ref = _bank_ref(e2e, "e2e:")
                else:
                    basis = f"{account}|{booked}|{amount}|{kid}|{payer}|{free}"
                    seen[basis] = seen.get(basis, 0) + 1
                    bank_ref = f"camt:fp:{sha256(f'{basis}|{seen[basis]}'.encode())[:32]}"
                result.payments.append(
                    BankPayment(
                        bank_ref=bank_ref,
                        paid_on=booked,
                        value_on=valued,
                        amount_ore=amount,
                        kid=kid,
                        reference=free,
                        payer_name=payer,
                        payer_account=payer_account,
                    )
                )
    return result.finish()


def _bank_ref(ref: str, prefix: str = "") -> str:
    """The bank's reference as the key that recognises a payment imported before; a reference
    longer than the standard's 35 characters (so not a real one) is kept as its hash."""
    from filmklynge.identifiers import UNSAFE_TEXT

    if len(ref) > MAX_REF or UNSAFE_TEXT.search(ref):
        return f"camt:{prefix}sha256:{sha256(ref.encode('utf-8', 'replace'))[:32]}"
    return f"camt:{prefix}{ref}"
