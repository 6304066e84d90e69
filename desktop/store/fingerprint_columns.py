"""The case's fingerprints read as columns for the similarity engine, and their packed copy."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlite_utils import Database

from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS, REGION_PREFIX
from desktop.core.frame_hashes import columns as frame_columns
from desktop.core.frame_hashes import media_of
from desktop.core.similarity import SMALL_HASHES, Fingerprints, assemble
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEW_ROW_BITS,
    VIEW_VARIANT,
    WINDOW_GRID,
    WINDOWS,
)
from desktop.store import videos
from desktop.store.db import ID_BATCH, get_info, set_info

BATCH_ROWS = 100_000


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
