"""Open a case file: check it is ours, set the pragmas, migrate, refuse a newer schema."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from desktop.store.migrations import MIGRATIONS

CASE_SUFFIX = ".vigil"
# PRAGMA application_id marks a SQLite file as a Vigil case ("VIGL").
CASE_APPLICATION_ID = 0x5649474C
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


class CaseError(Exception):
    """A problem with a case file that the user can fix; the message is one clear sentence."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _display(path: Path) -> str:
    return str(path)


def _check_existing(path: Path, kind: str) -> None:
    if path.is_dir():
        raise CaseError(f"{_display(path)} is a folder, not a case file.")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise CaseError(f"Cannot read {_display(path)}: {error.strerror}.") from None
    if header and not header.startswith(SQLITE_HEADER):
        raise CaseError(f"{_display(path)} is not a Vigil {kind} file.")


def _empty(path: Path) -> bool:
    """A file of no bytes that is not a new case whose first pages are still in its WAL."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size > 0)


def _check_ours(db: Database, path: Path, application_id: int, kind: str) -> None:
    """Refuse a foreign SQLite database before changing anything in it.

    Read through SQLite, not from the file header: in WAL mode a new case's header page may
    still sit in the write-ahead log.
    """
    stored = db.execute("PRAGMA application_id").fetchone()[0]
    if stored == application_id:
        return
    tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    if stored != 0 or tables:
        raise CaseError(f"{_display(path)} is an SQLite database but not a Vigil {kind} file.")


def connect(
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    migrations: Mapping[int, str] = MIGRATIONS,
    application_id: int = CASE_APPLICATION_ID,
    kind: str = "case",
) -> Database:
    """Open (or with `create`, make) a database of ours, migrated to the current schema.

    Raises CaseError with a sentence for the user when the file is missing, foreign, from a
    newer version of Vigil, or cannot be written.
    """
    path = Path(path)
    exists = path.exists()
    if exists:
        _check_existing(path, kind)
        if not create and _empty(path):
            # opening would make it a case: a read-only command must not write
            raise CaseError(f"{_display(path)} is an empty file, not a Vigil {kind} file.")
    elif not create:
        raise CaseError(f"There is no {kind} file at {_display(path)}.")
    elif not path.parent.exists():
        raise CaseError(f"Cannot create {_display(path)}: the folder {path.parent} does not exist.")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if exists:
            _check_ours(db, path, application_id, kind)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db, migrations, application_id, kind, path)
    except sqlite3.OperationalError as error:
        message = str(error)
        if "readonly" in message or "unable to open" in message:
            raise CaseError(
                f"Cannot write the {kind} file {_display(path)}: the location is read-only."
            ) from None
        if "locked" in message:
            raise CaseError(
                f"The {kind} file {_display(path)} is in use by another program."
            ) from None
        raise CaseError(f"Cannot open the {kind} file {_display(path)}: {message}.") from None
    except sqlite3.DatabaseError as error:
        raise CaseError(f"{_display(path)} is damaged or not a {kind} file ({error}).") from None
    return db


def open_case(path: str | os.PathLike[str], *, create: bool = False) -> Database:
    """Open a case file (a .vigil SQLite database), creating it when asked."""
    db = connect(path, create=create)
    if create and get_info(db, "case_id") is None:
        with db.atomic():
            set_info(db, "case_id", str(uuid.uuid4()))
            set_info(db, "created_at", now_iso())
    return db


def schema_version(migrations: Mapping[int, str] = MIGRATIONS) -> int:
    return max(migrations)


def _migrate(
    db: Database, migrations: Mapping[int, str], application_id: int, kind: str, path: Path
) -> None:
    current = db.execute("PRAGMA user_version").fetchone()[0]
    newest = max(migrations)
    if current > newest:
        raise CaseError(
            f"The {kind} file {_display(path)} was made by a newer version of Vigil "
            f"(schema {current}; this version reads up to {newest}). Update Vigil to open it."
        )
    if not _pending(db, migrations)[1]:
        return
    # One process migrates; another opening the same new file waits here, then finds it done.
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, at TEXT)"
        )
        applied, pending = _pending(db, migrations)
        for number in pending:
            for statement in _statements(migrations[number]):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", [number, now_iso()])
        db.execute(f"PRAGMA application_id = {application_id}")
        db.execute(f"PRAGMA user_version = {max(applied | set(pending), default=0)}")
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def _pending(db: Database, migrations: Mapping[int, str]) -> tuple[set[int], list[int]]:
    """(applied migration numbers, the ones still to apply in order)."""
    table = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    applied = (
        {row[0] for row in db.execute("SELECT number FROM schema_migrations")} if table else set()
    )
    return applied, sorted(set(migrations) - applied)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit mid-transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return [s for s in statements if s]


def get_info(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM case_info WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_info(db: Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO case_info (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def connect_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection for worker processes and threads that only look things up."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn
