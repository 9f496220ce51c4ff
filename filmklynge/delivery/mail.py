"""E-mail over SMTP: the message (a short text in the document's language, the PDF attached,
and the EHF XML for members who want it) and one SMTP session for a whole run.

The password is read from FILMKLYNGE_SMTP_PASSWORD when sending and never stored. ``starttls``
(port 587) and ``ssl`` (port 465) verify the server's certificate against the system's trust
store (``SSL_CERT_FILE`` points elsewhere); ``none`` (port 25) is for a relay on the local network.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

from filmklynge.dates import norwegian
from filmklynge.delivery.errors import DeliveryError
from filmklynge.delivery.plan import SMTP_PASSWORD, Item
from filmklynge.identifiers import format_account, format_iban
from filmklynge.money import format_nok

TIMEOUT_SECONDS = 30.0
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

TEXTS = {
    "nb": {
        "invoice_subject": "Faktura {number} fra {seller}",
        "credit_subject": "Kreditnota {number} fra {seller}",
        "reminder_subject": "Betalingspåminnelse for faktura {number} fra {seller}",
        "greeting": "Hei,",
        "invoice_intro": "Vedlagt er faktura {number} fra {seller}.",
        "credit_intro": "Vedlagt er kreditnota {number} fra {seller}, som krediterer faktura "
        "{credited}. Beløpet trekkes fra det som står utestående, eller betales tilbake.",
        "reminder_intro": "Vi har ikke registrert betaling av faktura {number}, som forfalt "
        "{original_due}. Vedlagt er en betalingspåminnelse. Har du betalt nylig, kan du se bort "
        "fra denne.",
        "amount": "Beløp",
        "credited": "Kreditert",
        "due": "Forfallsdato",
        "new_due": "Ny forfallsdato",
        "fee": "herav purregebyr",
        "account": "Kontonummer",
        "kid": "KID",
        "xml": "EHF-fakturaen (XML) er også vedlagt.",
        "closing": "Vennlig hilsen",
    },
    "en": {
        "invoice_subject": "Invoice {number} from {seller}",
        "credit_subject": "Credit note {number} from {seller}",
        "reminder_subject": "Payment reminder for invoice {number} from {seller}",
        "greeting": "Hello,",
        "invoice_intro": "Please find attached invoice {number} from {seller}.",
        "credit_intro": "Please find attached credit note {number} from {seller}, crediting "
        "invoice {credited}. The amount is deducted from what is outstanding, or refunded.",
        "reminder_intro": "We have not registered payment of invoice {number}, which was due on "
        "{original_due}. Please find a payment reminder attached. If you have paid recently, "
        "please disregard it.",
        "amount": "Amount",
        "credited": "Credited",
        "due": "Due date",
        "new_due": "New due date",
        "fee": "including a reminder fee of",
        "account": "Account number",
        "kid": "KID (payment reference)",
        "xml": "The EHF invoice (XML) is attached as well.",
        "closing": "Kind regards",
    },
}


def message_text(
    item: Item, profile: dict[str, Any], *, credited_number: int | None = None, xml: bool = False
) -> tuple[str, str]:
    """(subject, body) of the e-mail carrying ``item``: amount, due date, account and KID."""
    t = TEXTS[item.language]
    invoice, reminder = item.invoice, item.reminder
    seller = profile["name"]
    facts: list[tuple[str, str]] = []
    if item.kind == "reminder":
        assert reminder is not None
        subject = t["reminder_subject"].format(number=item.number, seller=seller)
        intro = t["reminder_intro"].format(
            number=item.number, original_due=norwegian(invoice.get("due_on"))
        )
        amount = int(reminder["outstanding_ore"]) + int(reminder["fee_ore"])
        shown = format_nok(amount)
        if reminder["fee_ore"]:
            shown += f" ({t['fee']} {format_nok(int(reminder['fee_ore']))})"
        facts += [(t["amount"], shown), (t["new_due"], norwegian(reminder["due_on"]))]
    elif item.kind == "credit":
        subject = t["credit_subject"].format(number=item.number, seller=seller)
        intro = t["credit_intro"].format(
            number=item.number, seller=seller, credited=credited_number or ""
        )
        facts.append((t["credited"], format_nok(abs(int(invoice["total_ore"])))))
    else:
        subject = t["invoice_subject"].format(number=item.number, seller=seller)
        intro = t["invoice_intro"].format(number=item.number, seller=seller)
        facts += [
            (t["amount"], format_nok(int(invoice["total_ore"]))),
            (t["due"], norwegian(invoice.get("due_on"))),
        ]
    if item.kind != "credit":
        facts.append((t["account"], format_account(profile["account_no"])))
        if (item.member.get("country") or "NO") != "NO" and profile.get("iban"):
            facts.append(("IBAN", format_iban(profile["iban"])))
            if profile.get("bic"):
                facts.append(("BIC", profile["bic"]))
        if invoice.get("kid"):
            facts.append((t["kid"], invoice["kid"]))
    width = max(len(label) for label, _ in facts) + 1
    lines = [t["greeting"], "", intro, ""]
    lines += [f"{label + ':':<{width}} {value}" for label, value in facts]
    if xml:
        lines += ["", t["xml"]]
    lines += ["", t["closing"], seller]
    if profile.get("email"):
        lines.append(profile["email"])
    return subject, "\n".join(lines) + "\n"


def compose(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    sender_name: str | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    """A MIME message with a proper Message-ID and Date; attachments are (name, bytes, type)."""
    msg = EmailMessage()
    name, address = parseaddr(sender)
    msg["From"] = sender if name or not sender_name else formataddr((sender_name, address))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    if reply_to and reply_to.lower() != address.lower():
        msg["Reply-To"] = reply_to
    msg.set_content(body)
    for filename, data, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> SmtpSettings:
        security = profile.get("smtp_security") or "starttls"
        return cls(
            host=profile["smtp_host"],
            port=int(profile.get("smtp_port") or DEFAULT_PORTS[security]),
            security=security,
            user=profile.get("smtp_user") or None,
            password=os.environ.get(SMTP_PASSWORD) or None,
            sender=profile["smtp_sender"],
        )

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {' '.join(text.split())}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted: {exc.verify_message}"
    return str(exc) or type(exc).__name__


class SmtpSession:
    """One connection for many messages, opened on the first and reopened after a drop.

    A failure to connect or log in is remembered: the rest of the run fails at once with the
    same reason instead of waiting for the same timeout again for every document.
    """

    def __init__(self, settings: SmtpSettings, *, timeout: float | None = None):
        self.settings = settings
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self._client: smtplib.SMTP | None = None
        self._fatal: str | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach SMTP server {s.server} ({_reason(exc)})") from exc
        try:
            client.ehlo()
            if s.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"SMTP server {s.server} does not offer STARTTLS; "
                        "check --smtp-port, or use --smtp-security ssl"
                    )
                client.starttls(context=context)
                client.ehlo()
        except DeliveryError:
            client.close()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            client.close()
            raise DeliveryError(
                f"no secure connection to SMTP server {s.server} ({_reason(exc)})"
            ) from exc
        if s.user:
            try:
                client.login(s.user, s.password or "")
            except smtplib.SMTPAuthenticationError as exc:
                client.close()
                raise DeliveryError(
                    f"SMTP server {s.server} refused the login of {s.user} ({_reason(exc)}); "
                    f"check --smtp-user and {SMTP_PASSWORD}"
                ) from exc
            except (OSError, smtplib.SMTPException) as exc:
                client.close()
                raise DeliveryError(
                    f"cannot log in to SMTP server {s.server} ({_reason(exc)})"
                ) from exc
        return client

    def send(self, message: EmailMessage) -> str:
        """Hand ``message`` to the server; returns its Message-ID once the server accepted it.

        Raises DeliveryError (``unknown=True`` when the server may have taken it: no answer
        after the message was sent)."""
        if self._fatal:
            raise DeliveryError(self._fatal)
        if self._client is None:
            try:
                self._client = self._connect()
            except DeliveryError as exc:
                self._fatal = str(exc)
                raise
        s = self.settings
        try:
            refused = self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(f"{addr}: {_reason_of(r)}" for addr, r in exc.recipients.items())
            raise DeliveryError(
                f"SMTP server {s.server} refused the recipient ({reasons})"
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            self._fatal = (
                f"SMTP server {s.server} refused the sender {exc.sender} ({_reason(exc)}); "
                "check --smtp-sender"
            )
            raise DeliveryError(self._fatal) from exc
        except smtplib.SMTPDataError as exc:
            raise DeliveryError(
                f"SMTP server {s.server} refused the message ({_reason(exc)})"
            ) from exc
        except TimeoutError as exc:
            self._drop()
            raise DeliveryError(
                f"no answer from SMTP server {s.server} within {self.timeout:g} s; "
                "it may have been sent",
                unknown=True,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise DeliveryError(f"the connection to {s.server} broke ({_reason(exc)})") from exc
        if refused:
            reasons = "; ".join(f"{addr}: {_reason_of(r)}" for addr, r in refused.items())
            raise DeliveryError(f"SMTP server {s.server} refused the recipient ({reasons})")
        return str(message["Message-ID"])

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._drop()


def _reason_of(reply: tuple[int, bytes]) -> str:
    code, text = reply
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"
