"""Open a case file: check it is ours, set the pragmas, migrate, refuse a newer schema."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.store import case_witness
from desktop.store.migrations import MIGRATIONS

CASE_SUFFIX = ".vigil"
# PRAGMA application_id marks a SQLite file as a Vigil case ("VIGL").
CASE_APPLICATION_ID = 0x5649474C
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
ID_BATCH = 900  # ids per IN (...) lookup, under SQLite's parameter limit


class CaseError(Exception):
    """A problem with a case file that the user can fix; the message is one clear sentence."""


class CaseDamaged(CaseError):
    """The case file is damaged: SQLite found a broken page, or a value is not what was written."""


def stored_json(text: str | None, default: Any = None) -> Any:
    """A JSON field as written by Vigil; a field that no longer parses is damage (a flipped
    byte in its page), said as such rather than raised as a JSON error."""
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        detail = "a stored field is not what was written"
        raise CaseDamaged(damaged_sentence(None, detail)) from None


def damaged_sentence(path: str | os.PathLike[str] | None, detail: str, kind: str = "case") -> str:
    where = f"The {kind} file {path}" if path else f"A {kind} file"
    return (
        f"{where} is damaged ({detail}); Vigil will not write to it: restore it from a backup, "
        "and run `vigil verify` on the copy."
    )


def _code(error: BaseException) -> str:
    """SQLite's (extended) result code name of an error, e.g. SQLITE_BUSY_SNAPSHOT, or ''."""
    return getattr(error, "sqlite_errorname", None) or ""


