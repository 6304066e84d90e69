"""The grouping job: near-duplicate groups of a case, incremental as new media arrive."""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass

import numpy as np
from sqlite_utils import Database

from desktop.core.crop_confirmation import WHOLE
from desktop.core.fingerprints import FINGERPRINT_VERSION
from desktop.core.match_groups import group_matches, joined
from desktop.core.pair_confirmation import PairJudge, taken_candidates, without_features
from desktop.core.region_pairs import region_pairs
from desktop.core.similarity import (
    MIN_DETAIL,
    STRICTNESS,
    Columns,
    Match,
    Rule,
    candidate_pairs,
    settle_pairs,
)
from desktop.core.sorted_sets import unique_pairs, unique_sorted
from desktop.core.thumbnail_batch import ThumbnailBatch
from desktop.jobs.crop_candidates import crop_candidates
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.jobs.video_grouping import VIDEO_RULES, through_copies, video_relations
from desktop.store import audit, fingerprint_columns, window_files
from desktop.store import groups as group_store
from desktop.store.db import CaseError
from desktop.store.media_view import thumbnails

_RULES = sorted((k, *astuple(v)) for k, v in STRICTNESS.items())
THUMBNAIL_BATCH = 200  # thumbnails read at a time to confirm crops
ENGINE = f"{FINGERPRINT_VERSION}; rules {_RULES}; {VIDEO_RULES}"


@dataclass
class GroupingSummary:
    strictness: str
    media: int  # pictures with fingerprints
    queried: int  # of them, how many were new and looked up
    pairs: int  # accepted near-duplicate pairs found this run
    groups: int
    grouped_media: int
    elapsed: float
    incremental: bool
    cancelled: bool = False
    video_pairs: int = 0  # media pairs with a video compared frame by frame


def _nearest(matches: list[Match], known: dict[int, group_store.Nearest]) -> dict:
    nearest = dict(known)
    for match in matches:
        for this, other, when, other_when in (
            (match.media_a, match.media_b, match.time_a, match.time_b),
            (match.media_b, match.media_a, match.time_b, match.time_a),
        ):
            current = nearest.get(this)
            if current is None or match.distance < current[1]:
                nearest[this] = (other, match.distance, match.explanation, when, other_when)
    return nearest


def update_groups(
    db: Database,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    strictness: str | None = None,
    rebuild: bool = False,
) -> GroupingSummary:
    """Bring one strictness's groups up to date (the case's own strictness by default).

    Incremental: only media added since the last run are looked up against the whole case,
    and their matches are merged into the stored groups. A change of engine version, or
    `rebuild`, recomputes everything.
    """
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    level = strictness or group_store.strictness(db)
    if level not in STRICTNESS:
        raise CaseError(f"Unknown strictness {level!r}: use strict, normal or loose.")
    rule = STRICTNESS[level]
    started = time.monotonic()
    progress(0, 3, "Reading fingerprints")
    previous = group_store.state(db, level)
    incremental = previous is not None and previous[1] == ENGINE and not rebuild
    if rebuild:
        fingerprint_columns.drop_packed(db)
        window_files.drop(db)
    last_id = fingerprint_columns.last_media_id(db)
    # each kind read is added to the packed copy as it is read (pack_up_to)
    coarse = fingerprint_columns.coarse_columns(db, last_id)
    masked = fingerprint_columns.masked_coarse_columns(db, last_id)
    media = unique_sorted(coarse[0])  # np.unique hashes: 0.4 s for a million ids
    summary = GroupingSummary(level, len(media), 0, 0, 0, 0, 0.0, incremental)
    if cancel():
        summary.cancelled = True
        return summary
    progress(1, 3, "Finding near duplicates")
    if incremental:
        assert previous is not None
        new_media = media[media > previous[0]]
        summary.queried = len(new_media)
        if len(new_media) == 0 and previous[0] == last_id:
            summary.groups = len(group_store.existing_groups(db, level))
            summary.elapsed = time.monotonic() - started
            progress(3, 3, "Groups up to date")
            return summary
        a, b = (
            candidate_pairs(coarse, rule, new_media, masked) if len(new_media) else (media[:0],) * 2
        )
        a, b = _with_regions(db, rule, a, b, new_media)
        existing = group_store.existing_groups(db, level)
        known = group_store.nearest_edges(db, level)
    else:
        summary.queried = len(media)
        a, b = _with_regions(db, rule, *candidate_pairs(coarse, rule, None, masked))
        existing, known = [], {}
    del coarse  # not needed past the candidates (24 MB at a million)
    # the PDQ hashes are read only for pictures that are candidates of something
    involved = unique_sorted(np.concatenate([a, b]))
    matches, unsettled = (
        settle_pairs(fingerprint_columns.fingerprints(db, involved), a, b, rule)
        if len(a)
        else ([], np.zeros((0, 2), dtype=np.int64))
    )
    if cancel():
        summary.cancelled = True
        return summary
    queries = new_media if incremental else None
    matches += confirmed_crops(
        db, rule, queries, masked, existing, matches, cancel, unsettled, last_id
    )
    film = video_relations(db, rule, previous[0] if incremental and previous else None, cancel)
    matches += film.same
    if cancel():
        summary.cancelled = True
        return summary
    progress(2, 3, "Saving groups")
    found = group_matches(existing, matches)
    more = through_copies(db, rule, film, found, cancel)
    if more.same or more.inside:
        matches += more.same
        film.inside += more.inside
        found = group_matches(existing, matches)
    # what a video contains needs a group to be shown in, even with no other member
    contained = {r.a for r in film.inside}
    if incremental:
        contained.update(group_store.contained_media(db, level))
    grouped = {m for members in found for m in members}
    found += [[m] for m in sorted(contained - grouped)]
    group_store.replace_groups(db, level, found, _nearest(matches, known), last_id, ENGINE)
    group_store.replace_contains(db, level, film.inside, rebuild=not incremental)
    fingerprint_columns.pack_new_rows(db, last_id)
    summary.pairs = len(matches) + len(film.inside)
    summary.groups = len(found)
    summary.grouped_media = sum(len(g) for g in found)
    summary.video_pairs = film.candidates
    summary.elapsed = time.monotonic() - started
    with db.atomic():
        audit.append(db, "groups.update", f"strictness {level}", after=_audit_counts(summary))
    progress(3, 3, "Done")
    return summary


