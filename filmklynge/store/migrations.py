"""Schema migrations, applied in order by ``sqlite_utils.Migrations`` when the database opens.

Never rename or reorder a migration; add a new one. Money columns are ``*_ore`` (INTEGER),
dates ``*_on`` (ISO TEXT), timestamps ``*_at`` (UTC ISO TEXT). Every table is STRICT.

The list of names is kept here without importing sqlite_utils, so that opening an up-to-date
database costs one query; sqlite_utils is imported only when something is pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from filmklynge.store.db import MIGRATION_SET

if TYPE_CHECKING:
    from filmklynge.store.db import Database

STEPS: list[Callable[[Any], None]] = []


def step(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    STEPS.append(fn)
    return fn


def own_transaction(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Mark a step that manages its own transaction (a table rebuild must switch foreign keys
    off, which SQLite ignores inside a transaction)."""
    fn.transactional = False  # type: ignore[attr-defined]
    return fn


def build():
    """The ``sqlite_utils.Migrations`` set holding every step, in order."""
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for fn in STEPS:
        migrations(transactional=getattr(fn, "transactional", True))(fn)
    return migrations


def applied_names(db: Database) -> list[str]:
    exists = db.scalar(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
    )
    if not exists:
        return []
    return [
        r["name"]
        for r in db.query(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [MIGRATION_SET],
        )
    ]


def pending_names(db: Database) -> list[str]:
    done = set(applied_names(db))
    return [fn.__name__ for fn in STEPS if fn.__name__ not in done]


def apply(db: Database) -> list[str]:
    import sqlite_utils

    names = pending_names(db)
    build().apply(sqlite_utils.Database(db.conn))
    return names


def _create(sdb, name: str, columns: dict, **kwargs) -> None:
    sdb.table(name).create(columns, pk="id", strict=True, **kwargs)


