"""The chunk joins: every pair within their exact distance found, once, in blocks on all cores."""

from __future__ import annotations

import numpy as np

from desktop.core import hamming
from desktop.core.chunk_joins import FewHashes, PairedChunkIndex


def test_paired_chunk_index_finds_every_pair_within_four_bits_once():
    rng = np.random.default_rng(3)
    stored = rng.integers(0, 2**64 - 1, size=(3000, 1), dtype=np.uint64, endpoint=True)
    stored[2000:2040] = stored[7]  # a crowded bucket: more rows than a bucket's count holds
    stored[2040:2080] = 2**64 - 1  # and the last bucket of every table crowded
    queries = rng.integers(0, 2**64 - 1, size=2000, dtype=np.uint64, endpoint=True)
    for k in range(0, 2000, 3):  # near copies of stored hashes, 0-6 bits off
        value = int(stored[k % 3000, 0])
        for bit in rng.choice(64, k % 7, replace=False):
            value ^= 1 << int(bit)
        queries[k] = value
    queries[1], queries[2] = stored[7, 0] ^ np.uint64(5), (2**64 - 1) ^ (1 << 40)
    index = PairedChunkIndex(np.arange(3000), stored)
    rows, numbers, distances = index.join(queries, 6)
    found = list(zip(numbers.tolist(), rows.tolist(), strict=True))
    assert len(found) == len(set(found))  # each pair once
    all_distances = np.bitwise_count(queries[:, None] ^ stored[None, :, 0])
    expected = {(int(q), int(r)) for q, r in zip(*np.nonzero(all_distances <= 4), strict=True)}
    assert expected <= set(found)
    assert (distances == all_distances[numbers, rows]).all() and (distances <= 6).all()
    assert sum(1 for q, _ in found if q in (1, 2)) == 41 + 40  # every row of a crowded bucket


def test_few_hashes_find_every_query_within_four_bits(monkeypatch):
    monkeypatch.setattr(hamming, "BLOCK", 1024)  # five blocks of queries, on all cores
    rng = np.random.default_rng(4)
    few = rng.integers(0, 2**64 - 1, size=40, dtype=np.uint64, endpoint=True)
    queries = rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64, endpoint=True)
    for k in range(0, 5000, 11):
        value = int(few[k % 40])
        for bit in rng.choice(64, k % 6, replace=False):
            value ^= 1 << int(bit)
        queries[k] = value
    rows, numbers, distances = FewHashes(few).join(queries, 6)
    found = set(zip(numbers.tolist(), rows.tolist(), strict=True))
    all_distances = np.bitwise_count(queries[:, None] ^ few[None, :])
    expected = {(int(q), int(r)) for q, r in zip(*np.nonzero(all_distances <= 4), strict=True)}
    assert expected <= found and len(found) == len(numbers)
    assert (distances == all_distances[numbers, rows]).all() and (distances <= 6).all()
