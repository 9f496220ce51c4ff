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
from decimal import Decimal, InvalidOperation

from filmklynge.errors import InvalidInput

MAX_BYTES = 50 * 1024 * 1024
CAMT_NS = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.(\d\d)$")
REVERSALS = {18, 20}
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def _check_ocr_structure(lines: list[str], name: str) -> None:
    """Record order and the end records' counts and totals against the body (spec §3.5)."""
    if lines[0][6:8] != "10":
        raise InvalidInput(f"{name}: line 1 must be the transmission start record (10).")
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
    except ValueError as e:
        raise InvalidInput(f"{name}: not a valid OCR giro file ({str(e)[:120]}).") from None
    result = BankFile(format="ocr")
    for assignment in transmission.assignments:
        for tx in assignment.transactions:
            ref = f"ocr:{transmission.number}:{assignment.number}:{tx.number}"
            if int(tx.type) in REVERSALS:
                result.skipped += 1
                result.skipped_why.append(f"{ref}: reversal (transaction type {int(tx.type)})")
                continue
            kid = (tx.kid or "").strip() or None
            account = tx.debit_account if tx.debit_account and int(tx.debit_account) else None
            result.payments.append(
                BankPayment(
                    bank_ref=ref,
                    paid_on=tx.date,
                    value_on=tx.bank_date,
                    amount_ore=int(tx.amount_in_cents),
                    kid=kid,
                    reference=(tx.text or "").strip() or None,
                    payer_account=account,
                )
            )
    return result


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
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, TypeError):
        raise InvalidInput(f"{name}: amount {text!r} in {where} is not a number.") from None
    ore = value * 100
    if ore != ore.to_integral_value():
        raise InvalidInput(f"{name}: amount {text} in {where} has more than two decimals.")
    return int(ore)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


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
    except ParseError as e:
        raise InvalidInput(f"{name} is not well-formed XML ({e}); is it cut off?") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    match = CAMT_NS.match(ns)
    if _ln(root.tag) != "Document" or not match:
        raise InvalidInput(
            f"{name}: unknown XML namespace {ns!r}; filmklynge reads camt.053 and camt.054 "
            "(urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .13, and camt.054 likewise)."
        )
    kind = f"camt{match.group(1)}"
    result = BankFile(format=kind)
    message = root[0] if len(root) else None
    seen: dict[str, int] = {}
    for stmt in [
        c for c in (message if message is not None else []) if _ln(c.tag) in ("Stmt", "Ntfctn")
    ]:
        account = _text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id")
        for entry_no, ntry in enumerate(_children(stmt, "Ntry"), start=1):
            where = f"entry {entry_no}"
            details = [tx for d in _children(ntry, "NtryDtls") for tx in _children(d, "TxDtls")]
            status_el = _child(ntry, "Sts")
            status = _text(status_el, "Cd") or (
                status_el.text.strip() if status_el is not None and status_el.text else None
            )
            if _text(ntry, "CdtDbtInd") != "CRDT":
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: debit entry")
                continue
            if status != "BOOK":
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: not booked ({status})")
                continue
            if (_text(ntry, "RvslInd") or "").lower() == "true":
                result.skipped += max(1, len(details))
                result.skipped_why.append(f"{where}: reversal")
                continue
            booked = _date(_text(ntry, "BookgDt", "Dt") or _text(ntry, "BookgDt", "DtTm"))
            if booked is None:
                raise InvalidInput(f"{name}: {where} has no booking date.")
            valued = _date(_text(ntry, "ValDt", "Dt") or _text(ntry, "ValDt", "DtTm"))
            entry_ref = _text(ntry, "AcctSvcrRef")
            for tx in details or [None]:
                amount_el = None
                if tx is not None:
                    amount_el = _child(tx, "AmtDtls", "TxAmt", "Amt")
                    if amount_el is None:
                        amount_el = _child(tx, "Amt")
                if amount_el is None:
                    amount_el = _child(ntry, "Amt")
                if amount_el is None:
                    raise InvalidInput(f"{name}: {where} has no amount.")
                amount = _ore(amount_el.text, where, name)
                refs = [
                    r
                    for s in _children(_child(tx, "RmtInf"), "Strd")
                    for cri in _children(s, "CdtrRefInf")
                    if (r := _text(cri, "Ref"))
                ]
                free = (
                    " ".join(
                        u.text.strip() for u in _children(_child(tx, "RmtInf"), "Ustrd") if u.text
                    )
                    or None
                )
                payer = _text(tx, "RltdPties", "Dbtr", "Nm") if tx is not None else None
                payer_account = None
                if tx is not None:
                    payer_account = _text(tx, "RltdPties", "DbtrAcct", "Id", "IBAN") or _text(
                        tx, "RltdPties", "DbtrAcct", "Id", "Othr", "Id"
                    )
                tx_ref = _text(tx, "Refs", "AcctSvcrRef") if tx is not None else None
                e2e = _text(tx, "Refs", "EndToEndId") if tx is not None else None
                kid = refs[0] if refs else None
                if tx_ref:
                    bank_ref = f"camt:{tx_ref}"
                elif entry_ref and len(details) <= 1:
                    bank_ref = f"camt:{entry_ref}"
                elif e2e and e2e.upper() != "NOTPROVIDED":
                    bank_ref = f"camt:e2e:{e2e}"
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
    return result
