"""The clue export job: read the source evidence, check it, write the crop and its sidecar;
a clue on a video is cut from the frame at its time, and a whole frame can be exported too."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlite_utils import Database

from desktop import __version__
from desktop.core.clue_export import EXPORT_FORMATS, crop_picture, encode_without_metadata, sidecar
from desktop.core.ingest import open_evidence, read_and_digest
from desktop.core.media import VIDEO_TYPES, DecodeFailure, decode_reduced
from desktop.core.regions import Region, RegionError
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.store import audit
from desktop.store.clues import get_clue
from desktop.store.db import get_info, now_iso

_SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


class ClueExportError(Exception):
    """An export the user can fix or must know failed; the message is one sentence."""


@dataclass(frozen=True)
class ClueExportResult:
    crop_path: Path
    sidecar_path: Path
    sidecar: dict[str, Any]


def case_reference(db: Database) -> str:
    """The case number the analyst set, else the case's id."""
    return get_info(db, "case_number") or get_info(db, "case_id") or "unknown"


def read_source(db: Database, media_id: int) -> tuple[bytes, str]:
    """The bytes of a media from the first evidence file that still holds exactly that content."""
    sha256 = db.execute("SELECT sha256 FROM media WHERE id = ?", [media_id]).fetchone()[0]
    paths = [
        row[0]
        for row in db.execute(
            "SELECT path_raw FROM files WHERE media_id = ? ORDER BY id", [media_id]
        )
    ]
    for path in paths:
        try:
            with open_evidence(bytes(path)) as handle:
                data = handle.readall()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == sha256:
            return data, sha256
    raise ClueExportError(
        f"None of the {len(paths)} evidence file(s) of media #{media_id} can be read with the "
        "content recorded at ingest (moved, changed or not mounted); run `vigil verify`."
    )


def read_frame(db: Database, media_id: int, seconds: float) -> tuple[Image.Image, str]:
    """The frame of a video at `seconds`, full size and upright, from the first evidence file
    that still holds exactly the content recorded (read once in chunks to check it, then
    decoded: a video is never held in memory), and its SHA-256."""
    sha256, file_type = db.execute(
        "SELECT sha256, file_type FROM media WHERE id = ?", [media_id]
    ).fetchone()
    if file_type not in VIDEO_TYPES:
        raise ClueExportError(f"Media #{media_id} is not a video.")
    paths = [
        bytes(row[0])
        for row in db.execute(
            "SELECT path_raw FROM files WHERE media_id = ? ORDER BY id", [media_id]
        )
    ]  # fmt: skip
    # here, not at the top: the CLI imports this module for every command, PyAV costs 0.1 s
    from desktop.core.video_decode import frame_at

    for path in paths:
        try:
            digests, head, _ = read_and_digest(path)
            if digests.sha256 != sha256:
                continue
            with open_evidence(path) as handle:
                frame = frame_at(handle, file_type, head, seconds)
        except OSError:
            continue
        except DecodeFailure as failure:
            raise ClueExportError(f"The video cannot be decoded there: {failure.reason}.") from None
        return frame.image, sha256
    raise ClueExportError(
        f"None of the {len(paths)} evidence file(s) of media #{media_id} can be read with the "
        "content recorded at ingest (moved, changed or not mounted); run `vigil verify`."
    )


def frame_region(db: Database, media_id: int, seconds: float, region: Region) -> Image.Image:
    """The region of a video's frame at `seconds`, cut as its export cuts it (no blackouts):
    what the clue export dialog shows (blurred) for blacking out parts."""
    picture, _ = read_frame(db, media_id, seconds)
    try:
        return crop_picture(picture, region).image
    except RegionError as error:
        raise ClueExportError(str(error)) from None


