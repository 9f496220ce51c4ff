"""invoices send / deliveries: e-mail to a real SMTP server on 127.0.0.1 (aiosmtpd), EHF to a
local fake of the Storecove access point API, paper into one print batch; and the log."""

import base64
import email
import email.policy
import io
import json
import sqlite3
import ssl
import xml.etree.ElementTree as ET

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from fake_access_point import FakeAccessPoint

ORGNR = {
    "polarlys": "988077917",
    "nyfilm": "974760673",
    "fjell": "995525828",
}
TOKEN = "test-token-123"
PASSWORD = "s3cret-pass"
UBL = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
TODAY = {"FILMKLYNGE_TODAY": "2026-01-12"}
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:aiosmtpd")


# ---------------------------------------------------------------------- servers


class _Sink:
    """Keeps what arrives; refuses recipients at 'refuse.example'."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refuse.example"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
                "auth": session.authenticated,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
            }
        )
        return "250 2.0.0 Queued"


class _Controller(Controller):
    """aiosmtpd on a free port chosen by the kernel (port 0), read back once it listens."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"faktura" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp():
    sink = _Sink()
    controller = _Controller(
        sink,
        hostname="127.0.0.1",
        port=0,
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    controller.sink = sink
    yield controller
    controller.stop()


@pytest.fixture
def access_point():
    with FakeAccessPoint(token=TOKEN, participants=[("NO:ORG", ORGNR["fjell"])]) as ap:
        yield ap


@pytest.fixture
def certificates(tmp_path, monkeypatch):
    """A throwaway CA and a server certificate for 127.0.0.1; the client trusts the CA
    through SSL_CERT_FILE (the way a user points Python at a private CA)."""
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    return context


# ---------------------------------------------------------------------- cluster


@pytest.fixture
def members(cluster):
    """Four members, one per way of delivery, and the 2026 fee invoiced on 10.01.2026."""
    common = ["--tier", "small", "--joined", "2026-01-01", "--no-input"]
    cluster(
        "members", "add", "--name", "Polarlys Film AS", "--orgnr", ORGNR["polarlys"],
        "--county", "Troms", "--address", "Sjøgata 3", "--postal-code", "9008",
        "--city", "Tromsø", "--invoice-email", "faktura@polarlys.example", *common,
    )  # fmt: skip
    cluster(
        "members", "add", "--name", "Ny Film AS", "--orgnr", ORGNR["nyfilm"],
        "--county", "Nordland", "--address", "Storgata 2", "--postal-code", "8006",
        "--city", "Bodø", "--invoice-delivery", "post", *common,
    )  # fmt: skip
    cluster(
        "members", "add", "--name", "Fjellfilm AS", "--orgnr", ORGNR["fjell"],
        "--county", "Finnmark", "--address", "Fjellveien 9", "--postal-code", "9600",
        "--city", "Hammerfest", "--invoice-delivery", "ehf",
        "--contact-name", "Siri", "--contact-email", "siri@fjellfilm.example", *common,
    )  # fmt: skip
    cluster(
        "members", "add", "--name", "Kiruna Bild AB", "--country", "SE",
        "--vat-id", "SE556677889901", "--address", "Storgatan 5", "--postal-code", "981 31",
        "--city", "Kiruna", "--invoice-email", "ekonomi@kiruna.example", *common,
    )  # fmt: skip
    cluster("invoices", "run", "--year", "2026", "--issued-on", "2026-01-10", "--yes")
    return cluster


def numbers(run):
    """{member name: invoice number} of the invoices."""
    listed = json.loads(run("invoices", "list", "--format", "json").stdout)
    return {r["member"]: r["number"] for r in listed if r["status"] != "credit note"}


def invoice_row(db_path, number):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM invoices WHERE number = ?", [number]).fetchone())
    finally:
        conn.close()


def fields(body):
    """The 'Label: value' lines of a message text."""
    out = {}
    for line in body.splitlines():
        label, sep, value = line.partition(":")
        if sep and value.strip():
            out[label.strip()] = value.strip()
    return out


def log(run, *extra):
    return json.loads(run("invoices", "deliveries", "--format", "json", *extra).stdout)


@pytest.fixture
def configured(members, smtp, access_point, monkeypatch):
    """The members, with SMTP and the access point set up (secrets in the environment)."""
    members(
        "profile", "set", "--vat", "--address", "Storgata 12", "--postal-code", "9008",
        "--city", "Tromsø",
        "--smtp-host", "127.0.0.1", "--smtp-port", smtp.port,
        "--smtp-security", "none", "--smtp-user", "faktura",
        "--smtp-sender", "faktura@filmklynge.no",
        "--peppol-url", access_point.base_url, "--peppol-sender-id", "4711",
    )  # fmt: skip
    monkeypatch.setenv("FILMKLYNGE_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("FILMKLYNGE_PEPPOL_TOKEN", TOKEN)
    return members


def send(run, *args, code=0):
    return run("invoices", "send", *args, env=TODAY, code=code)


# ---------------------------------------------------------------------- a period, end to end


def test_a_period_goes_out_by_every_channel_and_a_second_run_sends_nothing(
    configured, smtp, access_point, tmp_path, db_path
):
    run = configured
    no = numbers(run)
    batch = tmp_path / "post.pdf"
    r = send(run, "--period", "2026", "--all", "--yes", "--output", batch)
    assert "Sent 4 of 4 documents (1 by EHF, 2 by e-mail, 1 on paper)" in r.stderr

    # E-mail: Norwegian and English messages with the PDF, amount, due date, account and KID.
    mails = {m["to"][0]: m for m in smtp.sink.messages}
    assert set(mails) == {"faktura@polarlys.example", "ekonomi@kiruna.example"}
    polarlys = invoice_row(db_path, no["Polarlys Film AS"])
    msg = mails["faktura@polarlys.example"]["message"]
    assert mails["faktura@polarlys.example"]["auth"]
    assert msg["Subject"] == f"Faktura {polarlys['number']} fra Nordnorsk Filmklynge"
    assert "faktura@filmklynge.no" in msg["From"] and "Nordnorsk Filmklynge" in msg["From"]
    assert msg["Reply-To"] == "post@filmklynge.no"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@filmklynge.no>")
    assert msg["Date"]
    body = msg.get_body(("plain",)).get_content()
    assert fields(body)["KID"] == polarlys["kid"]
    assert "kr 5 750,00" in body and "24.01.2026" in body and "8601 11 17947" in body
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"faktura-{polarlys['number']}.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content().startswith(b"%PDF")

    english = mails["ekonomi@kiruna.example"]["message"]
    kiruna = invoice_row(db_path, no["Kiruna Bild AB"])
    assert english["Subject"] == f"Invoice {kiruna['number']} from Nordnorsk Filmklynge"
    text = english.get_body(("plain",)).get_content()
    assert "Due date" in text and kiruna["kid"] in text and "IBAN" in text

    # EHF: the receiver was looked up, then the UBL document was posted with our id and token.
    fjell = invoice_row(db_path, no["Fjellfilm AS"])
    (submission,) = access_point.submissions
    assert submission.receiver == ("NO:ORG", ORGNR["fjell"])
    assert submission.payload["legalEntityId"] == 4711
    assert len(submission.payload["idempotencyGuid"]) == 36
    root = ET.fromstring(submission.xml)
    assert root.tag.endswith("}Invoice") and root.find(f"{UBL}ID").text == str(fjell["number"])
    paths = [r.path for r in access_point.requests]
    assert paths == ["/api/v2/discovery/receives", "/api/v2/document_submissions"]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in access_point.requests)
    discovery = access_point.requests[0].json
    assert discovery["scheme"] == "NO:ORG" and discovery["identifier"] == ORGNR["fjell"]
    assert discovery["documentTypes"] == ["invoice"]

    # Paper: one PDF with the one member on post.
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(batch.read_bytes())).pages
    assert len(pages) == 1 and "Ny Film AS" in pages[0].extract_text()

    # The log: four attempts, all sent, with the ids the other side gave.
    entries = log(run)
    assert sorted(e["status"] for e in entries) == ["sent"] * 4
    by_channel = {e["channel"]: e for e in entries if e["channel"] != "email"}
    assert by_channel["ehf"]["recipient"] == f"0192:{ORGNR['fjell']}"
    assert by_channel["ehf"]["message_id"] == submission.guid
    assert by_channel["print"]["message_id"] == str(batch)
    assert by_channel["print"]["recipient"] == "Storgata 2, 8006 Bodø"
    sent_ids = {e["message_id"] for e in entries if e["channel"] == "email"}
    assert sent_ids == {m["message"]["Message-ID"] for m in smtp.sink.messages}

    # A second run sends nothing; --resend sends one again.
    again = send(run, "--period", "2026", "--all", "--yes", "--output", tmp_path / "x.pdf")
    assert "Plan: 0 to send, 4 skipped" in again.stderr and "Nothing to send" in again.stderr
    assert "skip: sent by email" in again.stdout
    assert len(smtp.sink.messages) == 2 and len(access_point.submissions) == 1
    assert not (tmp_path / "x.pdf").exists()
    send(run, str(polarlys["number"]), "--resend", "--yes")
    assert len(smtp.sink.messages) == 3
    send(run, str(fjell["number"]), "--resend", "--yes")
    assert len(access_point.submissions) == 2  # a deliberate resend has a new idempotency key
    keys = {s.payload["idempotencyGuid"] for s in access_point.submissions}
    assert len(keys) == 2


