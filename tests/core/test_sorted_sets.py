"""The sort-based set helpers grouping uses in place of numpy's hashing unique/isin."""

from __future__ import annotations

import numpy as np

from desktop.core.sorted_sets import in_sorted, unique_pairs, unique_sorted


def test_unique_and_membership_agree_with_numpy() -> None:
    rng = np.random.default_rng(5)
    for size in (0, 1, 2, 50, 5000):
        values = -rng.integers(0, size // 3 + 2, size) << 12  # frame-like ids, repeats
        unique = unique_sorted(values)
        assert np.array_equal(unique, np.unique(values))
        probes = np.concatenate([values, rng.integers(-(size << 12) - 9, 9, 40)])
        assert np.array_equal(in_sorted(probes, unique), np.isin(probes, values))
        assert np.array_equal(in_sorted(probes, np.sort(values)), np.isin(probes, values))


def test_unique_pairs_agree_with_numpy() -> None:
    rng = np.random.default_rng(6)
    for size in (0, 1, 7, 3000):
        for high in (5, 1 << 20, 1 << 31):  # 1 << 31: past the packed key, numpy's own way
            pairs = rng.integers(0, high, (size, 2))
            assert np.array_equal(unique_pairs(pairs), np.unique(pairs, axis=0))
        negative = rng.integers(-9, 9, (size, 2))
        assert np.array_equal(unique_pairs(negative), np.unique(negative, axis=0))
