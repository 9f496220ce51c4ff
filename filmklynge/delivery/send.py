"""Carrying out a send plan: each document by its channel, each attempt in the log.

Delivery does not render documents (``documents`` is a sibling package): the CLI passes
``Renderers``, functions that return a document's PDF or EHF bytes. One document's failure
never stops the others; a failure to reach a server or to log in fails the rest of that
channel at once, with the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filmklynge.delivery import log
from filmklynge.delivery.errors import DeliveryError
from filmklynge.delivery.plan import Item, SendPlan
from filmklynge.errors import FilmklyngeError
from filmklynge.store.db import Database


@dataclass(frozen=True)
class Renderers:
    """How to make a document's files: each returns (file name, bytes)."""

    pdf: Callable[[Item], tuple[str, bytes]]
    ehf: Callable[[Item], tuple[str, bytes]] | None = None
    ehf_problems: Callable[[Item], list[str]] | None = None


@dataclass
class Outcome:
    item: Item
    status: str  # sent | failed | pending
    message_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "sent"


Progress = Callable[[Outcome], None]


def _attempt(db: Database, item: Item, action: Callable[[], tuple[str, str | None]]) -> Outcome:
    """Log the attempt as pending, run ``action`` (-> message id, note), log how it ended."""
    delivery_id = log.start(
        db,
        invoice_id=item.invoice["id"],
        reminder_id=item.reminder["id"] if item.reminder else None,
        kind=item.kind,
        channel=item.channel,
        recipient=item.recipient,
    )
    try:
        message_id, note = action()
    except DeliveryError as exc:
        status = "pending" if exc.unknown else "failed"
        log.finish(db, delivery_id, status=status, error=str(exc))
        return Outcome(item, status, error=str(exc))
    except FilmklyngeError as exc:
        log.finish(db, delivery_id, status="failed", error=str(exc))
        return Outcome(item, "failed", error=str(exc))
    except Exception as exc:  # a bug in one document must not stop the batch
        reason = f"unexpected {type(exc).__name__}: {exc}"
        log.finish(db, delivery_id, status="failed", error=reason)
        return Outcome(item, "failed", error=reason)
    log.finish(db, delivery_id, status="sent", message_id=message_id, error=note)
    return Outcome(item, "sent", message_id=message_id, error=note)


def _failed(db: Database, item: Item, reason: str) -> Outcome:
    log.record_failure(
        db,
        invoice_id=item.invoice["id"],
        reminder_id=item.reminder["id"] if item.reminder else None,
        kind=item.kind,
        channel=item.channel,
        recipient=item.recipient,
        error=reason,
    )
    return Outcome(item, "failed", error=reason)


def _ehf_bytes(item: Item, renderers: Renderers) -> tuple[str, bytes]:
    if renderers.ehf is None:
        raise DeliveryError("EHF documents cannot be made by this installation")
    problems = renderers.ehf_problems(item) if renderers.ehf_problems else []
    if problems:
        raise DeliveryError("the EHF rules refuse it: " + "; ".join(problems))
    return renderers.ehf(item)


def _send_ehf(
    db: Database,
    items: list[Item],
    profile: dict[str, Any],
    renderers: Renderers,
    progress: Progress | None,
    timeout: float | None,
) -> list[Outcome]:
    from filmklynge.delivery.peppol import AccessPoint, PeppolSettings, idempotency_guid

    outcomes = []
    try:
        settings = PeppolSettings.from_profile(profile)
    except DeliveryError as exc:
        for item in items:
            outcomes.append(_failed(db, item, str(exc)))
            if progress:
                progress(outcomes[-1])
        return outcomes
    access_point = AccessPoint(settings, timeout=timeout)
    for item in items:

        def action(item: Item = item) -> tuple[str, str | None]:
            _name, xml = _ehf_bytes(item, renderers)
            reminder_id = item.reminder["id"] if item.reminder else None
            key = idempotency_guid(
                sender_id=settings.sender_id,
                document=f"{item.kind}/{item.number}",
                sent_before=log.sent_count(
                    db, invoice_id=item.invoice["id"], reminder_id=reminder_id, channel="ehf"
                ),
            )
            return access_point.submit(
                xml,
                participant=item.recipient,
                document_type="creditnote" if item.kind == "credit" else "invoice",
                idempotency=key,
            ), None

        outcomes.append(_attempt(db, item, action))
        if progress:
            progress(outcomes[-1])
    return outcomes


