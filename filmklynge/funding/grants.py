"""Funders, grants, their payment tranches and the disbursements received against them."""

from __future__ import annotations

from datetime import date
from typing import Any

from filmklynge.dates import now_utc
from filmklynge.errors import Conflict, InvalidInput, NotFound
from filmklynge.money import BASIS_POINTS, allocate, format_nok, parse_basis_points
from filmklynge.store import audit
from filmklynge.store.db import Database
from filmklynge.text import best_matches, fold, matched_note

# Default tranches: a public funder (Innovasjon Norge) pays up to 30 % in advance, 50 % after
# half the costs are documented and holds back at least 20 % until the final report; a
# foundation (Kulturnæringsstiftelsen) 75 % / 25 %.
PUBLIC_TRANCHES = [
    ("Forskudd", 3000),
    ("Etter halvparten av kostnadene", 5000),
    ("Etter sluttrapport", 2000),
]
PRIVATE_TRANCHES = [("Ved tilsagn", 7500), ("Etter sluttrapport", 2500)]


def add_funder(db: Database, *, name: str, public: bool) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise InvalidInput("A funder needs a name.")
    with db.atomic():
        same = db.one("SELECT name FROM funders WHERE fold(name) = ?", [fold(name)])
        if same:
            raise Conflict(f"Funder {same['name']!r} already exists.")
        funder_id = db.insert(
            "funders", {"name": name, "is_public": 1 if public else 0, "created_at": now_utc()}
        )
        audit.record(db, "create", "funder", funder_id, after={"name": name, "public": public})
    return db.get("funders", funder_id)


def list_funders(db: Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT f.*, (SELECT count(*) FROM grants g WHERE g.funder_id = f.id) AS grants "
            "FROM funders f ORDER BY norwegian(f.name)"
        )
    )


def find_funder(db: Database, ref: str) -> dict[str, Any]:
    text = str(ref).strip()
    row = db.get("funders", int(text)) if text.isdigit() else None
    if row is not None:
        return row
    key = fold(text)
    rows = best_matches(
        text,
        list(
            db.query(
                "SELECT * FROM funders WHERE instr(fold(name), ?) > 0 ORDER BY norwegian(name)",
                [key],
            )
        ),
    )
    if not rows:
        raise NotFound(f"No funder {ref!r}. Add it with 'filmklynge funders add'.")
    if len(rows) > 1:
        names = "; ".join(r["name"] for r in rows[:10])
        raise InvalidInput(f"{text!r} matches several funders ({names}). Give more of the name.")
    if said := matched_note(text, rows[0]["name"]):
        db.inform(said)
    return rows[0]


def parse_tranches(text: str) -> list[int]:
    """'30,50,20' -> basis points [3000, 5000, 2000]; must add up to 100 %."""
    parts = [
        parse_basis_points(p, field="Tranche") for p in text.split("/" if "/" in text else ",")
    ]
    if any(p <= 0 for p in parts) or sum(parts) != BASIS_POINTS:
        raise InvalidInput(f"Tranches {text!r} must be positive and add up to 100 %.")
    return parts


def add_grant(
    db: Database,
    *,
    funder: str,
    reference: str,
    amount_ore: int,
    start_on: date,
    end_on: date,
    match_ratio_bp: int = 10000,
    max_public_share_bp: int = 5000,
    fixed_hourly_rate_ore: int | None = None,
    tranches: list[int] | None = None,
) -> dict[str, Any]:
    if amount_ore <= 0:
        raise InvalidInput("A grant's amount must be more than 0.")
    if end_on < start_on:
        raise InvalidInput("A grant cannot end before it starts.")
    if not 0 < match_ratio_bp <= 10 * BASIS_POINTS or not 0 < max_public_share_bp <= BASIS_POINTS:
        raise InvalidInput("Match ratio must be above 0 and the public share 0–100 %.")
    reference = reference.strip()
    if not reference:
        raise InvalidInput("A grant needs the funder's reference (--reference).")
    with db.atomic():
        f = find_funder(db, funder)
        clash = db.one(
            "SELECT id, start_on, end_on FROM grants WHERE funder_id = ? AND reference = ? "
            "AND start_on <= ? AND end_on >= ?",
            [f["id"], reference, end_on.isoformat(), start_on.isoformat()],
        )
        if clash:
            raise Conflict(
                f"{f['name']} already has grant {reference} for "
                f"{clash['start_on']}–{clash['end_on']}, overlapping this period."
            )
        grant_id = db.insert(
            "grants",
            {
                "funder_id": f["id"],
                "reference": reference,
                "amount_ore": amount_ore,
                "start_on": start_on.isoformat(),
                "end_on": end_on.isoformat(),
                "match_ratio_bp": match_ratio_bp,
                "max_public_share_bp": max_public_share_bp,
                "fixed_hourly_rate_ore": fixed_hourly_rate_ore,
                "created_at": now_utc(),
            },
        )
        defaults = PUBLIC_TRANCHES if f["is_public"] else PRIVATE_TRANCHES
        if tranches:
            labels = [f"Del {i}" for i in range(1, len(tranches) + 1)]
            if len(tranches) == len(defaults):
                labels = [label for label, _ in defaults]
            plan = list(zip(labels, tranches, strict=True))
        else:
            plan = defaults
        amounts = allocate(amount_ore, [share for _, share in plan])
        for seq, ((label, share), amount) in enumerate(zip(plan, amounts, strict=True), 1):
            db.insert(
                "grant_tranches",
                {
                    "grant_id": grant_id,
                    "seq": seq,
                    "label": label,
                    "share_bp": share,
                    "amount_ore": amount,
                },
            )
        audit.record(
            db,
            "create",
            "grant",
            grant_id,
            after={
                "funder": f["name"],
                "reference": reference,
                "amount_ore": amount_ore,
                "period": f"{start_on}–{end_on}",
            },
        )
    return find_grant(db, str(grant_id))


