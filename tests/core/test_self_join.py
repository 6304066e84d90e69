"""The self-join of 64-bit hashes is exact: every pair within the radius once, nothing else."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core import self_join
from desktop.core.self_join import self_pairs


def _hashes(n: int, radius: int, seed: int) -> np.ndarray:
    """Random hashes with near copies 0 to radius + 2 bits off, and a run of equal ones."""
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**64 - 1, size=n, dtype=np.uint64, endpoint=True)
    for i in range(0, n - 3, 5):
        value = int(words[i])
        for bit in rng.choice(64, int(rng.integers(0, radius + 3)), replace=False):
            value ^= 1 << int(bit)
        words[i + 3] = value
    words[n // 2 : n // 2 + 6] = words[1]
    return words


def _brute(words: np.ndarray, radius: int) -> set[tuple[int, int, int]]:
    distances = np.bitwise_count(words[:, None] ^ words[None, :]).astype(np.int64)
    i, j = np.nonzero(np.triu(distances <= radius, k=1))
    return set(zip(i.tolist(), j.tolist(), distances[i, j].tolist(), strict=True))


@pytest.mark.parametrize("radius", [0, 4, 8, 10])
def test_every_pair_within_the_radius_once_through_the_tables(monkeypatch, radius):
    monkeypatch.setattr(self_join, "BRUTE_MAX", 10)  # the tables, not the small-case loop
    words = _hashes(3000, radius, seed=radius)
    i, j, distances = self_pairs(words, radius)
    found = list(zip(i.tolist(), j.tolist(), distances.tolist(), strict=True))
    assert len(found) == len(set(found))
    assert set(found) == _brute(words, radius)
    assert (i < j).all() and any(d == radius for d in distances.tolist())


def test_small_cases_compare_every_pair():
    words = _hashes(300, 8, seed=1)
    i, j, distances = self_pairs(words[:, None], 8)
    assert set(zip(i.tolist(), j.tolist(), distances.tolist(), strict=True)) == _brute(words, 8)
    empty = self_pairs(np.zeros(0, dtype=np.uint64), 8)
    assert all(len(column) == 0 for column in empty)


def test_a_long_run_of_equal_hashes_pairs_every_member_once(monkeypatch):
    monkeypatch.setattr(self_join, "BRUTE_MAX", 10)
    words = _hashes(3000, 4, seed=5)
    words[100:1100] = words[7]  # a thousand blank pictures alike
    i, j, distances = self_pairs(words, 4)
    found = list(zip(i.tolist(), j.tolist(), distances.tolist(), strict=True))
    assert len(found) == len(set(found)) and set(found) == _brute(words, 4)


@pytest.mark.parametrize("radius", [0, 2, 4, 8])
def test_a_few_hashes_against_many_find_every_pair_within_the_radius_once(radius):
    words = _hashes(3000, radius, seed=radius + 1)
    few = np.concatenate([words[:150:5], words[1:2]])  # near copies of some, one repeated
    f, m, distances = self_join.few_pairs(few, words, radius)
    found = list(zip(f.tolist(), m.tolist(), distances.tolist(), strict=True))
    assert len(found) == len(set(found))
    every = np.bitwise_count(few[:, None] ^ words[None, :]).astype(np.int64)
    expected = {(a, b, int(every[a, b])) for a, b in zip(*np.nonzero(every <= radius), strict=True)}
    assert set(found) == expected
    assert len(expected) > len(few) and any(d == radius for d in distances.tolist())
