"""Videos in the case: writing what ingest learnt of one, and reading it back for the review
screens (details, kept frames' times, storyboards) without touching the evidence.

Readers take a sqlite_utils Database or a plain sqlite3 connection (the GUI's workers)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlite_utils import Database

from desktop.core.frame_hashes import PackedHashes
from desktop.core.media import VIDEO_TYPES
from desktop.store.browse import register_filter
from desktop.store.db import ID_BATCH, stored_json

if TYPE_CHECKING:
    from desktop.core.video_ingest import VideoAnalysis


def has_videos(db: Database) -> bool:
    """Whether any video of the case has kept frames."""
    return db.execute("SELECT 1 FROM frame_hashes LIMIT 1").fetchone() is not None


def record_video(db: Database, media_id: int, video: VideoAnalysis) -> None:
    """Write a video's description, storyboard and frame hashes (inside ingest's transaction)."""
    db.execute(
        "INSERT INTO videos (media_id, container, video_codec, audio_codec, duration, fps,"
        " coded_width, coded_height, rotation, frames_total, frames_decoded, decoded_until,"
        " frame_times, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            media_id,
            video.container,
            video.video_codec,
            video.audio_codec,
            video.duration,
            video.fps,
            video.coded_width,
            video.coded_height,
            video.rotation,
            video.frames_total,
            video.frames_decoded,
            video.decoded_until,
            video.frame_times,
            json.dumps(video.notes) if video.notes else None,
        ],
    )
    if video.storyboard is not None:
        db.execute(
            "INSERT INTO video_storyboards (media_id, times, strip, tile_width, tile_height)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                media_id,
                video.storyboard_times,
                video.storyboard,
                video.tile_width,
                video.tile_height,
            ],  # fmt: skip
        )
    db.conn.executemany(
        "INSERT INTO frame_hashes (media_id, algorithm, variant, frames, hashes, qualities)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (media_id, h.algorithm, h.variant, h.frames, h.hashes, h.qualities)
            for h in video.frame_hashes
        ],  # fmt: skip
    )


def _conn(db: Any) -> Any:
    return getattr(db, "conn", db)


def _rows_for(
    db: Any, sql: str, media_ids: Iterable[int], params: Sequence[Any] = ()
) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` (its `{marks}` the ids' placeholders, after `params`) for media ids,
    looked up in batches under SQLite's parameter limit."""
    ids = [int(m) for m in media_ids]
    conn = _conn(db)
    for first in range(0, len(ids), ID_BATCH):
        chunk = ids[first : first + ID_BATCH]
        marks = ", ".join("?" for _ in chunk)
        yield from conn.execute(sql.format(marks=marks), [*params, *chunk])


def _seconds(blob: bytes | None) -> list[float]:
    if not blob:
        return []
    return (np.frombuffer(blob, dtype="<i4") / 1000.0).tolist()


VIDEO_FIELDS = (
    "container", "video_codec", "audio_codec", "duration", "fps", "coded_width",
    "coded_height", "rotation", "frames_total", "frames_decoded", "decoded_until",
)  # fmt: skip


def video_details(db: Any, media_id: int) -> dict[str, Any] | None:
    """A video's description (None for a picture): duration (s), fps, width and height as
    shown (rotation applied), rotation, codecs, has_audio, kept frames, decoded_until (the
    last good time), status and reason (`partial` says why), notes of the frame selection."""
    row = (
        _conn(db)
        .execute(
            f"SELECT {', '.join('v.' + f for f in VIDEO_FIELDS)}, v.frame_times, v.notes,"
            " m.width, m.height, m.status, m.reason FROM videos v JOIN media m ON m.id = v.media_id"
            " WHERE v.media_id = ?",
            [media_id],
        )
        .fetchone()
    )
    if row is None:
        return None
    details = dict(zip(VIDEO_FIELDS, row, strict=False))
    frame_times, notes, width, height, status, reason = row[len(VIDEO_FIELDS) :]
    details.update(
        media_id=media_id,
        width=width,
        height=height,
        has_audio=details["audio_codec"] is not None,
        kept_frames=len(frame_times) // 4,
        status=status,
        reason=reason,
        notes=stored_json(notes, []),
    )
    return details


def kept_frame_times(db: Any, media_id: int) -> list[float]:
    """Seconds of each kept (hashed) frame, in order: frame number i is at index i."""
    row = (
        _conn(db)
        .execute("SELECT frame_times FROM videos WHERE media_id = ?", [media_id])
        .fetchone()
    )
    return _seconds(row[0]) if row else []


