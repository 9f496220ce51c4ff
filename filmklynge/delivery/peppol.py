"""The Peppol access point: Storecove's HTTP API (v2), behind a small adapter.

Storecove is used because its whole sending contract is publicly documented
(https://www.storecove.com/docs and its OpenAPI spec, https://www.storecove.com/api/v2/openapi.json):

* ``POST /discovery/receives`` -- can the receiver take this document type on Peppol?
  ``{"code": "OK" | "NOK"}``; asked before every first send to a receiver in a run.
* ``POST /document_submissions`` -- the UBL document, base64, with our ``legalEntityId``, the
  receiver's identifier and an ``idempotencyGuid``; ``200 {"guid": ...}`` when accepted.
* errors: ``401``/``403`` (the token), ``422`` with ``[{"source", "details"}]`` (the reason
  shown to the user), anything else is the access point's own trouble.

The token comes from FILMKLYNGE_PEPPOL_TOKEN and is sent only to the configured host (no
redirects are followed). The idempotency key is derived from the document and how many times
it was sent before, so trying again after a failure or a timeout can never deliver it twice.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from filmklynge.delivery.errors import DeliveryError
from filmklynge.delivery.plan import PEPPOL_TOKEN

TIMEOUT_SECONDS = 30.0
SCHEMES = {"0192": "NO:ORG"}  # Peppol ICD -> Storecove's scheme name
_NAMESPACE = uuid.UUID("6f1f3c1e-5a0d-4b8e-9a53-3f0f4a4c1d10")


@dataclass(frozen=True)
class PeppolSettings:
    url: str
    sender_id: int
    token: str

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> PeppolSettings:
        raw = str(profile.get("peppol_sender_id") or "").strip()
        if not raw.isdigit():
            raise DeliveryError(
                f"access point sender id {raw!r} is not Storecove's legalEntityId (a number); "
                "set it with 'filmklynge profile set --peppol-sender-id ID'"
            )
        return cls(
            url=str(profile["peppol_url"]).rstrip("/"),
            sender_id=int(raw),
            token=os.environ.get(PEPPOL_TOKEN, ""),
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the bearer token to another address: never follow one."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def idempotency_guid(*, sender_id: int, document: str, sent_before: int) -> str:
    """The same key for every try of one delivery; a new one for a deliberate resend."""
    return str(uuid.uuid5(_NAMESPACE, f"{sender_id}/{document}/{sent_before}"))


def _errors(body: bytes) -> str:
    """The provider's reasons, one ``source: details`` each, from a 422 body."""
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = " ".join(body.decode("utf-8", "replace").split())
        return text[:300] or "no reason given"
    if isinstance(items, dict):
        items = items.get("errors", [items])
    if not isinstance(items, list):
        return str(items)[:300]
    reasons = []
    for item in items:
        if isinstance(item, dict):
            source, details = item.get("source"), item.get("details") or item.get("message")
            reasons.append(f"{source}: {details}" if source else str(details))
        else:
            reasons.append(str(item))
    return "; ".join(reasons) or "no reason given"


class AccessPoint:
    """One access point for a run. A refused token or an unreachable host is remembered:
    the rest of the run fails at once with the same reason."""

    def __init__(self, settings: PeppolSettings, *, timeout: float | None = None):
        self.settings = settings
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self._fatal: str | None = None
        self._receivers: dict[tuple[str, str, str], bool] = {}
        handlers: list[Any] = [_NoRedirect()]
        if urlsplit(settings.url).hostname in ("localhost", "127.0.0.1", "::1"):
            handlers.append(urllib.request.ProxyHandler({}))  # a local server is never proxied
        self._opener = urllib.request.build_opener(*handlers)

    def _post(self, path: str, payload: dict[str, Any], *, sending: bool) -> dict[str, Any]:
        if self._fatal:
            raise DeliveryError(self._fatal)
        url = f"{self.settings.url}{path}"
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.settings.token}",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                body = exc.read()
            if exc.code in (401, 403):
                self._fatal = (
                    f"the access point refused the token ({exc.code}); "
                    f"check {PEPPOL_TOKEN} and --peppol-sender-id"
                )
                raise DeliveryError(self._fatal) from None
            if exc.code == 422:
                raise DeliveryError(f"rejected by the access point: {_errors(body)}") from None
            raise DeliveryError(
                f"the access point answered {exc.code} {exc.reason}; try again later"
            ) from None
        except urllib.error.URLError as exc:
            self._fatal = f"cannot reach the access point at {self.settings.url} ({exc.reason})"
            raise DeliveryError(self._fatal) from None
        except (TimeoutError, ConnectionError) as exc:
            if sending:
                raise DeliveryError(
                    f"no answer from the access point within {self.timeout:g} s; it may have "
                    "been accepted (sending again is safe: it is delivered once)",
                    unknown=True,
                ) from None
            raise DeliveryError(
                f"no answer from the access point within {self.timeout:g} s ({exc})"
            ) from None
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DeliveryError("the access point's answer is not JSON") from None
        return data if isinstance(data, dict) else {}

    def receiver_registered(self, participant: str, document_type: str) -> bool:
        """Is ``participant`` (``0192:923609016``) on Peppol for ``invoice`` or ``creditnote``?"""
        icd, _, identifier = participant.partition(":")
        key = (icd, identifier, document_type)
        if key not in self._receivers:
            answer = self._post(
                "/discovery/receives",
                {
                    "documentTypes": [document_type],
                    "network": "peppol",
                    "metaScheme": "iso6523-actorid-upis",
                    "scheme": SCHEMES.get(icd, icd),
                    "identifier": identifier,
                },
                sending=False,
            )
            # email: true is "delivered as a PDF by e-mail" (Belgium's Hermes): not EHF.
            self._receivers[key] = answer.get("code") == "OK" and not answer.get("email")
        return self._receivers[key]

    def submit(self, xml: bytes, *, participant: str, document_type: str, idempotency: str) -> str:
        """Send one UBL document; returns the access point's id for it once it is accepted."""
        if not self.receiver_registered(participant, document_type):
            raise DeliveryError(
                f"{participant} is not registered in Peppol to receive "
                f"{'credit notes' if document_type == 'creditnote' else 'invoices'}; "
                "send it by e-mail or post (--channel email, or members edit --invoice-delivery)"
            )
        icd, _, identifier = participant.partition(":")
        try:
            answer = self._post(
                "/document_submissions",
                {
                    "legalEntityId": self.settings.sender_id,
                    "idempotencyGuid": idempotency,
                    "routing": {
                        "eIdentifiers": [{"scheme": SCHEMES.get(icd, icd), "id": identifier}]
                    },
                    "document": {
                        # Storecove parses raw UBL for documentType "invoice" only; a UBL
                        # CreditNote goes the same way and is recognised by its root element.
                        "documentType": "invoice",
                        "rawDocumentData": {
                            "document": base64.b64encode(xml).decode("ascii"),
                            "parse": True,
                            "parseStrategy": "ubl",
                        },
                    },
                },
                sending=True,
            )
        except DeliveryError as exc:
            # The same key again: an earlier try that timed out was accepted after all.
            if str(exc).startswith("rejected by the access point: idempotencyGuid"):
                return f"accepted earlier (idempotencyGuid {idempotency})"
            raise
        guid = answer.get("guid")
        if not guid:
            raise DeliveryError(
                "the access point accepted the document but gave no id", unknown=True
            )
        return str(guid)