def test_the_plan_is_shown_and_a_dry_run_sends_nothing(configured, smtp, access_point, db_path):
    r = send(configured, "--period", "2026", "--all", "--dry-run", "--format", "json")
    plan = json.loads(r.stdout)
    assert {p["member"]: (p["channel"], p["recipient"]) for p in plan} == {
        "Polarlys Film AS": ("email", "faktura@polarlys.example"),
        "Ny Film AS": ("print", "Storgata 2, 8006 Bodø"),
        "Fjellfilm AS": ("ehf", f"0192:{ORGNR['fjell']}"),
        "Kiruna Bild AB": ("email", "ekonomi@kiruna.example"),
    }
    assert "Dry run: nothing was sent." in r.stderr
    assert "E-mail from faktura@filmklynge.no via 127.0.0.1 (none)" in r.stderr
    assert smtp.sink.messages == [] and access_point.requests == [] and log(configured) == []


def test_channel_can_be_forced_and_the_attach_ehf_member_gets_the_xml(configured, smtp, db_path):
    configured("members", "edit", "Fjellfilm", "--attach-ehf")
    fjell = numbers(configured)["Fjellfilm AS"]
    send(configured, str(fjell), "--channel", "email", "--yes")
    (mail,) = smtp.sink.messages
    assert mail["to"] == ["siri@fjellfilm.example"]  # the primary contact's address
    names = [a.get_filename() for a in mail["message"].iter_attachments()]
    assert names == [f"faktura-{fjell}.pdf", f"faktura-{fjell}.xml"]
    xml = list(mail["message"].iter_attachments())[1].get_content()
    xml = xml if isinstance(xml, bytes) else xml.encode()
    assert ET.fromstring(xml).find(f"{UBL}ID").text == str(fjell)
    assert (
        "EHF-fakturaen (XML) er også vedlagt." in mail["message"].get_body(("plain",)).get_content()
    )