def timeline_rows(
    db: Any, media_ids: Iterable[int]
) -> Iterator[tuple[int, list[float], float | None, float | None]]:
    """(media id, kept frames' seconds, duration, decoded_until) of those media that are
    videos, looked up in batches (a few thousand videos: not a query each)."""
    sql = (
        "SELECT media_id, frame_times, duration, decoded_until FROM videos"
        " WHERE media_id IN ({marks})"
    )
    for media_id, times, duration, until in _rows_for(db, sql, media_ids):
        yield media_id, _seconds(times), duration, until


@dataclass(frozen=True)
class Storyboard:
    """Up to 16 frames spread over a video, stored so tiles can step through them without the
    evidence: `strip` is one JPEG holding the tiles left to right, each tile_width wide."""

    media_id: int
    times: list[float]  # seconds of each tile
    strip: bytes
    tile_width: int
    tile_height: int


def storyboards(db: Any, media_ids: Sequence[int]) -> dict[int, Storyboard]:
    """The storyboards of those media that have one (videos, animated pictures)."""
    found: dict[int, Storyboard] = {}
    for media_id, times, strip, width, height in _rows_for(
        db,
        "SELECT media_id, times, strip, tile_width, tile_height FROM video_storyboards"
        " WHERE media_id IN ({marks})",
        media_ids,
    ):
        found[media_id] = Storyboard(media_id, _seconds(times), bytes(strip), width, height)
    return found


def storyboard(db: Any, media_id: int) -> Storyboard | None:
    return storyboards(db, [media_id]).get(media_id)


def video_badges(db: Any, media_ids: Sequence[int]) -> dict[int, tuple[float | None, bool]]:
    """(duration in seconds, has sound) of those media that are videos: what a grid tile shows."""
    found: dict[int, tuple[float | None, bool]] = {}
    for media_id, duration, audio in _rows_for(
        db, "SELECT media_id, duration, audio_codec FROM videos WHERE media_id IN ({marks})",
        media_ids,
    ):  # fmt: skip
        found[media_id] = (duration, audio is not None)
    return found


def _packed_query(
    algorithm: str, variant: str | None, after_media_id: int
) -> tuple[str, list[Any]]:
    sql = "SELECT media_id, frames, hashes, qualities FROM frame_hashes WHERE algorithm = ?"
    params: list[Any] = [algorithm]
    if variant is not None:
        sql += " AND variant = ?"
        params.append(variant)
    if after_media_id:
        sql += " AND media_id > ?"
        params.append(after_media_id)
    return sql, params


def packed_rows(
    db: Any,
    algorithm: str,
    variant: str | None = None,
    media_ids: Iterable[int] | None = None,
    after_media_id: int = 0,
) -> list[tuple[int, bytes, bytes, bytes]]:
    """(media id, frames, hashes, qualities) of one kind of frame hash (every variant when
    `variant` is None), for every video, for `media_ids`, or for the videos after a media id."""
    sql, params = _packed_query(algorithm, variant, after_media_id)
    if media_ids is None:
        return list(_conn(db).execute(sql, params))
    sql += " AND media_id IN ({marks})"
    return list(_rows_for(db, sql, sorted(set(media_ids)), params))


def packed_row_blocks(
    db: Any, algorithm: str, variant: str | None, after_media_id: int = 0, size: int = 2048
) -> Iterator[list[tuple[int, bytes, bytes, bytes]]]:
    """packed_rows of one kind (every variant when `variant` is None) for the videos after a
    media id, `size` videos at a time, in the order of packed_rows: a hundred thousand
    videos' crop rows are 1.4 GB, read whole they were held three times over."""
    cursor = _conn(db).execute(*_packed_query(algorithm, variant, after_media_id))
    while block := cursor.fetchmany(size):
        yield block


def frame_hashes(db: Any, media_id: int) -> list[PackedHashes]:
    """Every packed kind of one video's frame hashes."""
    rows = _conn(db).execute(
        "SELECT algorithm, variant, frames, hashes, qualities FROM frame_hashes"
        " WHERE media_id = ? ORDER BY algorithm, variant",
        [media_id],
    )
    return [PackedHashes(a, v, bytes(f), bytes(h), bytes(q)) for a, v, f, h, q in rows]


def video_counts(db: Any) -> tuple[int, float]:
    """(videos, their total duration in seconds) in the case."""
    count, seconds = (
        _conn(db).execute("SELECT COUNT(*), COALESCE(SUM(duration), 0) FROM videos").fetchone()
    )
    return int(count), float(seconds)


