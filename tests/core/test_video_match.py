"""How two media sharing frames relate, and the frame candidate join (no decoding)."""

from __future__ import annotations

import numpy as np

from desktop.core.frame_candidates import RUN_CAP, equal_chunk_pairs
from desktop.core.frame_hashes import subject_ids
from desktop.core.video_match import PICTURE, Timeline, relate


def _video(media_id: int, seconds: int) -> Timeline:
    times = np.arange(seconds, dtype=float)
    return Timeline(media_id, times, np.ones(seconds, bool), float(seconds))


def _picture(media_id: int) -> Timeline:
    return Timeline(media_id, np.array([PICTURE]), np.ones(1, bool), 0.0)


def _relate(first, second, pairs, edit="same picture (resized, recompressed or converted)"):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    return relate(first, second, a, b, np.full(len(a), 6), [edit] * len(a))


def test_same_video_even_with_frames_missing_in_between():
    matched = [(k, k) for k in range(0, 30, 2)]  # every other frame (a 2x faster copy's)
    relation = _relate(_video(1, 30), _video(2, 30), matched)
    assert relation.kind == "same" and "re-encoded" in relation.explanation


def test_speed_change_is_named():
    relation = _relate(_video(1, 30), _video(2, 20), [(k, int(k / 1.5)) for k in range(0, 30, 3)])
    assert relation.kind == "same" and "another speed (1.5x)" in relation.explanation


def test_clip_is_inside_its_video_with_both_spans():
    relation = _relate(_video(1, 5), _video(2, 60), [(k, 20 + k) for k in range(5)])
    assert (relation.kind, relation.a, relation.b) == ("inside", 1, 2)
    assert relation.a_span == (0.0, 5.0) and relation.b_span == (20.0, 25.0)


def test_compilation_contains_part_of_a_longer_video_and_a_lone_frame_is_nothing():
    relation = _relate(_video(1, 120), _video(2, 300), [(10 + k, 200 + k) for k in range(6)])
    assert (relation.kind, relation.a, relation.b) == ("inside", 1, 2)
    assert _relate(_video(1, 120), _video(2, 300), [(10, 200)]) is None


def test_a_picture_is_a_frame_of_a_video_or_a_still_video_of_it():
    relation = _relate(_picture(1), _video(2, 60), [(0, 12)])
    assert (relation.kind, relation.a, relation.b) == ("inside", 1, 2)
    assert relation.b_span[0] == 12.0 and relation.a_span[0] == PICTURE
    still = _relate(_picture(1), _video(2, 3), [(0, 0), (0, 1), (0, 2)])
    assert still.kind == "same" and still.explanation.startswith("still video")


def test_frames_meet_on_one_equal_chunk_of_their_hash_never_within_one_video():
    rng = np.random.default_rng(3)
    words = rng.integers(0, 2**63, size=(6, 4), dtype=np.uint64)
    words[3] = words[0] ^ np.array([1, 1, 1, 0], dtype=np.uint64)  # chunk 7 and 8 untouched
    words[1] = words[0]  # the same video: never paired
    ids = np.concatenate([subject_ids(5, np.arange(3)), subject_ids(6, np.arange(3))])
    found = {tuple(p) for p in equal_chunk_pairs(ids, words, 8).tolist()}
    expected = {tuple(sorted((int(ids[k]), int(ids[3])))) for k in (0, 1)}
    assert found == expected  # frames 0 and 1 of the first video are alike: not a pair
    new = np.array([False] * 5 + [True])
    assert len(equal_chunk_pairs(ids, words, 8, new)) == 0


def test_common_chunk_values_are_left_out():
    words = np.zeros((RUN_CAP + 1, 4), dtype=np.uint64)  # one value shared by very many
    ids = subject_ids(np.arange(1, RUN_CAP + 2), np.zeros(RUN_CAP + 1, dtype=np.int64))
    assert len(equal_chunk_pairs(ids, words, 8)) == 0