@step
def m001_initial(sdb) -> None:
    """Profile, VAT codes, sectors, tiers and fees, members, memberships, contacts, audit."""
    _create(
        sdb,
        "profile",
        {
            "id": int,
            "name": str,
            "orgnr": str,
            "vat_registered": int,
            "foretaksregisteret": int,
            "address_line": str,
            "postal_code": str,
            "city": str,
            "country": str,
            "email": str,
            "phone": str,
            "website": str,
            "account_no": str,
            "iban": str,
            "bic": str,
            "first_invoice_no": int,
            "payment_terms_days": int,
            "kid_length": int,
            "language": str,
            "reminder_after_days": int,
            "reminder_fee_ore": int,
            "reminder_fee_cap_ore": int,
            "reminder_max_fees": int,
            "reminder_max_count": int,
            "created_at": str,
            "updated_at": str,
        },
        not_null={
            "name",
            "orgnr",
            "account_no",
            "first_invoice_no",
            "payment_terms_days",
            "kid_length",
            "language",
            "country",
        },
        defaults={
            "vat_registered": 0,
            "foretaksregisteret": 0,
            "country": "NO",
            "first_invoice_no": 10001,
            "payment_terms_days": 14,
            "kid_length": 10,
            "language": "nb",
            "reminder_after_days": 7,
            "reminder_fee_ore": 0,
            "reminder_fee_cap_ore": 7000,
            "reminder_max_fees": 1,
            "reminder_max_count": 2,
        },
    )
    _create(
        sdb,
        "vat_codes",
        {"id": int, "code": str, "rate_bp": int, "name": str, "text_nb": str, "text_en": str},
        not_null={"code", "rate_bp", "name"},
    )
    sdb.table("vat_codes").create_index(["code"], unique=True)
    sdb.table("vat_codes").insert_all(
        [
            {
                "code": "S",
                "rate_bp": 2500,
                "name": "Merverdiavgift 25 %",
                "text_nb": "",
                "text_en": "",
            },
            {
                "code": "E",
                "rate_bp": 0,
                "name": "Unntatt (mval. § 3-13)",
                "text_nb": "Unntatt merverdiavgift, jf. merverdiavgiftsloven § 3-13",
                "text_en": "Exempt from VAT, cf. the Norwegian VAT Act section 3-13",
            },
            {
                "code": "Z",
                "rate_bp": 0,
                "name": "Fritatt (0 %)",
                "text_nb": "Fritatt for merverdiavgift",
                "text_en": "Zero-rated for VAT",
            },
        ]
    )
    _create(sdb, "sectors", {"id": int, "name": str}, not_null={"name"})
    sdb.table("sectors").create_index(["name"], unique=True)
    sdb.table("sectors").insert_all(
        {"name": n}
        for n in (
            "film production",
            "post-production",
            "animation",
            "festival",
            "games",
            "music",
            "design",
            "education",
            "distribution",
            "technical services",
            "public body",
            "other",
        )
    )
    _create(
        sdb,
        "tiers",
        {
            "id": int,
            "code": str,
            "name": str,
            "description": str,
            "sort_order": int,
            "created_at": str,
        },
        not_null={"code", "name"},
        defaults={"sort_order": 0},
    )
    sdb.table("tiers").create_index(["code"], unique=True)
    _create(
        sdb,
        "tier_fees",
        {
            "id": int,
            "tier_id": int,
            "year": int,
            "membership_ore": int,
            "membership_vat": str,
            "service_ore": int,
            "service_vat": str,
            "created_at": str,
        },
        not_null={
            "tier_id",
            "year",
            "membership_ore",
            "membership_vat",
            "service_ore",
            "service_vat",
        },
        foreign_keys=[("tier_id", "tiers", "id")],
    )
    sdb.table("tier_fees").create_index(["tier_id", "year"], unique=True)
    _create(
        sdb,
        "members",
        {
            "id": int,
            "name": str,
            "orgnr": str,
            "country": str,
            "vat_id": str,
            "legal_form": str,
            "sector": str,
            "tier_id": int,
            "municipality": str,
            "county": str,
            "address_line": str,
            "postal_code": str,
            "city": str,
            "website": str,
            "employees": int,
            "invoice_email": str,
            "invoice_delivery": str,
            "language": str,
            "notes": str,
            "created_at": str,
            "updated_at": str,
        },
        not_null={"name", "country", "invoice_delivery"},
        defaults={"country": "NO", "invoice_delivery": "email"},
        foreign_keys=[("tier_id", "tiers", "id")],
    )
    sdb.table("members").create_index(["orgnr"], unique=True)
    sdb.table("members").create_index(["name"])
    _create(
        sdb,
        "memberships",
        {"id": int, "member_id": int, "joined_on": str, "left_on": str, "left_reason": str},
        not_null={"member_id", "joined_on"},
        foreign_keys=[("member_id", "members", "id")],
    )
    sdb.table("memberships").create_index(["member_id", "joined_on"], unique=True)
    _create(
        sdb,
        "contacts",
        {
            "id": int,
            "member_id": int,
            "name": str,
            "role": str,
            "email": str,
            "phone": str,
            "is_primary": int,
            "forgotten_at": str,
            "created_at": str,
            "updated_at": str,
        },
        not_null={"member_id", "name", "is_primary"},
        defaults={"is_primary": 0},
        foreign_keys=[("member_id", "members", "id")],
    )
    sdb.table("contacts").create_index(["member_id"])
    _create(
        sdb,
        "audit_log",
        {
            "id": int,
            "at": str,
            "os_user": str,
            "command": str,
            "action": str,
            "entity": str,
            "entity_id": int,
            "before_json": str,
            "after_json": str,
        },
        not_null={"at", "os_user", "command", "action", "entity"},
    )
    sdb.table("audit_log").create_index(["entity", "entity_id"])
    sdb.table("audit_log").create_index(["at"])


