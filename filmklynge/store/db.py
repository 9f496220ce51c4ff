"""Opening the one SQLite file: permissions, pragmas, migrations, transactions, backup.

``Database`` is a thin wrapper over ``sqlite3`` with the ``query`` / ``execute`` / ``atomic``
semantics of sqlite-utils 4. The runtime path uses plain ``sqlite3`` so that a read-only
command starts fast; ``sqlite_utils`` is imported only when migrations are pending (and by
the migrations themselves), which is where its table builder earns its keep.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from filmklynge.errors import CheckFailed, FilmklyngeError, InvalidInput, NotFound
from filmklynge.text import fold, sort_key

BUSY_TIMEOUT_MS = 5000


class Database:
    """A connection plus the context of the command that uses it (for the audit log)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        self.conn = conn
        self.path = path
        self.command = "python"  # the CLI sets the command line, for the audit log
        # Where a service tells the user something in passing (which member a name matched);
        # the CLI sets it to print on stderr, a library caller may leave it silent.
        self.inform: Callable[[str], None] = lambda message: None

    def _run(self, sql: str, params: Any = (), *, many: bool = False) -> sqlite3.Cursor:
        try:
            if many:
                return self.conn.executemany(sql, params)
            return self.conn.execute(sql, params)
        except OverflowError:
            # A number typed (an id, a count) that no SQLite integer holds: input, not a bug.
            raise InvalidInput(
                "A number given is larger than any filmklynge keeps (at most 19 digits); "
                "check the ids and numbers typed."
            ) from None

    def query(self, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
        cursor = self._run(sql, params)
        keys = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        return next(self.query(sql, params), None)

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self._run(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self._run(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        return self._run(sql, rows, many=True)

    def insert(self, table: str, record: dict[str, Any]) -> int:
        cols = ", ".join(f'"{k}"' for k in record)
        marks = ", ".join("?" for _ in record)
        cursor = self._run(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(record.values())
        )
        return int(cursor.lastrowid or 0)

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        if not changes:
            return
        sets = ", ".join(f'"{k}" = ?' for k in changes)
        self._run(f'UPDATE "{table}" SET {sets} WHERE id = ?', [*changes.values(), row_id])

    def get(self, table: str, row_id: int) -> dict[str, Any] | None:
        return self.one(f'SELECT * FROM "{table}" WHERE id = ?', [row_id])

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction; nested blocks become savepoints. Any exception rolls back."""
        if self.conn.in_transaction:
            name = f"sp_{next(_SAVEPOINTS)}"
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

    def purge(self) -> bool:
        """Make erased data leave the file: call after an erasure has committed.

        What is needed was measured by grepping the file and its WAL after an erasure
        (tests/test_hardening.py): the WAL still holds the page images from before the
        erasure until a checkpoint; with ``secure_delete`` on (see ``_connect``) and a
        checkpoint, what this version deleted is gone, but a file written before (by an older
        version, or rows copied by the m009 table rebuild) keeps freed copies of old rows that
        only VACUUM removes. So: VACUUM, which rewrites the file from its live rows alone,
        then a TRUNCATE checkpoint, which copies that into the main file and empties the WAL.
        Both cost a copy of the file: fine for an erasure (rare, and asked for). Returns False
        when another connection holds a read snapshot, so the WAL could not be emptied: its
        frames then leave the file when the last connection closes (SQLite checkpoints then
        and deletes the WAL).
        """
        if self.path is None or self.conn.in_transaction:
            return False
        try:
            self.conn.execute("VACUUM")
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            return False
        return busy == 0

    def close(self) -> None:
        self.conn.close()


def _connect(path: Path | str) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves (autocommit otherwise).
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten rows are zeroed, not just unlinked: what is erased (a forgotten
    # person, a removed contact) does not linger in free pages of the file.
    conn.execute("PRAGMA secure_delete = ON")
    # Names in Norwegian order and matched as Norwegians type them (filmklynge.text):
    # ORDER BY norwegian(name) sorts ... Z, Æ, Ø, Å; fold(name) is the search key. A key
    # function, not a collation: SQLite computes it once a row, where a Python collation is
    # called for every comparison (4 s against 0.25 s to sort 100,000 names).
    conn.create_function("norwegian", 1, sort_key, deterministic=True)
    conn.create_function("fold", 1, _fold, deterministic=True)
    return conn


def _fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600)."""
    if path.parent and not path.parent.exists():
        raise InvalidInput(
            f"Folder {path.parent} does not exist. Create it or choose another --db."
        )
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_file(path: Path, *, create: bool) -> None:
    """Refuse, before SQLite touches it, a file that is not a filmklynge database: an empty
    file (unless creating), a file of another kind, a symbolic link to nothing, a folder.
    Opening would otherwise write a header into it and migrate it into a database."""
    if path.is_symlink() and not path.exists():
        raise InvalidInput(
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist. "
            "Give the database file itself with --db."
        )
    if not path.exists():
        if not create:
            raise NotFound(
                f"No database at {path}. Run 'filmklynge init' to create one, or pass --db."
            )
        _create_private(path)
        return
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file (a folder or a device). Give --db a file.")
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    wal = path.with_name(path.name + "-wal")
    if not head and not (wal.exists() and wal.stat().st_size):
        if not create:
            raise NotFound(
                f"{path} is empty, not a filmklynge database. Run 'filmklynge init' to make it "
                "one, or pass --db."
            )
        return
    if head and head != SQLITE_HEADER:
        raise InvalidInput(
            f"{path} is not a filmklynge database: it is not an SQLite file at all. "
            "filmklynge leaves it as it is; give the filmklynge database with --db."
        )


_SAVEPOINTS = itertools.count(1)  # savepoint names, unique in the process

# The newest step in store/migrations.py (tests/test_migrations.py checks). A database that
# has it is up to date, so opening one costs a query: the migrations module (over a thousand
# lines of schema) is imported only when an upgrade is due.
NEWEST_MIGRATION = "m013_demo_frozen_day"
MIGRATION_SET = "filmklynge"


def _has_migration(db: Database, name: str | None = None) -> bool:
    """Whether filmklynge migrated this file at all (or applied the step ``name``)."""
    try:
        return (
            db.scalar(
                "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?"
                + (" AND name = ?" if name else ""),
                [MIGRATION_SET, name] if name else [MIGRATION_SET],
            )
            > 0
        )
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return False
        raise


def frozen_on(db: Database) -> date | None:
    """The day a demo database is frozen at (migration m013), or None for a real one; a file
    not yet migrated to m013 is a real one."""
    try:
        day = db.scalar("SELECT frozen_on FROM demo WHERE id = 1")
    except sqlite3.OperationalError:  # no such table: opened without migrating
        return None
    return date.fromisoformat(day) if day else None


def _check_ours(db: Database, path: Path, *, create: bool) -> None:
    """An SQLite file with tables but no filmklynge migrations belongs to another program."""
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name LIMIT 4"
        )
    ]
    if tables and not _has_migration(db):
        db.close()
        raise InvalidInput(
            f"{path} is not a filmklynge database: it is an SQLite database of another program "
            f"(tables {', '.join(tables[:3])}{' ...' if len(tables) > 3 else ''}). "
            "filmklynge leaves it as it is; give the filmklynge database with --db."
        )
    if not tables and not create:
        db.close()
        raise NotFound(
            f"{path} holds no filmklynge data. Run 'filmklynge init' to make it a filmklynge "
            "database, or pass --db."
        )


def database_error(path: Path | str, e: sqlite3.DatabaseError) -> FilmklyngeError:
    """The one-line error for an SQLite failure that says the file itself is bad."""
    text = str(e)
    if "not a database" in text:
        return InvalidInput(f"{path} is not an SQLite database ({text}). Check --db.")
    if "full" in text:
        return CheckFailed(
            f"The disk is full ({text}); nothing was written. Free some space and try again."
        )
    return CheckFailed(
        f"{path} is damaged ({text}): SQLite cannot read it. Restore the latest backup "
        "('filmklynge db backup --list' shows them)."
    )


def open_db(path: Path | str, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and if asked, create) the database, apply pending migrations, return it.

    Without ``create`` only an existing filmklynge database is opened; an empty or foreign
    file is refused untouched. With it a new or empty file becomes one, a foreign one not.
    """
    path = Path(path)
    memory = str(path) == ":memory:"
    if not memory:
        _check_file(path, create=create)
    try:
        conn = _connect(path)
        db = Database(conn, None if memory else path)
        if not memory:
            _check_ours(db, path, create=create)  # before WAL mode changes the file's header
            conn.execute("PRAGMA journal_mode = WAL")
        if migrate and not _has_migration(db, NEWEST_MIGRATION):
            from filmklynge.store import migrations

            if migrations.pending_names(db):
                migrations.apply(db)
    except sqlite3.IntegrityError as e:
        raise CheckFailed(
            f"Upgrading {path} stopped: a stored row breaks a rule of the new version ({e}). "
            "Its tables are as they were; correct the row and run the command again."
        ) from None
    except sqlite3.DatabaseError as e:
        raise database_error(path, e) from None
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
