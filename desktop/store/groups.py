"""Near-duplicate groups in the case: fingerprints in, groups out, strictness setting (audited)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS, REGION_PREFIX
from desktop.core.frame_hashes import columns as frame_columns
from desktop.core.frame_hashes import media_of
from desktop.core.similarity import (
    DEFAULT_STRICTNESS,
    SMALL_HASHES,
    STRICTNESS,
    Fingerprints,
    assemble,
)
from desktop.core.video_match import PICTURE, Relation
from desktop.core.video_meta import clock
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEW_ROW_BITS,
    VIEW_VARIANT,
    WINDOW_GRID,
    WINDOWS,
)
from desktop.store import audit, videos
from desktop.store.db import get_info, now_iso, set_info

STRICTNESS_KEY = "group_strictness"
BATCH_ROWS = 100_000
ID_BATCH = 900  # media ids per IN (...) lookup, under SQLite's parameter limit


def strictness(db: Database) -> str:
    """The case's grouping strictness (strict, normal or loose)."""
    value = get_info(db, STRICTNESS_KEY)
    return value if value in STRICTNESS else DEFAULT_STRICTNESS


def set_strictness(db: Database, value: str) -> None:
    """Change the case's grouping strictness; an analyst decision, so it is audited."""
    if value not in STRICTNESS:
        raise ValueError(f"unknown strictness {value!r}")
    before = strictness(db)
    if before == value:
        return
    with db.atomic():
        set_info(db, STRICTNESS_KEY, value)
        audit.append(db, "groups.strictness", "case", {"strictness": before}, {"strictness": value})


