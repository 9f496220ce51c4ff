"""Documents made from stored rows: invoice, credit-note and reminder PDFs, and EHF XML.

``documents.pdf`` renders one document to bytes (a pure function of the database rows);
``documents.files`` finds the documents a command asks for and writes them atomically;
``documents.ehf`` makes the EHF (Peppol BIS Billing 3.0) XML of an invoice or credit note,
``documents.ehf_batch`` many of them at once, and ``documents.ehf_rules`` checks them by the
official rules (the optional extra ``ehf``). None imports typer or rich.
"""
