"""The hash-set import job: stream any supported file into the library in one transaction."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core.hashset_formats import detect_format, read_text_format
from desktop.core.hashsets import FORMATS, SQLITE_HEADER, HashRecord, HashSetError, ReadReport
from desktop.core.vics import read_vics
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit, hashlibrary
from desktop.store.nsrl import read_nsrl

PROGRESS_EVERY = 5000


class ImportCancelled(Exception):
    """The analyst stopped the import; the transaction is rolled back."""


@dataclass
class ImportResult:
    name: str
    format: str
    scheme: str | None
    records: int = 0
    bad_records: int = 0
    reasons: list[str] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None
    elapsed: float = 0.0
    cancelled: bool = False
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def file_sha256(path: str | os.PathLike[str], cancel: Cancel) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if cancel():
                raise ImportCancelled
    return digest.hexdigest()


def read_records(
    path: str | os.PathLike[str], fmt: str, report: ReadReport
) -> Iterator[HashRecord]:
    """The records of a hash-set file of a known format, streamed."""
    report.format = fmt
    if fmt == "vics":
        return read_vics(path, report)
    if fmt == "nsrl" and _is_sqlite(path):
        return read_nsrl(path, report)
    return read_text_format(path, fmt, report)


def _is_sqlite(path: str | os.PathLike[str]) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


# Rough bytes per record, to guess from a file's size how many records it holds.
_BYTES_PER_RECORD = {"vics": 300, "nsrl": 150, "csv": 80}
REBUILD_MIN_RECORDS = 100_000


def _worth_rebuilding(db: Database, source: Path, fmt: str) -> bool:
    """Drop and rebuild the digest indexes when the import is big next to the library."""
    expected = source.stat().st_size // _BYTES_PER_RECORD.get(fmt, 45)
    return expected >= REBUILD_MIN_RECORDS and expected * 4 >= hashlibrary.record_count(db)


def _check_source(path: Path) -> None:
    if not path.exists():
        raise HashSetError(f"There is no file at {path}.")
    if not path.is_file():
        raise HashSetError(f"{path} is not a file.")
    if not os.access(path, os.R_OK):
        raise HashSetError(f"Cannot read {path}: permission denied.")


def import_hashset(
    path: str | os.PathLike[str],
    name: str | None = None,
    fmt: str | None = None,
    library: Database | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    known_good: bool | None = None,
) -> ImportResult:
    """Import one file as a named set. Nothing is kept when it fails or is cancelled.

    `known_good` marks a set of files of no interest (system files, the unit's own reference
    pictures); by default only NSRL databases are. Raises HashSetError (one sentence) for a
    file that cannot be imported or a name in use.
    """
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    source = Path(path)
    _check_source(source)
    if fmt is not None and fmt not in FORMATS:
        raise HashSetError(f"Unknown hash-set format {fmt!r}; use one of {', '.join(FORMATS)}.")
    fmt = fmt or detect_format(source)
    name = (name or source.stem).strip()
    if not name:
        raise HashSetError("A hash set needs a name.")
    db = library if library is not None else hashlibrary.open_library()
    try:
        purpose = "known_good" if (fmt == "nsrl" if known_good is None else known_good) else "known"
        return _import(db, source, name, fmt, purpose, progress, cancel)
    finally:
        if library is None:
            db.close()


def _import(
    db: Database,
    source: Path,
    name: str,
    fmt: str,
    purpose: str,
    progress: Progress,
    cancel: Cancel,
) -> ImportResult:
    started = time.monotonic()
    if hashlibrary.find_set(db, name) is not None:
        raise HashSetError(f"The hash library already has a set named {name!r}; choose --name.")
    progress(0, 0, "Checking the file")
    try:
        sha256 = file_sha256(source, cancel)
    except ImportCancelled:
        return ImportResult(name, fmt, None, cancelled=True)
    earlier = hashlibrary.set_with_source(db, sha256)
    if earlier is not None:
        raise HashSetError(
            f"This file is already in the hash library as the set {earlier.name!r} "
            f"(imported {earlier.imported_at})."
        )
    report = ReadReport()
    result = ImportResult(name, fmt, None)
    hashlibrary.prepare_bulk_import(db)
    rebuild = _worth_rebuilding(db, source, fmt)
    try:
        with db.atomic():
            if rebuild:
                hashlibrary.suspend_indexes(db)
            set_id = hashlibrary.begin_set(
                db,
                {
                    "name": name,
                    "source_path": str(source.resolve()),
                    "source_sha256": sha256,
                    "format": fmt,
                    "purpose": purpose,
                },
            )
            batch: list[HashRecord] = []
            for record in read_records(source, fmt, report):
                batch.append(record)
                if len(batch) >= hashlibrary.INSERT_BATCH:
                    report.good += hashlibrary.add_records(db, set_id, batch)
                    batch = []
                    progress(report.good, 0, f"{report.good} records")
                    if cancel():
                        raise ImportCancelled
            report.good += hashlibrary.add_records(db, set_id, batch)
            if fmt == "nsrl":
                merged = hashlibrary.merge_duplicate_digests(db, set_id)
                report.good -= merged
                report.info["duplicates_merged"] = merged
            if report.good == 0:
                why = f" ({report.reasons[0]})" if report.reasons else ""
                raise HashSetError(f"{source.name} holds no valid hash records{why}.")
            if rebuild:
                progress(report.good, report.good, "Indexing")
                hashlibrary.restore_indexes(db)
            details = {"reasons": report.reasons, "truncated_reason": report.truncated_reason}
            details.update({k: v for k, v in report.info.items() if v is not None})
            hashlibrary.finish_set(
                db,
                set_id,
                {
                    "scheme": report.scheme,
                    "record_count": report.good,
                    "bad_records": report.bad,
                    "truncated": int(report.truncated),
                    "report": json.dumps(details, default=str),
                },
            )
            result = ImportResult(
                name,
                fmt,
                report.scheme,
                records=report.good,
                bad_records=report.bad,
                reasons=report.reasons,
                truncated=report.truncated,
                truncated_reason=report.truncated_reason,
                info={k: v for k, v in report.info.items() if v is not None},
            )
            audit.append(
                db,
                "hashset.import",
                name,
                after={
                    "source": str(source.resolve()),
                    "source_sha256": sha256,
                    "format": fmt,
                    "records": report.good,
                    "bad_records": report.bad,
                    "truncated": report.truncated,
                },
            )
    except ImportCancelled:
        result.cancelled = True
    except UnicodeDecodeError as error:
        raise HashSetError(f"{source.name} is not text Vigil can read ({error.reason}).") from None
    result.elapsed = time.monotonic() - started
    progress(result.records, result.records, "Done")
    return result
