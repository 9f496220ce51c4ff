"""The audit log: every write records when, which OS user, which command, what changed."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from typing import Any

from filmklynge.dates import now_utc
from filmklynge.store.db import Database


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"


def _json(data: dict[str, Any] | None) -> str | None:
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None


Entry = tuple[str, str, int | None, dict[str, Any] | None, dict[str, Any] | None]


def record_many(db: Database, entries: Iterable[Entry]) -> None:
    """Append entries ``(action, entity, entity_id, before, after)`` in one statement (a bulk
    invoice run writes thousands); call inside the write's transaction."""
    at, user = now_utc(), _user()
    db.executemany(
        "INSERT INTO audit_log (at, os_user, command, action, entity, entity_id, before_json, "
        "after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (at, user, db.command, action, entity, entity_id, _json(before), _json(after))
            for action, entity, entity_id, before, after in entries
        ],
    )


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
    record_many(db, [(action, entity, entity_id, before, after)])


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, for a compact before/after pair."""
    keys = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