@step
def m002_invoicing(sdb) -> None:
    """Invoices and credit notes (one number series), their lines, and reminders."""
    _create(
        sdb,
        "invoices",
        {
            "id": int,
            "number": int,
            "kind": str,  # 'invoice' | 'credit'
            "member_id": int,
            "credits_invoice_id": int,
            "period": str,  # '2026', '2026-H1', '2026-Q3'; credit notes: the credited period
            "period_start_on": str,
            "period_end_on": str,
            "issued_on": str,
            "due_on": str,
            "kid": str,
            "currency": str,
            "language": str,
            "buyer_name": str,
            "buyer_orgnr": str,
            "buyer_vat_id": str,
            "buyer_address": str,
            "net_ore": int,
            "vat_ore": int,
            "total_ore": int,
            "note": str,
            "created_at": str,
        },
        not_null={
            "number",
            "kind",
            "member_id",
            "period",
            "issued_on",
            "net_ore",
            "vat_ore",
            "total_ore",
            "currency",
            "language",
            "buyer_name",
        },
        defaults={"currency": "NOK"},
        foreign_keys=[("member_id", "members", "id"), ("credits_invoice_id", "invoices", "id")],
    )
    sdb.table("invoices").create_index(["number"], unique=True)
    sdb.table("invoices").create_index(["kid"], unique=True)
    sdb.table("invoices").create_index(["member_id"])
    sdb.execute(
        "CREATE UNIQUE INDEX idx_invoices_member_period ON invoices (member_id, period) "
        "WHERE kind = 'invoice'"
    )
    _create(
        sdb,
        "invoice_lines",
        {
            "id": int,
            "invoice_id": int,
            "line_no": int,
            "fee_part": str,
            "description": str,
            "months": int,
            "months_of": int,
            "full_ore": int,
            "net_ore": int,
            "vat_code": str,
            "vat_rate_bp": int,
            "vat_ore": int,
            "vat_text": str,
        },
        not_null={
            "invoice_id",
            "line_no",
            "fee_part",
            "description",
            "net_ore",
            "vat_code",
            "vat_rate_bp",
            "vat_ore",
        },
        foreign_keys=[("invoice_id", "invoices", "id")],
    )
    sdb.table("invoice_lines").create_index(["invoice_id", "line_no"], unique=True)
    _create(
        sdb,
        "reminders",
        {
            "id": int,
            "invoice_id": int,
            "seq": int,
            "sent_on": str,
            "due_on": str,
            "fee_ore": int,
            "outstanding_ore": int,
            "created_at": str,
        },
        not_null={"invoice_id", "seq", "sent_on", "due_on", "fee_ore", "outstanding_ore"},
        foreign_keys=[("invoice_id", "invoices", "id")],
    )
    sdb.table("reminders").create_index(["invoice_id", "seq"], unique=True)
    # Issued documents are immutable: the database itself refuses edits and deletes.
    for table in ("invoices", "invoice_lines"):
        sdb.execute(
            f"CREATE TRIGGER {table}_immutable_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'issued {table} are immutable; issue a credit note'); END"
        )
        sdb.execute(
            f"CREATE TRIGGER {table}_immutable_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'issued {table} are immutable; issue a credit note'); END"
        )


@step
def m003_payments(sdb) -> None:
    """Payments (manual and from bank files), imported files, allocations to invoices, refunds.

    A payment's money goes to invoices through allocations; what is not allocated is a credit
    on the member (or unmatched, when no member is known).
    """
    _create(
        sdb,
        "payment_imports",
        {
            "id": int,
            "file_name": str,
            "file_sha256": str,
            "format": str,
            "imported_at": str,
            "payments_read": int,
            "payments_new": int,
            "total_ore": int,
        },
        not_null={"file_sha256", "format", "imported_at"},
    )
    sdb.table("payment_imports").create_index(["file_sha256"], unique=True)
    _create(
        sdb,
        "payments",
        {
            "id": int,
            "paid_on": str,
            "value_on": str,
            "amount_ore": int,
            "method": str,  # manual | ocr | camt054 | camt053
            "member_id": int,
            "kid": str,
            "reference": str,
            "payer_name": str,
            "payer_account": str,
            "bank_ref": str,  # the bank's identity of the payment; unique when known
            "import_id": int,
            "note": str,
            "created_at": str,
        },
        not_null={"paid_on", "amount_ore", "method", "created_at"},
        foreign_keys=[("member_id", "members", "id"), ("import_id", "payment_imports", "id")],
    )
    sdb.table("payments").create_index(["bank_ref"], unique=True)
    sdb.table("payments").create_index(["kid"])
    sdb.table("payments").create_index(["member_id"])
    _create(
        sdb,
        "payment_allocations",
        {
            "id": int,
            "payment_id": int,
            "invoice_id": int,
            "amount_ore": int,
            "allocated_on": str,
            "created_at": str,
        },
        not_null={"payment_id", "invoice_id", "amount_ore", "allocated_on"},
        foreign_keys=[("payment_id", "payments", "id"), ("invoice_id", "invoices", "id")],
    )
    sdb.table("payment_allocations").create_index(["invoice_id"])
    sdb.table("payment_allocations").create_index(["payment_id"])
    _create(
        sdb,
        "refunds",
        {
            "id": int,
            "member_id": int,
            "amount_ore": int,
            "refunded_on": str,
            "reference": str,
            "created_at": str,
        },
        not_null={"member_id", "amount_ore", "refunded_on"},
        foreign_keys=[("member_id", "members", "id")],
    )


