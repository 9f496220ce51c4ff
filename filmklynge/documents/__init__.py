"""Documents made from stored rows: invoice, credit-note and reminder PDFs.

``documents.pdf`` renders one document to bytes (a pure function of the database rows);
``documents.files`` finds the documents a command asks for and writes them atomically.
Neither imports typer or rich.
"""
