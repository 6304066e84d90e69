"""Unique values, unique pairs and membership over sorted numpy arrays, by sorts, not hashing."""

from __future__ import annotations

import numpy as np


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d array by a sort: numpy 2.4's np.unique hashes, 17 times slower than
    a sort on 360,000 frame ids (it made intersect1d and isin the costliest steps of
    grouping 100,000 videos)."""
    ordered = values if (values[1:] >= values[:-1]).all() else np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """np.unique(pairs, axis=0) of (k, 2) integer pairs, by a sort of one number a pair when
    both fit in 31 bits (media ids, rows): 0.12 s against 0.91 s for 1.3 million pairs."""
    if not len(pairs) or pairs.min() < 0 or pairs.max() >= 1 << 31:
        return np.unique(pairs, axis=0)
    key = unique_sorted((pairs[:, 0].astype(np.int64) << 32) | pairs[:, 1])
    return np.stack([key >> 32, key & 0xFFFFFFFF], axis=1).astype(pairs.dtype)


def in_sorted(values: np.ndarray, unique: np.ndarray) -> np.ndarray:
    """np.isin(values, unique) for `unique` sorted."""
    if not len(unique):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(unique, values), len(unique) - 1)
    return unique[at] == values
