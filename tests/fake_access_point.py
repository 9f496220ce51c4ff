"""A local fake of the part of Storecove's API v2 that filmklynge uses to send Peppol BIS
Billing 3.0 (EHF 3.0) documents, as documented at https://www.storecove.com/docs and in its
OpenAPI spec (https://www.storecove.com/api/v2/openapi.json); filmklynge/delivery/peppol.py
says which parts are used.

Endpoints (all under ``/api/v2``, all need ``Authorization: Bearer <token>``):

* ``POST /discovery/receives``                 -> 200 ``{"code": "OK"|"NOK", "email": false}``
* ``POST /document_submissions``               -> 200 ``{"guid": "<uuid4>"}``
* ``GET  /document_submissions/{guid}/evidence/{sending|clearing}`` -> 200 evidence | 404

Documented error replies: 401 / 403 (no body schema), 404 (evidence), and 422 with
a JSON *array* of ``{"source": str, "details": str}``.

Usage as a pytest fixture::

    @pytest.fixture
    def fake_ap():
        with FakeAccessPoint(token="test-token",
                             participants=[("NO:ORG", "987654321")]) as ap:
            yield ap          # ap.base_url == "http://127.0.0.1:<port>/api/v2"

    fake_ap.script("987654321", op="submit", status=422)      # documented 422 body
    fake_ap.script("987654321", op="discovery", delay=5)      # hang past the timeout
    fake_ap.script("*", status=500, times=1)                  # next request of any kind

Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_PREFIX = "/api/v2"
UBL_ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "creditnote",
}
# Enum of DiscoverableParticipant.documentTypes in the Storecove OpenAPI spec.
DISCOVERY_DOCUMENT_TYPES = {
    "invoice",
    "creditnote",
    "invoice_response",
    "order",
    "ordering",
    "order_response",
}
DEFAULT_RECEIVES = frozenset({"invoice", "creditnote"})
_NO_BODY = object()


@dataclass
class Script:
    """A canned behaviour for requests concerning one receiver identifier."""

    op: str  # "discovery", "submit" or "*"
    status: int | None  # reply with this status instead of normal processing
    body: Any  # JSON body for that reply (_NO_BODY: documented default)
    delay: float  # seconds to stall before answering (hang)
    times: int | None  # how many requests it still applies to (None: forever)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    json: Any = None


@dataclass
class Submission:
    guid: str
    payload: dict
    receiver: tuple[str, str]  # (scheme, identifier) of the first eIdentifier
    kind: str  # "invoice" or "creditnote" (UBL root element)
    xml: bytes
    created: str = field(
        default_factory=lambda: _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    )


def _err(source: str, details: str) -> dict:
    return {"source": source, "details": details}


class FakeAccessPoint:
    """Threaded fake Storecove endpoint bound to 127.0.0.1 on an ephemeral port."""

    def __init__(
        self,
        token: str = "test-token",
        participants: Iterable[tuple[str, str]] = (),
        legal_entity_ids: Iterable[int] | None = None,
        evidence_ready: bool = True,
    ) -> None:
        self.token = token
        self.legal_entity_ids = set(legal_entity_ids) if legal_entity_ids else None
        self.evidence_ready = evidence_ready
        self.requests: list[RecordedRequest] = []
        self.submissions: list[Submission] = []
        self._participants: dict[tuple[str, str], frozenset[str]] = {}
        self._scripts: dict[str, list[Script]] = {}
        self._idempotency: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for scheme, identifier in participants:
            self.register(scheme, identifier)

    # ---------------------------------------------------------------- control
    def register(
        self, scheme: str, identifier: str, document_types: Iterable[str] = DEFAULT_RECEIVES
    ) -> None:
        """Make (scheme, identifier) discoverable for the given document types."""
        with self._lock:
            self._participants[(scheme.upper(), identifier)] = frozenset(document_types)

    def unregister(self, scheme: str, identifier: str) -> None:
        with self._lock:
            self._participants.pop((scheme.upper(), identifier), None)

    def script(
        self,
        identifier: str,
        *,
        op: str = "*",
        status: int | None = None,
        body: Any = _NO_BODY,
        delay: float = 0.0,
        times: int | None = None,
    ) -> None:
        """Override the reply for requests about receiver ``identifier`` ("*" = any).

        ``status``: reply with this HTTP status (422 without ``body`` gives a documented
        error list).  ``delay``: stall that many seconds first (to exceed a client
        timeout).  ``times``: number of matching requests affected (default: all).
        """
        if op not in ("discovery", "submit", "*"):
            raise ValueError(f"unknown op {op!r}")
        with self._lock:
            self._scripts.setdefault(identifier, []).append(Script(op, status, body, delay, times))

    def clear_scripts(self) -> None:
        with self._lock:
            self._scripts.clear()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    def start(self) -> FakeAccessPoint:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),  # poll
            name="fake-ap",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes up any "hanging" handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAccessPoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ internals
    def _take_script(self, identifier: str | None, op: str) -> Script | None:
        with self._lock:
            for key in ([identifier] if identifier else []) + ["*"]:
                for s in self._scripts.get(key, []):
                    if s.op in (op, "*") and (s.times is None or s.times > 0):
                        if s.times is not None:
                            s.times -= 1
                        return s
        return None

    def _discover(self, body: Any) -> tuple[int, Any]:
        errors = []
        if not isinstance(body, dict):
            return 422, [_err("body", "must be a JSON object")]
        scheme, identifier = body.get("scheme"), body.get("identifier")
        if not isinstance(scheme, str) or len(scheme) < 3:
            errors.append(_err("scheme", "is required (min length 3)"))
        if not isinstance(identifier, str) or len(identifier) < 1:
            errors.append(_err("identifier", "is required (min length 1)"))
        types = body.get("documentTypes", sorted(DEFAULT_RECEIVES))
        if (
            not isinstance(types, list)
            or not types
            or any(t not in DISCOVERY_DOCUMENT_TYPES for t in types)
        ):
            errors.append(
                _err("documentTypes", f"must be a list of {sorted(DISCOVERY_DOCUMENT_TYPES)}")
            )
        if body.get("network", "peppol") != "peppol":
            errors.append(_err("network", "only 'peppol' is supported"))
        if body.get("metaScheme", "iso6523-actorid-upis") != "iso6523-actorid-upis":
            errors.append(_err("metaScheme", "must be 'iso6523-actorid-upis'"))
        if errors:
            return 422, errors
        with self._lock:
            receives = self._participants.get((scheme.upper(), identifier))
        ok = receives is not None and set(types) <= receives
        return 200, {"code": "OK" if ok else "NOK", "email": False}

    def _submit(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return 422, [_err("body", "must be a JSON object")]
        errors = []
        le = body.get("legalEntityId")
        if not isinstance(le, int) or isinstance(le, bool):
            errors.append(_err("legalEntityId", "is required and must be an integer"))
        elif self.legal_entity_ids is not None and le not in self.legal_entity_ids:
            errors.append(_err("legalEntityId", f"unknown LegalEntity {le}"))
        idem = body.get("idempotencyGuid")
        if idem is not None and (not isinstance(idem, str) or len(idem) != 36):
            errors.append(_err("idempotencyGuid", "must be a 36 character GUID"))
        routing = body.get("routing")
        ids = routing.get("eIdentifiers") if isinstance(routing, dict) else None
        ids = ids if isinstance(ids, list) else []
        bad_ids = [
            i
            for i, e in enumerate(ids)
            if not isinstance(e, dict)
            or not isinstance(e.get("scheme"), str)
            or len(e["scheme"]) < 3
            or not isinstance(e.get("id"), str)
            or not e["id"]
        ]
        if not ids:
            errors.append(
                _err("routing.eIdentifiers", "at least one electronic identifier is required")
            )
        errors += [
            _err(
                f"routing.eIdentifiers[{i}]",
                "needs 'scheme' (min length 3) and 'id' (min length 1)",
            )
            for i in bad_ids
        ]
        receiver = (ids[0]["scheme"], ids[0]["id"]) if ids and not bad_ids else ("", "")
        doc = body.get("document")
        xml = b""
        kind = ""
        if not isinstance(doc, dict):
            errors.append(_err("document", "is required"))
        else:
            if doc.get("documentType") != "invoice":
                errors.append(
                    _err(
                        "document.documentType",
                        "parsing raw documents is only supported for documentType 'invoice'",
                    )
                )
            raw = doc.get("rawDocumentData")
            if not isinstance(raw, dict):
                errors.append(_err("document.rawDocumentData", "is required"))
            else:
                if raw.get("parse", True) is not True:
                    errors.append(
                        _err("document.rawDocumentData.parse", "only parse == true is supported")
                    )
                if raw.get("parseStrategy") != "ubl":
                    errors.append(_err("document.rawDocumentData.parseStrategy", "must be 'ubl'"))
                data = raw.get("document")
                if not isinstance(data, str) or len(data) < 5:
                    errors.append(
                        _err("document.rawDocumentData.document", "base64 document is required")
                    )
                else:
                    try:
                        xml = base64.b64decode(data, validate=True)
                        kind = UBL_ROOTS.get(ET.fromstring(xml).tag, "")
                        if not kind:
                            errors.append(
                                _err(
                                    "document.rawDocumentData.document",
                                    "root element is not a UBL Invoice or CreditNote",
                                )
                            )
                    except (binascii.Error, ValueError):
                        errors.append(
                            _err("document.rawDocumentData.document", "is not valid base64")
                        )
                    except ET.ParseError as exc:
                        errors.append(
                            _err(
                                "document.rawDocumentData.document",
                                f"XML is not well-formed: {exc}",
                            )
                        )
        if errors:
            return 422, errors
        with self._lock:
            if idem is not None:
                if idem in self._idempotency:
                    return 422, [
                        _err(
                            "idempotencyGuid",
                            "a document with this idempotencyGuid was already submitted",
                        )
                    ]
                self._idempotency.add(idem)
            sub = Submission(str(uuid.uuid4()), body, receiver, kind, xml)
            self.submissions.append(sub)
        return 200, {"guid": sub.guid}

    def _evidence(self, guid: str, evidence_type: str) -> tuple[int, Any]:
        with self._lock:
            sub = next((s for s in self.submissions if s.guid == guid), None)
        if sub is None or evidence_type != "sending" or not self.evidence_ready:
            return 404, _NO_BODY
        scheme, identifier = sub.receiver
        return 200, {
            "guid": sub.guid,
            "sender": f"legalEntityId:{sub.payload['legalEntityId']}",
            "receiver": f"{scheme}:{identifier}",
            "network": "peppol",
            "documents": [
                {
                    "document": f"{self.base_url}/_fake/{sub.guid}.xml",
                    "expires_at": sub.created,
                    "mime_type": "application/xml",
                }
            ],
            "evidence": {
                "transmission_id": str(uuid.uuid5(uuid.NAMESPACE_URL, sub.guid)),
                "message_id": sub.guid,
                "receiving_accesspoint": "fake-receiving-ap",
                "timestamp": sub.created,
                "xml": "<fake-as4-receipt/>",
            },
        }


def _default_body(status: int) -> Any:
    if status == 422:
        return [_err("document", "scripted validation error")]
    return _NO_BODY


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAccessPoint  # set on the bound subclass
    server_version = "FakeStorecove/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _send(self, status: int, body: Any = _NO_BODY) -> None:
        payload = b"" if body is _NO_BODY else json.dumps(body).encode()
        try:
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # client gave up (timeout) - nothing to do

    def _dispatch(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        rec = RecordedRequest(method, self.path, dict(self.headers.items()), raw)
        with fake._lock:
            fake.requests.append(rec)

        path = self.path.split("?", 1)[0]
        if not path.startswith(API_PREFIX + "/"):
            return self._send(404)
        parts = path[len(API_PREFIX) + 1 :].strip("/").split("/")
        if method == "POST" and parts == ["discovery", "receives"]:
            op = "discovery"
        elif method == "POST" and parts == ["document_submissions"]:
            op = "submit"
        elif (
            method == "GET"
            and len(parts) == 4
            and parts[0] == "document_submissions"
            and parts[2] == "evidence"
        ):
            op = "evidence"
        else:
            return self._send(404)

        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            return self._send(401)

        body: Any = None
        if op != "evidence":
            try:
                body = rec.json = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return self._send(422, [_err("body", "request body is not valid JSON")])

        identifier = None
        if op == "discovery" and isinstance(body, dict):
            identifier = body.get("identifier")
        elif op == "submit" and isinstance(body, dict):
            try:
                identifier = body["routing"]["eIdentifiers"][0]["id"]
            except (KeyError, IndexError, TypeError):
                identifier = None
        if op != "evidence":
            s = fake._take_script(identifier if isinstance(identifier, str) else None, op)
            if s is not None:
                if s.delay:
                    fake._stopping.wait(s.delay)
                if s.status is not None:
                    return self._send(
                        s.status, _default_body(s.status) if s.body is _NO_BODY else s.body
                    )

        if op == "discovery":
            status, reply = fake._discover(body)
        elif op == "submit":
            status, reply = fake._submit(body)
        else:
            status, reply = fake._evidence(parts[1], parts[3])
        self._send(status, reply)


if __name__ == "__main__":  # manual use: python fake_ap.py --participant NO:ORG:987654321
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--token", default="test-token")
    p.add_argument(
        "--participant",
        action="append",
        default=[],
        help="SCHEME:IDENTIFIER, e.g. NO:ORG:987654321 (repeatable)",
    )
    a = p.parse_args()
    ap = FakeAccessPoint(a.token, [tuple(x.rsplit(":", 1)) for x in a.participant]).start()
    print(f"fake Storecove API at {ap.base_url} (token {a.token!r}); Ctrl-C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        ap.stop()
