"""Reading the audit log (writing it is filmklynge.audit)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from filmklynge.errors import InvalidInput
from filmklynge.store.db import Database


def entries(
    db: Database,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    user: str | None = None,
    command: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Newest first, filtered; before/after decoded to objects."""
    if limit < 1:
        raise InvalidInput("--limit must be 1 or more.")
    clauses, params = [], []
    if entity:
        clauses.append("entity = ?")
        params.append(entity.strip().lower().replace("-", "_"))
    if entity_id is not None:
        clauses.append("entity_id = ?")
        params.append(entity_id)
    if since:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append("at < ?")
        params.append((until + timedelta(days=1)).isoformat())
    if user:
        clauses.append("os_user = ?")
        params.append(user)
    if command:
        clauses.append("command LIKE ?")
        params.append(f"%{command}%")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = list(
        db.query(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit])
    )
    for r in rows:
        r["before"] = json.loads(r.pop("before_json")) if r["before_json"] else None
        r["after"] = json.loads(r.pop("after_json")) if r["after_json"] else None
        r["change"] = summarise(r["before"], r["after"])
    return rows


def summarise(before: Any, after: Any, width: int = 60) -> str:
    """A compact one-line 'field: old → new' summary."""
    if isinstance(after, dict) and isinstance(before, dict):
        parts = [f"{k}: {before.get(k)} → {after.get(k)}" for k in after]
    elif isinstance(after, dict):
        parts = [f"{k}={v}" for k, v in after.items() if v not in (None, "")]
    else:
        parts = []
    text = ", ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"
