"""Productions: the register of film productions (title, year, kind, member companies) with
the national totals per year, giving members' share of national productions over time.
"""

from __future__ import annotations

from typing import Any

from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput
from filmklynge.impact.batch import MAX_COUNT, ImportOutcome, import_rows, whole_number
from filmklynge.store import audit
from filmklynge.store.db import Database

KINDS = ("feature", "documentary", "series", "short", "commercial")
PRODUCTION_HEADINGS = {
    "year": ("år", "aar", "year"),
    "title": ("tittel", "title"),
    "kind": ("type", "kind"),
    "members": ("medlemmer", "members"),
}


def _share(part: int, whole: int | None) -> float | None:
    return round(part / whole * 100, 1) if whole else None


def add_production(
    db: Database, *, year: int, title: str, kind: str, members: list[str]
) -> dict[str, Any]:
    """Register a production; the same title in the same year is the same production."""
    from filmklynge.register.members import find_member

    if not 1900 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range; give the year of release.")
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"Kind {kind!r} must be one of: {', '.join(KINDS)}.")
    title = title.strip()
    if not title:
        raise InvalidInput("A production needs a title.")
    if not members:
        raise InvalidInput("Name at least one member company involved (--member).")
    with db.atomic():
        ids = sorted({find_member(db, m)["id"] for m in members})
        old = db.one(
            "SELECT id, kind FROM productions WHERE year = ? AND title_key = ?",
            [year, title.casefold()],
        )
        if old:
            old_ids = [
                r[0]
                for r in db.execute(
                    "SELECT member_id FROM production_members WHERE production_id = ? "
                    "ORDER BY member_id",
                    [old["id"]],
                )
            ]
            if old["kind"] == kind and old_ids == ids:
                return {
                    "id": old["id"],
                    "year": year,
                    "title": title,
                    "kind": kind,
                    "members": ids,
                    "result": "unchanged",
                }
            raise Conflict(
                f"{title!r} ({year}) is already registered with other details (production "
                f"{old['id']}); check 'filmklynge productions list --year {year}'."
            )
        prod_id = db.insert(
            "productions",
            {
                "year": year,
                "title": title,
                "title_key": title.casefold(),  # Ørnen and ørnen are one production
                "kind": kind,
                "created_at": now_utc(),
            },
        )
        db.executemany(
            "INSERT INTO production_members (production_id, member_id) VALUES (?, ?)",
            [(prod_id, m) for m in ids],
        )
        audit.record(
            db,
            "create",
            "production",
            prod_id,
            after={"title": title, "year": year, "members": ids},
        )
    return {
        "id": prod_id,
        "year": year,
        "title": title,
        "kind": kind,
        "members": ids,
        "result": "added",
    }


def set_national_total(db: Database, *, year: int, count: int, source: str | None) -> None:
    if not 1900 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range.")
    if not 0 <= count <= MAX_COUNT:
        raise InvalidInput(f"A national total of {count} productions is out of range.")
    with db.atomic():
        before = db.one("SELECT count, source FROM national_productions WHERE year = ?", [year])
        db.execute(
            "INSERT INTO national_productions (year, count, source) VALUES (?, ?, ?) "
            "ON CONFLICT(year) DO UPDATE SET count = excluded.count, "
            "source = excluded.source",
            [year, count, source],
        )
        audit.record(
            db,
            "set",
            "national_productions",
            year,
            before=before,
            after={"count": count, "source": source},
        )


def list_productions(db: Database, *, year: int | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE p.year = ?", [year]) if year else ("", [])
    return list(
        db.query(
            f"""SELECT p.id, p.year, p.title, p.kind, group_concat(pm.name, '; ') AS members
            FROM productions p JOIN (
              SELECT pm.production_id, m.name FROM production_members pm
              JOIN members m ON m.id = pm.member_id ORDER BY norwegian(m.name)
            ) pm ON pm.production_id = p.id {where}
            GROUP BY p.id ORDER BY p.year, p.title""",
            params,
        )
    )


def production_totals(db: Database, years: list[int] | None = None) -> list[dict[str, Any]]:
    """Per year (those given, or every year on record): members' productions by kind, the
    national total and members' share."""
    if years is None:
        years = sorted(
            {r[0] for r in db.execute("SELECT year FROM productions")}
            | {r[0] for r in db.execute("SELECT year FROM national_productions")}
        )
    out = []
    for y in years:
        kinds = dict(
            db.execute("SELECT kind, count(*) FROM productions WHERE year = ? GROUP BY kind", [y])
        )
        national = db.one("SELECT count, source FROM national_productions WHERE year = ?", [y])
        total = sum(kinds.values())
        out.append(
            {
                "year": y,
                "member_productions": total,
                **{k: kinds.get(k, 0) for k in KINDS},
                "national": national["count"] if national else None,
                "share_pct": _share(total, national["count"] if national else None),
                "source": national["source"] if national else None,
            }
        )
    return out


def import_productions(
    db: Database, text: str, *, skip_invalid: bool = False, dry_run: bool = False
) -> ImportOutcome:
    """Productions from CSV, all or nothing (unless ``skip_invalid``); one already registered
    with the same details is counted as unchanged, so importing a file again adds nothing."""
    from filmklynge.tablefile import read_table

    rows = read_table(text, PRODUCTION_HEADINGS, required=("year", "title", "kind", "members"))

    def write_row(row: dict[str, str]) -> str:
        return add_production(
            db,
            year=whole_number(row.get("year", ""), "Year"),
            title=row.get("title", ""),
            kind=row.get("kind", ""),
            members=[m.strip() for m in row.get("members", "").split("|") if m.strip()],
        )["result"]

    return import_rows(db, rows, write_row, skip_invalid=skip_invalid, dry_run=dry_run)
