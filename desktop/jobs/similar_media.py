"""`vigil similar` and the similar panel: the media of a case nearest to one of its media or to
a file, pictures by the picture engine with their confirmed crops, merged with video_similar's
frame relations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlite_utils import Database

from desktop.core.crops import crop_candidates_for
from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS, REGION_PREFIX
from desktop.core.hamming import hex_to_words
from desktop.core.media import (
    SNIFF_BYTES,
    VIDEO_TYPES,
    DecodeFailure,
    decode_reduced,
    sniff_type,
)
from desktop.core.pair_confirmation import PairJudge, taken_candidates, without_features
from desktop.core.pdq import pdq_hash
from desktop.core.picture_hashes import picture_hashes
from desktop.core.similar_ranking import rank_similar
from desktop.core.similarity import MIN_DETAIL, STRICTNESS, Columns, Fingerprints
from desktop.core.thumbnail_batch import ThumbnailBatch, thumbnail_pixels
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEW_ROW_BITS,
    VIEW_VARIANT,
)
from desktop.jobs.video_similar import file_query, relations_of_file, relations_of_media
from desktop.store import fingerprint_columns, videos
from desktop.store import groups as group_store
from desktop.store.db import CaseError
from desktop.store.media_view import thumbnails

CROP_CANDIDATES = 50  # nearest crop candidates confirmed for one similar-picture search


def _fingerprints(db: Database) -> Fingerprints:
    return fingerprint_columns.fingerprints(db)


def rank_media(
    fp: Fingerprints, media_id: int, top: int
) -> list[tuple[int, int, str, bool]] | None:
    """The engine's ranking for one media of `fp` (None when it has no fingerprint)."""
    rows = np.nonzero(fp.ids == media_id)[0]
    if len(rows) == 0:
        return None
    row = int(rows[0])
    detailed = fp.detail[row] >= MIN_DETAIL  # only detailed pictures have masked views
    return rank_similar(
        fp,
        fp.original[row],
        fp.oriented[row],
        int(fp.quality[row]),
        top,
        exclude=media_id,
        query_masked=fp.masked[row] if detailed else None,
        query_framed=bool(fp.framed[row]),
    )


def similar_to_media(db: Database, media_id: int, top: int) -> list[dict]:
    """The media of the case nearest to one of its media, nearest first: pictures by the
    picture engine, and media that share frames with it through videos (with their times)."""
    if videos.video_details(db, media_id) is not None:
        return relations_of_media(db, media_id)[:top]
    pictures = _similar_pictures(db, media_id, top)
    return _merged(pictures, relations_of_media(db, media_id), top)


def _merged(pictures: list[dict], frames: list[dict], top: int) -> list[dict]:
    """Picture results and frame relations, each media once (its nearest), nearest first."""
    by_media = {entry["media_id"]: entry for entry in pictures}
    for entry in frames:
        current = by_media.get(entry["media_id"])
        if current is None or entry["distance"] < current["distance"]:
            by_media[entry["media_id"]] = entry
    return sorted(by_media.values(), key=lambda e: e["distance"])[:top]


def _similar_pictures(db: Database, media_id: int, top: int) -> list[dict]:
    found = rank_media(_fingerprints(db), media_id, top)
    if found is None:
        if group_store.media_summary(db, media_id) is None:
            raise CaseError(f"There is no media {media_id} in this case.")
        raise CaseError(f"Media {media_id} is not a decodable picture: it has no fingerprint.")
    windows = _case_windows(db)
    rows, views, more = windows
    at = rows[0] == media_id
    mine, my_detail, my_views = rows[1][at], rows[2][at], views[1][views[0] == media_id]
    my_more = more[1][more[0] == media_id]
    pixels = thumbnails(db.conn, [media_id]).get(media_id)
    if len(mine) and pixels is not None:  # not for smooth or uniform pictures
        query = (mine[0], my_views[0] if len(my_views) else None,
                 my_more[0] if len(my_more) else None)  # fmt: skip
        detail, picture = int(my_detail[0]), thumbnail_pixels(pixels)
        framed = media_id in fingerprint_columns.framed_media(db)
        crops = _crops_of(db, windows, query, detail, picture, media_id, framed)
        found = _with_crops(found, crops, top)
    return _described(db, found)


