"""Sending documents: e-mail over SMTP, a Peppol access point, a print batch; and the log.

Delivery never renders a document itself: the CLI hands it the rendered PDF and EHF bytes.
"""
