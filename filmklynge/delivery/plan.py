"""Which documents to send, by which channel, to which address: the plan `invoices send` shows.

The channel is the member's ``invoice_delivery`` (``email``, ``ehf``, ``post`` = print) unless one
is forced for the whole run. Reminders have no Peppol document here, so a member on EHF gets
a reminder by e-mail when an address is known, otherwise on paper. A document that has gone
out (``sent``), or may have (``pending``), is skipped unless ``resend``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from filmklynge import identifiers
from filmklynge.errors import InvalidInput, NotFound
from filmklynge.store.db import Database

CHANNEL_OF = {"email": "email", "ehf": "ehf", "post": "print"}
PEPPOL_SCHEME = "0192"  # ICD of the Norwegian organisation number (Enhetsregisteret)
SMTP_PASSWORD = "FILMKLYNGE_SMTP_PASSWORD"
PEPPOL_TOKEN = "FILMKLYNGE_PEPPOL_TOKEN"


@dataclass
class Item:
    """One document to deliver (an invoice, a credit note or a reminder) and how."""

    invoice: dict[str, Any]
    member: dict[str, Any]
    reminder: dict[str, Any] | None
    channel: str
    recipient: str
    problem: str | None = None  # why it cannot be sent: recorded as a failed attempt
    brief: str | None = None  # the problem in a few words, for the plan's table
    skip: str | None = None  # why it is left out (already delivered)
    language: str = "nb"

    @property
    def kind(self) -> str:
        if self.reminder is not None:
            return "reminder"
        return "credit" if self.invoice["kind"] == "credit" else "invoice"

    @property
    def number(self) -> int:
        return int(self.invoice["number"])

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.invoice["id"], self.reminder["id"] if self.reminder else None)

    @property
    def label(self) -> str:
        if self.reminder is not None:
            return f"reminder {self.reminder['seq']} of invoice {self.number}"
        return f"{'credit note' if self.kind == 'credit' else 'invoice'} {self.number}"

    @property
    def address_order(self) -> tuple:
        """Posting order: Norwegian addresses by postal code, then abroad by country."""
        m = self.member
        country = m.get("country") or "NO"
        return (
            country != "NO",
            country,
            m.get("postal_code") or "",
            m["name"].lower(),
            self.number,
        )

    def row(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "document": self.kind if self.reminder is None else f"reminder {self.reminder['seq']}",
            "member": self.member["name"],
            "channel": self.channel,
            "recipient": self.recipient,
            "action": self.skip or (f"cannot: {self.brief}" if self.problem else "send"),
        }


@dataclass
class SendPlan:
    items: list[Item] = field(default_factory=list)

    @property
    def to_send(self) -> list[Item]:
        return [i for i in self.items if not i.skip]

    @property
    def skipped(self) -> list[Item]:
        return [i for i in self.items if i.skip]

    def channels(self) -> set[str]:
        return {i.channel for i in self.to_send if not i.problem}


def _members(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    members = {
        r["id"]: r for r in db.query(f"SELECT * FROM members WHERE id IN ({marks})", list(ids))
    }
    for r in db.query(
        f"""SELECT member_id, email FROM contacts WHERE member_id IN ({marks})
            AND forgotten_at IS NULL AND email IS NOT NULL AND email != ''
            ORDER BY is_primary DESC, id""",
        list(ids),
    ):
        members[r["member_id"]].setdefault("contact_email", r["email"])
    return members


def email_address(member: dict[str, Any]) -> str | None:
    """Where invoices go by e-mail: the member's invoice e-mail, else its primary contact's."""
    return (member.get("invoice_email") or member.get("contact_email") or "").strip() or None


def language_of(invoice: dict[str, Any], member: dict[str, Any], profile: dict[str, Any]) -> str:
    """The message's language: the document's own (English for a foreign member)."""
    if invoice.get("language") == "en" or (member.get("country") or "NO") != "NO":
        return "en"
    stored = invoice.get("language") or profile.get("language") or "nb"
    return stored if stored in ("nb", "en") else "nb"


def _address(item: Item) -> tuple[str, str | None, str | None]:
    """(recipient, problem, the problem in a few words) for the item's channel."""
    member, invoice = item.member, item.invoice
    edit = f"filmklynge members edit {member['id']}"
    if item.channel == "email":
        address = email_address(member)
        if not address:
            return (
                "",
                (
                    f"{member['name']} has no e-mail address; set one with "
                    f"'{edit} --invoice-email ADDRESS'"
                ),
                "no e-mail address",
            )
        try:
            return identifiers.check_email(address), None, None
        except InvalidInput:
            return (
                address,
                (
                    f"{address!r} is not a valid e-mail address; correct it with "
                    f"'{edit} --invoice-email ADDRESS'"
                ),
                "invalid e-mail address",
            )
    if item.channel == "ehf":
        orgnr = invoice.get("buyer_orgnr") or member.get("orgnr")
        if (member.get("country") or "NO") != "NO" or not orgnr:
            return (
                "",
                (
                    f"{member['name']} has no Norwegian organisation number, so no Peppol address; "
                    "send it by e-mail or post (--channel email)"
                ),
                "no Peppol address",
            )
        return f"{PEPPOL_SCHEME}:{orgnr}", None, None
    # On paper the document's own buyer address (fixed when it was issued) is the envelope's.
    address = ", ".join(
        line.strip() for line in (invoice.get("buyer_address") or "").splitlines() if line.strip()
    )
    if address:
        return address, None, None
    if member.get("address_line"):
        return (
            "",
            (
                f"invoice {item.number} was issued before {member['name']} had a postal address, "
                "so it has none to post it to; send it by e-mail (--channel email)"
            ),
            "no postal address on it",
        )
    return (
        "",
        (
            f"{member['name']} has no postal address; set it with "
            f"'{edit} --address ... --postal-code ... --city ...' (documents issued later carry it)"
        ),
        "no postal address",
    )