def add_video_fields(db: Any, by_id: dict[int, dict[str, Any]]) -> None:
    """Attach "video" (None for pictures) to media dicts keyed by id (items._with_details):
    duration, fps, codecs, has_audio, rotation, kept frames and their times, last good time."""
    for media in by_id.values():
        media["video"] = None
    columns = ", ".join(VIDEO_FIELDS)
    sql = f"SELECT media_id, {columns}, frame_times FROM videos WHERE media_id IN ({{marks}})"
    for row in _rows_for(db, sql, by_id):
        fields = dict(zip(VIDEO_FIELDS, row[1:-1], strict=True))
        fields["has_audio"] = fields["audio_codec"] is not None
        fields["frame_times"] = _seconds(row[-1])
        fields["kept_frames"] = len(fields["frame_times"])
        by_id[row[0]]["video"] = fields


def frame_pdqs(db: Any, media_ids: Sequence[int]) -> dict[int, list[tuple[float, str, int]]]:
    """(seconds, PDQ hex, quality) of each kept frame of those media that are videos: what
    known-material matching looks up."""
    found: dict[int, list[tuple[float, str, int]]] = {}
    for media_id, frames, hashes, qualities, times in _rows_for(
        db,
        "SELECT f.media_id, f.frames, f.hashes, f.qualities, v.frame_times FROM frame_hashes f"
        " JOIN videos v ON v.media_id = f.media_id WHERE f.algorithm = 'pdq'"
        " AND f.variant = 'original' AND f.media_id IN ({marks})",
        media_ids,
    ):
        seconds = _seconds(times)
        numbers = np.frombuffer(frames, dtype="<u2").tolist()
        found[media_id] = [
            (seconds[n], bytes(hashes[32 * k : 32 * (k + 1)]).hex(), qualities[k])
            for k, n in enumerate(numbers)
            if n < len(seconds)
        ]
    return found


# A kept frame this many PDQ bits or more from the one kept before it starts a new scene:
# unrelated pictures are about 128 bits apart (86-88 across the cuts of the tests' generated
# shots); frames of one steady shot a second apart stay well under it. A fast pan counts as a
# new scene: "next scene" then stops inside it, which costs a key press, never a missed cut.
SCENE_BITS = 80


def scene_starts(db: Any, media_id: int) -> list[float]:
    """Seconds where a scene starts (the first kept frame, then each kept frame whose PDQ is
    far from the previous kept frame's): "next scene" in the player, marks on its timeline.
    Read from the stored frame hashes, never the evidence."""
    times = kept_frame_times(db, media_id)
    row = (
        _conn(db)
        .execute(
            "SELECT frames, hashes FROM frame_hashes WHERE media_id = ? AND algorithm = 'pdq'"
            " AND variant = 'original'",
            [media_id],
        )
        .fetchone()
    )
    if not times:
        return []
    if row is None:
        return [times[0]]
    frames = np.frombuffer(row[0], dtype="<u2").astype(np.int64)
    bits = np.unpackbits(np.frombuffer(row[1], dtype=np.uint8).reshape(len(frames), -1), axis=1)
    starts = [times[0]]
    for k in range(1, len(frames)):
        if int(np.count_nonzero(bits[k] != bits[k - 1])) >= SCENE_BITS and frames[k] < len(times):
            starts.append(times[int(frames[k])])
    return starts


def loudness(db: Any, media_id: int) -> bytes | None:
    """The stored loudness strip (core.loudness), None until it has been measured."""
    row = _conn(db).execute("SELECT loudness FROM videos WHERE media_id = ?", [media_id]).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def store_loudness(db: Database, media_id: int, strip: bytes) -> None:
    """Keep a measured loudness strip (a fact about the evidence, not an analyst's act: not
    audited, as ingest's own measurements are not)."""
    with db.atomic():
        db.execute("UPDATE videos SET loudness = ? WHERE media_id = ?", [strip, media_id])


# ---- the grid's "videos only" / "pictures only" filter ------------------------------------------

MEDIA_KINDS = ("videos", "pictures")
_VIDEO_MARKS = ", ".join(f"'{t}'" for t in VIDEO_TYPES)


def _media_kind(value: str) -> tuple[str, list[Any]]:
    """Videos are the video containers; animated pictures stay pictures. Both conditions read
    file_type, which every browse index holds."""
    if value == "videos":
        return f"m.file_type IN ({_VIDEO_MARKS})", []
    return f"(m.file_type IS NULL OR m.file_type NOT IN ({_VIDEO_MARKS}))", []


register_filter("media_kind", _media_kind)