@step
def m004_grants(sdb) -> None:
    """Funders, grants with tranches and disbursements, in-kind rates, events, in-kind work."""
    _create(
        sdb,
        "funders",
        {"id": int, "name": str, "is_public": int, "created_at": str},
        not_null={"name", "is_public"},
    )
    sdb.table("funders").create_index(["name"], unique=True)
    _create(
        sdb,
        "grants",
        {
            "id": int,
            "funder_id": int,
            "reference": str,
            "amount_ore": int,
            "start_on": str,
            "end_on": str,
            "match_ratio_bp": int,
            "max_public_share_bp": int,
            "fixed_hourly_rate_ore": int,
            "created_at": str,
        },
        not_null={
            "funder_id",
            "reference",
            "amount_ore",
            "start_on",
            "end_on",
            "match_ratio_bp",
            "max_public_share_bp",
        },
        defaults={"match_ratio_bp": 10000, "max_public_share_bp": 5000},
        foreign_keys=[("funder_id", "funders", "id")],
    )
    _create(
        sdb,
        "grant_tranches",
        {"id": int, "grant_id": int, "seq": int, "label": str, "share_bp": int, "amount_ore": int},
        not_null={"grant_id", "seq", "label", "share_bp", "amount_ore"},
        foreign_keys=[("grant_id", "grants", "id")],
    )
    sdb.table("grant_tranches").create_index(["grant_id", "seq"], unique=True)
    _create(
        sdb,
        "disbursements",
        {
            "id": int,
            "grant_id": int,
            "tranche_id": int,
            "amount_ore": int,
            "received_on": str,
            "reference": str,
            "created_at": str,
        },
        not_null={"grant_id", "tranche_id", "amount_ore", "received_on"},
        foreign_keys=[("grant_id", "grants", "id"), ("tranche_id", "grant_tranches", "id")],
    )
    _create(
        sdb,
        "inkind_rates",
        {
            "id": int,
            "valid_from": str,
            "salary_permille_x10": int,
            "cap_ore": int,
            "project_cap_ore": int,
            "owner_cap_ore": int,
            "max_hours_year": int,
            "note": str,
        },
        not_null={
            "valid_from",
            "salary_permille_x10",
            "cap_ore",
            "project_cap_ore",
            "owner_cap_ore",
            "max_hours_year",
        },
    )
    sdb.table("inkind_rates").create_index(["valid_from"], unique=True)
    sdb.table("inkind_rates").insert(
        {
            "valid_from": "2020-01-01",
            "salary_permille_x10": 12,
            "cap_ore": 60000,
            "project_cap_ore": 120000,
            "owner_cap_ore": 35000,
            "max_hours_year": 1850,
            "note": "Innovasjon Norge: 1,2 promille av brutto årslønn per time",
        }
    )
    _create(
        sdb,
        "events",
        {
            "id": int,
            "name": str,
            "kind": str,
            "held_on": str,
            "hours_x100": int,
            "place": str,
            "online": int,
            "created_at": str,
        },
        not_null={"name", "kind", "held_on", "hours_x100", "online"},
        defaults={"online": 0},
    )
    _create(
        sdb,
        "attendance",
        {"id": int, "event_id": int, "member_id": int, "person": str, "hours_x100": int},
        not_null={"event_id", "member_id", "person", "hours_x100"},
        foreign_keys=[("event_id", "events", "id"), ("member_id", "members", "id")],
    )
    sdb.table("attendance").create_index(["event_id", "member_id", "person"], unique=True)
    _create(
        sdb,
        "inkind",
        {
            "id": int,
            "member_id": int,
            "person": str,
            "worked_on": str,
            "hours_x100": int,
            "activity": str,
            "event_id": int,
            "attendance_id": int,
            "rule": str,
            "gross_salary_ore": int,
            "rate_ore": int,
            "value_ore": int,
            "grant_id": int,
            "basis": str,
            "created_at": str,
        },
        not_null={
            "member_id",
            "person",
            "worked_on",
            "hours_x100",
            "activity",
            "rule",
            "rate_ore",
            "value_ore",
        },
        foreign_keys=[
            ("member_id", "members", "id"),
            ("event_id", "events", "id"),
            ("attendance_id", "attendance", "id"),
            ("grant_id", "grants", "id"),
        ],
    )
    sdb.table("inkind").create_index(["attendance_id"], unique=True)
    sdb.table("inkind").create_index(["member_id", "worked_on"])
    sdb.table("inkind").create_index(["worked_on"])