def test_the_print_batch_is_in_address_order(members, tmp_path):
    from pypdf import PdfReader

    batch = tmp_path / "alle.pdf"
    r = send(members, "--period", "2026", "--all", "--channel", "print", "--yes", "-o", batch)
    assert "Print " in r.stderr and "4 documents" in r.stderr
    reader = PdfReader(batch)
    titles = [o.title.split(": ")[1] for o in reader.outline]
    assert titles == ["Ny Film AS", "Polarlys Film AS", "Fjellfilm AS", "Kiruna Bild AB"]
    assert all(t in p.extract_text() for p, t in zip(reader.pages, titles, strict=True))
    r = send(
        members, "--period", "2026", "--all", "--channel", "print", "--resend", "-o", batch, code=4
    )
    assert "already exists" in r.stderr


# ---------------------------------------------------------------------- failures


def test_one_failure_does_not_stop_the_others_and_exits_5(configured, smtp, access_point, tmp_path):
    run = configured
    run("members", "edit", "Kiruna", "--invoice-email", "nobody@refuse.example")
    access_point.script(ORGNR["fjell"], op="submit", status=422)
    r = send(run, "--period", "2026", "--all", "--yes", "--output", tmp_path / "p.pdf", code=5)
    lines = [line for line in r.stderr.splitlines() if "not sent:" in line]
    assert len(lines) == 2
    assert any("Kiruna Bild AB" in x and "550 5.1.1 No such mailbox here" in x for x in lines)
    assert any(
        "Fjellfilm AS" in x
        and "rejected by the access point: document: scripted validation error" in x
        for x in lines
    )
    assert "Sent 2 of 4 documents" in r.stderr
    assert "2 of 4 documents were not sent" in r.stderr
    assert [m["to"] for m in smtp.sink.messages] == [["faktura@polarlys.example"]]
    entries = log(run)
    assert sorted(e["status"] for e in entries) == ["failed", "failed", "sent", "sent"]
    assert all(e["message_id"] is None for e in entries if e["status"] == "failed")
    assert len(log(run, "--status", "failed")) == 2
    # Fixed, the same command sends only what failed.
    access_point.clear_scripts()
    run("members", "edit", "Kiruna", "--invoice-email", "ekonomi@kiruna.example")
    r = send(run, "--period", "2026", "--all", "--yes", "--output", tmp_path / "q.pdf")
    assert "Sent 2 of 2 documents (1 by EHF, 1 by e-mail)" in r.stderr
    assert not (tmp_path / "q.pdf").exists()


