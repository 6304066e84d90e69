"""What the grouping reads of videos: their frames' hashes as the engine's columns (frames as
subjects), fingerprints of the frames of chosen videos, and the videos' timelines."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlite_utils import Database

from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS, REGION_PREFIX
from desktop.core.frame_hashes import Kinds, columns, media_of
from desktop.core.similarity import Columns, Fingerprints, assemble
from desktop.core.windows import CROP_ALGORITHM, CROP_VARIANT
from desktop.store import fingerprint_columns, videos


def frame_columns(
    db: Database, algorithm: str, variant: str | None, bits: int,
    media_ids: Iterable[int] | None = None,
) -> Columns:  # fmt: skip
    """(subject ids, words, qualities) of one kind of frame hash, as hash_columns gives the
    pictures' (see core/frame_hashes.py)."""
    return columns(videos.packed_rows(db, algorithm, variant, media_ids), bits)


def video_ids(db: Database) -> np.ndarray:
    rows = db.execute("SELECT media_id FROM videos ORDER BY media_id")
    return np.array([r[0] for r in rows], dtype=np.int64)


def _joined(first: Columns, second: Columns) -> Columns:
    """Both columns' rows; one of them as it is when the other has none (a case of videos
    only: six million frames' rows are not copied for nothing)."""
    if not len(second[0]):
        return first
    if not len(first[0]):
        return second
    return (
        np.concatenate([first[0], second[0]]),
        np.concatenate([first[1], second[1]]),
        np.concatenate([first[2], second[2]]),
    )


def fingerprints(db: Database, media_ids: np.ndarray, extra: Kinds | None = None) -> Fingerprints:
    """Fingerprints of the given media: the pictures' own and every frame of the videos; and
    of one media not in the case (`extra`: its hashes by kind, see frame_hashes.kinds_of)."""
    media_ids = np.unique(media_ids)
    film = np.intersect1d(media_ids, video_ids(db))
    pictures = np.setdiff1d(media_ids, film)
    extra = extra or {}

    def kind(algorithm: str, variant: str | None, bits: int) -> Columns:
        own = fingerprint_columns.hash_columns(db, algorithm, variant, bits, pictures)
        found = _joined(own, frame_columns(db, algorithm, variant, bits, film.tolist()))
        for (a, v), columns_ in extra.items():
            if a == algorithm and variant in (None, v):
                found = _joined(found, columns_)
        return found

    coarse = kind("dct64", None, 64)
    # pictures and frames found inside a screenshot or collage (their trimmed hashes are of it)
    framed_pictures = [
        media for (media,) in db.execute(
            "SELECT DISTINCT media_id FROM perceptual_hashes WHERE algorithm = 'dct64'"
            " AND variant >= ? AND variant < ?", [REGION_PREFIX, REGION_PREFIX[:-1] + "/"])
    ]  # fmt: skip
    framed_ids = np.union1d(
        np.intersect1d(np.array(framed_pictures, dtype=np.int64), pictures),
        np.unique(columns(_region_rows(db, film), 64)[0]),
    )
    for (algorithm, variant), columns_ in extra.items():
        if algorithm == "dct64" and variant.startswith(REGION_PREFIX):
            framed_ids = np.union1d(framed_ids, columns_[0])
    found = assemble(
        kind("pdq", "original", 256),
        {name: kind("pdq", name, 256) for name in ORIENTATION_VARIANTS},
        coarse,
        {name: kind("pdq", name, 256) for name in MASKED_VARIANTS},
        framed_ids,
    )
    found.masked_coarse = kind("mask64", None, 256)
    return found


def _region_rows(db: Database, film: np.ndarray) -> list[tuple[int, bytes, bytes, bytes]]:
    """Packed dct64 rows of region variants (frames found inside a screenshot or collage)."""
    wanted = set(film.tolist())
    rows = db.execute(
        "SELECT media_id, frames, hashes, qualities FROM frame_hashes WHERE algorithm = 'dct64'"
        " AND variant >= ? AND variant < ?",
        [REGION_PREFIX, REGION_PREFIX[:-1] + "/"],
    )
    return [row for row in rows if row[0] in wanted]


def timelines(db: Database, media_ids: Iterable[int]) -> dict[int, tuple[list[float], float]]:
    """(kept frames' times, length) of those media that are videos; the length of a video cut
    short is what decoded (its last good time and a second), not what its header claims."""
    found = {}
    rows = videos.timeline_rows(db, sorted(set(int(m) for m in media_ids)))
    for media_id, times, duration, until in sorted(rows):
        if times:
            length = float(duration or times[-1])
            if until is not None:
                length = min(length, float(until) + 1.0)
            found[media_id] = (times, max(length, times[-1]))
    return found


def candidate_columns(db: Database, extra: Kinds | None = None) -> Columns:
    """The hash frames are joined on for candidates (core/frame_candidates.py): the upright
    trimmed PDQ of every frame and picture (and of the `extra` media), from the packed copy."""
    found = _joined(fingerprint_columns.packed_columns(db, "trim"),
                    fingerprint_columns.packed_columns(db, "frame_trim"))  # fmt: skip
    if extra and ("pdq", "trim") in extra:
        found = _joined(found, extra[("pdq", "trim")])
    return found


def orientation_free_columns(db: Database, extra: Kinds | None = None) -> Columns:
    """Every frame's and picture's dct64 hashes (all canonical forms; quality: detail)."""
    found = _joined(fingerprint_columns.packed_columns(db, "coarse"),
                    fingerprint_columns.packed_columns(db, "frame_coarse"))  # fmt: skip
    for (algorithm, _), columns_ in (extra or {}).items():
        if algorithm == "dct64":
            found = _joined(found, columns_)
    return found


def crop_key_columns(db: Database, extra: Kinds | None = None) -> Columns:
    """Every frame's whole hash and centred window's hash from its crop64 row ((n, 2) words,
    store.fingerprint_columns.CENTRE_WINDOW), from the packed copy: a centred crop of a video
    meets its original there (and the `extra` media's, when it is a video)."""
    found = fingerprint_columns.packed_columns(db, "frame_crop_keys")
    own = (extra or {}).get((CROP_ALGORITHM, CROP_VARIANT))
    if own is not None and (own[0] < 0).any():
        keys = np.ascontiguousarray(own[1][:, [0, fingerprint_columns.CENTRE_WINDOW]])
        found = _joined(found, (own[0], keys, own[2]))
    return found


__all__ = [
    "candidate_columns",
    "crop_key_columns",
    "fingerprints",
    "frame_columns",
    "media_of",
    "timelines",
]