@step
def m005_impact(sdb) -> None:
    """Impact: yearly observations for members and comparison firms; film productions."""
    _create(
        sdb,
        "comparison_firms",
        {"id": int, "orgnr": str, "name": str, "sector": str, "county": str, "created_at": str},
        not_null={"orgnr", "name"},
    )
    sdb.table("comparison_firms").create_index(["orgnr"], unique=True)
    _create(
        sdb,
        "impact_observations",
        {
            "id": int,
            "year": int,
            "member_id": int,
            "firm_id": int,
            "turnover_ore": int,
            "employees": int,
            "value_added_ore": int,
            "source": str,
            "created_at": str,
        },
        not_null={"year", "turnover_ore", "employees"},
        foreign_keys=[("member_id", "members", "id"), ("firm_id", "comparison_firms", "id")],
    )
    sdb.execute(
        "CREATE UNIQUE INDEX idx_impact_member_year ON impact_observations "
        "(member_id, year) WHERE member_id IS NOT NULL"
    )
    sdb.execute(
        "CREATE UNIQUE INDEX idx_impact_firm_year ON impact_observations "
        "(firm_id, year) WHERE firm_id IS NOT NULL"
    )
    _create(
        sdb,
        "productions",
        {"id": int, "year": int, "title": str, "title_key": str, "kind": str, "created_at": str},
        not_null={"year", "title", "title_key", "kind"},
    )
    _create(
        sdb,
        "production_members",
        {"id": int, "production_id": int, "member_id": int},
        not_null={"production_id", "member_id"},
        foreign_keys=[("production_id", "productions", "id"), ("member_id", "members", "id")],
    )
    # The same title in the same year is the same production; title_key is the title casefolded
    # in Python (SQLite's NOCASE folds only ASCII, not Æ, Ø, Å).
    sdb.table("productions").create_index(["year", "title_key"], unique=True)
    sdb.table("production_members").create_index(["production_id", "member_id"], unique=True)
    _create(
        sdb,
        "national_productions",
        {"id": int, "year": int, "count": int, "source": str},
        not_null={"year", "count"},
    )
    sdb.table("national_productions").create_index(["year"], unique=True)


@step
def m006_credit_note_index(sdb) -> None:
    """Index credit notes by the invoice they credit (balances look them up per invoice)."""
    sdb.table("invoices").create_index(["credits_invoice_id"])


@step
def m007_buyer_reference(sdb) -> None:
    """The member's own reference for its invoices (EHF BuyerReference); none by default."""
    sdb.table("members").add_column("buyer_reference", str)


@step
def m008_deliveries(sdb) -> None:
    """The delivery log (every attempt to send a document) and the sending settings.

    A delivery is written ``pending`` before the attempt and becomes ``sent`` or ``failed``
    after it, so an attempt cut short (a crash, Ctrl-C) stays visible as ``pending``.
    Passwords and tokens are never stored: they come from the environment.
    """
    _create(
        sdb,
        "deliveries",
        {
            "id": int,
            "invoice_id": int,  # the invoice or credit note; for a reminder, the reminded invoice
            "reminder_id": int,
            "kind": str,  # 'invoice' | 'credit' | 'reminder'
            "channel": str,  # 'ehf' | 'email' | 'print'
            "recipient": str,  # e-mail address, Peppol participant id, or postal address
            "attempted_at": str,
            "message_id": str,  # SMTP Message-ID, the access point's id, or the print file
            "status": str,  # 'pending' | 'sent' | 'failed'
            "error": str,
        },
        not_null={"invoice_id", "kind", "channel", "attempted_at", "status"},
        defaults={"status": "pending"},
        foreign_keys=[("invoice_id", "invoices", "id"), ("reminder_id", "reminders", "id")],
    )
    sdb.table("deliveries").create_index(["invoice_id"])
    sdb.table("deliveries").create_index(["reminder_id"])
    sdb.table("deliveries").create_index(["status"])
    profile = sdb.table("profile")
    for column, kind in (
        ("smtp_host", str),
        ("smtp_port", int),
        ("smtp_user", str),
        ("smtp_sender", str),
        ("smtp_security", str),
        ("peppol_url", str),
        ("peppol_sender_id", str),
    ):
        profile.add_column(column, kind)
    sdb.table("members").add_column("attach_ehf", int, not_null_default=0)


# ---- m009: the schema guards itself ---------------------------------------------------------


def _iso(column: str) -> str:
    """A real calendar date in ISO form (NULL passes; NOT NULL is a separate rule)."""
    return f"date({column}, '+0 days') IS {column}"


def _orgnr(column: str) -> str:
    return f"{column} IS NULL OR ({column} GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]')"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


