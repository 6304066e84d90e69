"""The workstation's hash library: imported hash sets shared by every case, in its own file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlite_utils import Database

from desktop.core.hashsets import HashRecord
from desktop.store import audit
from desktop.store.db import CaseError, connect, now_iso

LIBRARY_ENV = "VIGIL_HASH_LIBRARY"  # a full path; tests and portable installs point it elsewhere
# PRAGMA application_id of a hash library file ("VGHL"), so a case is never opened as one.
LIBRARY_APPLICATION_ID = 0x5647484C
INSERT_BATCH = 5000
BULK_CACHE_KIB = 192 * 1024  # page cache of an importing connection (see prepare_bulk_import)

# The digest indexes, by name. A big import drops and rebuilds them (see suspend_indexes).
DIGEST_INDEXES = {
    f"hash_records_{name}": f"CREATE INDEX hash_records_{name} ON hash_records({name})"
    f" WHERE {name} IS NOT NULL;"
    for name in ("md5", "sha1", "sha256")
}
DIGEST_INDEXES_SQL = "\n    ".join(DIGEST_INDEXES.values())

LIBRARY_MIGRATIONS: dict[int, str] = {
    1: f"""
    CREATE TABLE hash_sets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        source_path TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        format TEXT NOT NULL,                -- vics, digests, md5sum, csv, nsrl, pdq, phash
        scheme TEXT,                         -- VICS category scheme (US, UK, CUSTOM, Default)
        purpose TEXT NOT NULL,               -- known (material of interest) or known_good (NSRL)
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        record_count INTEGER NOT NULL,
        bad_records INTEGER NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0,
        report TEXT                          -- JSON: reasons, case number, organisation, ...
    );

    CREATE TABLE hash_records (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES hash_sets(id),
        md5 TEXT, sha1 TEXT, sha256 TEXT,
        pdq TEXT, pdq_quality INTEGER, phash TEXT,
        category INTEGER, series TEXT,
        victim_identified INTEGER, offender_identified INTEGER, is_distributed INTEGER,
        tags TEXT, comments TEXT, label TEXT, size INTEGER
    );
    CREATE INDEX hash_records_set ON hash_records(set_id);
    {DIGEST_INDEXES_SQL}

    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, tool_version TEXT NOT NULL,
        action TEXT NOT NULL, target TEXT, before TEXT, after TEXT,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: frames of known videos (vPDQ lists, VICS vPDQ hashes): one record a frame, with the
    # video it belongs to (a vPDQ file's name, a VICS Media's MD5) and its time (issue 13)
    2: """
    ALTER TABLE hash_records ADD COLUMN video TEXT;
    ALTER TABLE hash_records ADD COLUMN frame_time REAL;  -- seconds
    """,
}

_RECORD_COLUMNS = (
    "md5", "sha1", "sha256", "pdq", "pdq_quality", "phash", "category", "series",
    "victim_identified", "offender_identified", "is_distributed", "tags", "comments", "label",
    "size", "video", "frame_time",
)  # fmt: skip
SET_COLUMNS = (
    "id", "name", "source_path", "source_sha256", "format", "scheme", "purpose", "imported_at",
    "imported_by", "record_count", "bad_records", "truncated", "report",
)  # fmt: skip


def default_library_path() -> Path:
    override = os.environ.get(LIBRARY_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("vigil", appauthor=False)) / "hash-library.sqlite"


def library_exists(path: str | os.PathLike[str] | None = None) -> bool:
    return Path(path or default_library_path()).exists()


def open_library(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> Database:
    """Open (making it, and its folder, the first time) the workstation's hash library."""
    path = Path(path or default_library_path())
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CaseError(f"Cannot create the folder {path.parent}: {error.strerror}.") from None
    db = connect(
        path,
        create=create,
        migrations=LIBRARY_MIGRATIONS,
        application_id=LIBRARY_APPLICATION_ID,
        kind="hash library",
    )
    return db


def suspend_indexes(db: Database) -> None:
    """Drop the digest indexes for a big import; call inside its transaction, and
    restore_indexes() before it commits (a rollback brings them back by itself).

    Inserting random digests into three B-trees costs about twice as much as building the
    trees once, sorted, at the end (measured: 26 s against 13 s for a million records)."""
    for name in DIGEST_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")


def restore_indexes(db: Database) -> None:
    for statement in DIGEST_INDEXES.values():
        db.execute(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))


def prepare_bulk_import(db: Database) -> None:
    """Digests are random, so each insert lands anywhere in three indexes; with SQLite's 2 MiB
    default page cache a million-record import thrashes. A bigger cache for this connection."""
    db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")


@dataclass
class HashSet:
    id: int
    name: str
    source_path: str
    source_sha256: str
    format: str
    scheme: str | None
    purpose: str
    imported_at: str
    imported_by: str
    record_count: int
    bad_records: int
    truncated: bool
    report: str | None

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["truncated"] = bool(data["truncated"])
        data["report"] = json.loads(self.report) if self.report else {}
        return data


def hash_sets(db: Database) -> list[HashSet]:
    rows = db.execute(f"SELECT {', '.join(SET_COLUMNS)} FROM hash_sets ORDER BY name")
    return [HashSet(*row) for row in rows]


def find_set(db: Database, name: str) -> HashSet | None:
    row = db.execute(
        f"SELECT {', '.join(SET_COLUMNS)} FROM hash_sets WHERE name = ?", [name]
    ).fetchone()
    return HashSet(*row) if row else None


def set_with_source(db: Database, source_sha256: str) -> HashSet | None:
    row = db.execute(
        f"SELECT {', '.join(SET_COLUMNS)} FROM hash_sets WHERE source_sha256 = ?", [source_sha256]
    ).fetchone()
    return HashSet(*row) if row else None


