"""Backups taken with `db backup`: made, verified, recorded in the audit log, and listed with
whether each still holds data erased since (a backup is a copy: forgetting a person in the
database does not reach the copies, so the user must know which ones to delete)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from filmklynge.store import audit
from filmklynge.store.db import Database, backup_to


def take(db: Database, target: Path) -> dict[str, Any]:
    """Back up to ``target`` (a new 0600 file, verified) and record it in the audit log."""
    target = Path(target)
    backup_to(db, target)
    size = target.stat().st_size
    with db.atomic():
        audit.record(
            db, "backup", "database", None, after={"path": str(target.resolve()), "bytes": size}
        )
    return {"path": str(target), "bytes": size}


def history(db: Database) -> list[dict[str, Any]]:
    """Every backup recorded, oldest first: where it is, whether the file is still there, and
    whether it was taken before an erasure (so it still holds the erased person's data)."""
    erasures = [
        (r["id"], r["at"])
        for r in db.query(
            "SELECT id, at FROM audit_log WHERE action = 'forget' "
            "AND entity IN ('member', 'contact') ORDER BY id"
        )
    ]
    rows = []
    for r in db.query(
        "SELECT id, at, after_json FROM audit_log WHERE action = 'backup' "
        "AND entity = 'database' ORDER BY id"
    ):
        data = json.loads(r["after_json"] or "{}")
        later = [at for entry_id, at in erasures if entry_id > r["id"]]
        path = data.get("path")
        rows.append(
            {
                "taken_at": r["at"],
                "path": path,
                "bytes": data.get("bytes"),
                "exists": bool(path) and Path(path).exists(),
                "holds_erased_data": bool(later),
                "erased_since_at": later[-1] if later else None,
            }
        )
    return rows