VAT_CODES = ("S", "E", "Z")
CHECKS_MARK = "/* checks: m009 */"
# What must always hold, whichever code writes: a bug cannot store what the rules forbid.
CHECKS: dict[str, list[str]] = {
    "profile": [
        _orgnr("orgnr"),
        "vat_registered IN (0, 1)",
        "foretaksregisteret IN (0, 1)",
        _one_of("language", ("nb", "en")),
        "payment_terms_days >= 0",
        "reminder_fee_ore >= 0",
        "reminder_fee_cap_ore >= 0",
    ],
    "vat_codes": [_one_of("code", VAT_CODES), "rate_bp BETWEEN 0 AND 10000"],
    "tier_fees": [
        "membership_ore >= 0",
        "service_ore >= 0",
        _one_of("membership_vat", VAT_CODES),
        _one_of("service_vat", VAT_CODES),
    ],
    "members": [
        _orgnr("orgnr"),
        "country GLOB '[A-Z][A-Z]'",
        "employees IS NULL OR employees >= 0",
        _one_of("invoice_delivery", ("email", "ehf", "post")),
        f"language IS NULL OR {_one_of('language', ('nb', 'en'))}",
    ],
    "memberships": [_iso("joined_on"), _iso("left_on"), "left_on IS NULL OR left_on >= joined_on"],
    "invoices": [
        _one_of("kind", ("invoice", "credit")),
        _iso("issued_on"),
        _iso("due_on"),
        _iso("period_start_on"),
        _iso("period_end_on"),
        _orgnr("buyer_orgnr"),
        "currency GLOB '[A-Z][A-Z][A-Z]'",
        "total_ore = net_ore + vat_ore",
        "(kind = 'invoice' AND net_ore >= 0 AND vat_ore >= 0 AND credits_invoice_id IS NULL)"
        " OR (kind = 'credit' AND net_ore <= 0 AND vat_ore <= 0"
        " AND credits_invoice_id IS NOT NULL)",
    ],
    "invoice_lines": [_one_of("vat_code", VAT_CODES), "vat_rate_bp BETWEEN 0 AND 10000"],
    "reminders": [
        "seq >= 1",
        _iso("sent_on"),
        _iso("due_on"),
        "fee_ore >= 0",
        "outstanding_ore >= 0",
    ],
    "payments": ["amount_ore > 0", _iso("paid_on"), _iso("value_on")],
    "payment_allocations": ["amount_ore > 0", _iso("allocated_on")],
    "refunds": ["amount_ore > 0", _iso("refunded_on")],
    "grants": [
        "amount_ore > 0",
        _iso("start_on"),
        _iso("end_on"),
        "end_on >= start_on",
        "match_ratio_bp > 0",
        "max_public_share_bp BETWEEN 1 AND 10000",
        "fixed_hourly_rate_ore IS NULL OR fixed_hourly_rate_ore > 0",
    ],
    "grant_tranches": ["share_bp BETWEEN 1 AND 10000", "amount_ore >= 0"],
    "disbursements": ["amount_ore > 0", _iso("received_on")],
    "inkind_rates": [_iso("valid_from")],
    "events": [_iso("held_on"), "hours_x100 IS NULL OR hours_x100 >= 0"],
    "attendance": ["hours_x100 IS NULL OR hours_x100 >= 0"],
    "inkind": [_iso("worked_on"), "hours_x100 > 0", "value_ore >= 0"],
    "comparison_firms": [_orgnr("orgnr")],
    "impact_observations": ["employees >= 0"],
    "deliveries": [
        _one_of("kind", ("invoice", "credit", "reminder")),
        _one_of("channel", ("ehf", "email", "print")),
        _one_of("status", ("pending", "sent", "failed")),
    ],
}


def _with_checks(sql: str, table: str, checks: list[str]) -> str:
    """The table's CREATE statement under a new name, with the CHECK constraints added."""
    _, rest = sql.split("(", 1)
    body, tail = rest.rsplit(")", 1)
    clauses = "".join(f",\n   CHECK ({c})" for c in checks)
    return f'CREATE TABLE "{table}__new" ({body.rstrip()}{clauses}\n) {CHECKS_MARK}{tail}'


@contextmanager
def _rebuilding(conn) -> Iterator[None]:
    """Foreign keys off (SQLite ignores the switch inside a transaction), one transaction,
    and a foreign-key check before the commit: the frame of a table rebuild."""
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _rebuild_table(conn, table: str, create_new: str) -> None:
    """Replace ``table`` by ``{table}__new`` (created by ``create_new``) with the same rows,
    indexes and triggers. Call inside ``_rebuilding``."""
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            [table],
        )
    ]
    conn.execute(create_new)
    conn.execute(f'INSERT INTO "{table}__new" SELECT * FROM "{table}"')
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "{table}__new" RENAME TO "{table}"')
    for statement in extras:
        conn.execute(statement)


@step
@own_transaction
def m009_check_constraints(sdb) -> None:
    """CHECK constraints for what must always hold: known VAT codes and kinds, non-negative
    amounts where a negative is meaningless, ISO dates, 9-digit organisation numbers.

    SQLite cannot add a CHECK to a table, so each table is rebuilt (its rows copied into a new
    table with the constraints, indexes and triggers recreated) with foreign keys off, in one
    transaction, as the SQLite documentation describes. A stored row that breaks a rule stops
    the upgrade and leaves the file as it was.
    """
    conn = sdb.conn
    with _rebuilding(conn):
        for table, checks in CHECKS.items():
            row = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()
            if row is None or CHECKS_MARK in row[0]:
                continue
            _rebuild_table(conn, table, _with_checks(row[0], table, checks))