def record_count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM hash_records").fetchone()[0])


def begin_set(db: Database, values: dict[str, Any]) -> int:
    """Insert the set row (inside the import's transaction); its counts are filled at the end."""
    values = {**values, "imported_at": now_iso(), "imported_by": audit.current_user()}
    values.setdefault("record_count", 0)
    values.setdefault("bad_records", 0)
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(
        f"INSERT INTO hash_sets ({columns}) VALUES ({marks})", list(values.values())
    )
    return int(cursor.lastrowid or 0)


def _row(set_id: int, record: HashRecord) -> tuple[Any, ...]:
    values = [getattr(record, column) for column in _RECORD_COLUMNS]
    for i in (8, 9, 10):  # the three flags, stored as 0/1/NULL
        if values[i] is not None:
            values[i] = int(values[i])
    return (set_id, *values)


def add_records(db: Database, set_id: int, records: Iterable[HashRecord]) -> int:
    """Insert a batch of records into a set; call inside the import's transaction. A known
    video's frames (record.frames) become records of their own, one a frame, with the video's
    category and flags, `video` its MD5 (digests stay on the video's own record only, so an
    exact match is one match)."""
    rows = []
    given = 0
    for r in records:
        given += 1
        rows.append(_row(set_id, r))
        for seconds, quality, pdq in r.frames:
            frame = HashRecord(pdq=pdq, pdq_quality=quality, video=r.md5 or r.sha1 or r.sha256,
                               frame_time=seconds, category=r.category, series=r.series,
                               victim_identified=r.victim_identified,
                               offender_identified=r.offender_identified,
                               is_distributed=r.is_distributed, tags=r.tags,
                               label=r.label)  # fmt: skip
            rows.append(_row(set_id, frame))
    marks = ", ".join("?" for _ in range(len(_RECORD_COLUMNS) + 1))
    db.conn.executemany(
        f"INSERT INTO hash_records (set_id, {', '.join(_RECORD_COLUMNS)}) VALUES ({marks})", rows
    )
    return given


def merge_duplicate_digests(db: Database, set_id: int) -> int:
    """Keep one record per digest triple in a set (the first); returns how many were removed.

    NSRL lists a file once per product that ships it: the same digests under two packages
    must match once, as one known-good file. Call inside the import's transaction."""
    cursor = db.execute(
        "DELETE FROM hash_records WHERE set_id = ? AND id NOT IN (SELECT min(id) FROM"
        " hash_records WHERE set_id = ? GROUP BY md5, sha1, sha256)",
        [set_id, set_id],
    )
    return int(cursor.rowcount or 0)


def finish_set(db: Database, set_id: int, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{key} = ?" for key in values)
    db.execute(f"UPDATE hash_sets SET {assignments} WHERE id = ?", [*values.values(), set_id])


def remove_set(db: Database, name: str) -> HashSet:
    """Delete a set and its records, audited. CaseError when there is no set of that name."""
    found = find_set(db, name)
    if found is None:
        raise CaseError(f"The hash library has no set named {name!r} (see `vigil hashset list`).")
    with db.atomic():
        db.execute("DELETE FROM hash_records WHERE set_id = ?", [found.id])
        db.execute("DELETE FROM hash_sets WHERE id = ?", [found.id])
        audit.append(db, "hashset.remove", name, before=found.as_dict())
    return found


# ---- lookups for matching -----------------------------------------------------------------------

MATCH_COLUMNS = (
    "s.name", "s.source_sha256", "s.source_path", "s.scheme", "s.purpose", "r.category",
    "r.series", "r.victim_identified", "r.offender_identified", "r.is_distributed", "r.tags",
    "r.comments", "r.video", "r.frame_time",
)  # fmt: skip


def _match_dict(row: Sequence[Any]) -> dict[str, Any]:
    keys = [c.split(".")[1] for c in MATCH_COLUMNS]
    keys[0:3] = ["set_name", "set_source_sha256", "source"]
    data = dict(zip(keys, row, strict=True))
    for flag in ("victim_identified", "offender_identified", "is_distributed"):
        if data[flag] is not None:
            data[flag] = bool(data[flag])
    return data


def exact_matches(
    db: Database, algorithm: str, digests: Sequence[str]
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(digest, record id, match) for every record whose `algorithm` digest is in `digests`."""
    if algorithm not in ("md5", "sha1", "sha256"):
        raise ValueError(algorithm)
    for start in range(0, len(digests), 500):
        chunk = list(digests[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT r.{algorithm}, r.id, {', '.join(MATCH_COLUMNS)} FROM hash_records r"
            f" JOIN hash_sets s ON s.id = r.set_id WHERE r.{algorithm} IN ({marks})",
            chunk,
        )
        for row in rows:
            yield row[0], int(row[1]), _match_dict(row[2:])


def perceptual_hashes(
    db: Database, algorithm: str, min_quality: int = 0
) -> Iterator[tuple[int, str]]:
    """(record id, hex) of every library PDQ or pHash; PDQ below `min_quality` is left out."""
    if algorithm == "pdq":
        rows = db.execute(
            "SELECT id, pdq FROM hash_records WHERE pdq IS NOT NULL"
            " AND (pdq_quality IS NULL OR pdq_quality >= ?)",
            [min_quality],
        )
    elif algorithm == "phash":
        rows = db.execute("SELECT id, phash FROM hash_records WHERE phash IS NOT NULL")
    else:
        raise ValueError(algorithm)
    yield from rows


def records_by_id(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in db.execute(
            f"SELECT r.id, {', '.join(MATCH_COLUMNS)} FROM hash_records r"
            f" JOIN hash_sets s ON s.id = r.set_id WHERE r.id IN ({marks})",
            chunk,
        ):
            found[row[0]] = _match_dict(row[1:])
    return found