def test_a_refused_login_sends_no_mail_and_marks_nothing_sent(configured, smtp, monkeypatch):
    monkeypatch.setenv("FILMKLYNGE_SMTP_PASSWORD", "wrong")
    r = send(configured, "--period", "2026", "--all", "--channel", "email", "--yes", code=5)
    refused = [x for x in r.stderr.splitlines() if "refused the login of faktura" in x]
    assert len(refused) == 3 and all("535" in x for x in refused)
    assert "Ny Film AS has no e-mail address" in r.stderr
    assert smtp.sink.messages == []
    assert {e["status"] for e in log(configured)} == {"failed"}


def test_an_unreachable_smtp_server_and_a_member_without_email(configured, smtp, db_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    configured("profile", "set", "--smtp-port", closed)
    r = send(configured, "--period", "2026", "--all", "--channel", "email", "--yes", code=5)
    assert r.stderr.count("cannot reach SMTP server 127.0.0.1") == 3
    assert "Ny Film AS has no e-mail address" in r.stderr
    assert [e["status"] for e in log(configured)] == ["failed"] * 4


def test_access_point_refusals_timeouts_and_unknown_receivers(
    configured, access_point, monkeypatch, db_path
):
    from filmklynge.delivery import peppol

    run = configured
    fjell = str(numbers(run)["Fjellfilm AS"])
    # A receiver not on Peppol: nothing is submitted.
    access_point.unregister("NO:ORG", ORGNR["fjell"])
    r = send(run, fjell, "--yes", code=5)
    assert f"0192:{ORGNR['fjell']} is not registered in Peppol to receive invoices" in r.stderr
    assert access_point.submissions == []
    access_point.register("NO:ORG", ORGNR["fjell"])
    # A wrong token.
    access_point.script("*", status=401, times=1)
    r = send(run, fjell, "--yes", code=5)
    assert "the access point refused the token (401)" in r.stderr
    # The access point's own trouble.
    access_point.script(ORGNR["fjell"], op="submit", status=500, times=1)
    r = send(run, fjell, "--yes", code=5)
    assert "the access point answered 500" in r.stderr
    # No answer in time after the document was handed over: pending, never sent.
    monkeypatch.setattr(peppol, "TIMEOUT_SECONDS", 0.5)
    access_point.script(ORGNR["fjell"], op="submit", delay=3, times=1)
    r = send(run, fjell, "--yes", code=5)
    assert "outcome unknown: no answer from the access point within 0.5 s" in r.stderr
    statuses = [e["status"] for e in log(run)]
    assert statuses == ["failed", "failed", "failed", "pending"]
    assert access_point.submissions == []  # the fake took nothing while it hung
    # Pending is skipped (and shown for attention) until --resend; the same key is used.
    r = send(run, fjell, "--yes")
    assert "did not finish; check, then --resend" in r.stdout
    assert "Nothing to send" in r.stderr
    summary = run("summary", "--as-of", "2026-01-12").stdout
    assert "1 delivery pending" in summary
    r = send(run, fjell, "--yes", "--resend")
    assert len(access_point.submissions) == 1
    posted = [
        q.json["idempotencyGuid"]
        for q in access_point.requests
        if q.json and "idempotencyGuid" in q.json
    ]
    assert len(set(posted)) == 1  # every try of this one delivery had the same key
    assert log(run)[-1]["status"] == "sent"
    assert (
        "delivery" not in run("summary", "--as-of", "2026-01-12").stdout.split("Needs attention")[1]
    )


def test_an_unreachable_access_point(configured, access_point):
    url = access_point.base_url
    access_point.stop()
    configured("profile", "set", "--peppol-url", url)
    fjell = str(numbers(configured)["Fjellfilm AS"])
    r = send(configured, fjell, "--yes", code=5)
    assert f"cannot reach the access point at {url}" in r.stderr


def test_missing_settings_stop_everything_before_anything_is_sent(members, monkeypatch):
    monkeypatch.delenv("FILMKLYNGE_PEPPOL_TOKEN", raising=False)
    r = send(members, "--period", "2026", "--all", "--yes", code=5)
    assert "--smtp-host HOST --smtp-sender ADDRESS" in r.stderr
    assert "--peppol-url URL --peppol-sender-id ID" in r.stderr
    assert "FILMKLYNGE_PEPPOL_TOKEN" in r.stderr
    assert "nothing was sent" in r.stderr
    assert log(members) == []
    members(
        "profile", "set", "--smtp-host", "127.0.0.1", "--smtp-sender", "f@k.no", "--smtp-user", "u"
    )
    r = send(members, "--period", "2026", "--all", "--channel", "email", "--yes", code=5)
    assert "FILMKLYNGE_SMTP_PASSWORD" in r.stderr and log(members) == []


def test_without_a_terminal_it_asks_for_yes_instead_of_waiting(configured, smtp):
    r = send(configured, "--period", "2026", "--all", code=2)
    assert "--yes" in r.stderr and smtp.sink.messages == [] and log(configured) == []


def test_bad_arguments(configured):
    send(configured, code=2)
    send(configured, "--period", "2026", code=2)
    send(configured, "10001", "--channel", "fax", code=2)
    r = send(configured, "--reminders", "--channel", "ehf", code=2)
    assert "no Peppol reminder document" in r.stderr
    send(configured, "99999", "--yes", code=3)


# ---------------------------------------------------------------------- TLS


def test_starttls_with_a_trusted_certificate(configured, certificates, db_path):
    sink = _Sink()
    server = _Controller(
        sink,
        hostname="127.0.0.1",
        port=0,
        tls_context=certificates,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    server.start()
    try:
        configured("profile", "set", "--smtp-port", server.port, "--smtp-security", "starttls")
        polarlys = str(numbers(configured)["Polarlys Film AS"])
        send(configured, polarlys, "--yes")
        (mail,) = sink.messages
        assert mail["tls"] and mail["auth"]
    finally:
        server.stop()


def test_implicit_tls_and_an_untrusted_certificate(configured, certificates, monkeypatch):
    sink = _Sink()
    server = _Controller(
        sink,
        hostname="127.0.0.1",
        port=0,
        ssl_context=certificates,
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    server.start()
    try:
        configured("profile", "set", "--smtp-port", server.port, "--smtp-security", "ssl")
        polarlys = str(numbers(configured)["Polarlys Film AS"])
        send(configured, polarlys, "--yes")
        assert len(sink.messages) == 1 and sink.messages[0]["tls"]
        monkeypatch.delenv("SSL_CERT_FILE")
        monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
        r = send(configured, polarlys, "--yes", "--resend", code=5)
        assert "certificate is not trusted" in r.stderr and len(sink.messages) == 1
    finally:
        server.stop()


def test_starttls_refused_when_the_server_does_not_offer_it(configured, smtp):
    configured("profile", "set", "--smtp-security", "starttls")
    polarlys = str(numbers(configured)["Polarlys Film AS"])
    r = send(configured, polarlys, "--yes", code=5)
    assert "does not offer STARTTLS" in r.stderr and smtp.sink.messages == []


# ---------------------------------------------------------------------- reminders, credit notes


def test_reminders_and_credit_notes(configured, smtp, access_point, tmp_path, db_path):
    run = configured
    no = numbers(run)
    run("invoices", "remind", "--as-of", "2026-02-15", "--yes")
    r = send(run, "--reminders", "--yes", "--output", tmp_path / "purringer.pdf")
    plan = {line.split()[0]: line for line in r.stdout.splitlines()[2:]}
    # The EHF member has a contact address: its reminder goes by e-mail, the post member's on paper.
    assert (
        "email" in plan[str(no["Fjellfilm AS"])]
        and "siri@fjellfilm.example" in plan[str(no["Fjellfilm AS"])]
    )
    assert "print" in plan[str(no["Ny Film AS"])]
    assert access_point.submissions == []
    subjects = sorted(m["message"]["Subject"] for m in smtp.sink.messages)
    assert subjects[0].startswith("Betalingspåminnelse for faktura")
    reminder = next(
        m["message"] for m in smtp.sink.messages if m["to"] == ["faktura@polarlys.example"]
    )
    assert [a.get_filename() for a in reminder.iter_attachments()] == [
        f"purring-{no['Polarlys Film AS']}-1.pdf"
    ]
    assert fields(reminder.get_body(("plain",)).get_content())["Ny forfallsdato"] == "01.03.2026"
    assert (tmp_path / "purringer.pdf").exists()
    assert {e["kind"] for e in log(run)} == {"reminder"}
    assert "Nothing to send" in send(run, "--reminders", "--yes").stderr

    run("invoices", "credit", str(no["Fjellfilm AS"]), "--amount", "1 000", "--reason", "Feil")
    credit = max(
        e["number"] for e in json.loads(run("invoices", "list", "--format", "json").stdout)
    )
    send(run, str(credit), "--yes")
    (submission,) = access_point.submissions
    assert submission.kind == "creditnote"
    assert access_point.requests[0].json["documentTypes"] == ["creditnote"]


def test_show_lists_a_documents_deliveries(configured, smtp):
    polarlys = str(numbers(configured)["Polarlys Film AS"])
    send(configured, polarlys, "--yes")
    r = configured("invoices", "show", polarlys)
    assert "Sent by email to faktura@polarlys.example" in r.stderr
    data = json.loads(configured("invoices", "show", polarlys, "--format", "json").stdout)
    assert data["deliveries"][0]["status"] == "sent"


def test_summary_lists_failed_deliveries(configured, smtp):
    configured("members", "edit", "Polarlys", "--invoice-email", "x@refuse.example")
    polarlys = str(numbers(configured)["Polarlys Film AS"])
    send(configured, polarlys, "--yes", code=5)
    out = configured("summary", "--as-of", "2026-01-12", env={"COLUMNS": "400"}).stdout
    assert "1 delivery failed" in out and " invoices deliveries --status failed" in out
    data = json.loads(configured("summary", "--as-of", "2026-01-12", "--format", "json").stdout)
    assert data["deliveries"][0]["status"] == "failed"


# ---------------------------------------------------------------------- settings


def test_profile_keeps_sending_settings_but_never_a_secret(cluster, monkeypatch):
    monkeypatch.setenv("FILMKLYNGE_SMTP_PASSWORD", "hunter2")
    cluster(
        "profile", "set", "--smtp-host", "smtp.example.no", "--smtp-port", "465",
        "--smtp-security", "ssl", "--smtp-user", "faktura",
        "--smtp-sender", "Klyngen <Faktura@Klynge.no>",
        "--peppol-url", "https://api.storecove.com/api/v2/", "--peppol-sender-id", "4711",
    )  # fmt: skip
    shown = cluster("profile", "show").stdout
    assert "smtp.example.no" in shown and "Klyngen <faktura@klynge.no>" in shown
    assert "from FILMKLYNGE_SMTP_PASSWORD (set)" in shown
    assert "from FILMKLYNGE_PEPPOL_TOKEN (not set)" in shown
    data = json.loads(cluster("profile", "show", "--format", "json").stdout)
    assert data["peppol_url"] == "https://api.storecove.com/api/v2"
    assert "hunter2" not in shown and "hunter2" not in json.dumps(data)
    cluster("profile", "set", "--smtp-security", "tls", code=2)
    cluster("profile", "set", "--smtp-port", "70000", code=2)
    cluster("profile", "set", "--smtp-sender", "not an address", code=2)
    r = cluster("profile", "set", "--peppol-url", "http://ap.example.com/api/v2", code=2)
    assert "https://" in r.stderr
    cluster("profile", "set", "--smtp-host", "")
    assert json.loads(cluster("profile", "show", "--format", "json").stdout)["smtp_host"] is None


# ---------------------------------------------------------------------- units


def test_message_text_in_both_languages():
    from filmklynge.delivery.mail import message_text
    from filmklynge.delivery.plan import Item

    profile = {"name": "Klyngen", "account_no": "86011117947", "iban": "NO9386011117947",
               "bic": "DNBANOKK", "email": "post@klynge.no"}  # fmt: skip
    invoice = {"id": 1, "number": 10001, "kind": "invoice", "total_ore": 575000,
               "due_on": "2026-01-24", "kid": "0000100013"}  # fmt: skip
    item = Item(invoice=invoice, member={"name": "A", "country": "NO"}, reminder=None,
                channel="email", recipient="a@b.no")  # fmt: skip
    subject, body = message_text(item, profile)
    assert subject == "Faktura 10001 fra Klyngen"
    assert fields(body)["Beløp"] == "kr 5 750,00" and fields(body)["KID"] == "0000100013"
    assert "IBAN" not in body
    item.language, item.member = "en", {"name": "B", "country": "SE"}
    subject, body = message_text(item, profile)
    assert subject == "Invoice 10001 from Klyngen"
    assert "IBAN" in body and "DNBANOKK" in body and "Due date" in body


def test_idempotency_key_is_stable_per_delivery():
    from filmklynge.delivery.peppol import idempotency_guid

    a = idempotency_guid(sender_id=1, document="invoice/10001", sent_before=0)
    assert a == idempotency_guid(sender_id=1, document="invoice/10001", sent_before=0)
    assert a != idempotency_guid(sender_id=1, document="invoice/10001", sent_before=1)
    assert len(a) == 36


def test_the_token_is_never_sent_after_a_redirect(access_point, monkeypatch):
    """A redirect would carry the bearer token elsewhere: it is not followed."""
    from filmklynge.delivery.errors import DeliveryError
    from filmklynge.delivery.peppol import AccessPoint, PeppolSettings

    access_point.script("*", status=307, body={"moved": True}, times=1)
    ap = AccessPoint(PeppolSettings(url=access_point.base_url, sender_id=1, token=TOKEN))
    with pytest.raises(DeliveryError, match="answered 307"):
        ap.receiver_registered(f"0192:{ORGNR['fjell']}", "invoice")
    assert len(access_point.requests) == 1


def test_encoded_xml_is_the_exact_bytes(access_point):
    from filmklynge.delivery.peppol import AccessPoint, PeppolSettings

    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
        b"<x>\xc3\xa6\xc3\xb8\xc3\xa5</x></Invoice>"
    )
    ap = AccessPoint(PeppolSettings(url=access_point.base_url, sender_id=7, token=TOKEN))
    guid = ap.submit(
        xml, participant=f"0192:{ORGNR['fjell']}", document_type="invoice", idempotency="0" * 36
    )
    (submission,) = access_point.submissions
    assert submission.guid == guid and submission.xml == xml
    sent = submission.payload["document"]["rawDocumentData"]["document"]
    assert base64.b64decode(sent) == xml
