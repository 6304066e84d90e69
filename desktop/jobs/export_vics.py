"""The VICS export job: a case as one VICS 2.0 file (Case record, one Media per media)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.core.categories import default_scheme_name
from desktop.core.vics import write_vics
from desktop.jobs.case_work import CaseWork, MediaWork
from desktop.store import audit, items
from desktop.store.db import get_info, now_iso

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


class ExportCancelled(Exception):
    """The analyst stopped the export; the partial file is removed."""


def _iso_from_ns(ns: int | None) -> str | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="seconds")


def vics_media(
    media: dict[str, Any], work: MediaWork, media_id: int, scheme: str
) -> dict[str, Any]:
    """One VICS Media record from an items.iter_media row and the analyst's work on it."""
    md5 = media["md5"]
    pre = work.precategorisation(scheme)
    analyst = work.category is not None
    comments = [f"{c['kind']}: {c['label']}" + (f" ({c['note']})" if c["note"] else "")
                for c in work.clues]  # fmt: skip
    flags = [m["is_distributed"] for m in work.matches if m["is_distributed"] is not None]
    alternatives = [{"MD5": md5, "HashName": "SHA256", "HashValue": media["sha256"]}]
    for h in media["perceptual_hashes"]:
        if h["variant"] == "original" and h["algorithm"] in ("pdq", "phash"):
            name = "PDQ" if h["algorithm"] == "pdq" else "pHash"
            alternatives.append({"MD5": md5, "HashName": name, "HashValue": h["hash"]})
    first_path = media["files"][0]["path"] if media["files"] else None
    return {
        "MD5": md5,
        "SHA1": media["sha1"],
        "MediaID": media_id,
        "Category": work.category if analyst else (pre["category"] if pre else None),
        "IsPrecategorized": not analyst and pre is not None,
        "PrecategorizationSource": pre["set_name"] if pre and not analyst else None,
        "VictimIdentified": work.victim_identified(),
        "OffenderIdentified": work.offender_identified(),
        "IsDistributed": any(flags) if flags else None,
        "Series": work.series(),
        "Tags": ", ".join(work.tags) or None,
        "Comments": "; ".join(comments) or None,
        "MediaSize": media["size"],
        "MimeType": media["mime_type"],
        "RelativeFilePath": first_path,
        "DateUpdated": now_iso(),
        "AlternativeHashes": alternatives,
        "Exifs": [
            {"MD5": md5, "PropertyName": k, "PropertyValue": str(v), "PropertyGroup": "EXIF"}
            for k, v in sorted(media["exif"].items())
        ],
        "MediaFiles": [
            {
                "MD5": md5,
                "MediaFileID": index,
                "FileName": os.path.basename(f["path"]),
                "FilePath": f["path"],
                "Written": _iso_from_ns(f["mtime_ns"]),
                "Unallocated": False,
                "Deleted": False,
            }
            for index, f in enumerate(media["files"], 1)
        ],
    }


def _records(
    db: Database, progress: Progress, cancel: Cancel, total: int, scheme: str
) -> Iterator[dict[str, Any]]:
    work = CaseWork(db)
    batch: list[dict[str, Any]] = []
    done = 0

    def flush() -> Iterator[dict[str, Any]]:
        nonlocal done
        found = work.for_media([m["id"] for m in batch])
        for media in batch:
            done += 1
            yield vics_media(media, found[media["id"]], done, scheme)
        progress(done, total, "Writing VICS")
        if cancel():
            raise ExportCancelled

    for media in items.iter_media(db):
        batch.append(media)
        if len(batch) == 500:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def export_vics(
    db: Database,
    out: str | os.PathLike[str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict[str, Any]:
    """Write the case as VICS 2.0 JSON to `out` (written beside it, then renamed: no half file)."""
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    out = Path(out)
    total = items.media_count(db)
    case = {
        "CaseID": get_info(db, "case_id"),
        "CaseNumber": get_info(db, "case_number") or get_info(db, "case_id"),
        "ContactOrganization": get_info(db, "organization"),
        "ContactName": audit.current_user(),
        "TotalMediaFiles": total,
        "TotalPrecategorized": db.execute(
            "SELECT COUNT(DISTINCT media_id) FROM known_matches WHERE kind = 'exact'"
        ).fetchone()[0],
        "SourceApplicationName": "Vigil",
        "SourceApplicationVersion": __version__,
    }
    scheme = default_scheme_name()
    partial = out.with_name(out.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            count = write_vics(handle, case, _records(db, progress, cancel, total, scheme), scheme)
        os.replace(partial, out)
    except ExportCancelled:
        partial.unlink(missing_ok=True)
        return {"cancelled": True, "media": 0, "path": str(out)}
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary = {"cancelled": False, "media": count, "path": str(out.resolve()), "scheme": scheme}
    with db.atomic():
        audit.append(db, "export.vics", str(out.resolve()), after=summary)
    return summary