def _channel_for(item: Item, forced: str | None) -> str:
    member_channel = CHANNEL_OF.get(item.member.get("invoice_delivery") or "email", "email")
    channel = forced or member_channel
    if item.reminder is not None and channel == "ehf":
        # No Peppol reminder document here: by e-mail where an address is known, else on paper.
        return "email" if email_address(item.member) else "print"
    return channel


def _documents(
    db: Database,
    *,
    number: int | None,
    period: str | None,
    reminders: bool,
    as_of: date,
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(invoice row, reminder row or None) for what was asked, by number."""
    from filmklynge.ledger.invoicing import find_invoice, invoice_balances

    if number is not None:
        invoices = [find_invoice(db, number)]
    elif period is not None:
        invoices = list(
            db.query("SELECT * FROM invoices WHERE period = ? ORDER BY number", [period])
        )
        if not invoices:
            raise NotFound(
                f"No invoices for period {period}. "
                "Run 'filmklynge invoices list' to see the periods."
            )
    else:
        invoices = []
    if not reminders:
        return [(inv, None) for inv in invoices]
    if number is not None and invoices[0]["kind"] == "credit":
        raise InvalidInput(f"{number} is a credit note; it has no reminders.")
    ids = [inv["id"] for inv in invoices]
    where = f"WHERE r.invoice_id IN ({','.join('?' for _ in ids)})" if invoices else ""
    rows = list(
        db.query(
            f"SELECT r.* FROM reminders r JOIN invoices i ON i.id = r.invoice_id {where} "
            "ORDER BY i.number, r.seq",
            ids,
        )
    )
    if not rows and number is not None:
        raise NotFound(
            f"Invoice {number} has had no reminder. Record one with 'filmklynge invoices remind'."
        )
    # A reminder for an invoice settled since it was recorded is not sent.
    open_ids = {
        b["id"]
        for b in invoice_balances(db, as_of=as_of, where="i.kind = 'invoice'")
        if b["outstanding_ore"] > 0
    }
    by_id = {inv["id"]: inv for inv in invoices}
    for r in rows:
        if r["invoice_id"] not in by_id:
            by_id[r["invoice_id"]] = db.get("invoices", r["invoice_id"]) or {}
    return [
        (by_id[r["invoice_id"]], {**r, "settled": r["invoice_id"] not in open_ids}) for r in rows
    ]


def plan_send(
    db: Database,
    *,
    number: int | None = None,
    period: str | None = None,
    reminders: bool = False,
    channel: str | None = None,
    resend: bool = False,
    as_of: date,
) -> SendPlan:
    """What `invoices send` would do (pure: nothing is written)."""
    from filmklynge.delivery.log import CHANNELS, delivered
    from filmklynge.register.profile import get_profile

    if channel is not None and channel not in CHANNELS:
        raise InvalidInput(f"Channel {channel!r} must be one of: ehf, email, print.")
    if channel == "ehf" and reminders:
        raise InvalidInput(
            "Reminders cannot go by EHF: there is no Peppol reminder document here. "
            "Use --channel email or --channel print, or leave --channel out."
        )
    profile = get_profile(db)
    docs = _documents(db, number=number, period=period, reminders=reminders, as_of=as_of)
    members = _members(db, {inv["member_id"] for inv, _ in docs})
    done = delivered(db)
    plan = SendPlan()
    for invoice, reminder in docs:
        member = members[invoice["member_id"]]
        item = Item(invoice=invoice, member=member, reminder=reminder, channel="", recipient="")
        item.channel = _channel_for(item, channel)
        item.recipient, item.problem, item.brief = _address(item)
        item.language = language_of(invoice, member, profile)
        previous = done.get(item.key)
        if reminder is not None and reminder.get("settled") and not resend:
            item.skip = "skip: the invoice is settled"
        elif previous and not resend:
            when = previous["attempted_at"][:10]
            if previous["status"] == "pending":
                item.skip = (
                    f"skip: attempt by {previous['channel']} on {when} did not finish; "
                    "check, then --resend"
                )
            else:
                item.skip = f"skip: sent by {previous['channel']} on {when}"
        plan.items.append(item)
    return plan


def missing_settings(plan: SendPlan, profile: dict[str, Any]) -> list[str]:
    """What the plan's channels need that the profile or the environment lacks (one line each)."""
    channels = plan.channels()
    missing: list[str] = []
    if "email" in channels:
        count = sum(1 for i in plan.to_send if i.channel == "email" and not i.problem)
        need = []
        if not profile.get("smtp_host"):
            need.append("--smtp-host HOST")
        if not profile.get("smtp_sender"):
            need.append("--smtp-sender ADDRESS")
        if need:
            missing.append(
                f"{count} document(s) go by e-mail, but the SMTP settings are incomplete: "
                f"set them with 'filmklynge profile set {' '.join(need)}'."
            )
        if profile.get("smtp_user") and not os.environ.get(SMTP_PASSWORD):
            missing.append(
                f"SMTP user {profile['smtp_user']} needs a password: put it in the environment "
                f"variable {SMTP_PASSWORD} (it is never stored)."
            )
    if "ehf" in channels:
        count = sum(1 for i in plan.to_send if i.channel == "ehf" and not i.problem)
        need = []
        if not profile.get("peppol_url"):
            need.append("--peppol-url URL")
        if not profile.get("peppol_sender_id"):
            need.append("--peppol-sender-id ID")
        if need:
            missing.append(
                f"{count} document(s) go by EHF, but the access point settings are incomplete: "
                f"set them with 'filmklynge profile set {' '.join(need)}'."
            )
        if not os.environ.get(PEPPOL_TOKEN):
            missing.append(
                f"The access point needs its API token in the environment variable {PEPPOL_TOKEN} "
                "(it is never stored)."
            )
    return missing
