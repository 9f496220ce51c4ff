"""The audit log: every write records when, which OS user, which command, what changed."""

from __future__ import annotations

import getpass
import json
from typing import Any

from filmklynge.dates import now_utc
from filmklynge.store.db import Database


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def record(
    db: Database,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one entry; call inside the write's transaction so both land or neither."""
    db.insert(
        "audit_log",
        {
            "at": now_utc(),
            "os_user": _user(),
            "command": db.command,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before_json": json.dumps(before, ensure_ascii=False, sort_keys=True)
            if before
            else None,
            "after_json": json.dumps(after, ensure_ascii=False, sort_keys=True) if after else None,
        },
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, for a compact before/after pair."""
    keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