# ---- m010: the accountant's handover --------------------------------------------------------

# Defaults from the Norwegian standard chart of accounts (NS 4102). Income is split by VAT
# treatment as the chart does: 3000 liable (S), 3100 zero-rated (Z), 3200 outside the VAT act
# (E, the § 3-13 exemption); the service part of the fee gets its own accounts (30x0).
DEFAULT_ACCOUNTS = (
    ("receivables", "1500", "Kundefordringer"),
    ("bank", "1920", "Bankinnskudd"),
    ("output_vat", "2700", "Utgående merverdiavgift"),
    ("member_credit", "2900", "Forskudd fra medlemmer (innbetalt, ikke fordelt)"),
    ("membership_S", "3000", "Medlemskontingent, avgiftspliktig"),
    ("membership_Z", "3100", "Medlemskontingent, avgiftsfri"),
    ("membership_E", "3200", "Medlemskontingent, utenfor merverdiavgiftsloven"),
    ("service_S", "3010", "Serviceavgift, avgiftspliktig"),
    ("service_Z", "3110", "Serviceavgift, avgiftsfri"),
    ("service_E", "3210", "Serviceavgift, utenfor merverdiavgiftsloven"),
    ("reminder_fees", "8070", "Purregebyr (annen finansinntekt)"),
    ("rounding", "7790", "Øreavrunding"),
)
# SAF-T standard tax codes for output VAT: 3 = 25 %, 5 = zero-rated domestic sale,
# 6 = sale outside the VAT act (exempt under § 3-13).
SAFT_CODES = {"S": "3", "Z": "5", "E": "6"}


@step
def m010_books(sdb) -> None:
    """Chart of accounts, SAF-T codes on the VAT codes, the posting export log, closed periods."""
    sdb.execute(
        """CREATE TABLE ledger_accounts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            account TEXT NOT NULL CHECK (account GLOB '[0-9][0-9][0-9][0-9]'),
            name TEXT NOT NULL
        ) STRICT"""
    )
    sdb.conn.executemany(
        "INSERT INTO ledger_accounts (key, account, name) VALUES (?, ?, ?)", DEFAULT_ACCOUNTS
    )
    sdb.table("vat_codes").add_column("saft_code", str)
    for code, saft in SAFT_CODES.items():
        sdb.execute("UPDATE vat_codes SET saft_code = ? WHERE code = ?", [saft, code])
    sdb.table("profile").add_column("books_closed_through", str)
    sdb.execute(
        """CREATE TABLE posting_exports (
            id INTEGER PRIMARY KEY,
            exported_at TEXT NOT NULL,
            from_on TEXT NOT NULL CHECK (date(from_on, '+0 days') IS from_on),
            to_on TEXT NOT NULL CHECK (date(to_on, '+0 days') IS to_on AND to_on >= from_on),
            format TEXT NOT NULL,
            vouchers INTEGER NOT NULL CHECK (vouchers >= 0),
            target TEXT
        ) STRICT"""
    )
    sdb.execute(
        """CREATE TABLE exported_vouchers (
            id INTEGER PRIMARY KEY,
            export_id INTEGER NOT NULL REFERENCES posting_exports(id),
            source TEXT NOT NULL
                CHECK (source IN ('invoice', 'payment', 'allocation', 'refund', 'reminder')),
            source_id INTEGER NOT NULL
        ) STRICT"""
    )
    sdb.execute(
        "CREATE UNIQUE INDEX idx_exported_vouchers ON exported_vouchers (source, source_id)"
    )


# ---- m011: the legal reminder-fee limit as dated data --------------------------------------

# The maximum reminder fee (purregebyr) under the debt collection regulations, with the
# collection rate (inkassosats) it derives from. Until 2024 the fee was one tenth of the rate;
# from 2025 the Ministry set it at kr 35 with the rate at kr 700. Years not listed keep the
# figure before them; add a year's figures with 'filmklynge profile reminder-limits --add'.
REMINDER_FEE_LIMITS = (
    ("2015-01-01", 65_000, 6_500, "Inkassosats kr 650; purregebyr 1/10"),
    ("2016-01-01", 67_000, 6_700, "Inkassosats kr 670; purregebyr 1/10"),
    ("2017-01-01", 70_000, 7_000, "Inkassosats kr 700; purregebyr 1/10"),
    ("2025-01-01", 70_000, 3_500, "Inkassosats kr 700; purregebyr kr 35 (Finanstilsynet)"),
)


