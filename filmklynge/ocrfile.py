"""Writing Nets OCR giro files with netsgiro: for tests, benchmarks and the bundled sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


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
