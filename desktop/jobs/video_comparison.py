"""Videos in the grouping job, the comparison: every frame of each candidate media pair
(jobs/video_grouping.py) against every frame of the other by the picture engine's rules (its
first stage, then verify_pairs; centred crops whole hash against centred window), and what
the two are to each other decided (core/video_match.py: the same content, or one inside the
other)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlite_utils import Database

from desktop.core.frame_hashes import Kinds, frame_of, media_of, subject_ids
from desktop.core.similarity import (
    MIN_QUALITY,
    Columns,
    Fingerprints,
    Match,
    Rule,
    verify_pairs,
)
from desktop.core.video_match import PICTURE, Relation, Timeline, relate
from desktop.jobs.job_callbacks import Cancel
from desktop.store import video_groups

PAIR_BATCH = 1_000_000  # frame pairs compared at a time (bounds the memory of a batch)


@dataclass
class Query:
    """A media not in the case (a file the analyst gives), as its hashes and timeline, under
    an id no media of the case has."""

    media_id: int
    kinds: Kinds
    timeline: Timeline


@dataclass
class VideoRelations:
    same: list[Match] = field(default_factory=list)  # grouped like two pictures
    inside: list[Relation] = field(default_factory=list)  # shown in the group of the inner
    candidates: int = 0  # media pairs compared frame by frame


def compare_media(
    db: Database,
    media_pairs: np.ndarray,
    rule: Rule,
    cancel: Cancel,
    query: Query | None = None,
    met: np.ndarray | None = None,
    crops: Columns | None = None,
) -> VideoRelations:
    """Every frame of each pair of media ((k, 2) ids) against every frame of the other, as
    far as the picture engine's first stage lets them through; the frame pairs that `met`
    in the candidate joins ((k, 2) subject ids) are verified too, and of the media pairs
    `crops` names (its third column), every frame pair is compared for a centred crop."""
    found = VideoRelations(candidates=len(media_pairs))
    involved = np.unique(media_pairs)
    in_case = involved[involved != query.media_id] if query else involved
    fp = video_groups.fingerprints(db, in_case, query.kinds if query else None)
    lines = _timelines(db, fp, in_case)
    if query is not None:
        lines[query.media_id] = _usable_timeline(query.timeline, _usable_subjects(fp))
    rows_of = _rows_by_media(fp)
    extra = _Extra(fp, met, crops, rule)
    batch: list[tuple[int, int]] = []
    size = 0
    for first, second in media_pairs.tolist():
        if first not in rows_of or second not in rows_of:
            continue
        batch.append((first, second))
        size += len(rows_of[first]) * len(rows_of[second])
        if size >= PAIR_BATCH:
            _compare_batch(fp, rows_of, lines, batch, rule, found, extra)
            batch, size = [], 0
            if cancel():
                return found
    if batch:
        _compare_batch(fp, rows_of, lines, batch, rule, found, extra)
    return found


def owner_pairs(pairs: np.ndarray) -> np.ndarray:
    """The media pairs (a < b) of subject pairs."""
    return np.sort(media_of(pairs), axis=1)


# A centred crop is found by 64-bit hashes, not PDQ: its bits stand in for PDQ's as a share of
# the hash (4 PDQ bits a bit), so the median distance of a relation reads alike.
CROP_SCALE = 4
CENTRED_CROP = "cropped (part of the picture kept)"


class _Extra:
    """Frame pairs found outside the first stage, by media pair (a < b): rows of fp that met
    in the candidate joins (verified like the first stage's), and centred crops: a frame whose
    whole hash is within the rule's crop bits of the other's centred window, both usable."""

    def __init__(self, fp: Fingerprints, met: np.ndarray | None, crops: Columns | None,
                 rule: Rule):  # fmt: skip
        self.met: dict[tuple[int, int], np.ndarray] = {}
        if met is not None and len(met):
            flip = media_of(met[:, 0]) > media_of(met[:, 1])
            met = np.where(flip[:, None], met[:, ::-1], met)
            known = np.isin(met, fp.ids).all(axis=1)
            rows = np.searchsorted(fp.ids, met[known])
            for key, at in _indexes_by_pair(owner_pairs(met[known])).items():
                self.met[key] = rows[at]
        self.rule = rule
        self.crop_pairs: set[tuple[int, int]] = set()
        self.keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if crops is not None and len(crops[0]):
            ids, words, media_pairs = crops
            usable = np.isin(ids, _usable_subjects(fp))
            ids, words = ids[usable], words[usable]
            self.crop_pairs = {(a, b) for a, b in np.sort(media_pairs, axis=1).tolist()}
            for media, at in _indexes_by(media_of(ids)).items():
                self.keys[media] = (ids[at], words[at])

    def crops(self, first: int, second: int) -> list[Match]:
        """The centred crops between the frames of two media (either inside the other)."""
        if (first, second) not in self.crop_pairs or first not in self.keys:
            return []
        if second not in self.keys:
            return []
        (ids_a, keys_a), (ids_b, keys_b) = self.keys[first], self.keys[second]
        a_in_b = np.bitwise_count(keys_a[:, :1] ^ keys_b[:, 1][None, :])
        b_in_a = np.bitwise_count(keys_a[:, 1:2] ^ keys_b[:, 0][None, :])
        bits = np.minimum(a_in_b, b_in_a)
        i, j = np.nonzero(bits <= self.rule.crop)
        return [
            Match(int(x), int(y), int(d) * CROP_SCALE, CENTRED_CROP)
            for x, y, d in zip(ids_a[i], ids_b[j], bits[i, j], strict=True)
        ]


def _indexes_by_pair(pairs: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Positions of `pairs` ((k, 2)) grouped by pair."""
    if not len(pairs):
        return {}
    values, inverse = np.unique(pairs, axis=0, return_inverse=True)
    groups = _indexes_by(inverse.ravel())
    return {(int(values[k, 0]), int(values[k, 1])): at for k, at in groups.items()}


def _rows_by_media(fp: Fingerprints) -> dict[int, np.ndarray]:
    return _indexes_by(media_of(fp.ids))


def _timelines(db: Database, fp: Fingerprints, media: np.ndarray) -> dict[int, Timeline]:
    """Each media's timeline; a frame is usable when it has fingerprints worth comparing."""
    stored = video_groups.timelines(db, media.tolist())
    usable = _usable_subjects(fp)
    lines = {}
    for media_id in media.tolist():
        if media_id in stored:
            times, duration = stored[media_id]
            line = Timeline(media_id, np.array(times), np.ones(len(times), bool), duration)
        else:
            line = Timeline(media_id, np.array([PICTURE]), np.ones(1, bool), 0.0)
        lines[media_id] = _usable_timeline(line, usable)
    return lines


def _usable_subjects(fp: Fingerprints) -> np.ndarray:
    """Sorted ids of the subjects whose fingerprints are worth comparing."""
    return np.sort(fp.ids[(fp.quality >= MIN_QUALITY) & (fp.detail > 0)])


def _usable_timeline(line: Timeline, usable: np.ndarray) -> Timeline:
    """The timeline with its usable frames (ids in the sorted `usable`) marked."""
    if line.is_picture:
        subjects = np.array([line.media_id], dtype=np.int64)
    else:
        subjects = subject_ids(line.media_id, np.arange(len(line.times)))
    at = np.minimum(np.searchsorted(usable, subjects), max(len(usable) - 1, 0))
    found = usable[at] == subjects if len(usable) else np.zeros(len(subjects), bool)
    return Timeline(line.media_id, line.times, found, line.duration)


def _compare_batch(
    fp: Fingerprints,
    rows_of: dict[int, np.ndarray],
    lines: dict[int, Timeline],
    batch: list[tuple[int, int]],
    rule: Rule,
    found: VideoRelations,
    extra: _Extra,
) -> None:
    first_stage = FirstStage(fp, rule)
    a_parts, b_parts = [], []
    for first, second in batch:
        if lines[first].is_picture or lines[second].is_picture:
            # a picture against a video's frames: every pair (a few dozen) is verified
            rows_a = np.repeat(rows_of[first], len(rows_of[second]))
            rows_b = np.tile(rows_of[second], len(rows_of[first]))
        else:
            rows_a, rows_b = first_stage.pairs(rows_of[first], rows_of[second])
        met = extra.met.get((first, second))
        if met is not None:
            both = np.unique(np.concatenate([np.stack([rows_a, rows_b], 1), met]), axis=0)
            rows_a, rows_b = both[:, 0], both[:, 1]
        a_parts.append(fp.ids[rows_a])
        b_parts.append(fp.ids[rows_b])
    matches = verify_pairs(fp, np.concatenate(a_parts), np.concatenate(b_parts), rule)
    matches += [m for first, second in batch for m in extra.crops(first, second)]
    owners_a = media_of(np.array([m.media_a for m in matches], dtype=np.int64)).tolist()
    owners_b = media_of(np.array([m.media_b for m in matches], dtype=np.int64)).tolist()
    per_pair: dict[tuple[int, int], list[Match]] = {}
    for match, first, second in zip(matches, owners_a, owners_b, strict=True):
        per_pair.setdefault((first, second), []).append(match)
    for (first, second), pair_matches in per_pair.items():
        relation = _relation(lines[first], lines[second], pair_matches)
        if relation is None:
            continue
        if relation.kind == "same":
            found.same.append(_as_match(relation, lines, pair_matches))
        else:
            found.inside.append(relation)


class FirstStage:
    """The picture engine's first stage between the frames of two media: dct64 within the
    rule's coarse bits, or one masked view's mask64 within its masked bits (as
    similarity.candidate_pairs joins pictures); only these frame pairs are verified."""

    def __init__(self, fp: Fingerprints, rule: Rule):
        self.rule = rule
        self.coarse, self.coarse_rows = fp.coarse[:, 0], fp.coarse_rows
        owners = media_of(fp.ids[fp.coarse_rows])
        self.coarse_of = _indexes_by(owners)
        self.views = np.zeros((len(fp.ids), 4), dtype=np.uint64)
        self.has_views = np.zeros(len(fp.ids), dtype=bool)
        if fp.masked_coarse is not None and len(fp.masked_coarse[0]):
            ids, words, _ = fp.masked_coarse
            at = np.searchsorted(fp.ids, ids)
            known = (at < len(fp.ids)) & (fp.ids[np.minimum(at, len(fp.ids) - 1)] == ids)
            self.views[at[known]] = words[known]
            self.has_views[at[known]] = True
        self.media_of_row = media_of(fp.ids)

    def pairs(self, rows_a: np.ndarray, rows_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows of a, rows of b) of the frame pairs of two media that pass the first stage."""
        found_a, found_b = [], []
        media_a, media_b = self.media_of_row[rows_a[0]], self.media_of_row[rows_b[0]]
        ca, cb = self.coarse_of.get(int(media_a)), self.coarse_of.get(int(media_b))
        if ca is not None and cb is not None:
            near = np.bitwise_count(self.coarse[ca][:, None] ^ self.coarse[cb][None, :])
            i, j = np.nonzero(near <= self.rule.coarse)
            found_a.append(self.coarse_rows[ca[i]])
            found_b.append(self.coarse_rows[cb[j]])
        va, vb = rows_a[self.has_views[rows_a]], rows_b[self.has_views[rows_b]]
        if len(va) and len(vb):
            views = np.bitwise_count(self.views[va][:, None, :] ^ self.views[vb][None, :, :])
            i, j = np.nonzero(views.min(axis=2) <= self.rule.masked_coarse)
            found_a.append(va[i])
            found_b.append(vb[j])
        if not found_a:
            return rows_a[:0], rows_b[:0]
        pairs = np.unique(np.stack([np.concatenate(found_a), np.concatenate(found_b)], 1), axis=0)
        return pairs[:, 0], pairs[:, 1]


def _indexes_by(owners: np.ndarray) -> dict[int, np.ndarray]:
    """Positions in `owners` grouped by value."""
    order = np.argsort(owners, kind="stable")
    values, starts = np.unique(owners[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    return {int(v): order[s:e] for v, s, e in zip(values, starts, ends, strict=True)}


def _frames(matches: list[Match]) -> tuple[np.ndarray, np.ndarray]:
    a = frame_of(np.array([m.media_a for m in matches], dtype=np.int64))
    b = frame_of(np.array([m.media_b for m in matches], dtype=np.int64))
    return np.maximum(a, 0), np.maximum(b, 0)  # a picture is its own frame 0


def _relation(first: Timeline, second: Timeline, matches: list[Match]) -> Relation | None:
    frame_a, frame_b = _frames(matches)
    distances = np.array([m.distance for m in matches])
    return relate(first, second, frame_a, frame_b, distances, [m.explanation for m in matches])


def _as_match(relation: Relation, lines: dict[int, Timeline], matches: list[Match]) -> Match:
    """The pair as the union-find takes it, with the times of its nearest frames."""
    best = min(matches, key=lambda m: m.distance)
    frame_a, frame_b = (int(f[0]) for f in _frames([best]))
    first, second = lines[relation.a], lines[relation.b]
    time_a = None if first.is_picture else float(first.times[frame_a])
    time_b = None if second.is_picture else float(second.times[frame_b])
    return Match(relation.a, relation.b, relation.distance, relation.explanation, time_a, time_b)