def hash_columns(
    db: Database,
    algorithm: str,
    variant: str | None,
    bits: int,
    media_ids: np.ndarray | None = None,
    after_media_id: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(media ids, hashes as (n, bits/64) uint64 words, qualities) of one kind of hash.

    `variant` None takes every variant; `media_ids` limits the read to those media, and
    `after_media_id` (when not 0) to media with a larger id, through the primary key: the few
    new media of an incremental run. Read in batches into arrays: a million pictures cost tens of
    megabytes, not the gigabytes the same rows take as Python tuples.
    """
    sql = "SELECT media_id, hash, quality FROM perceptual_hashes WHERE algorithm = ?"
    params: list[Any] = [algorithm]
    if after_media_id:  # '+': look the rows up by media id, not by algorithm
        sql = sql.replace("algorithm = ?", "media_id > ? AND +algorithm = ?")
        params.insert(0, after_media_id)
    if variant is not None:
        sql += " AND variant = ?"
        params.append(variant)
    conn = getattr(db, "conn", db)  # a sqlite_utils Database or a plain sqlite3 connection
    if media_ids is None:  # counted first: read into arrays of the right size, not a list of
        # parts joined at the end (which held every row twice: 540 MB for a million crop rows)
        count = conn.execute(sql.replace("media_id, hash, quality", "COUNT(*)"), params)
        out = _Filled(int(count.fetchone()[0]), bits)
        out.read(conn.execute(sql, params))
    else:
        out = _Filled(None, bits)
        for first in range(0, len(media_ids), ID_BATCH):
            batch = [int(m) for m in media_ids[first : first + ID_BATCH]]
            marks = ", ".join("?" for _ in batch)
            out.read(conn.execute(f"{sql} AND media_id IN ({marks})", [*params, *batch]))
    return out.columns()


class _Filled:
    """Hash rows read in batches into arrays: of a known size, filled in place; or parts
    joined at the end."""

    def __init__(self, size: int | None, bits: int):
        self._bits = bits
        self._size = size
        self._at = 0
        if size is None:
            self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        else:
            self._ids = np.zeros(size, np.int64)
            self._words = np.zeros((size, bits // 64), np.uint64)
            self._quality = np.zeros(size, np.int64)

    def read(self, cursor: Any) -> None:
        # wide rows (crop64's 34 hashes) in smaller batches: their hex text is what is held
        batch = min(BATCH_ROWS, max(2_000, BATCH_ROWS * 256 // self._bits))
        while rows := cursor.fetchmany(batch):
            media, hexes, quality = zip(*rows, strict=True)
            raw = bytes.fromhex("".join(hexes))
            del hexes
            words = np.frombuffer(raw, dtype=">u8").reshape(-1, self._bits // 64)
            ids = np.array(media, dtype=np.int64)
            qualities = np.array([q or 0 for q in quality], dtype=np.int64)
            if self._size is None:
                self._parts.append((ids, words.astype(np.uint64), qualities))
                continue
            end = min(self._size, self._at + len(ids))  # rows written since the count: left
            self._ids[self._at : end] = ids[: end - self._at]
            self._words[self._at : end] = words[: end - self._at]
            self._quality[self._at : end] = qualities[: end - self._at]
            self._at = end

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._size is not None:
            return self._ids[: self._at], self._words[: self._at], self._quality[: self._at]
        if not self._parts:
            words = np.zeros((0, self._bits // 64), np.uint64)
            return np.zeros(0, np.int64), words, np.zeros(0, np.int64)
        ids, words, quality = (np.concatenate(c) for c in zip(*self._parts, strict=True))
        return ids, words, quality


# The kinds of engine hash the grouping reads whole at every run: (algorithm, variant or
# None for all, bits a row). They are read from similarity_cache, a packed copy in blocks of
# media, and from perceptual_hashes for the media the copy does not hold yet.
# Kinds read from video frames (frame_hashes) carry this prefix: frames are read as subjects
# of the engine (core/frame_hashes.py), the candidate stage of videos reads them whole.
FRAMES = "frames:"
PACKED_KINDS: dict[str, tuple[str, str | None, int]] = {
    "coarse": ("dct64", None, 64),
    "masked": ("mask64", None, 256),
    "crop": (CROP_ALGORITHM, CROP_VARIANT, CROP_ROW_BITS),
    "views": (CROP_ALGORITHM, VIEW_VARIANT, VIEW_ROW_BITS),
    "trim": ("pdq", "trim", 256),
    "frame_trim": (FRAMES + "pdq", "trim", 256),
    "frame_coarse": (FRAMES + "dct64", None, 64),
    "frame_crop_keys": (FRAMES + CROP_ALGORITHM, CROP_VARIANT, 128),
}
FOR_VIDEOS = {"trim"}  # pictures' kinds that only the candidate stage of videos reads
# Of a frame's crop64 row the crop join of videos keeps two hashes: the whole frame's and its
# centred window's (a centred crop of 76-81% meets it); the rest stays in frame_hashes.
CENTRE_WINDOW = 1 + WINDOWS.index((1 + WINDOW_GRID // 2, 1 + WINDOW_GRID // 2))


def _rows_after(
    db: Database, algorithm: str, variant: str | None, bits: int, after: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """hash_columns of the media after `after`: pictures' rows, or video frames' packed rows."""
    if algorithm.startswith(FRAMES):  # read a block of videos at a time (bounded memory)
        kind = algorithm[len(FRAMES) :]
        parts = [frame_columns([], bits)]
        for block in videos.packed_row_blocks(db, kind, variant, after):
            if kind != CROP_ALGORITHM:
                parts.append(frame_columns(block, bits))
                continue
            ids, words, quality = frame_columns(block, CROP_ROW_BITS)
            parts.append((ids, np.ascontiguousarray(words[:, [0, CENTRE_WINDOW]]), quality))
            del words
        ids, words, quality = (np.concatenate(column) for column in zip(*parts, strict=True))
        return ids, words, quality
    return hash_columns(db, algorithm, variant, bits, after_media_id=after)


PACKED_LAYOUT_KEY = "similarity_cache_layout"
PACK_ROWS = 1 << 16  # rows a block holds at most (a million crop rows: 16 blocks of 18 MB)
SMALL_BLOCK = PACK_ROWS // 4  # blocks smaller than this (one per incremental run) ...
MAX_BLOCKS = 16  # ... are packed together when a kind has more than this many


def _layout() -> str:
    return repr(sorted(PACKED_KINDS.items()))


def packed_columns(
    db: Database, kind: str, pack_up_to: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """hash_columns of one of PACKED_KINDS for every media: the packed blocks, then the rows
    of the media after them. With `pack_up_to` (a media id), those rows up to that media are
    added to the packed copy from the arrays in hand (the grouping reads them anyway)."""
    algorithm, variant, bits = PACKED_KINDS[kind]
    covered, held = 0, 0
    current = get_info(db, PACKED_LAYOUT_KEY) == _layout()
    if current:
        covered, held = db.execute(
            "SELECT COALESCE(MAX(last_media_id), 0), COALESCE(SUM(length(ids)) / 8, 0)"
            " FROM similarity_cache WHERE kind = ?",
            [kind],
        ).fetchone()
    rest = _rows_after(db, algorithm, variant, bits, int(covered))
    columns = rest
    if held:  # filled block by block: each block's bytes let go once copied
        size = int(held) + len(rest[0])
        columns = (
            np.zeros(size, np.int64),
            np.zeros((size, bits // 64), np.uint64),
            np.zeros(size, np.int64),
        )
        at = 0
        for raw in db.execute(
            "SELECT ids, words, quality FROM similarity_cache WHERE kind = ?"
            " ORDER BY first_media_id",
            [kind],
        ):
            block = _block(raw, bits)
            for column, part in zip(columns, block, strict=True):
                column[at : at + len(block[0])] = part
            at += len(block[0])
        for column, part in zip(columns, rest, strict=True):
            column[at:] = part
        rest = (columns[0][at:], columns[1][at:], columns[2][at:])
    if pack_up_to is not None and (pack_up_to > covered or not current):
        _pack_rest(db, kind, rest, int(covered), pack_up_to)
    return columns


def _block(raw: tuple[bytes, bytes, bytes], bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One packed block's columns (views of its bytes)."""
    ids, words, quality = raw
    return (
        np.frombuffer(ids, np.int64),
        np.frombuffer(words, np.uint64).reshape(-1, bits // 64),
        np.frombuffer(quality, np.int64),
    )


def drop_packed(db: Database) -> None:
    """Forget the packed copy (a rebuild reads every row afresh, and packs them again)."""
    with db.atomic():
        db.execute("DELETE FROM similarity_cache")


def pack_new_rows(db: Database, up_to_media_id: int) -> None:
    """Bring the packed copy up to `up_to_media_id` for the kinds the run did not pack as it
    read them (a block per kind for the media since the last one). A new layout (the
    engine's rows changed) drops the copy first."""
    current = get_info(db, PACKED_LAYOUT_KEY) == _layout()
    films = videos.has_videos(db)
    for kind, (algorithm, variant, bits) in PACKED_KINDS.items():
        if kind in FOR_VIDEOS and not films:  # read by the video stage only: packed once a
            continue  # case has videos (a million pictures' PDQ rows parsed for nothing)
        covered = 0
        if current:
            covered = db.execute(
                "SELECT COALESCE(MAX(last_media_id), 0) FROM similarity_cache WHERE kind = ?",
                [kind],
            ).fetchone()[0]
        if covered >= up_to_media_id:
            continue
        rest = _rows_after(db, algorithm, variant, bits, int(covered))
        _pack_rest(db, kind, rest, int(covered), up_to_media_id)


def _pack_rest(
    db: Database,
    kind: str,
    rest: tuple[np.ndarray, np.ndarray, np.ndarray],
    covered: int,
    up_to: int,
) -> None:
    """Add the rows of the media after `covered` up to `up_to` to the packed copy, in blocks
    of at most PACK_ROWS rows; when small blocks pile up (one per incremental run), pack
    them together. A new layout drops the copy first."""
    with db.atomic():
        if get_info(db, PACKED_LAYOUT_KEY) != _layout():
            db.execute("DELETE FROM similarity_cache")
            set_info(db, PACKED_LAYOUT_KEY, _layout())
            covered = 0
        if up_to <= covered:
            return
        ids, words, quality = rest
        media = media_of(ids)  # a frame's media: see core/frame_hashes
        keep = (media > covered) & (media <= up_to)
        if not keep.all():  # else written from the arrays read: a copy of a million crop
            ids, words, quality = ids[keep], words[keep], quality[keep]  # rows is 270 MB
        _write_blocks(db, kind, ids, words, quality, covered + 1, up_to)
        small = db.execute(
            "SELECT MIN(first_media_id), COUNT(*) FROM similarity_cache WHERE kind = ?"
            " AND length(ids) < ?",
            [kind, SMALL_BLOCK * 8],
        ).fetchone()
        if small[1] <= MAX_BLOCKS:
            return
        # every block from the first small one on, read and written again as full blocks
        bits = PACKED_KINDS[kind][2]
        parts = [
            _block(raw, bits)
            for raw in db.execute(
                "SELECT ids, words, quality FROM similarity_cache WHERE kind = ?"
                " AND first_media_id >= ? ORDER BY first_media_id",
                [kind, small[0]],
            )
        ]
        db.execute(
            "DELETE FROM similarity_cache WHERE kind = ? AND first_media_id >= ?", [kind, small[0]]
        )
        ids, words, quality = (np.concatenate(c) for c in zip(*parts, strict=True))
        _write_blocks(db, kind, ids, words, quality, int(small[0]), up_to)


def _write_blocks(
    db: Database,
    kind: str,
    ids: np.ndarray,
    words: np.ndarray,
    quality: np.ndarray,
    first: int,
    last: int,
) -> None:
    """Rows of the media from `first` to `last` as blocks of at most PACK_ROWS rows (more
    when a media's rows would be cut), in media id order, each covering the media ids from the
    previous block's last on."""
    media = media_of(ids)  # a frame's media: see core/frame_hashes
    order = None
    if len(ids) and (media[1:] < media[:-1]).any():  # dct64's variants are read one by one
        order = np.argsort(media, kind="stable")
    ordered = media if order is None else media[order]
    start = 0
    while start < len(ids) or start == 0:
        end = min(len(ids), start + PACK_ROWS)
        if end < len(ids):  # never cut a media's rows
            end = int(np.searchsorted(ordered, ordered[end - 1], "right"))
        rows = slice(start, end) if order is None else order[start:end]
        block_last = last if end == len(ids) else int(ordered[end - 1])
        db.execute(
            "INSERT INTO similarity_cache (kind, first_media_id, last_media_id, ids, words,"
            " quality) VALUES (?, ?, ?, ?, ?, ?)",
            [kind, first, block_last, np.ascontiguousarray(ids[rows], dtype=np.int64).data,
             np.ascontiguousarray(words[rows], dtype=np.uint64).reshape(-1).data,
             np.ascontiguousarray(quality[rows], dtype=np.int64).data],
        )  # fmt: skip
        if end == len(ids):
            break
        start = end
        first = block_last + 1


def coarse_columns(
    db: Database, pack_up_to: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every dct64 hash: (media ids, (k, 1) words, detail scores), the grouping's first stage."""
    return packed_columns(db, "coarse", pack_up_to)


def masked_coarse_columns(
    db: Database, pack_up_to: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every mask64 row: (media ids, (k, 4) words, one per masked view, detail scores), for the
    first stage's second join, which finds copies under a watermark or sticker."""
    return packed_columns(db, "masked", pack_up_to)


def crop_rows(
    db: Database, pack_up_to: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every crop64 row: (media ids, (k, 1 + WINDOW_COUNT) words, the whole picture's hash then
    one per window, detail scores), for the join that finds crops."""
    return packed_columns(db, "crop", pack_up_to)


def view_rows(
    db: Database, pack_up_to: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every views row (windows.view_hashes): (media ids, (k, VIEW_COUNT) words, detail
    scores): corners, other-shape cuts and small turns, joined as crop windows too. Media
    fingerprinted before views existed (engine v5) have none."""
    return packed_columns(db, "views", pack_up_to)


def fingerprints(db: Database, media_ids: np.ndarray | None = None) -> Fingerprints:
    """Pictures' fingerprints (all, or those of `media_ids`) as arrays for the engine.

    Works on a plain read-only sqlite3 connection too (GUI workers). The fast way to load a
    big case: about 5 s for 200,000 pictures.
    """
    if media_ids is not None and len(media_ids) > last_media_id(db) // 5:
        media_ids = None  # most of the case: one pass over the table beats lookups by id
    framed = framed_media(db)
    return assemble(
        hash_columns(db, "pdq", "original", 256, media_ids),
        {name: hash_columns(db, "pdq", name, 256, media_ids) for name in ORIENTATION_VARIANTS},
        hash_columns(db, "dct64", None, 64, media_ids),
        {name: hash_columns(db, "pdq", name, 256, media_ids) for name in MASKED_VARIANTS},
        np.array(sorted(framed), dtype=np.int64),
        {name: hash_columns(db, name, "original", 64, media_ids) for name in SMALL_HASHES},
    )


def framed_media(db: Database) -> set[int]:
    """Media whose picture was found inside a screenshot or collage (few: read through the
    variant index; "/" is the character after the prefix's ".")."""
    conn = getattr(db, "conn", db)
    rows = conn.execute(
        "SELECT DISTINCT media_id FROM perceptual_hashes"
        " WHERE algorithm = 'dct64' AND variant >= ? AND variant < ?",
        [REGION_PREFIX, REGION_PREFIX[:-1] + "/"],
    )
    return {int(row[0]) for row in rows}


def last_media_id(db: Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM media").fetchone()[0])


def state(db: Database, level: str) -> tuple[int, str] | None:
    """(last media id grouped, engine) for a strictness, or None when never grouped."""
    row = db.execute(
        "SELECT last_media_id, engine FROM similarity_state WHERE strictness = ?", [level]
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def existing_groups(db: Database, level: str) -> list[list[int]]:
    rows = db.execute(
        "SELECT group_id, media_id FROM similarity_members WHERE strictness = ?"
        " ORDER BY group_id, media_id",
        [level],
    )
    groups: dict[int, list[int]] = {}
    for group_id, media_id in rows:
        groups.setdefault(group_id, []).append(media_id)
    return list(groups.values())


def _pixels(db: Database, media_ids: Iterable[int]) -> dict[int, int]:
    """Pixels (width x height, 0 when unknown) of each media, read in batches."""
    ids = sorted(set(media_ids))
    pixels: dict[int, int] = {}
    for first in range(0, len(ids), ID_BATCH):
        chunk = ids[first : first + ID_BATCH]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT id, COALESCE(width, 0) * COALESCE(height, 0) FROM media WHERE id IN ({marks})",
            chunk,
        )
        pixels.update((int(m), int(p)) for m, p in rows)
    return pixels


def _representative(pixels: dict[int, int], members: Sequence[int]) -> int:
    """The member with the most pixels (the best copy to look at), lowest id on ties."""
    return min(members, key=lambda m: (-pixels.get(m, 0), m))


# A member's nearest member: (matched media id, distance, explanation, the time of the
# matching frame in this member, and in the matched one; None for pictures)
Nearest = tuple[int, int, str, float | None, float | None]


def replace_groups(
    db: Database,
    level: str,
    groups: Sequence[Sequence[int]],
    nearest: dict[int, Nearest],
    last_id: int,
    engine: str,
) -> None:
    """Store the groups of one strictness (in one transaction), replacing the previous ones."""
    with db.atomic():
        db.execute("DELETE FROM similarity_members WHERE strictness = ?", [level])
        db.execute("DELETE FROM similarity_groups WHERE strictness = ?", [level])
        # every member's pixels in a few queries, not one query a group (ten thousand groups
        # at a million media)
        pixels = _pixels(db, (m for members in groups for m in members))
        first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM similarity_groups").fetchone()[0]
        db.conn.executemany(  # numbered here: two statements, not two per group
            "INSERT INTO similarity_groups (id, strictness, representative_media_id, size)"
            " VALUES (?, ?, ?, ?)",
            [(first + k, level, _representative(pixels, g), len(g)) for k, g in enumerate(groups)],
        )
        db.conn.executemany(
            "INSERT INTO similarity_members (strictness, media_id, group_id, matched_media_id,"
            " distance, explanation, time, matched_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(level, m, first + k, *nearest.get(m, (None,) * 5))
             for k, members in enumerate(groups) for m in members],
        )  # fmt: skip
        db.execute(
            "INSERT INTO similarity_state (strictness, last_media_id, updated_at, engine)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(strictness) DO UPDATE SET"
            " last_media_id = excluded.last_media_id, updated_at = excluded.updated_at,"
            " engine = excluded.engine",
            [level, last_id, now_iso(), engine],
        )


def nearest_edges(db: Database, level: str) -> dict[int, Nearest]:
    rows = db.execute(
        "SELECT media_id, matched_media_id, distance, explanation, time, matched_time"
        " FROM similarity_members WHERE strictness = ? AND matched_media_id IS NOT NULL",
        [level],
    )
    return {m: (o, d, e, t, mt) for m, o, d, e, t, mt in rows}


def iter_groups(db: Database, level: str) -> Iterator[list[dict[str, Any]]]:
    """Groups of one strictness, largest first, one at a time; each member with its sha256 and
    every path, the representative first, then the videos that contain a member (a clip's
    video, a compilation, a video a picture is a frame of) with `relation` "contains"."""
    group_rows = db.execute(
        "SELECT id, representative_media_id FROM similarity_groups WHERE strictness = ?"
        " ORDER BY size DESC, id",
        [level],
    ).fetchall()
    for group_id, representative in group_rows:
        members = db.execute(
            "SELECT s.media_id, m.sha256, m.width, m.height, s.matched_media_id, s.distance,"
            " s.explanation, m.duration, s.time, s.matched_time FROM similarity_members s"
            " JOIN media m ON m.id = s.media_id"
            " WHERE s.group_id = ? ORDER BY s.media_id != ?, s.media_id",
            [group_id, representative],
        ).fetchall()
        group = [_member(db, row, representative) for row in members]
        ids = {m["media_id"] for m in group}
        yield group + [c for c in containers(db, level, sorted(ids)) if c["media_id"] not in ids]


def containers(db: Database, level: str, media_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The media that contain any of `media_ids` (see core/video_match.py), once each, with
    what they contain: [{media_id, start, end (of the container), media_start, media_end,
    distance, frames, explanation}]."""
    found: dict[int, dict[str, Any]] = {}
    for first in range(0, len(media_ids), ID_BATCH):
        chunk = list(media_ids[first : first + ID_BATCH])
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            "SELECT c.container_id, m.sha256, m.width, m.height, m.duration, c.media_id,"
            " c.container_start, c.container_end, c.media_start, c.media_end, c.distance,"
            " c.frames, c.explanation FROM similarity_contains c"
            " JOIN media m ON m.id = c.container_id"
            f" WHERE c.strictness = ? AND c.media_id IN ({marks})"
            " ORDER BY c.container_id, c.media_id",
            [level, *chunk],
        )
        for row in rows:
            container, sha256, width, height, duration, inner = row[:6]
            start, end, inner_start, inner_end, distance, frames, explanation = row[6:]
            entry = found.get(container)
            if entry is None:
                entry = found[container] = {
                    "media_id": container,
                    "sha256": sha256,
                    "paths": _paths(db, container),
                    "width": width,
                    "height": height,
                    "duration": duration,
                    "representative": False,
                    "relation": "contains",
                    "matched_media_id": inner,
                    "distance": distance,
                    "explanation": _contains_words(inner, start, end, inner_start, inner_end),
                    "time": start,
                    "matched_time": inner_start,
                    "contains": [],
                }
            entry["contains"].append(
                {
                    "media_id": inner,
                    "start": start,
                    "end": end,
                    "media_start": inner_start,
                    "media_end": inner_end,
                    "distance": distance,
                    "frames": frames,
                    "edit": explanation,
                }
            )
    return list(found.values())


def _contains_words(
    inner: int, start: float, end: float, inner_start: float | None, inner_end: float | None
) -> str:
    """'frame at 0:12 shows media 7' or 'contains 0:03-0:09 of media 7 at 1:12-1:18'."""
    if inner_start is None:
        return f"frame at {clock(start)} shows media {inner}"
    return (
        f"contains {clock(inner_start)}-{clock(inner_end)} of media {inner}"
        f" at {clock(start)}-{clock(end)}"
    )


def replace_contains(
    db: Database, level: str, relations: Iterable[Relation], rebuild: bool
) -> None:
    """Store containment relations of one strictness: added to those stored (an incremental
    run finds only relations of new media), or replacing them all when `rebuild`."""
    with db.atomic():
        if rebuild:
            db.execute("DELETE FROM similarity_contains WHERE strictness = ?", [level])
        db.conn.executemany(
            "INSERT OR REPLACE INTO similarity_contains (strictness, container_id, media_id,"
            " container_start, container_end, media_start, media_end, distance, frames,"
            " explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    level,
                    r.b,
                    r.a,
                    r.b_span[0],
                    r.b_span[1],
                    _or_none(r.a_span[0]),
                    _or_none(r.a_span[1]),
                    r.distance,
                    r.frames,
                    r.explanation,
                )
                for r in relations
            ],  # fmt: skip
        )


def _or_none(seconds: float) -> float | None:
    return None if seconds == PICTURE else seconds


def contained_media(db: Database, level: str) -> list[int]:
    """Media some other media contains: each needs a group of its own to show it in."""
    rows = db.execute(
        "SELECT DISTINCT media_id FROM similarity_contains WHERE strictness = ?", [level]
    )
    return [int(r[0]) for r in rows]


def groups(db: Database, level: str) -> list[list[dict[str, Any]]]:
    """Every group of one strictness (see iter_groups), as a list."""
    return list(iter_groups(db, level))


def group_counts(db: Database, level: str) -> tuple[int, int]:
    """(groups, media in them) of one strictness."""
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM similarity_groups WHERE strictness = ?",
        [level],
    ).fetchone()
    return int(row[0]), int(row[1])


def _paths(db: Database, media_id: int) -> list[str]:
    return [p for (p,) in db.execute(
        "SELECT path FROM files WHERE media_id = ? ORDER BY path", [media_id])]  # fmt: skip


def _member(db: Database, row: tuple[Any, ...], representative: int) -> dict[str, Any]:
    media_id, sha256, width, height, matched, distance, explanation = row[:7]
    duration, time, matched_time = row[7:]
    return {
        "media_id": media_id,
        "sha256": sha256,
        "paths": _paths(db, media_id),
        "width": width,
        "height": height,
        "duration": duration,
        "representative": media_id == representative,
        "relation": "member",
        "matched_media_id": matched,
        "distance": distance,
        "explanation": explanation,
        "time": time,
        "matched_time": matched_time,
    }


def media_summary(db: Database, media_id: int) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, sha256, width, height, duration FROM media WHERE id = ?", [media_id]
    ).fetchone()
    if row is None:
        return None
    return {"media_id": row[0], "sha256": row[1], "width": row[2], "height": row[3],
            "duration": row[4], "paths": _paths(db, media_id)}  # fmt: skip


def member_edges(
    conn: Database | sqlite3.Connection, level: str, media_ids: Sequence[int]
) -> dict[int, tuple[int, int, str]]:
    """For media of a stack: the member each was matched to, the distance and what differs."""
    found: dict[int, tuple[int, int, str]] = {}
    ids = list(media_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT media_id, matched_media_id, distance, explanation FROM similarity_members"
            f" WHERE strictness = ? AND matched_media_id IS NOT NULL AND media_id IN ({marks})",
            [level, *chunk],
        )
        for media_id, matched, distance, explanation in rows:
            found[int(media_id)] = (int(matched), int(distance), str(explanation or ""))
    return found
