"""Media and file rows: writing ingest results in batches, and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from desktop.core.ingest import FileAnalysis, WalkEntry, display_path
from desktop.store import known, videos
from desktop.store.db import now_iso, stored_json

FILE_STATUSES = (
    "ok",
    "partial",  # a damaged or cut video: the frames that decode are kept (see the reason)
    "duplicate",
    "unsupported",
    "truncated",
    "corrupt",
    "too_large",
    "too_slow",
    "unreadable",
    "symlink",
)


def source_id(db: Database, path: bytes) -> int:
    """The id of an evidence source, registering it the first time it is seen."""
    row = db.execute("SELECT id FROM sources WHERE path_raw = ?", [path]).fetchone()
    if row:
        return int(row[0])
    cursor = db.execute(
        "INSERT INTO sources (path_raw, path, added_at) VALUES (?, ?, ?)",
        [path, display_path(path), now_iso()],
    )
    return int(cursor.lastrowid or 0)


def known_file(db: Database, path: bytes) -> tuple[int | None, int | None, str] | None:
    """(size, mtime_ns, status) recorded for a path, or None when it has not been seen."""
    row = db.execute(
        "SELECT size, mtime_ns, status FROM files WHERE path_raw = ?", [path]
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def media_id_for_sha256(db: Database, sha256: str) -> int | None:
    row = db.execute("SELECT id FROM media WHERE sha256 = ?", [sha256]).fetchone()
    return int(row[0]) if row else None


def _upsert_file(db: Database, values: dict[str, Any]) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "path_raw")
    db.execute(
        f"INSERT INTO files ({columns}) VALUES ({marks}) "
        f"ON CONFLICT(path_raw) DO UPDATE SET {updates}",
        list(values.values()),
    )


def record_entry(
    db: Database, entry: WalkEntry, source: int, run_id: int, status: str, reason: str | None
) -> None:
    """A file row for something that was not analysed (a link, an error, a special file)."""
    _upsert_file(
        db,
        {
            "source_id": source,
            "path_raw": entry.path,
            "path": display_path(entry.path),
            "media_id": None,
            "status": status,
            "reason": reason,
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "ctime_ns": entry.ctime_ns,
            "detected_type": None,
            "extension_mismatch": 0,
            "link_target": entry.link_target,
            "run_id": run_id,
        },
    )


def record_analysis(
    db: Database, entry: WalkEntry, analysis: FileAnalysis, source: int, run_id: int
) -> tuple[str, int | None, bool]:
    """Write one analysed file (and its media, if new). Returns (file status, media id, new)."""
    media_id = None
    new_media = False
    status = analysis.status
    if analysis.digests is not None:
        media_id = media_id_for_sha256(db, analysis.digests.sha256)
        if media_id is not None:
            status = "duplicate"
        elif analysis.known_content:
            # the worker saw it in the case, yet it is gone: cannot happen without a rollback
            raise RuntimeError("content reported as known is not in the case")
        else:
            media_id = _insert_media(db, analysis, run_id)
            new_media = True
    _upsert_file(
        db,
        {
            "source_id": source,
            "path_raw": entry.path,
            "path": display_path(entry.path),
            "media_id": media_id,
            "status": status,
            "reason": analysis.reason if status != "duplicate" else None,
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "ctime_ns": entry.ctime_ns,
            "detected_type": analysis.detected_type,
            "extension_mismatch": int(analysis.extension_mismatch),
            "link_target": None,
            "run_id": run_id,
        },
    )
    return status, media_id, new_media


def _insert_media(db: Database, analysis: FileAnalysis, run_id: int) -> int:
    assert analysis.digests is not None
    exif = analysis.exif
    cursor = db.execute(
        "INSERT INTO media (sha256, md5, sha1, size, file_type, mime_type, status, reason,"
        " width, height, frames, exif, taken_at, camera_make, camera_model, camera_serial,"
        " gps_lat, gps_lon, thumbnail, first_run_id, duration)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            analysis.digests.sha256,
            analysis.digests.md5,
            analysis.digests.sha1,
            analysis.digests.size,
            analysis.detected_type,
            analysis.mime_type,
            analysis.status,
            analysis.reason,
            analysis.width,
            analysis.height,
            analysis.frames,
            json.dumps(exif, sort_keys=True) if exif else None,
            exif.get("datetime_original"),
            exif.get("make"),
            exif.get("model"),
            exif.get("serial_number"),
            exif.get("gps_latitude"),
            exif.get("gps_longitude"),
            analysis.thumbnail,
            run_id,
            analysis.video.duration if analysis.video else None,
        ],
    )
    media_id = int(cursor.lastrowid or 0)
    if analysis.video is not None:
        videos.record_video(db, media_id, analysis.video)
    if analysis.hashes:
        db.conn.executemany(
            "INSERT INTO perceptual_hashes (media_id, algorithm, variant, hash, quality)"
            " VALUES (?, ?, ?, ?, ?)",
            [(media_id, h.algorithm, h.variant, h.hex, h.quality) for h in analysis.hashes],
        )
    return media_id


# ---- reading ---------------------------------------------------------------------------------


def file_status_counts(db: Database) -> dict[str, int]:
    counts = dict.fromkeys(FILE_STATUSES, 0)
    for status, count in db.execute("SELECT status, COUNT(*) FROM files GROUP BY status"):
        counts[status] = count
    return counts


def type_counts(db: Database) -> dict[str, int]:
    rows = db.execute(
        "SELECT COALESCE(file_type, 'unknown'), COUNT(*) FROM media GROUP BY 1 ORDER BY 2 DESC"
    )
    return {file_type: count for file_type, count in rows}


def media_count(db: Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM media").fetchone()[0])


def sources(db: Database) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT s.id, s.path, s.added_at, COUNT(f.id) FROM sources s"
        " LEFT JOIN files f ON f.source_id = s.id GROUP BY s.id ORDER BY s.id"
    )
    return [{"id": i, "path": p, "added_at": a, "files": n} for i, p, a, n in rows]


def _media_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = (
        "id", "sha256", "md5", "sha1", "size", "file_type", "mime_type", "status", "reason",
        "width", "height", "frames", "exif", "duration",
    )  # fmt: skip
    data = dict(zip(keys, row, strict=True))
    data["exif"] = stored_json(data["exif"], {})
    return data


def iter_media(db: Database, status: str | None = None) -> Iterator[dict[str, Any]]:
    """Every media with its perceptual hashes and every file location, in id order.

    `status` filters by the media's decode status, or by "duplicate" for media found more than
    once.
    """
    where, params = "", []
    if status == "duplicate":
        where = " WHERE m.id IN (SELECT media_id FROM files WHERE status = 'duplicate')"
    elif status:
        where, params = " WHERE m.status = ?", [status]
    rows = db.execute(
        "SELECT m.id, m.sha256, m.md5, m.sha1, m.size, m.file_type, m.mime_type, m.status,"
        " m.reason, m.width, m.height, m.frames, m.exif, m.duration FROM media m"
        + where
        + " ORDER BY m.id",
        params,
    )
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(_media_dict(row))
        if len(batch) == 500:
            yield from _with_details(db, batch)
            batch = []
    yield from _with_details(db, batch)


def _with_details(db: Database, batch: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    if not batch:
        return batch
    ids = [m["id"] for m in batch]
    marks = ",".join("?" for _ in ids)
    by_id = {m["id"]: m for m in batch}
    for m in batch:
        m["perceptual_hashes"], m["files"] = [], []
    for media_id, algorithm, variant, value, quality in db.execute(
        f"SELECT media_id, algorithm, variant, hash, quality FROM perceptual_hashes"
        f" WHERE media_id IN ({marks}) ORDER BY media_id, algorithm, variant",
        ids,
    ):
        entry = {"algorithm": algorithm, "variant": variant, "hash": value}
        if quality is not None:
            entry["quality"] = quality
        by_id[media_id]["perceptual_hashes"].append(entry)
    for media_id, path, status, size, mtime_ns, mismatch in db.execute(
        f"SELECT media_id, path, status, size, mtime_ns, extension_mismatch"
        f" FROM files WHERE media_id IN ({marks}) ORDER BY media_id, id",
        ids,
    ):
        by_id[media_id]["files"].append(
            {
                "path": path,
                "status": status,
                "size": size,
                "mtime_ns": mtime_ns,
                "extension_mismatch": bool(mismatch),
            }
        )
    known.add_known(db, by_id)  # hash-set and package matches (issue 5)
    videos.add_video_fields(db, by_id)  # duration, frames kept, sound (issue 13)
    return batch


def raw_paths(db: Database, media_ids: Sequence[int]) -> dict[int, list[bytes]]:
    """The raw bytes of each media's file paths, in the order iter_media lists its files."""
    found: dict[int, list[bytes]] = {media_id: [] for media_id in media_ids}
    for start in range(0, len(media_ids), 500):
        chunk = list(media_ids[start : start + 500])
        marks = ",".join("?" for _ in chunk)
        for media_id, raw in db.execute(
            f"SELECT media_id, path_raw FROM files WHERE media_id IN ({marks})"
            " ORDER BY media_id, id",
            chunk,
        ):
            found[media_id].append(bytes(raw))
    return found


def iter_files_without_media(db: Database, status: str | None = None) -> Iterator[dict[str, Any]]:
    """Files with no media: unreadable ones, symbolic links, folders that could not be listed."""
    where, params = " WHERE media_id IS NULL", []
    if status:
        where, params = where + " AND status = ?", [status]
    for path, st, reason, link in db.execute(
        "SELECT path, status, reason, link_target FROM files" + where + " ORDER BY id", params
    ):
        yield {"path": path, "status": st, "reason": reason, "link_target": link}
