"""The matching job: mark media known (exact) or probably known (PDQ/pHash) from the library."""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlite_utils import Database

from desktop.core.fingerprints import ORIENTATION_VARIANTS
from desktop.core.hamming import HammingIndex, concatenated, hex_to_words
from desktop.core.hashing import AS_STORED
from desktop.core.pdq_distances import EDIT_NAMES
from desktop.core.similarity import DEFAULT_STRICTNESS, STRICTNESS
from desktop.jobs import known_frames
from desktop.jobs.job_callbacks import Cancel, Progress
from desktop.jobs.known_frames import Hit
from desktop.store import audit, hashlibrary, known, videos
from desktop.store.db import open_case

# PDQ distance: the similarity engine's "normal" strictness. A perceptual match is only
# "probably known", for the analyst to confirm, so the engine's usual strictness fits.
PDQ_MAX_DISTANCE = STRICTNESS[DEFAULT_STRICTNESS].pdq
# PDQ quality: ThreatExchange's convention for lists exchanged between agencies, on the scale
# of PDQ's quality of the whole picture (what ingest stores and PDQ lists carry); below it
# a picture is nearly uniform and its hash says little. (The similarity engine's own
# MIN_QUALITY is on another scale: the quality of a trimmed, reduced copy.)
PDQ_MIN_QUALITY = 50
# the stored PDQ forms a library hash is also compared with, and what a match on each says
PDQ_VARIANTS = (AS_STORED, *ORIENTATION_VARIANTS)
MATCHED_ON = {
    AS_STORED: "pdq (as the file stores it, EXIF orientation ignored)",
    "trim": "pdq (trimmed)",
    **{name: f"pdq (trimmed, {words})" for name, words in EDIT_NAMES.items()},
}
PHASH_MAX_DISTANCE = 6  # 64-bit pHash alone: strict, it has a quarter of PDQ's bits
BATCH_MEDIA = 1000
SCAN_PAIRS = 200_000_000  # up to this many (media x library hash) pairs, scan instead of index
_EXACT_ORDER = ("sha256", "sha1", "md5")  # strongest first: one record matched once


