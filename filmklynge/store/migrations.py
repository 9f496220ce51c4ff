"""Schema migrations, applied in order by ``sqlite_utils.Migrations`` when the database opens.

Never rename or reorder a migration; add a new one. Money columns are ``*_ore`` (INTEGER),
dates ``*_on`` (ISO TEXT), timestamps ``*_at`` (UTC ISO TEXT). Every table is STRICT.

The list of names is kept here without importing sqlite_utils, so that opening an up-to-date
database costs one query; sqlite_utils is imported only when something is pending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from filmklynge.store.db import Database

MIGRATION_SET = "filmklynge"
STEPS: list[Callable[[Any], None]] = []


def step(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    STEPS.append(fn)
    return fn


def build():
    """The ``sqlite_utils.Migrations`` set holding every step, in order."""
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for fn in STEPS:
        migrations()(fn)
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
