"""The cluster's own profile: who sends the invoices, where members pay, invoice settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge import identifiers, kid
from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.money import BASIS_POINTS
from filmklynge.store import audit
from filmklynge.store.db import Database

LANGUAGES = ("nb", "en")
SMTP_SECURITY = ("starttls", "ssl", "none")
# Sending settings: a password or token is never one of them (they come from the environment).
SENDING_FIELDS = (
    "smtp_host",
    "smtp_port",
    "smtp_user",
    "smtp_sender",
    "smtp_security",
    "peppol_url",
    "peppol_sender_id",
)

# field -> (validator or None); these are the settable fields of `profile set`
_TEXT_FIELDS = ("name", "address_line", "city", "phone")


def get_profile(db: Database) -> dict[str, Any]:
    row = db.one("SELECT * FROM profile WHERE id = 1")
    if row is None:
        raise NotFound("The cluster has no profile yet. Run 'filmklynge init' first.")
    return row


def has_profile(db: Database) -> bool:
    return db.scalar("SELECT count(*) FROM profile") > 0


def check_field(key: str, value: Any) -> Any:
    """One profile field checked and normalised, as ``init`` asks for it; raises InvalidInput
    saying what is wrong."""
    return _validated({key: value})[key]


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise profile fields; unknown keys are a programming error."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key == "orgnr":
            out[key] = identifiers.check_orgnr(value)
        elif key == "account_no":
            out[key] = identifiers.check_account(value)
            out["iban"] = identifiers.iban_of(out[key])
        elif key == "iban":
            out[key] = identifiers.check_iban(value)
        elif key == "bic":
            out[key] = identifiers.check_bic(value)
        elif key == "email":
            out[key] = identifiers.check_email(value)
        elif key == "postal_code":
            out[key] = identifiers.check_postal_code(value)
        elif key == "website":
            out[key] = identifiers.check_website(value)
        elif key == "kid_length":
            out[key] = kid.check_length(int(value))
        elif key == "language":
            if value not in LANGUAGES:
                raise InvalidInput(f"Language {value!r} is not supported; use nb or en.")
            out[key] = value
        elif key in ("vat_registered", "foretaksregisteret"):
            out[key] = 1 if value else 0
        elif key in (
            "first_invoice_no",
            "payment_terms_days",
            "reminder_after_days",
            "reminder_max_fees",
            "reminder_max_count",
        ):
            number = int(value)
            low = 1 if key in ("first_invoice_no", "reminder_max_count") else 0
            if number < low:
                raise InvalidInput(f"{key.replace('_', ' ').capitalize()} must be {low} or more.")
            if key == "payment_terms_days" and number > 365:
                raise InvalidInput("Payment terms must be at most 365 days.")
            out[key] = number
        elif key in ("reminder_fee_ore", "reminder_fee_cap_ore"):
            if int(value) < 0:
                raise InvalidInput("Reminder fees cannot be negative.")
            out[key] = int(value)
        elif key in SENDING_FIELDS:
            out[key] = _sending_setting(key, value)
        elif key in _TEXT_FIELDS:
            text = str(value).strip()
            if key == "name" and not text:
                raise InvalidInput("The cluster's name cannot be empty.")
            out[key] = text
        else:  # pragma: no cover
            raise KeyError(key)
    if out.get("reminder_fee_ore", 0) > out.get("reminder_fee_cap_ore", 10**12):
        raise InvalidInput("The reminder fee is above the reminder fee cap.")
    return out


def _sending_setting(key: str, value: Any) -> Any:
    """An SMTP or access-point setting, checked; an empty value clears it (None)."""
    text = str(value).strip()
    if text == "":
        return None
    if key == "smtp_port":
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise InvalidInput(f"SMTP port {value!r} must be a number from 1 to 65535.")
        return int(text)
    if key == "smtp_security":
        if text.lower() not in SMTP_SECURITY:
            raise InvalidInput(f"SMTP security {value!r} must be one of: starttls, ssl, none.")
        return text.lower()
    if key == "smtp_sender":
        from email.utils import formataddr, parseaddr

        name, address = parseaddr(text)
        if not address:
            raise InvalidInput(
                f"Sender {value!r} is not an e-mail address, like faktura@klynge.no "
                'or "Klyngen <faktura@klynge.no>".'
            )
        return (
            formataddr((name, identifiers.check_email(address)))
            if name
            else (identifiers.check_email(address))
        )
    if key == "peppol_url":
        from urllib.parse import urlsplit

        url = urlsplit(text)
        local = url.hostname in ("localhost", "127.0.0.1", "::1")
        if (
            not url.hostname
            or url.scheme not in ("https", "http")
            or (url.scheme == "http" and not local)
        ):
            raise InvalidInput(
                f"Access point URL {value!r} must start with https:// "
                "(plain http only for a server on this machine)."
            )
        return text.rstrip("/")
    if key == "smtp_host" and (" " in text or "/" in text):
        raise InvalidInput(f"SMTP host {value!r} is a host name, like smtp.example.no.")
    return text


def init_profile(db: Database, **fields: Any) -> dict[str, Any]:
    """Create the profile of a new cluster (name, orgnr and account are required)."""
    for required in ("name", "orgnr", "account_no"):
        if not fields.get(required):
            raise InvalidInput(f"The cluster's {required.replace('_', ' ')} is required.")
    values = _validated(fields)
    with db.atomic():
        if has_profile(db):
            raise Conflict(
                "This database already has a cluster profile. "
                "Change it with 'filmklynge profile set'."
            )
        values.update({"id": 1, "created_at": now_utc(), "updated_at": now_utc()})
        db.insert("profile", values)
        audit.record(db, "create", "profile", 1, after=values)
    return get_profile(db)


def set_profile(db: Database, **changes: Any) -> dict[str, Any]:
    """Change profile fields; returns the profile after the change."""
    values = _validated({k: v for k, v in changes.items() if v is not None})
    if not values:
        raise InvalidInput("Nothing to change. See 'filmklynge profile set --help' for the fields.")
    with db.atomic():
        before = get_profile(db)
        merged = {**before, **values}
        if merged["reminder_fee_ore"] > merged["reminder_fee_cap_ore"]:
            raise InvalidInput(
                "The reminder fee is above the reminder fee cap; raise the cap or lower the fee."
            )
        _check_fee_against_law(db, values)
        values["updated_at"] = now_utc()
        db.update("profile", 1, values)
        old, new = audit.changed(before, values)
        audit.record(db, "update", "profile", 1, before=old, after=new)
    return get_profile(db)


# ---- the legal reminder-fee limit ---------------------------------------------------------


def reminder_fee_limit(db: Database, on: date) -> dict[str, Any] | None:
    """The legal maximum reminder fee in force on ``on`` (the latest row valid from then)."""
    return db.one(
        "SELECT * FROM reminder_fee_limits WHERE valid_from <= ? ORDER BY valid_from DESC LIMIT 1",
        [on.isoformat()],
    )


def reminder_fee_limits(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM reminder_fee_limits ORDER BY valid_from"))


def add_reminder_fee_limit(
    db: Database, *, valid_from: date, collection_rate_ore: int, max_fee_ore: int, source: str
) -> dict[str, Any]:
    """Record a new year's figures (the Ministry publishes them each year)."""
    if collection_rate_ore <= 0 or not 0 <= max_fee_ore <= collection_rate_ore:
        raise InvalidInput(
            "The collection rate must be more than 0 and the fee between 0 and the rate."
        )
    with db.atomic():
        if db.one("SELECT id FROM reminder_fee_limits WHERE valid_from = ?", [valid_from]):
            raise Conflict(f"There are figures valid from {valid_from.isoformat()} already.")
        row = {
            "valid_from": valid_from.isoformat(),
            "collection_rate_ore": collection_rate_ore,
            "max_fee_ore": max_fee_ore,
            "source": source,
        }
        row_id = db.insert("reminder_fee_limits", row)
        audit.record(db, "create", "reminder_fee_limit", row_id, after=row)
    return row


