"""Opening the one SQLite file: permissions, pragmas, migrations, transactions, backup.

``Database`` is a thin wrapper over ``sqlite3`` with the ``query`` / ``execute`` / ``atomic``
semantics of sqlite-utils 4. The runtime path uses plain ``sqlite3`` so that a read-only
command starts fast; ``sqlite_utils`` is imported only when migrations are pending (and by
the migrations themselves), which is where its table builder earns its keep.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from filmklynge.errors import FilmklyngeError, InvalidInput, NotFound

BUSY_TIMEOUT_MS = 5000


class Database:
    """A connection plus the context of the command that uses it (for the audit log)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path
        self.command = "python"  # the CLI sets the command line, for the audit log

    def query(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        return next(self.query(sql, params), None)

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def insert(self, table: str, record: dict[str, Any]) -> int:
        cols = ", ".join(f'"{k}"' for k in record)
        marks = ", ".join("?" for _ in record)
        cursor = self.conn.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(record.values())
        )
        return int(cursor.lastrowid or 0)

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        if not changes:
            return
        sets = ", ".join(f'"{k}" = ?' for k in changes)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*changes.values(), row_id])

    def get(self, table: str, row_id: int) -> dict[str, Any] | None:
        return self.one(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction; nested blocks become savepoints. Any exception rolls back."""
        if self.conn.in_transaction:
            name = f"sp_{secrets.token_hex(8)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
        else:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _connect(path: Path | str) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves (autocommit otherwise).
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600)."""
    if path.parent and not path.parent.exists():
        raise InvalidInput(
            f"Folder {path.parent} does not exist. Create it or choose another --db."
        )
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def open_db(path: Path | str, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and if asked, create) the database, apply pending migrations, return it."""
    path = Path(path)
    if str(path) != ":memory:" and not path.exists():
        if not create:
            raise NotFound(
                f"No database at {path}. Run 'filmklynge init' to create one, or pass --db."
            )
        _create_private(path)
    try:
        conn = _connect(path)
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        db = Database(conn, None if str(path) == ":memory:" else path)
        if migrate:
            from filmklynge.store import migrations

            if migrations.pending_names(db):
                migrations.apply(db)
    except sqlite3.DatabaseError as e:
        raise FilmklyngeError(f"{path} is not a filmklynge database ({e}).") from None
    return db


def backup_to(db: Database, target: Path) -> None:
    """Online backup with sqlite3's backup API, into a new 0600 file; verified by reopening."""
    target = Path(target)
    if target.exists():
        raise InvalidInput(f"{target} already exists. Choose a new file name for the backup.")
    _create_private(target)
    try:
        dest = sqlite3.connect(str(target))
        with dest:
            db.conn.backup(dest)
        dest.close()
        check = sqlite3.connect(str(target))
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
            tables = check.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            check.close()
        if result != "ok" or tables == 0:
            raise FilmklyngeError(f"The backup at {target} failed its integrity check: {result}.")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