def find_grant(db: Database, ref: str) -> dict[str, Any]:
    text = str(ref).strip()
    row = db.one(
        "SELECT g.*, f.name AS funder, f.is_public FROM grants g JOIN funders f "
        "ON f.id = g.funder_id WHERE g.reference = ?",
        [text],
    )
    if row is None and text.isdigit():
        row = db.one(
            "SELECT g.*, f.name AS funder, f.is_public FROM grants g JOIN funders f "
            "ON f.id = g.funder_id WHERE g.id = ?",
            [int(text)],
        )
    if row is None:
        raise NotFound(f"No grant {ref!r}. See 'filmklynge grants list'.")
    return row


def list_grants(db: Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            """SELECT g.id, g.reference, f.name AS funder, f.is_public, g.amount_ore, g.start_on,
                  g.end_on, g.match_ratio_bp, g.max_public_share_bp, g.fixed_hourly_rate_ore,
                  coalesce((SELECT sum(amount_ore) FROM disbursements d WHERE d.grant_id = g.id),
                           0) AS received_ore
           FROM grants g JOIN funders f ON f.id = g.funder_id ORDER BY g.start_on, g.id"""
        )
    )


def tranches_of(db: Database, grant_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            """SELECT t.*, coalesce((SELECT sum(amount_ore) FROM disbursements d
                                 WHERE d.tranche_id = t.id), 0) AS received_ore
           FROM grant_tranches t WHERE t.grant_id = ? ORDER BY t.seq""",
            [grant_id],
        )
    )


def grant_details(db: Database, ref: str) -> dict[str, Any]:
    g = find_grant(db, ref)
    tranches = tranches_of(db, g["id"])
    for t in tranches:
        t["left_ore"] = t["amount_ore"] - t["received_ore"]
    disb = list(
        db.query(
            "SELECT d.*, t.seq AS tranche FROM disbursements d JOIN grant_tranches t "
            "ON t.id = d.tranche_id WHERE d.grant_id = ? ORDER BY d.received_on",
            [g["id"]],
        )
    )
    received = sum(d["amount_ore"] for d in disb)
    return {
        **g,
        "received_ore": received,
        "left_ore": g["amount_ore"] - received,
        "tranches": tranches,
        "disbursements": disb,
    }


def plan_disbursement(
    db: Database, grant_ref: str, *, amount_ore: int, tranche: int | None = None
) -> dict[str, Any]:
    """The tranche a disbursement goes to (the first open one, or the one asked for), read
    without writing; refuses more than is left of the tranche or the grant. Returns the
    grant's details, the tranche and the amount."""
    if amount_ore <= 0:
        raise InvalidInput("A disbursement must be more than 0.")
    g = grant_details(db, grant_ref)
    open_tranches = [t for t in g["tranches"] if t["left_ore"] > 0]
    if not open_tranches:
        raise InvalidInput(f"Grant {g['reference']} is fully disbursed.")
    if tranche is None:
        target = open_tranches[0]
    else:
        match = [t for t in g["tranches"] if t["seq"] == tranche]
        if not match:
            raise InvalidInput(
                f"Grant {g['reference']} has tranches "
                f"{', '.join(str(t['seq']) for t in g['tranches'])}."
            )
        target = match[0]
    if amount_ore > target["left_ore"]:
        raise InvalidInput(
            f"{format_nok(amount_ore)} is more than what is left of tranche {target['seq']} "
            f"({target['label']}): {format_nok(target['left_ore'])}."
        )
    if amount_ore > g["left_ore"]:  # pragma: no cover - tranches add up to the grant
        raise InvalidInput(f"{format_nok(amount_ore)} is more than what is left of the grant.")
    return {"grant": g, "tranche": target, "amount_ore": amount_ore}


def disburse(
    db: Database,
    grant_ref: str,
    *,
    amount_ore: int,
    received_on: date,
    tranche: int | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """Record money received; never more than what is left of the tranche or the grant."""
    with db.atomic():
        plan = plan_disbursement(db, grant_ref, amount_ore=amount_ore, tranche=tranche)
        g, target = plan["grant"], plan["tranche"]
        disb_id = db.insert(
            "disbursements",
            {
                "grant_id": g["id"],
                "tranche_id": target["id"],
                "amount_ore": amount_ore,
                "received_on": received_on.isoformat(),
                "reference": reference,
                "created_at": now_utc(),
            },
        )
        audit.record(
            db,
            "create",
            "disbursement",
            disb_id,
            after={"grant": g["reference"], "tranche": target["seq"], "amount_ore": amount_ore},
        )
    return grant_details(db, str(g["id"]))
