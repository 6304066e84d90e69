"""The VICS export job: a case as one VICS 2.0 file (Case record, one Media per media)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop import __version__
from desktop.core.categories import default_scheme_name
from desktop.core.exif import tag_properties
from desktop.core.vics import FORMS, VPDQ_NAME, name_text, write_vics
from desktop.jobs.case_work import CaseWork, MediaWork
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit, items, videos
from desktop.store.db import get_info, now_iso


class ExportCancelled(Exception):
    """The analyst stopped the export; the partial file is removed."""


def _iso_from_ns(ns: int | None) -> str | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="seconds")


def _alternative_hashes(md5: str, media: dict[str, Any]) -> list[dict[str, Any]]:
    """SHA-256, then the picture's PDQ (`<hex>,<quality>`, as ThreatExchange writes a PDQ with
    its quality, so the quality rule of matching holds after a round trip) and pHash."""
    alternatives = [{"MD5": md5, "HashName": "SHA256", "HashValue": media["sha256"]}]
    for h in media["perceptual_hashes"]:
        if h["variant"] != "original" or h["algorithm"] not in ("pdq", "phash"):
            continue
        if h["algorithm"] == "pdq":
            quality = h.get("quality")
            value = h["hash"] if quality is None else f"{h['hash']},{int(quality)}"
            alternatives.append({"MD5": md5, "HashName": "PDQ", "HashValue": value})
        else:
            alternatives.append({"MD5": md5, "HashName": "pHash", "HashValue": h["hash"]})
    return alternatives + _vpdq(md5, media)


def _video_tags(media: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A video's length, as ExifTool names it (QuickTime:Duration, seconds)."""
    duration = media.get("duration")
    return [("QuickTime", "Duration", f"{duration:.3f}")] if duration else []


def _vpdq(md5: str, media: dict[str, Any]) -> list[dict[str, Any]]:
    """A video's kept frames, one AlternativeHashes entry each, HashName "vPDQ" and HashValue a
    line of a ThreatExchange vPDQ file (`<frame>,<quality>,<PDQ>,<seconds>`): readers that do not
    know the name skip it, Vigil and vPDQ tools read the frames back."""
    return [
        {"MD5": md5, "HashName": VPDQ_NAME, "HashValue": f"{n},{quality},{pdq},{seconds:.3f}"}
        for n, (seconds, pdq, quality) in enumerate(media.get("frame_pdqs") or [])
    ]


def _media_files(md5: str, files: list[dict[str, Any]], raw: list[bytes]) -> list[dict[str, Any]]:
    """Where the content was found: FileName the name, FilePath its folder (as other writers
    put them), both lossless for names that are not UTF-8 (vics.name_text)."""
    return [
        {
            "MD5": md5,
            "MediaFileID": index,
            "FileName": name_text(os.path.basename(path)),
            "FilePath": name_text(os.path.dirname(path)),
            "Written": _iso_from_ns(f["mtime_ns"]),
            "Unallocated": False,
            "Deleted": False,
        }
        for index, (f, path) in enumerate(zip(files, raw, strict=True), 1)
    ]


def vics_media(
    media: dict[str, Any], work: MediaWork, media_id: int, scheme: str, raw_paths: list[bytes]
) -> dict[str, Any]:
    """One VICS Media record from an items.iter_media row and the analyst's work on it.

    `raw_paths` are the bytes of the media's file paths, in the order of media["files"].
    RelativeFilePath (a media copy beside the JSON file) is left out: Vigil writes no copies,
    and an evidence path would leak the sender's folder layout.
    """
    md5 = media["md5"]
    pre = work.precategorisation(scheme)
    analyst = work.category is not None
    comments = [f"{c['kind']}: {c['label']}" + (f" ({c['note']})" if c["note"] else "")
                for c in work.clues]  # fmt: skip
    flags = [m["is_distributed"] for m in work.matches if m["is_distributed"] is not None]
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
        "DateUpdated": now_iso(),
        "AlternativeHashes": _alternative_hashes(md5, media),
        "Exifs": [
            {"MD5": md5, "PropertyName": name, "PropertyValue": value, "PropertyGroup": group}
            for group, name, value in tag_properties(media["exif"]) + _video_tags(media)
        ],
        "MediaFiles": _media_files(md5, media["files"], raw_paths),
    }


def _records(
    db: Database, progress: Progress, cancel: Cancel, total: int, scheme: str
) -> Iterator[dict[str, Any]]:
    work = CaseWork(db)
    batch: list[dict[str, Any]] = []
    done = 0

    def flush() -> Iterator[dict[str, Any]]:
        nonlocal done
        ids = [m["id"] for m in batch]
        found, raw = work.for_media(ids), items.raw_paths(db, ids)
        frames = videos.frame_pdqs(db, ids)
        for media in batch:
            media["frame_pdqs"] = frames.get(media["id"], [])
            done += 1
            yield vics_media(media, found[media["id"]], done, scheme, raw[media["id"]])
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
    form: str = "cases",
) -> dict[str, Any]:
    """Write the case as VICS 2.0 JSON to `out` (written beside it, then renamed: no half file).

    `form` is "cases" (a Case record holding the Media) or "media" (a bare hash set, for IPED's
    importer); see vics.FORMS."""
    if form not in FORMS:
        raise ValueError(f"Unknown VICS form {form!r}; use one of {', '.join(FORMS)}.")
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
            records = _records(db, progress, cancel, total, scheme)
            count = write_vics(handle, case, records, scheme, form)
        os.replace(partial, out)
    except ExportCancelled:
        partial.unlink(missing_ok=True)
        return {"cancelled": True, "media": 0, "path": str(out)}
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary = {"cancelled": False, "media": count, "path": str(out.resolve()), "scheme": scheme,
               "form": form}  # fmt: skip
    with db.atomic():
        audit.append(db, "export.vics", str(out.resolve()), after=summary)
    return summary
