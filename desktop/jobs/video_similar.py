"""`vigil similar` for videos: the media of a case that share frames with a video (or a
picture that is a frame of one), from a media of the case or from a file, with the times of
the matching frames, in the shape the picture search answers in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from desktop.core.frame_hashes import kinds_of
from desktop.core.ingest import analyse_file
from desktop.core.similarity import DEFAULT_STRICTNESS, STRICTNESS
from desktop.core.video_match import PICTURE, Relation, Timeline, clock_span
from desktop.jobs.analysis_worker import MAX_DECODER_THREADS
from desktop.jobs.video_comparison import Query
from desktop.jobs.video_grouping import video_relations
from desktop.store import groups as group_store
from desktop.store.db import CaseError


def relations_of_media(db: Database, media_id: int) -> list[dict[str, Any]]:
    """What the case's other media are to one of its media, through video frames."""
    found = video_relations(db, STRICTNESS[DEFAULT_STRICTNESS], None, lambda: False,
                            of_media=media_id)  # fmt: skip
    return _described(db, media_id, [*_same(found.same), *found.inside])


def every_core() -> int:
    """Decoder threads for a query video: the only file decoded, on every core (up to the
    ingest's own cap)."""
    return max(1, min(MAX_DECODER_THREADS, os.cpu_count() or 1))


def file_query(path: Path, media_id: int) -> Query:
    """A file given by the analyst, analysed as ingest would (read-only), as a query."""
    analysis = analyse_file(os.fsencode(path), threads=every_core)
    if analysis.status == "unreadable":
        raise CaseError(f"Cannot read {path}: {analysis.reason}.")
    if analysis.status not in ("ok", "partial"):
        raise CaseError(f"Cannot use {path}: {analysis.reason or analysis.status}.")
    if analysis.video is not None:
        video = analysis.video
        kinds = kinds_of(media_id, packed=video.frame_hashes)
        times = np.frombuffer(video.frame_times, dtype="<i4") / 1000.0
        line = Timeline(media_id, times, np.ones(len(times), bool), video.duration or 0.0)
    else:
        kinds = kinds_of(media_id, hashes=analysis.hashes)
        line = Timeline(media_id, np.array([PICTURE]), np.ones(1, bool), 0.0)
    return Query(media_id, kinds, line)


def relations_of_file(db: Database, query: Query) -> list[dict[str, Any]]:
    found = video_relations(db, STRICTNESS[DEFAULT_STRICTNESS], None, lambda: False, query)
    return _described(db, query.media_id, [*_same(found.same), *found.inside])


def _same(matches: list[Any]) -> list[Relation]:
    return [
        Relation("same", m.media_a, m.media_b, m.distance, 0,
                 (m.time_a if m.time_a is not None else PICTURE,) * 2,
                 (m.time_b if m.time_b is not None else PICTURE,) * 2, m.explanation)
        for m in matches
    ]  # fmt: skip


def _described(db: Database, media_id: int, relations: list[Relation]) -> list[dict[str, Any]]:
    """Each other media once (its nearest relation), in the picture search's shape, with
    `relation` (same, contains: it contains the query, inside: it is shown inside the query)
    and the times of the matching frames (`time` in the query, `matched_time` in it)."""
    best: dict[int, dict[str, Any]] = {}
    for r in relations:
        if media_id not in (r.a, r.b):
            continue
        query_is_a = r.a == media_id
        other = r.b if query_is_a else r.a
        mine, theirs = (r.a_span, r.b_span) if query_is_a else (r.b_span, r.a_span)
        if r.kind == "same":
            kind, words = "same", r.explanation
        elif query_is_a:  # the query is inside the other
            kind = "contains"
            where = clock_span(theirs)
            words = f"contains this at {where}" if where else "contains this"
        else:
            kind = "inside"
            where = clock_span(mine)
            words = f"shown inside this at {where}" if where else "shown inside this"
        entry = group_store.media_summary(db, other) or {"media_id": other}
        entry.update(
            distance=r.distance,
            near_duplicate=True,
            reliable=True,
            explanation=words,
            relation=kind,
            time=None if mine[0] == PICTURE else mine[0],
            matched_time=None if theirs[0] == PICTURE else theirs[0],
        )
        if other not in best or r.distance < best[other]["distance"]:
            best[other] = entry
    return sorted(best.values(), key=lambda e: (e["distance"], e["media_id"]))