def is_damage(error: BaseException) -> bool:
    """True when an SQLite error says the database file is damaged (not busy, not full)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    # Python itself raises the last one when stored text is not UTF-8: a flipped byte
    return _code(error).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        "Could not decode to UTF-8" in str(error)
    )


def explain_failure(error: BaseException, case: str | os.PathLike[str] | None = None) -> str | None:
    """One sentence for a failure of the disk or of a database file, or None for anything else.

    Disk full (SQLite's or the system's), a damaged database, a case busy for longer than the
    busy timeout, a disk that fails. The CLI prints it and exits 2; the GUI shows it. Whatever
    was committed before the failure stays in the case.
    """
    if isinstance(error, CaseError):
        return str(error)
    code = _code(error)
    number = error.errno if isinstance(error, OSError) else None
    if code.startswith("SQLITE_FULL") or number == errno.ENOSPC:
        return (
            "The disk is full: free some space and run the command again (what was written "
            "before this point is kept, and an ingest resumes where it stopped)."
        )
    if is_damage(error):
        return damaged_sentence(case, _first_line(error))
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"The case is busy: another program kept it locked for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s; try again when it has finished."
        )
    if code.startswith("SQLITE_IOERR") or number == errno.EIO:
        return f"The disk failed to read or write ({_first_line(error)}): check it and try again."
    if code.startswith("SQLITE_READONLY"):
        return "The case file cannot be written: its location is read-only."
    return None


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [error.__class__.__name__])[0][:200]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _display(path: Path) -> str:
    return str(path)


class CaseDatabase(Database):
    """A Vigil database (a case, or the hash library): the house's write transactions.

    `atomic()` starts a write transaction with BEGIN IMMEDIATE, taking the write lock before its
    first read. A deferred transaction that reads, then writes after another writer committed,
    is refused at once ("database is locked") whatever the busy timeout, since its snapshot is
    stale; with the lock taken first, writers wait their turn (up to the busy timeout) and an
    ingest, the GUI and CLI commands can write to one case at the same time.

    A file found damaged is never written to: `damage` holds why, and `atomic()` refuses. Work
    that must follow a commit (the audit witness) is registered with `after_commit`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, kind: str):
        super().__init__(conn)
        self.path, self.kind = path, kind
        self.case_id: str | None = None  # a case's id, once read (the witness is kept by it)
        self.damage: str | None = None
        self._after_commit: list[Callable[[CaseDatabase], None]] = []

    def after_commit(self, callback: Callable[[CaseDatabase], None]) -> None:
        """Run `callback(self)` once the transaction in progress has committed."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[CaseDatabase]:
        if self.conn.in_transaction:  # nested: a savepoint inside the outer transaction
            with super().atomic():
                yield self
            return
        self.refuse_if_damaged()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException as error:
            self._after_commit.clear()
            self.rollback()
            if is_damage(error):
                self.mark_damaged(_first_line(error))
                self.refuse_if_damaged()
            raise
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback(self)

    def identify_case(self, create: bool) -> None:
        """Read the case's id (giving a new case one), and whether this machine found this file
        damaged before."""
        self.case_id = get_info(self, "case_id")
        if create and self.case_id is None:
            self.case_id = str(uuid.uuid4())
            with self.atomic():
                set_info(self, "case_id", self.case_id)
                set_info(self, "created_at", now_iso())
        witness = case_witness.read(self.case_id) if self.case_id else None
        if witness and witness.damaged and witness.damaged_path == str(self.path.resolve()):
            self.damage = witness.damaged

    def refuse_if_damaged(self) -> None:
        if self.damage:
            raise CaseDamaged(damaged_sentence(self.path, self.damage, self.kind))

    def require_sound(self, quick: bool = False) -> None:
        """Run the integrity check; raise CaseDamaged (one sentence) if the file is damaged,
        or was found damaged before and only a quick check was run."""
        self.check_integrity(quick)
        self.refuse_if_damaged()

    def mark_damaged(self, reason: str) -> None:
        """Remember (for this connection and, for a case, on this machine) the file is damaged."""
        self.damage = reason
        if self.case_id:
            old = case_witness.read(self.case_id) or case_witness.Witness()
            where = str(self.path.resolve())
            case_witness.write(self.case_id, replace(old, damaged=reason, damaged_path=where))

    def check_integrity(self, quick: bool = False) -> list[str]:
        """SQLite's integrity check: [] when the file is sound, else the first problems found.

        The full check (`verify`, `audit --verify`) reads every page and cross-checks indexes;
        the quick one (before a long job writes) skips the index cross-check, about five times
        faster. A failed check marks the file damaged; a full check that passes clears the mark.
        """
        pragma = "quick_check" if quick else "integrity_check"
        try:
            found = [str(row[0]) for row in self.execute(f"PRAGMA {pragma}(10)").fetchall()]
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            found = [_first_line(error)]
        # SQLite prefixes the first problem with "*** in database main ***" and a line end
        problems = [
            line.strip()
            for row in ([] if found == ["ok"] else found)
            for line in row.splitlines()
            if line.strip() and not line.startswith("***")
        ]
        if problems:
            self.mark_damaged(problems[0])
        elif not quick and self.damage is not None:
            self.damage = None
            if self.case_id and (old := case_witness.read(self.case_id)):
                case_witness.write(self.case_id, replace(old, damaged=None, damaged_path=""))
        return problems


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
) -> CaseDatabase:
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
        db = CaseDatabase(conn, path, kind)
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
        raise CaseError(
            explain_failure(error, path)
            or f"Cannot open the {kind} file {_display(path)}: {message}."
        ) from None
    except sqlite3.DatabaseError as error:
        raise CaseDamaged(damaged_sentence(path, _first_line(error), kind)) from None
    return db


def open_case(path: str | os.PathLike[str], *, create: bool = False) -> CaseDatabase:
    """Open a case file (a .vigil SQLite database), creating it when asked.

    A case this machine found damaged stays refused for writing until a full integrity check
    (`vigil verify`) passes.
    """
    db = connect(path, create=create)
    try:
        db.identify_case(create)
    except sqlite3.DatabaseError as error:
        db.close()
        raise CaseError(explain_failure(error, path) or str(error)) from None
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
