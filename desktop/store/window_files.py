"""Where a case keeps its window index (core/window_index.py), and whether it is current.

The index is a folder beside the case file (`CASE.vigil-windows`, like SQLite's own `-wal`):
numpy arrays read by mmap cannot live inside SQLite. It is a cache the grouping can always
do without: a case copied without it, a damaged one, one of another engine, or one written
for another copy of the case is ignored and written again. Each index written gets a random
token, stored in the case (`case_info`) once the folder is complete, and the index names it
with the engine in its stamp: the case says which index is its own.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from desktop.core import window_index
from desktop.core.window_index import WindowIndex, WindowIndexWriter
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEW_ROW_BITS,
    VIEW_VARIANT,
)
from desktop.store.db import get_info, set_info
from desktop.store.fingerprint_columns import hash_columns

TOKEN_KEY = "window_index"
SUFFIX = "-windows"

Columns = tuple[np.ndarray, np.ndarray, np.ndarray]


def folder(db: Database) -> Path | None:
    """The index folder of a case file; None for a database in memory."""
    conn = getattr(db, "conn", db)
    for _, name, path in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            return Path(os.fspath(path) + SUFFIX)
    return None


def current(db: Database, engine: str) -> WindowIndex | None:
    """The case's own window index for this engine, or None (missing, damaged, another's)."""
    where, token = folder(db), get_info(db, TOKEN_KEY)
    if where is None or not token:
        return None
    return WindowIndex.open(where, f"{token}; {engine}")


def writer(db: Database, covered: int) -> WindowIndexWriter | None:
    """A writer of a new index holding the media up to `covered`; None when the case's
    folder takes no files (read-only, full: the grouping scans instead)."""
    where = folder(db)
    if where is None:
        return None
    try:
        return WindowIndexWriter(where, covered)
    except OSError:
        return None


def finish(db: Database, written: WindowIndexWriter, engine: str) -> bool:
    """Complete a new index and make it the case's own (`current` opens it); False (and no
    index) if it could not be written."""
    token = uuid.uuid4().hex
    try:
        written.finish(f"{token}; {engine}")
    except OSError:
        written.abandon()
        return False
    with db.atomic():
        set_info(db, TOKEN_KEY, token)
    return True


def drop(db: Database) -> None:
    """Forget the index (a rebuild writes a new one)."""
    with db.atomic():
        set_info(db, TOKEN_KEY, "")
    where = folder(db)
    if where is not None:
        window_index.drop(where)


def rows_after(db: Database, after: int) -> tuple[Columns, Columns]:
    """The crop64 rows and the views rows of the media after `after` (the few the index does
    not cover), read through the primary key."""
    return (
        hash_columns(db, CROP_ALGORITHM, CROP_VARIANT, CROP_ROW_BITS, after_media_id=after),
        hash_columns(db, CROP_ALGORITHM, VIEW_VARIANT, VIEW_ROW_BITS, after_media_id=after),
    )