def similar_to_file(db: Database, path: Path, top: int) -> list[dict]:
    """The media of the case nearest to a picture or video file given by the analyst."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise CaseError(f"Cannot read {path}: {error.strerror}.") from None
    query = file_query(path, fingerprint_columns.last_media_id(db) + 1)
    frames = relations_of_file(db, query)
    if sniff_type(head) in VIDEO_TYPES or not query.timeline.is_picture:
        return frames[:top]
    return _merged(_similar_picture_file(db, path, top), frames, top)


def _similar_picture_file(db: Database, path: Path, top: int) -> list[dict]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CaseError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        decoded = decode_reduced(data)
    except DecodeFailure as failure:
        raise CaseError(f"Cannot use {path} as a picture: {failure.reason}.") from None
    original_hex, _ = pdq_hash(np.asarray(decoded.image))
    # as ingest takes them (a picture inside a screenshot cut from the reduced decode, not the
    # 256 px copy): the query's region hashes must be the kind the case stores
    hashes, preview = picture_hashes(decoded.image, decoded.orientation)
    extra = {h.variant: h for h in hashes if h.algorithm == "pdq"}
    framed = any(h.variant.startswith(REGION_PREFIX) for h in hashes)
    original = hex_to_words([original_hex], 256)[0]
    oriented = hex_to_words([extra[v].hex for v in ORIENTATION_VARIANTS], 256)
    masked = None
    if all(v in extra for v in MASKED_VARIANTS):  # only detailed pictures have masked views
        masked = hex_to_words([extra[v].hex for v in MASKED_VARIANTS], 256)
    quality = extra["trim"].quality or 0
    found = rank_similar(
        _fingerprints(db),
        original,
        oriented,
        quality,
        top,
        query_masked=masked,
        query_framed=framed,
    )
    row = [h for h in hashes if h.algorithm == CROP_ALGORITHM and h.variant == CROP_VARIANT]
    more = [h.hex for h in hashes if h.algorithm == CROP_ALGORITHM and h.variant == VIEW_VARIANT]
    views = [h.hex for h in hashes if h.algorithm == "mask64"]
    if row:  # not for smooth or uniform pictures
        query = (
            hex_to_words([row[0].hex], CROP_ROW_BITS)[0],
            hex_to_words(views, 256)[0] if views else None,
            hex_to_words(more, VIEW_ROW_BITS)[0] if more else None,
        )
        detail = row[0].quality or 0
        query_id = fingerprint_columns.last_media_id(db) + 1  # no media has it
        crops = _crops_of(
            db, _case_windows(db), query, detail, np.asarray(preview), query_id, framed
        )
        found = _with_crops(found, crops, top)
    return _described(db, found)


def _case_windows(db: Database) -> tuple[Columns, Columns, Columns]:
    """The case's crop64 rows, mask64 rows and views rows: every picture's windows."""
    return (
        fingerprint_columns.crop_rows(db),
        fingerprint_columns.masked_coarse_columns(db),
        fingerprint_columns.view_rows(db),
    )


def _crops_of(
    db: Database,
    windows: tuple[Columns, Columns, Columns],
    query: tuple[np.ndarray, np.ndarray | None, np.ndarray | None],
    query_detail: int,
    pixels: np.ndarray,
    query_id: int,
    query_framed: bool,
) -> list[tuple[int, int, str]]:
    """(media id, distance, edit) of the pictures of the case (`windows`: _case_windows) that
    the query picture (its crop64 row, its masked views' hashes and its views row when it has
    them, its detail score, and its pixels, at most THUMBNAIL_SIDE; `query_id`: its media id,
    or an id no media has) is a confirmed crop of, or that are crops of it, confirmed as the
    grouping confirms crops (PairJudge)."""
    rule = STRICTNESS["normal"]
    rows, views, more = windows
    detail = dict(zip(rows[0].tolist(), rows[2].tolist(), strict=True))
    detail[query_id] = query_detail
    framed = fingerprint_columns.framed_media(db) | ({query_id} if query_framed else set())
    judge = PairJudge(rule, detail, framed, without_features(framed, detail))
    own, own_views, own_more = query
    candidates = crop_candidates_for(
        own, own_views, rows, views, rule.nominated, CROP_CANDIDATES, own_more, more
    )
    # as the grouping: beyond the rule's radius, corner views only, and their pixels decide
    windows_bits = np.array([(c[1], c[3]) for c in candidates], dtype=np.int64).reshape(-1, 2)
    kept, beyond = taken_candidates(rule, windows_bits[:, 0], windows_bits[:, 1])
    candidates = [(m, w, q, bool(n)) for (m, w, q, _), k, n
                  in zip(candidates, kept, beyond, strict=True) if k and m != query_id]  # fmt: skip
    stored = thumbnails(db.conn, sorted({m for m, *_ in candidates}))
    pictures = ThumbnailBatch(stored, decoded={query_id: pixels})
    found = []
    for media_id, window, query_is_crop, nominated in candidates:
        if media_id not in pictures:
            continue
        crop, original = (query_id, media_id) if query_is_crop else (media_id, query_id)
        distance, ok, edit = judge.confirm(pictures, crop, original, window, nominated)
        if ok:
            found.append((media_id, distance, edit))
    return found


def _with_crops(
    found: list[tuple[int, int, str, bool]], crops: list[tuple[int, int, str]], top: int
) -> list[tuple[int, int, str, bool]]:
    """The ranking with confirmed crops in it, each by its aligned distance where that is
    nearer than the whole pictures' (a crop is a reliable match: it was confirmed)."""
    ranked = {entry[0]: entry for entry in found}
    for media_id, distance, edit in crops:
        if media_id not in ranked or distance < ranked[media_id][1]:
            ranked[media_id] = (media_id, distance, edit, True)
    return sorted(ranked.values(), key=lambda entry: entry[1])[:top]


def _described(db: Database, found: list[tuple[int, int, str, bool]]) -> list[dict]:
    out = []
    for media_id, distance, explanation, reliable in found:
        entry = group_store.media_summary(db, media_id) or {"media_id": media_id}
        near = distance <= STRICTNESS["normal"].pdq and reliable
        entry.update(
            {
                "distance": distance,
                "near_duplicate": near,
                "explanation": explanation,
                "reliable": reliable,
                "relation": "same" if near else None,
                "time": None,
                "matched_time": None,
            }
        )
        out.append(entry)
    return out
