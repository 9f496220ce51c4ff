"""Writing bank payment files (Nets OCR giro via netsgiro, camt.053/054) for the bundled
sample, the tests and the benchmarks. The reader is ledger/bankfiles.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape


def make_ocr(
    payments: list[tuple[str, int]],
    *,
    on: date,
    transmission: str = "1000001",
    assignment: str = "0000001",
    account: str = "86011117947",
) -> bytes:
    """An OCR giro transmission with one assignment of KID payments ``(kid, øre)``."""
    import netsgiro

    t = netsgiro.Transmission(
        number=transmission, data_transmitter=netsgiro.NETS_ID, data_recipient="00123456", date=on
    )
    a = t.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        agreement_id="001234567",
        number=assignment,
        account=account,
        date=on,
    )
    for n, (kid, ore) in enumerate(payments, start=1):
        a.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT,
                number=n,
                date=on,
                amount=Decimal(ore) / 100,
                kid=kid,
                reference=f"{n:09d}",
                text=None,
                centre_id="01",
                day_code=on.day,
                partial_settlement_number=1,
                partial_settlement_serial_number="00001",
                sign="0",
                form_number="0" * 10,
                bank_date=on,
                debit_account="12345678903",
                filler=None,
            )
        )
    return (t.to_ocr() + "\n").encode("iso-8859-1")


def make_camt(
    kind: str,
    txs: list[tuple[str, str | None, str]],
    *,
    version: str = "02",
    status: str = "BOOK",
    credit_debit: str = "CRDT",
    booked: str = "2026-02-01",
    account: str = "86011117947",
    payer: str | None = None,
    currency: str = "NOK",
) -> str:
    """camt.053 or camt.054 XML with one entry; ``txs`` are (bank reference, KID or None, amount
    in kroner as text). Payments without a KID carry the free text 'Kontingent'. An amount
    that is not a number (for tests of what the reader refuses) is also the entry's total."""
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}"
    wrapper, block = (
        ("BkToCstmrStmt", "Stmt") if kind == "053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    party = f"<RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr></RltdPties>" if payer else ""
    details = "".join(
        f"<TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>"
        f"<AmtDtls><TxAmt><Amt Ccy='{currency}'>{amount}</Amt></TxAmt></AmtDtls>{party}"
        + (
            f"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{kid}</Ref></CdtrRefInf></Strd></RmtInf>"
            if kid
            else "<RmtInf><Ustrd>Kontingent</Ustrd></RmtInf>"
        )
        + "</TxDtls>"
        for ref, kid, amount in txs
    )
    try:
        total = f"{sum(Decimal(amount) for _, _, amount in txs):.2f}"
    except (ArithmeticError, ValueError):
        total = txs[0][2]
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{ns}'><{wrapper}>"
        f"<GrpHdr><MsgId>MSG-{booked}</MsgId><CreDtTm>{booked}T06:00:00</CreDtTm></GrpHdr>"
        f"<{block}><Id>{booked}</Id><Acct><Id><Othr><Id>{account}</Id></Othr></Id></Acct>"
        f"<Ntry><Amt Ccy='{currency}'>{total}</Amt><CdtDbtInd>{credit_debit}</CdtDbtInd>"
        f"<Sts>{status}</Sts><BookgDt><Dt>{booked}</Dt></BookgDt>"
        f"<ValDt><Dt>{booked}</Dt></ValDt><NtryDtls>{details}</NtryDtls></Ntry>"
        f"</{block}></{wrapper}></Document>\n"
    )