@dataclass
class MatchSummary:
    media_checked: int = 0
    known: int = 0
    known_good: int = 0
    probably_known: int = 0
    matches: int = 0
    disagreements: int = 0
    library_records: int = 0
    elapsed: float = 0.0
    cancelled: bool = False
    skipped: str | None = None  # why nothing was looked up (no library)
    sets: dict[str, int] = field(default_factory=dict)  # matches per set

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Library:
    """Lookups against the hash library, with perceptual indexes built once per run."""

    def __init__(self, db: Database, queries: int):
        self.db = db
        self.queries = queries  # how many case media this run matches
        self._indexes: dict[str, HammingIndex] = {}

    def index(self, algorithm: str) -> HammingIndex:
        if algorithm not in self._indexes:
            bits = 256 if algorithm == "pdq" else 64
            index = HammingIndex(bits)
            rows = hashlibrary.perceptual_hashes(self.db, algorithm, PDQ_MIN_QUALITY)
            while chunk := list(itertools.islice(rows, 50_000)):  # packed as read: memory flat
                index.add((r[0] for r in chunk), (r[1] for r in chunk))
            self._indexes[algorithm] = index
        return self._indexes[algorithm]

    def matches(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        seen: set[tuple[int, int]] = set()  # (media id, record id)
        for algorithm in _EXACT_ORDER:
            owners: dict[str, list[int]] = {}
            for media in batch:
                owners.setdefault(media[algorithm], []).append(media["id"])
            for digest, record_id, match in hashlibrary.exact_matches(
                self.db, algorithm, list(owners)
            ):
                for media_id in owners[digest]:
                    if (media_id, record_id) in seen:
                        continue
                    seen.add((media_id, record_id))
                    found.append(
                        {
                            **match,
                            "media_id": media_id,
                            "origin": "library",
                            "kind": "exact",
                            "matched_on": algorithm,
                            "distance": 0,
                        }  # fmt: skip
                    )
        # a video matched exactly by a set is not matched again by that set's frames of it
        exact = {(m["media_id"], m["set_name"]) for m in found}
        found += [
            m for m in self._perceptual(batch, seen)
            if not (m["matched_on"].startswith("vpdq") and (m["media_id"], m["set_name"]) in exact)
        ]  # fmt: skip
        return found

    def _search(
        self, index: HammingIndex, hexes: list[str], limit: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, query number, distance) of every stored hash within `limit` of a query.

        A few new media against a big library (matching after an ingest) scan the packed
        hashes directly: the index's lookup tables would cost more memory (about 500 MB for a
        million PDQ hashes) and time to build than the scan takes."""
        if self.queries * len(index) > SCAN_PAIRS:
            return index.join_words(hex_to_words(hexes, index.bits), limit)
        found = []
        for number, query in enumerate(hexes):
            distances = index.distances(query)
            rows = np.nonzero(distances <= limit)[0]
            found.append((rows, np.full(len(rows), number), distances[rows]))
        return concatenated(found)

    def _perceptual(
        self, batch: Sequence[dict[str, Any]], seen: set[tuple[int, int]]
    ) -> list[dict[str, Any]]:
        pdq_media = [
            m for m in batch
            if m["pdq"] and (m["pdq_quality"] is None or m["pdq_quality"] >= PDQ_MIN_QUALITY)
        ]  # fmt: skip
        # each query: (media id, what it matches on, hash, frame time or None for a picture).
        # PDQ: the upright picture's hash and every stored turned form of it (as the file
        # stores it, for lists made ignoring EXIF orientation; the trimmed picture in eight
        # orientations), each query named for what it matched on; and every kept frame of a
        # video, as good as a picture must be, with its time
        pdq_queries: list[tuple[int, str, str, float | None]] = [
            (m["id"], name, hex_, None)
            for m in pdq_media
            for name, hex_ in (("pdq", m["pdq"]), *m.get("pdq_variants", ()))
        ]
        pdq_queries += [
            (m["id"], "pdq", pdq, when) for m in batch for when, pdq, quality in m.get("frames", ())
            if quality >= PDQ_MIN_QUALITY
        ]  # fmt: skip
        phash_queries = [(m["id"], "phash", m["phash"], None) for m in batch if m["phash"]]
        hits: list[Hit] = []
        for algorithm, queries, limit in (
            ("pdq", pdq_queries, PDQ_MAX_DISTANCE),
            ("phash", phash_queries, PHASH_MAX_DISTANCE),
        ):
            index = self.index(algorithm)
            if not len(index) or not queries:
                continue
            rows, numbers, distances = self._search(index, [q[2] for q in queries], limit)
            record_ids = index.ids()[rows]
            for record_id, number, distance in zip(record_ids, numbers, distances, strict=True):
                media_id, matched_on, _, when = queries[number]
                hits.append(Hit(media_id, int(record_id), matched_on, int(distance), when))
        # nearest first; the upright hash first among equals
        hits.sort(key=lambda hit: (hit.media_id, hit.distance, hit.matched_on != "pdq"))
        records = hashlibrary.records_by_id(self.db, sorted({h.record_id for h in hits}))
        frames = Counter(q[0] for q in pdq_queries if q[3] is not None)  # looked up per video
        return known_frames.matches(hits, records, seen, frames, MATCHED_ON)


def _open_library(path: str | os.PathLike[str] | None) -> Database | None:
    if not hashlibrary.library_exists(path):
        return None  # never create the library just to find it empty
    return hashlibrary.open_library(path, create=False)


def match_media(
    db: Database,
    media_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    library: Database | None = None,
    library_path: str | os.PathLike[str] | None = None,
) -> MatchSummary:
    """Match media (all of the case when None) against the library and imported packages.

    Replaces the matches of the media it looks at; never touches the analyst's categories.
    """
    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    started = time.monotonic()
    summary = MatchSummary()
    own_library = library is None
    lib_db = _open_library(library_path) if own_library else library
    try:
        summary.library_records = hashlibrary.record_count(lib_db) if lib_db is not None else 0
        if not summary.library_records and not known.has_package_records(db):
            summary.skipped = "the hash library is empty and no case package was imported"
            if media_ids is None and known.media_with_matches(db):
                with db.atomic():  # every set was removed: old matches no longer hold
                    known.replace_matches(db, None, [])
            return summary
        _match(db, lib_db, media_ids, summary, progress, cancel)
    finally:
        if own_library and lib_db is not None:
            lib_db.close()
    summary.elapsed = time.monotonic() - started
    with db.atomic():
        audit.append(db, "known.match", "all media" if media_ids is None else
                     f"{len(media_ids)} media", after=summary.as_dict())  # fmt: skip
    progress(summary.media_checked, summary.media_checked, "Done")
    return summary


def _match(
    db: Database,
    lib_db: Database | None,
    media_ids: Sequence[int] | None,
    summary: MatchSummary,
    progress: Progress,
    cancel: Cancel,
) -> None:
    ids = list(media_ids) if media_ids is not None else known.media_ids(db)
    lookup = None
    if lib_db is not None and summary.library_records:
        lookup = _Library(lib_db, len(ids))
    for start in range(0, len(ids), BATCH_MEDIA):
        if cancel():
            summary.cancelled = True
            break
        chunk = ids[start : start + BATCH_MEDIA]
        batch = known.media_hashes(db, chunk)
        turned = known.pdq_variants(db, chunk, PDQ_VARIANTS)
        frames = videos.frame_pdqs(db, chunk)  # a video is looked up by its kept frames
        for media in batch:
            media["pdq_variants"] = turned.get(media["id"], [])
            media["frames"] = frames.get(media["id"], [])
        found = lookup.matches(batch) if lookup else []
        found += known.package_matches(db, chunk)
        with db.atomic():
            known.replace_matches(db, chunk, found)
        _count(summary, len(chunk), found)
        progress(summary.media_checked, len(ids), "Matching against the hash library")


def _count(summary: MatchSummary, checked: int, found: list[dict]) -> None:
    per_media: dict[int, list[dict[str, Any]]] = {}
    for match in found:
        per_media.setdefault(match["media_id"], []).append(match)
        summary.sets[match["set_name"]] = summary.sets.get(match["set_name"], 0) + 1
    summary.media_checked += checked
    summary.matches += len(found)
    for matches in per_media.values():
        status = known.known_status(matches)
        if status == "known":
            summary.known += 1
        elif status == "known_good":
            summary.known_good += 1
        elif status == "probably_known":
            summary.probably_known += 1
        summary.disagreements += int(known.disagreement(matches))


def match_after_ingest(db: Database, progress: Progress, cancel: Cancel) -> MatchSummary | None:
    """Match the media an ingest just added. Never raises: a failure here must not lose the
    ingest's work, so it is recorded in the audit log and `vigil match` can be run later."""
    try:
        if not hashlibrary.library_exists() and not known.has_package_records(db):
            return None  # nothing to match against: skip without opening anything
        new_media = known.media_of_unfinished_runs(db)
        if not new_media:
            return None
        progress(0, len(new_media), "Matching against the hash library")
        return match_media(db, new_media, progress, cancel)
    except Exception as error:  # noqa: BLE001 - any failure, reported and survived
        try:
            with db.atomic():
                audit.append(db, "known.match_failed", "after ingest", after={"error": str(error)})
        except Exception:  # noqa: BLE001 - the case itself is failing; ingest will report it
            pass
        return None


def match_case(
    case_path: str | os.PathLike[str],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MatchSummary:
    """Open a case and match all of it (for workers that need their own connection)."""
    db = open_case(case_path)
    try:
        return match_media(db, None, progress, cancel)
    finally:
        db.close()