@step
def m011_reminder_fee_limits(sdb) -> None:
    """Dated rows of the legal maximum reminder fee, like the in-kind rates."""
    sdb.execute(
        """CREATE TABLE reminder_fee_limits (
            id INTEGER PRIMARY KEY,
            valid_from TEXT NOT NULL UNIQUE CHECK (date(valid_from, '+0 days') IS valid_from),
            collection_rate_ore INTEGER NOT NULL CHECK (collection_rate_ore > 0),
            max_fee_ore INTEGER NOT NULL CHECK (max_fee_ore >= 0),
            source TEXT
        ) STRICT"""
    )
    sdb.conn.executemany(
        "INSERT INTO reminder_fee_limits (valid_from, collection_rate_ore, max_fee_ore, source) "
        "VALUES (?, ?, ?, ?)",
        REMINDER_FEE_LIMITS,
    )


# ---- m012: invoice rules: export of services, VAT treatment per member ----------------------

# Export of services to a business abroad is zero-rated (merverdiavgiftsloven § 6-22). In
# EN 16931 it is category G ("Export outside the EU"; Norway is outside the EU), which, unlike
# Z, must carry an exemption reason (BR-G-10): the legal reference printed on the invoice.
# SAF-T standard tax code 52: zero-rated export of goods and services.
EXPORT_VAT_CODE = {
    "code": "G",
    "rate_bp": 0,
    "name": "Utførsel av tjenester (0 %, mval. § 6-22)",
    "text_nb": "Fritatt for merverdiavgift, utførsel av tjenester, jf. merverdiavgiftsloven § 6-22",
    "text_en": "Export of services, zero-rated, cf. the Norwegian VAT Act section 6-22",
    "saft_code": "52",
}
VAT_CODES_M012 = ("S", "E", "Z", "G")
VAT_TREATMENTS = ("domestic", "export")


@step
@own_transaction
def m012_invoice_rules(sdb) -> None:
    """Members get a VAT treatment (domestic or export of services); the VAT code G (export,
    zero-rated) is allowed on VAT codes and invoice lines, with income accounts of its own.

    The CHECK on vat_codes.code and invoice_lines.vat_code (from m009) lists the allowed codes,
    so those two tables are rebuilt as m009 rebuilt them. Stored invoices are unchanged: their
    period_start_on/period_end_on stay the whole period (new invoices store the months billed,
    and ``invoicing.billed_period`` reads both)."""
    conn = sdb.conn
    old = f"vat_code IN ({', '.join(repr(v) for v in VAT_CODES)})"
    new = f"vat_code IN ({', '.join(repr(v) for v in VAT_CODES_M012)})"
    with _rebuilding(conn):
        for table, column in (("vat_codes", "code"), ("invoice_lines", "vat_code")):
            sql = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()[0]
            before = old.replace("vat_code", column)
            if before not in sql:
                continue
            rebuilt = sql.replace(before, new.replace("vat_code", column), 1)
            _head, rest = rebuilt.split("(", 1)
            _rebuild_table(conn, table, f'CREATE TABLE "{table}__new" ({rest}')
        conn.execute(
            "ALTER TABLE members ADD COLUMN vat_treatment TEXT NOT NULL DEFAULT 'domestic' "
            f"CHECK (vat_treatment IN ({', '.join(repr(v) for v in VAT_TREATMENTS)}))"
        )
        code = EXPORT_VAT_CODE
        if not conn.execute("SELECT 1 FROM vat_codes WHERE code = 'G'").fetchone():
            conn.execute(
                "INSERT INTO vat_codes (code, rate_bp, name, text_nb, text_en, saft_code) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [code[k] for k in ("code", "rate_bp", "name", "text_nb", "text_en", "saft_code")],
            )
        for key, account, name in (
            ("membership_G", "3100", "Medlemskontingent, avgiftsfri (utførsel)"),
            ("service_G", "3110", "Serviceavgift, avgiftsfri (utførsel)"),
        ):
            conn.execute(
                "INSERT OR IGNORE INTO ledger_accounts (key, account, name) VALUES (?, ?, ?)",
                [key, account, name],
            )


# ---- m013: a demo database carries its own today -------------------------------------------


@step
def m013_demo_frozen_day(sdb) -> None:
    """The day a demo database is frozen at: the bundled sample (copied by 'filmklynge demo')
    holds one row, and every command on it takes that day as today, so the demo's dashboard
    does not age with the calendar. Only scripts/make_sample.py writes the row; a real
    database never has one."""
    sdb.execute(
        """CREATE TABLE demo (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            frozen_on TEXT NOT NULL CHECK (date(frozen_on, '+0 days') IS frozen_on)
        ) STRICT"""
    )