def _check_destination(db: Database, crop_path: Path, sidecar_path: Path, force: bool) -> None:
    if not crop_path.parent.is_dir():
        raise ClueExportError(f"The folder {crop_path.parent} does not exist.")
    for path in (crop_path, sidecar_path):
        if path.exists() and not force:
            raise ClueExportError(f"{path} already exists; choose another name or use --force.")
    target = os.path.realpath(crop_path.parent)
    for (source,) in db.execute("SELECT path_raw FROM sources"):
        folder = os.path.realpath(os.fsdecode(bytes(source)))
        if target == folder or target.startswith(folder.rstrip(os.sep) + os.sep):
            raise ClueExportError(
                "Exports are never written inside the evidence; choose a folder outside it."
            )


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def export_clue(
    db: Database,
    clue_id: int,
    out: str | os.PathLike[str],
    blackouts: Sequence[Region] = (),
    *,
    fmt: str | None = None,
    reference: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ClueExportResult:
    """Write the clue's region (of the frame at its time, on a video) as OUT (PNG or JPEG, from
    its suffix) and OUT's .json sidecar; audited as clue.export."""
    clue = get_clue(db, clue_id)
    if clue.region is None:
        raise ClueExportError(f"Clue #{clue_id} has no region; draw or give one to export it.")
    return _export(
        db, clue.media_id, clue.time, clue.region, blackouts, out, fmt=fmt, force=force,
        progress=progress, cancel=cancel, action="clue.export", target=f"clue:{clue_id}",
        described={"kind": clue.kind, "label": clue.label, "note": clue.note},
        reference=reference,
    )  # fmt: skip


def export_frame(
    db: Database,
    media_id: int,
    seconds: float,
    out: str | os.PathLike[str],
    *,
    note: str = "",
    reference: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ClueExportResult:
    """Write the whole frame of a video at `seconds` (pixels only, no metadata) and its
    sidecar; audited as frame.export."""
    row = db.execute("SELECT width, height FROM media WHERE id = ?", [media_id]).fetchone()
    if row is None or not row[0] or not row[1]:
        raise ClueExportError(f"The case has no video #{media_id} with a known frame size.")
    return _export(
        db, media_id, seconds, Region(0, 0, int(row[0]), int(row[1])), (), out, fmt=None,
        force=force, progress=progress, cancel=cancel, action="frame.export",
        target=f"media:{media_id}", reference=reference,
        described={"kind": "other", "label": f"frame at {seconds:.2f} s", "note": note},
    )  # fmt: skip


def _export(
    db: Database,
    media_id: int,
    seconds: float | None,
    region: Region,
    blackouts: Sequence[Region],
    out: str | os.PathLike[str],
    *,
    fmt: str | None,
    force: bool,
    progress: Progress | None,
    cancel: Cancel | None,
    action: str,
    target: str,
    described: dict[str, str],
    reference: str | None,
) -> ClueExportResult:
    progress = progress or (lambda done, total, message: None)
    crop_path = Path(out)
    fmt = fmt or _SUFFIX_FORMATS.get(crop_path.suffix.lower())
    if fmt not in EXPORT_FORMATS:
        raise ClueExportError("Name the crop file .png or .jpg (or give the format).")
    sidecar_path = crop_path.with_suffix(".json")
    _check_destination(db, crop_path, sidecar_path, force)
    progress(0, 3, "Reading the source picture")
    try:
        if seconds is not None:
            picture, sha256 = read_frame(db, media_id, seconds)
        else:
            data, sha256 = read_source(db, media_id)
            picture = decode_reduced(data, full=True).image
        if cancel is not None and cancel():
            raise ClueExportError("Export cancelled.")
        progress(1, 3, "Cutting out the region")
        crop = crop_picture(picture, region, blackouts)
    except DecodeFailure as failure:
        raise ClueExportError(f"The source picture cannot be decoded: {failure.reason}.") from None
    except RegionError as error:
        raise ClueExportError(str(error)) from None
    encoded = encode_without_metadata(crop.image, fmt)
    meta = sidecar(
        **described,
        case_reference=reference or case_reference(db),
        source_sha256=sha256,
        region=region,
        blackouts=crop.blackouts,
        crop_file=crop_path.name,
        crop_sha256=hashlib.sha256(encoded).hexdigest(),
        exported_at=now_iso(),
        tool_version=__version__,
        time=seconds,
    )
    progress(2, 3, "Writing the crop and its sidecar")
    text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    try:
        _write_atomically(crop_path, encoded)
        _write_atomically(sidecar_path, text.encode("utf-8"))
        with db.atomic():
            after = {**meta, "crop_path": str(crop_path.resolve())}
            audit.append(db, action, target, None, after)
    except BaseException as error:
        # an export the audit log does not record must not exist
        crop_path.unlink(missing_ok=True)
        sidecar_path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ClueExportError(f"Cannot write {crop_path}: {error.strerror or error}.") from None
        raise
    progress(3, 3, "Done")
    return ClueExportResult(crop_path, sidecar_path, meta)