def _check_fee_against_law(db: Database, changes: dict[str, Any]) -> None:
    """A reminder fee or cap being set may not exceed the legal maximum in force today (a cap
    set earlier under a higher maximum is harmless: each reminder is held to the law of its
    own date)."""
    from filmklynge.dates import today
    from filmklynge.money import format_nok

    limit = reminder_fee_limit(db, today())
    if limit is None:
        return
    for key, what in (("reminder_fee_ore", "reminder fee"), ("reminder_fee_cap_ore", "cap")):
        if key in changes and changes[key] > limit["max_fee_ore"]:
            raise InvalidInput(
                f"The {what} {format_nok(changes[key])} is above the legal maximum "
                f"{format_nok(limit['max_fee_ore'])} in force since {limit['valid_from']}; "
                "see 'filmklynge profile reminder-limits'."
            )


def vat_codes(db: Database) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in db.query("SELECT * FROM vat_codes ORDER BY code")}


def check_vat_code(db: Database, code: str) -> str:
    codes = vat_codes(db)
    wanted = str(code).strip().upper()
    if wanted not in codes:
        raise InvalidInput(f"VAT code {code!r} is unknown; use one of: {', '.join(codes)}.")
    return wanted


def set_vat_rate(
    db: Database,
    code: str,
    *,
    rate_bp: int | None = None,
    text_nb: str | None = None,
    text_en: str | None = None,
) -> dict[str, Any]:
    """VAT rates and exemption texts are settings: change them here, never in code."""
    code = check_vat_code(db, code)
    changes: dict[str, Any] = {}
    if rate_bp is not None:
        if not 0 <= rate_bp <= BASIS_POINTS:
            raise InvalidInput("A VAT rate must be between 0 and 100 %.")
        changes["rate_bp"] = rate_bp
    if text_nb is not None:
        changes["text_nb"] = text_nb
    if text_en is not None:
        changes["text_en"] = text_en
    with db.atomic():
        before = db.one("SELECT * FROM vat_codes WHERE code = ?", [code])
        db.update("vat_codes", before["id"], changes)
        old, new = audit.changed(before, changes)
        audit.record(db, "update", "vat_code", before["id"], before=old, after=new)
    return vat_codes(db)[code]


def sectors(db: Database) -> list[str]:
    return [r["name"] for r in db.query("SELECT name FROM sectors ORDER BY name")]


def add_sector(db: Database, name: str) -> None:
    name = name.strip().lower()
    if not name:
        raise InvalidInput("A sector needs a name.")
    with db.atomic():
        if name in sectors(db):
            raise Conflict(f"Sector {name!r} already exists.")
        new_id = db.insert("sectors", {"name": name})
        audit.record(db, "create", "sector", new_id, after={"name": name})


def check_sector(db: Database, value: str) -> str:
    wanted = str(value).strip().lower()
    known = sectors(db)
    if wanted not in known:
        raise InvalidInput(
            f"Sector {value!r} is unknown; use one of: {', '.join(known)} "
            "(or add one with 'filmklynge profile set --add-sector')."
        )
    return wanted