def _send_email(
    db: Database,
    items: list[Item],
    profile: dict[str, Any],
    renderers: Renderers,
    progress: Progress | None,
    timeout: float | None,
) -> list[Outcome]:
    from filmklynge.delivery.mail import SmtpSession, SmtpSettings, compose, message_text

    outcomes = []
    session = SmtpSession(SmtpSettings.from_profile(profile), timeout=timeout)
    try:
        for item in items:

            def action(item: Item = item) -> tuple[str, str | None]:
                name, pdf = renderers.pdf(item)
                attachments = [(name, pdf, "application/pdf")]
                note = None
                if item.member.get("attach_ehf") and item.kind != "reminder":
                    try:
                        xml_name, xml = _ehf_bytes(item, renderers)
                        attachments.append((xml_name, xml, "application/xml"))
                    except DeliveryError as exc:
                        note = f"sent without the EHF XML: {exc}"
                credited = None
                if item.invoice.get("credits_invoice_id"):
                    credited = db.scalar(
                        "SELECT number FROM invoices WHERE id = ?",
                        [item.invoice["credits_invoice_id"]],
                    )
                subject, body = message_text(
                    item, profile, credited_number=credited, xml=len(attachments) > 1
                )
                message = compose(
                    sender=session.settings.sender,
                    sender_name=profile["name"],
                    reply_to=profile.get("email"),
                    to=item.recipient,
                    subject=subject,
                    body=body,
                    attachments=attachments,
                )
                return session.send(message), note

            outcomes.append(_attempt(db, item, action))
            if progress:
                progress(outcomes[-1])
    finally:
        session.close()
    return outcomes


def _print_batch(
    db: Database,
    items: list[Item],
    renderers: Renderers,
    progress: Progress | None,
    path: Path,
) -> list[Outcome]:
    from filmklynge.delivery.printing import write_batch

    outcomes: list[Outcome] = []
    ready: list[tuple[Item, int, bytes]] = []
    for item in sorted(items, key=lambda i: i.address_order):
        delivery_id = log.start(
            db,
            invoice_id=item.invoice["id"],
            reminder_id=item.reminder["id"] if item.reminder else None,
            kind=item.kind,
            channel="print",
            recipient=item.recipient,
        )
        try:
            ready.append((item, delivery_id, renderers.pdf(item)[1]))
        except Exception as exc:
            reason = str(exc) if isinstance(exc, FilmklyngeError) else f"unexpected {exc!r}"
            log.finish(db, delivery_id, status="failed", error=reason)
            outcomes.append(Outcome(item, "failed", error=reason))
            if progress:
                progress(outcomes[-1])
    if not ready:
        return outcomes
    try:
        write_batch(path, [(f"{i.label}: {i.member['name']}", pdf) for i, _, pdf in ready])
    except (OSError, FilmklyngeError) as exc:
        reason = f"the print file {path} could not be written ({exc})"
        for item, delivery_id, _ in ready:
            log.finish(db, delivery_id, status="failed", error=reason)
            outcomes.append(Outcome(item, "failed", error=reason))
            if progress:
                progress(outcomes[-1])
        return outcomes
    for item, delivery_id, _ in ready:
        log.finish(db, delivery_id, status="sent", message_id=str(path))
        outcomes.append(Outcome(item, "sent", message_id=str(path)))
        if progress:
            progress(outcomes[-1])
    return outcomes


def send(
    db: Database,
    plan: SendPlan,
    *,
    renderers: Renderers,
    print_file: Path | None = None,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> list[Outcome]:
    """Deliver every document of the plan that is not skipped; returns one outcome each.

    Documents the plan found undeliverable (no address ...) are logged as failed attempts.
    The caller has checked the settings (``plan.missing_settings``) before.
    """
    from filmklynge.register.profile import get_profile

    profile = get_profile(db)
    outcomes: list[Outcome] = []
    items = plan.to_send
    for item in items:
        if item.problem:
            outcomes.append(_failed(db, item, item.problem))
            if progress:
                progress(outcomes[-1])
    ready = [i for i in items if not i.problem]
    ehf = [i for i in ready if i.channel == "ehf"]
    email = [i for i in ready if i.channel == "email"]
    paper = [i for i in ready if i.channel == "print"]
    if ehf:
        outcomes += _send_ehf(db, ehf, profile, renderers, progress, timeout)
    if email:
        outcomes += _send_email(db, email, profile, renderers, progress, timeout)
    if paper:
        if print_file is None:
            raise ValueError("a plan with printed documents needs print_file")
        outcomes += _print_batch(db, paper, renderers, progress, print_file)
    return outcomes
