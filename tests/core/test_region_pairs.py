"""region_pairs: pictures found inside screenshots joined with every picture on trimmed PDQ."""

from __future__ import annotations

import numpy as np

from desktop.core.region_pairs import chunk_join, region_pairs


def _flipped(words: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of (4,) words with `bits` random bits flipped."""
    out = words.copy()
    for bit in rng.choice(256, size=bits, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


def test_chunk_join_finds_every_pair_within_15_bits_and_nothing_beyond_the_radius():
    rng = np.random.default_rng(3)
    stored = rng.integers(0, 1 << 63, size=(300, 4), dtype=np.uint64) * np.uint64(2)
    near = np.stack([_flipped(stored[k], k % 16, rng) for k in range(100)])
    far = np.stack([_flipped(stored[k], 60, rng) for k in range(100, 150)])
    queries = np.concatenate([near, far, rng.integers(0, 1 << 63, (200, 4), dtype=np.uint64)])
    rows, numbers, distances = chunk_join(stored, queries, 40)
    truth = np.bitwise_count(stored[:, None] ^ queries[None]).sum(axis=-1)
    assert set(zip(rows.tolist(), numbers.tolist(), strict=True)) == {
        (k, k) for k in range(100)
    }  # the planted pairs within 15 bits, once each; none of those 60 bits apart
    assert (distances == truth[rows, numbers]).all()
    assert (truth[rows, numbers] <= 40).all()


def test_region_pairs_join_screenshots_with_every_picture_and_new_media_only_when_asked():
    rng = np.random.default_rng(4)
    photo, other = rng.integers(0, 1 << 63, size=(2, 4), dtype=np.uint64)
    ids = np.array([1, 2, 3, 4, 5])
    # 2 is a screenshot showing photo 1; 4 a screenshot of something else; 5 a copy of 1
    words = np.stack([photo, _flipped(photo, 20, rng), other, _flipped(other, 90, rng),
                      _flipped(photo, 6, rng)])  # fmt: skip
    trimmed = (ids, words, np.zeros(5, dtype=np.int64))
    framed = np.array([2, 4])
    a, b = region_pairs(trimmed, framed, 40)
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == {(1, 2), (2, 5)}
    # 1 and 5 meet through the first stage, not here: neither was found inside a screenshot
    a, b = region_pairs(trimmed, framed, 40, queries=np.array([5]))
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == {(2, 5)}
    a, b = region_pairs(trimmed, framed, 40, queries=np.array([2]))
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == {(1, 2), (2, 5)}
    a, b = region_pairs(trimmed, np.array([], dtype=np.int64), 40)
    assert len(a) == 0
