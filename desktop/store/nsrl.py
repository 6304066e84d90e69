"""Read an NSRL RDS v3 database (SQLite, table FILE) read-only as known-good hash records."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from desktop.core.hashsets import BadRecord, HashRecord, HashSetError, ReadReport, clean_hex


def _open_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    # immutable=1: the file is someone else's; never create a journal or WAL beside it
    uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


# A row of an NSRL table FILE comes in microseconds; a foreign database whose FILE is a view
# can compute forever (a recursive view). Reading stops when no row came for this long.
STALL_SECONDS = 30.0
_PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock


class _Stall:
    """SQLite progress handler: interrupts a statement that gives no row for STALL_SECONDS."""

    def __init__(self, limit: float | None = None):
        self.limit = STALL_SECONDS if limit is None else limit
        self.last_row = time.monotonic()
        self.stalled = False

    def __call__(self) -> int:
        self.stalled = time.monotonic() - self.last_row > self.limit
        return int(self.stalled)


def _file_table(conn: sqlite3.Connection, path: str | os.PathLike[str]) -> set[str]:
    """The columns of NSRL's table FILE; HashSetError when there is no such table (a view of
    that name is refused: NSRL ships a table, and a view can be made to run for ever)."""
    row = conn.execute(
        "SELECT type, sql FROM sqlite_master WHERE name = 'FILE' COLLATE NOCASE"
    ).fetchone()
    if row is None or row[0] != "table" or "VIRTUAL" in (row[1] or "").upper():
        raise HashSetError(
            f"{os.fspath(path)} is an SQLite database without an NSRL table FILE "
            "(sha256, sha1, md5)."
        )
    return {r[1].lower() for r in conn.execute("PRAGMA table_info(FILE)")}


def read_nsrl(path: str | os.PathLike[str], report: ReadReport) -> Iterator[HashRecord]:
    """Every row of table FILE as a record (SHA-256, SHA-1, MD5, file name, size)."""
    report.format = "nsrl"
    stall = _Stall()
    try:
        conn = _open_readonly(path)
    except sqlite3.DatabaseError as error:
        raise HashSetError(
            f"{os.fspath(path)} is not a readable SQLite database ({error})."
        ) from None
    try:
        try:
            columns = _file_table(conn, path)
        except sqlite3.DatabaseError as error:
            raise HashSetError(
                f"{os.fspath(path)} is not a readable SQLite database ({error})."
            ) from None
        if not columns & {"sha256", "sha1", "md5"}:
            raise HashSetError(
                f"{os.fspath(path)} is an SQLite database without an NSRL table FILE "
                "(sha256, sha1, md5)."
            )
        wanted = [c for c in ("sha256", "sha1", "md5", "file_name", "file_size") if c in columns]
        conn.set_progress_handler(stall, _PROGRESS_STEPS)
        cursor = conn.execute(f"SELECT {', '.join(wanted)} FROM FILE")
        for number, row in enumerate(cursor, 1):
            stall.last_row = time.monotonic()
            values = dict(zip(wanted, row, strict=True))
            try:
                record = HashRecord(
                    sha256=clean_hex(values.get("sha256"), 64, "SHA-256"),
                    sha1=clean_hex(values.get("sha1"), 40, "SHA-1"),
                    md5=clean_hex(values.get("md5"), 32, "MD5"),
                    label=str(values["file_name"])[:1000] if values.get("file_name") else None,
                    size=values.get("file_size")
                    if isinstance(values.get("file_size"), int)
                    else None,
                )
            except BadRecord as error:
                report.reject(f"FILE row {number}", str(error))
                continue
            if record.has_hash():
                yield record
                stall.last_row = time.monotonic()  # the time the caller took is not a stall
            else:
                report.reject(f"FILE row {number}", "no digest")
    except sqlite3.DatabaseError as error:
        report.truncated = True
        report.truncated_reason = (
            f"the NSRL database gave no row for {STALL_SECONDS:.0f} s; reading stopped"
            if stall.stalled
            else f"the NSRL database is damaged ({error})"
        )
    finally:
        conn.close()
