"""The Hamming index is exact: same answers as brute force, at any radius and hash length."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.hamming import HammingIndex, popcount_rows, words_to_hex


def _hashes(bits: int, n: int, radius: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 1 << 63, size=(n, bits // 64), dtype=np.uint64) << np.uint64(1)
    words |= rng.integers(0, 2, size=(n, bits // 64), dtype=np.uint64)
    for i in range(0, n - 5, 7):  # planted near copies at distances around the radius
        words[i + 5] = words[i]
        for bit in rng.choice(bits, int(rng.integers(0, radius + 3)), replace=False):
            words[i + 5, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return words


def _index(words: np.ndarray) -> HammingIndex:
    index = HammingIndex(words.shape[1] * 64)
    index.add(range(100, 100 + len(words)), [words_to_hex(w) for w in words])
    return index


@pytest.mark.parametrize(("bits", "radius"), [(64, 4), (64, 10), (256, 15), (256, 31)])
def test_pairs_within_equals_brute_force(bits, radius):
    words = _hashes(bits, 700, radius, seed=bits + radius)
    got = sorted(_index(words).pairs_within(radius))
    expected = []
    for i in range(len(words)):
        distances = popcount_rows(words[i + 1 :] ^ words[i])
        for offset in np.nonzero(distances <= radius)[0]:
            expected.append((100 + i, 101 + i + int(offset), int(distances[offset])))
    assert got == sorted(expected)
    assert any(distance > 0 for _, _, distance in got)


@pytest.mark.parametrize("bits", [64, 256])
def test_query_nearest_first_and_exact(bits):
    words = _hashes(bits, 500, 20, seed=3)
    index = _index(words)
    query = words_to_hex(words[7])
    distances = popcount_rows(words ^ words[7])
    expected = sorted(
        ((100 + i, int(d)) for i, d in enumerate(distances) if d <= 20),
        key=lambda hit: (hit[1], hit[0]),
    )
    assert index.query(query, 20) == expected
    assert index.query(query, 20)[0] == (107, 0)


def test_added_later_is_found_and_empty_index_answers_nothing():
    index = HammingIndex(64)
    assert index.query("0" * 16, 10) == []
    assert list(index.pairs_within(5)) == []
    index.add([1], ["00000000000000ff"])
    index.add([2], ["00000000000000fe"])
    assert index.query("00000000000000ff", 1) == [(1, 0), (2, 1)]
    assert list(index.pairs_within(1)) == [(1, 2, 1)]
    assert len(index) == 2


def test_rejects_bad_lengths():
    with pytest.raises(ValueError):
        HammingIndex(100)
    with pytest.raises(ValueError):
        HammingIndex(64).add([1, 2], ["00" * 8])


def _brute_pairs(stored: np.ndarray, queries: np.ndarray, radius: int) -> set[tuple[int, int]]:
    distances = np.stack([popcount_rows(stored ^ q) for q in queries], axis=1)
    rows, numbers = np.nonzero(distances <= radius)
    return set(zip(rows.tolist(), numbers.tolist(), strict=True))


def test_a_few_stored_hashes_against_many_queries_is_exact():
    queries = _hashes(64, 3000, 6, seed=11)
    stored = np.concatenate([queries[5:8], _hashes(64, 2, 6, seed=12)])
    index = HammingIndex(64)
    index.add_words(np.arange(len(stored)), stored)
    rows, numbers, distances = index.join_words(queries, 6)
    found = set(zip(rows.tolist(), numbers.tolist(), strict=True))
    assert found == _brute_pairs(stored, queries, 6)
    assert (distances == popcount_rows(stored[rows] ^ queries[numbers])).all()


def test_a_search_exact_only_to_a_nearer_distance():
    words = _hashes(64, 4000, 8, seed=13)
    stored, queries = words[:2000], words[2000:]
    index = HammingIndex(64)
    index.add_words(np.arange(len(stored)), stored)
    rows, numbers, _ = index.join_words(queries, 8, exact_distance=4)
    found = set(zip(rows.tolist(), numbers.tolist(), strict=True))
    assert _brute_pairs(stored, queries, 4) <= found  # exact to 4 bits
    assert found <= _brute_pairs(stored, queries, 8)  # nothing beyond 8
    assert len(found) > len(_brute_pairs(stored, queries, 4))  # and some pairs 5-8 apart
