"""The one failure a channel reports: why a document was not delivered, in one line."""

from __future__ import annotations


class DeliveryError(Exception):
    """A document was not delivered. ``str(e)`` is the reason shown to the user and logged.

    ``unknown`` is True when the other side may have accepted it all the same (no answer in
    time after the document was handed over): the attempt stays ``pending``, never ``sent``.
    """

    def __init__(self, reason: str, *, unknown: bool = False):
        super().__init__(reason)
        self.unknown = unknown
