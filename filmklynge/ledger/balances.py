"""What an invoice still owes: the one definition that dues, invoice listings, payment matching,
reminders, the summary and the co-funding forecast all use.

    outstanding = max(0, total + credited + fees − paid)

``credited`` is the sum of the credit notes that refer to the invoice (negative amounts; a
credit note may waive reminder fees too), ``fees`` the reminder fees charged on it (a fee on a
reminder is money the member owes, tied to the invoice) and ``paid`` the sum of payment
allocations to it. So a payment of a reminder's total settles the invoice and its fee, by KID
or by hand, with nothing left over. An over-payment never shows as a negative
outstanding: money beyond what an invoice owes is never allocated to it but stays a credit on
the member (``payments``), so the clamp only matters for an invoice credited after it was paid.
A credit note owes nothing (its total is negative).

Credits and payments are summed in grouped joins, not a subquery per invoice: the summary runs
this over a million invoices.
"""

from __future__ import annotations

_COLUMNS = (
    "i.id, i.number, i.kind, i.member_id, i.credits_invoice_id, i.period, i.issued_on, "
    "i.due_on, i.kid, i.buyer_name, i.net_ore, i.vat_ore, i.total_ore"
)


def balances_sql(*, dated: bool = False) -> str:
    """SQL for every invoice and credit note with ``credited_ore`` (zero or negative),
    ``fees_ore`` (reminder fees), ``paid_ore`` and ``outstanding_ore``.

    ``dated``: as things stood at the end of the day in the named parameter ``:d`` (ISO date):
    documents issued and payments allocated after it are left out. Otherwise everything recorded
    counts. Callers select from it as a subquery and filter on ``kind``.
    """
    credits_by = " AND issued_on <= :d" if dated else ""
    paid_by = " WHERE allocated_on <= :d" if dated else ""
    issued_by = " WHERE i.issued_on <= :d" if dated else ""
    sent_by = " WHERE sent_on <= :d" if dated else ""
    return f"""SELECT {_COLUMNS},
       coalesce(c.credited, 0) AS credited_ore, coalesce(f.fees, 0) AS fees_ore,
       coalesce(a.paid, 0) AS paid_ore,
       max(0, i.total_ore + coalesce(c.credited, 0) + coalesce(f.fees, 0) - coalesce(a.paid, 0))
         AS outstanding_ore
FROM invoices i
LEFT JOIN (SELECT credits_invoice_id AS id, sum(total_ore) AS credited FROM invoices
           WHERE kind = 'credit'{credits_by} GROUP BY credits_invoice_id) c ON c.id = i.id
LEFT JOIN (SELECT invoice_id AS id, sum(amount_ore) AS paid FROM payment_allocations{paid_by}
           GROUP BY invoice_id) a ON a.id = i.id
LEFT JOIN (SELECT invoice_id AS id, sum(fee_ore) AS fees FROM reminders{sent_by}
           GROUP BY invoice_id) f ON f.id = i.id{issued_by}"""


def open_invoices_sql(*, dated: bool = False) -> str:
    """Invoices (not credit notes) with their balance; callers add ``AND ...`` conditions."""
    return f"SELECT * FROM ({balances_sql(dated=dated)}) WHERE kind = 'invoice'"