def _with_regions(
    db: Database, rule: Rule, a: np.ndarray, b: np.ndarray, queries: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs with those of pictures found inside screenshots (region_pairs:
    their trimmed PDQ against every picture's, for textures that the 64-bit hashes miss). The
    trimmed PDQ hashes are read only when the case has such pictures, and in an incremental
    run without new ones only those of the screenshots and the new media."""
    framed = np.array(sorted(fingerprint_columns.framed_media(db)), dtype=np.int64)
    if not len(framed) or (queries is not None and not len(queries)):
        return a, b
    wanted = None
    if queries is not None and not np.isin(queries, framed).any():
        wanted = np.union1d(framed, queries)
    trimmed = fingerprint_columns.hash_columns(db, "pdq", "trim", 256, wanted)
    more_a, more_b = region_pairs(trimmed, framed, rule.pdq, queries)
    if not len(more_a):
        return a, b
    pairs = unique_pairs(np.concatenate([np.stack([a, b], axis=1),
                                         np.stack([more_a, more_b], axis=1)]))  # fmt: skip
    return pairs[:, 0], pairs[:, 1]


def confirmed_crops(
    db: Database,
    rule: Rule,
    queries: np.ndarray | None,
    views: Columns,
    existing: list[list[int]],
    found: list[Match],
    cancel: Cancel,
    unsettled: np.ndarray,
    pack_up_to: int | None = None,
) -> list[Match]:
    """Crops (see core/crops.py): candidates from the window join (`views`: the mask64 rows,
    whose masked views are windows too), then the pairs the hashes could not settle
    (`unsettled`, both ways round, the whole picture as the window), that are not already
    together, confirmed on the two stored thumbnails, as closely as the PDQ rule asks (more
    closely for pictures mostly of one flat colour, as in verify_pairs). The rows read are
    added to the packed copy up to `pack_up_to` (crop_candidates)."""
    if queries is not None and not len(queries) and not len(unsettled):
        return []
    found_crops = crop_candidates(db, rule.nominated, queries, views, pack_up_to, ENGINE)
    crop, original, window, bits = (found_crops.crop, found_crops.original, found_crops.window,
                                    found_crops.bits)  # fmt: skip
    kept, beyond = taken_candidates(rule, window, bits)
    crop, original, window, beyond = crop[kept], original[kept], window[kept], beyond[kept]
    wanted = np.isin(found_crops.ids, np.concatenate([crop, original, unsettled.reshape(-1)]))
    detail = dict(zip(found_crops.ids[wanted].tolist(), found_crops.detail[wanted].tolist(),
                      strict=True))  # fmt: skip
    # local features match a screenshot's app window as well as its picture, and so do the
    # pixels: never asked about screenshots; features not about pictures mostly of one colour
    framed = fingerprint_columns.framed_media(db)
    judge = PairJudge(rule, detail, framed, without_features(framed, detail))
    # a crop meets the windows of every copy of its original: once one is confirmed, the
    # rest join nothing new and are not looked at
    together = joined(existing, found)
    # beyond the rule's radius the hashes only nominate, as for unsettled pictures mostly of
    # one colour (their PDQ rule is the strictest there is): the pixels decide
    todo = list(zip(crop.tolist(), original.tolist(), window.tolist(), beyond.tolist(),
                    strict=True))  # fmt: skip
    todo += [(int(x), int(y), WHOLE, min(detail.get(x, 0), detail.get(y, 0)) < MIN_DETAIL)
             for a, b in unsettled for x, y in ((a, b), (b, a))]  # fmt: skip
    matches: list[Match] = []
    for first in range(0, len(todo), THUMBNAIL_BATCH):
        if cancel():
            break
        batch = [(c, o, w, n) for c, o, w, n in todo[first : first + THUMBNAIL_BATCH]
                 if together.find(c) != together.find(o)]  # fmt: skip
        members = sorted({m for c, o, *_ in batch for m in (c, o)})
        pictures = ThumbnailBatch(thumbnails(db.conn, members))
        for c, o, w, nominated in batch:
            if together.find(c) == together.find(o):
                continue
            if c not in pictures or o not in pictures or c not in detail or o not in detail:
                continue
            distance, ok, edit = judge.confirm(pictures, c, o, w, nominated)
            if ok:
                matches.append(Match(min(c, o), max(c, o), distance, edit))
                together.union(c, o)
    return matches


def _audit_counts(summary: GroupingSummary) -> dict[str, object]:
    return {
        "media": summary.media,
        "queried": summary.queried,
        "pairs": summary.pairs,
        "groups": summary.groups,
        "incremental": summary.incremental,
    }


def update_groups_after_ingest(db: Database, progress: Progress, cancel: Cancel) -> None:
    """Called at the end of ingest: a grouping failure must never lose the ingest's work."""
    try:
        update_groups(db, progress, cancel)
    except Exception as error:  # noqa: BLE001 - groups can be rebuilt any time with `vigil groups`
        try:  # leave a trace of why the groups are behind
            with db.atomic():
                audit.append(db, "groups.failed", "after ingest", after={"error": repr(error)})
        except Exception:  # noqa: BLE001 - never let this lose the ingest
            pass
