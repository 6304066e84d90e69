"""Read an NSRL RDS v3 database (SQLite, table FILE) read-only as known-good hash records."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from desktop.core.hashsets import BadRecord, HashRecord, HashSetError, ReadReport, clean_hex


def _open_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    # immutable=1: the file is someone else's; never create a journal or WAL beside it
    uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def read_nsrl(path: str | os.PathLike[str], report: ReadReport) -> Iterator[HashRecord]:
    """Every row of table FILE as a record (SHA-256, SHA-1, MD5, file name, size)."""
    report.format = "nsrl"
    try:
        conn = _open_readonly(path)
        columns = {row[1].lower() for row in conn.execute("PRAGMA table_info(FILE)")}
    except sqlite3.DatabaseError as error:
        raise HashSetError(
            f"{os.fspath(path)} is not a readable SQLite database ({error})."
        ) from None
    try:
        if not columns & {"sha256", "sha1", "md5"}:
            raise HashSetError(
                f"{os.fspath(path)} is an SQLite database without an NSRL table FILE "
                "(sha256, sha1, md5)."
            )
        wanted = [c for c in ("sha256", "sha1", "md5", "file_name", "file_size") if c in columns]
        cursor = conn.execute(f"SELECT {', '.join(wanted)} FROM FILE")
        for number, row in enumerate(cursor, 1):
            values = dict(zip(wanted, row, strict=True))
            try:
                record = HashRecord(
                    sha256=clean_hex(values.get("sha256"), 64, "SHA-256"),
                    sha1=clean_hex(values.get("sha1"), 40, "SHA-1"),
                    md5=clean_hex(values.get("md5"), 32, "MD5"),
                    label=values.get("file_name"),
                    size=values.get("file_size")
                    if isinstance(values.get("file_size"), int)
                    else None,
                )
            except BadRecord as error:
                report.reject(f"FILE row {number}", str(error))
                continue
            if record.has_hash():
                yield record
            else:
                report.reject(f"FILE row {number}", "no digest")
    except sqlite3.DatabaseError as error:
        report.truncated = True
        report.truncated_reason = f"the NSRL database is damaged ({error})"
    finally:
        conn.close()
