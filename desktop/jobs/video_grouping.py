"""Videos in the grouping job: candidate media pairs from frames that agree on a chunk of their
PDQ (or of the orientation-free dct64, or a whole hash and a centred window: a centred crop),
handed to jobs/video_comparison.py, which compares every frame of each pair and decides what
the two are to each other."""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from desktop.core.frame_candidates import equal_chunk_pairs
from desktop.core.frame_hashes import Kinds, media_of
from desktop.core.similarity import MIN_QUALITY, Columns, Rule
from desktop.jobs.job_callbacks import Cancel
from desktop.jobs.video_comparison import Query, VideoRelations, compare_media, owner_pairs
from desktop.store import video_groups, videos

# PDQ cut into 8 chunks of 32 bits: frames within 7 bits always share one, and at 20 bits
# nearly half of frame pairs do; a video needs one frame pair to meet. And the orientation-free
# 64-bit hashes (dct64: a mirrored or turned copy has the same) cut in 2: copies within a bit
# always meet, 2 bits apart half of them.
CANDIDATE_CHUNKS = 8
COARSE_CHUNKS = 2
MIN_EVIDENCE = 2  # frame pairs that must meet for two videos to be compared
VIDEO_RULES = (
    "videos v2: PDQ 8x32 and dct64 2x32 exact chunk, met pairs verified; centred crops"
    " (whole and centre window 2x32); pictures against every frame, and against the copies"
    " of the video they are in; same share 0.7, bridge 3 s"
)


def video_relations(
    db: Database,
    rule: Rule,
    new_after: int | None,
    cancel: Cancel,
    query: Query | None = None,
    of_media: int | None = None,
) -> VideoRelations:
    """Relations of media pairs one of which is a video: every such pair of the case, or
    only pairs with a media newer than `new_after` (an incremental run), with `of_media`, or
    with the `query` media."""
    extra = query.kinds if query else None
    if not videos.has_videos(db) and (query is None or query.timeline.is_picture):
        return VideoRelations()
    found = []
    frames: dict[int, int] = {}  # usable frames per media (its candidate subjects)
    focus = query.media_id if query else of_media
    for read, chunks, least in (  # read one kind at a time (six million frames: 300 MB)
        (video_groups.candidate_columns, CANDIDATE_CHUNKS, MIN_QUALITY),
        (video_groups.orientation_free_columns, COARSE_CHUNKS, 1),
    ):
        ids, words, quality = read(db, extra)
        usable = quality >= least  # PDQ quality; for dct64, detail (0: smooth or uniform)
        if not usable.all():
            ids, words = ids[usable], words[usable]
        del quality, usable
        owners = media_of(ids)
        if not frames:
            counted, counts = np.unique(owners, return_counts=True)
            frames = dict(zip(counted.tolist(), counts.tolist(), strict=True))
        new = _new(owners, new_after, focus)
        if new is not None and not new.any():
            continue
        found.append(equal_chunk_pairs(ids, words, chunks, new))
        if cancel():
            return VideoRelations()
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    crops = _crop_pairs(db, rule, new_after, focus, extra)
    crop_media = np.sort(crops[2], axis=1)
    if not len(pairs) and not len(crop_media):
        return VideoRelations()
    media_pairs = _supported(pairs, frames) if len(pairs) else np.zeros((0, 2), np.int64)
    media_pairs = np.unique(np.concatenate([media_pairs, crop_media]), axis=0)
    return compare_media(db, media_pairs, rule, cancel, query, pairs, crops)


def _new(owners: np.ndarray, new_after: int | None, focus: int | None) -> np.ndarray | None:
    """Which subjects are new (None: every pair is wanted)."""
    if focus is not None:
        return owners == focus
    return None if new_after is None else owners > new_after


def _crop_pairs(
    db: Database, rule: Rule, new_after: int | None, focus: int | None, extra: Kinds | None
) -> Columns:
    """The whole and centred window hashes ((n, 2) words, ids sorted) of the frames of videos
    with a frame whose whole hash is within the rule's crop bits of the other's centred
    window (a centred crop of it). Candidates are frames whose whole or centred hashes agree
    exactly on one 32-bit half, as the orientation-free join: a video needs one frame pair
    to meet, then every frame pair of the two is compared (video_comparison._Extra)."""
    ids, words, _ = video_groups.crop_key_columns(db, extra)
    none = (ids[:0], words[:0], np.zeros((0, 2), dtype=np.int64))
    if len(ids) and (ids[1:] < ids[:-1]).all():  # frames packed in media order: ids falling
        ids, words = ids[::-1], words[::-1]
    else:
        order = np.argsort(ids)
        ids, words = ids[order], words[order]
        del order
    new = None if new_after is None and focus is None else _new(media_of(ids), new_after, focus)
    if not len(ids) or (new is not None and not new.any()):
        return none
    both = np.concatenate([words[:, :1], words[:, 1:2]])  # a crop meets either key
    twice = None if new is None else np.concatenate([new, new])
    pairs = equal_chunk_pairs(np.concatenate([ids, ids]), both, COARSE_CHUNKS, twice)
    if not len(pairs):
        return none
    a, b = np.searchsorted(ids, pairs[:, 0]), np.searchsorted(ids, pairs[:, 1])
    a_in_b = np.bitwise_count(words[a, 0] ^ words[b, 1])
    b_in_a = np.bitwise_count(words[b, 0] ^ words[a, 1])
    met = np.minimum(a_in_b, b_in_a) <= rule.crop
    if not met.any():
        return none
    owners = media_of(pairs[met])
    involved = np.isin(media_of(ids), owners)
    return ids[involved], words[involved], owners


def through_copies(
    db: Database,
    rule: Rule,
    film: VideoRelations,
    groups: list[list[int]],
    cancel: Cancel,
) -> VideoRelations:
    """A picture found inside a video is compared with the other videos of that video's
    group too (its copies: re-encoded, resized, cropped...): a still or screenshot met one
    copy's frames by a chunk of its hash, but the frames of the others, each a few bits
    away, may share none."""
    if not film.inside:
        return VideoRelations()
    films = set(video_groups.video_ids(db).tolist())
    group_of = {m: k for k, members in enumerate(groups) for m in members}
    known = {(r.a, r.b) for r in film.inside}
    wanted = set()
    for relation in film.inside:
        if relation.a in films or relation.b not in group_of:
            continue
        for other in groups[group_of[relation.b]]:
            if other in films and (relation.a, other) not in known:
                wanted.add((min(relation.a, other), max(relation.a, other)))
    if not wanted:
        return VideoRelations()
    return compare_media(db, np.array(sorted(wanted), dtype=np.int64), rule, cancel)


def _supported(pairs: np.ndarray, frames: dict[int, int]) -> np.ndarray:
    """Media pairs met by at least two frame pairs (one, where a side has a single usable
    frame: a picture, a still video): a random 32-bit coincidence meets one frame pair, a
    shared stretch of video many."""
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)  # each frame pair once (both joins)
    media_pairs, evidence = np.unique(owner_pairs(pairs), axis=0, return_counts=True)
    fewest = np.array([min(frames.get(a, 1), frames.get(b, 1)) for a, b in media_pairs.tolist()])
    return media_pairs[evidence >= np.minimum(MIN_EVIDENCE, fewest)]
