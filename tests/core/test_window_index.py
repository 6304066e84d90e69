"""The window index finds every window within the radius of a query, exactly as comparing
every window does, after being written to disk and opened again; a damaged or foreign one
does not open."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core import window_index
from desktop.core.window_index import WindowIndex, WindowIndexWriter


def _flip(word: int, bits: int, rng: np.random.Generator) -> int:
    for bit in rng.choice(64, bits, replace=False):
        word ^= 1 << int(bit)
    return word


def _case(rng: np.random.Generator, n: int = 3000):
    """Three kinds of window (the last with unused zeros), whole hashes, and queries with
    windows planted 0-9 bits from them."""
    kinds = [
        (np.arange(1, n + 1), rng.integers(0, 2**64, size=(n, 5), dtype=np.uint64), 0),
        (np.arange(1, n + 1, 2), rng.integers(0, 2**64, size=(n // 2, 4), dtype=np.uint64), 5),
        (np.arange(2, n + 1, 3), rng.integers(0, 2**64, size=(n // 3, 3), dtype=np.uint64), 9),
    ]
    kinds[2][1][rng.random(kinds[2][1].shape) < 0.2] = 0
    queries = rng.integers(0, 2**64, size=60, dtype=np.uint64)
    for k, query in enumerate(queries[:50]):  # near one window each, kind by kind
        owners, words, _ = kinds[k % 3]
        row, column = rng.integers(0, len(owners)), rng.integers(0, words.shape[1])
        words[row, column] = np.uint64(_flip(int(query), k % 10, rng))
    return kinds, queries


def _brute(kinds, queries, radius):
    found = set()
    for owners, words, first in kinds:
        for q, query in enumerate(queries):
            distances = np.bitwise_count(words ^ query)
            for row, column in zip(*np.nonzero((distances <= radius) & (words != 0)), strict=True):
                found.add((q, int(owners[row]), first + int(column), int(distances[row, column])))
    return found


def _written(tmp_path, kinds, covered=10**9, stamp="case A"):
    writer = WindowIndexWriter(tmp_path / "idx", covered)
    for owners, words, first in kinds:
        writer.add_kind(owners, words, first)
    ids = np.arange(1, 3001)
    writer.add_wholes(ids, ids.astype(np.uint64) * 7, ids % 5)
    writer.finish(stamp)
    return tmp_path / "idx"


@pytest.mark.parametrize("radius", [4, 6, 8])
def test_search_finds_what_comparing_every_window_finds(tmp_path, monkeypatch, radius):
    monkeypatch.setattr(window_index, "BUILD_BLOCK", 1000)  # many blocks, in both halves
    monkeypatch.setattr(window_index, "REGION", 16384)  # many regions mapped in turn
    monkeypatch.setattr(window_index, "SEARCH_BATCH", 16)  # queries in several batches
    kinds, queries = _case(np.random.default_rng(radius))
    index = WindowIndex.open(_written(tmp_path, kinds), "case A")
    assert index is not None and index.covered == 10**9
    ids, q, distances = index.search(queries, radius)
    owners, numbers = index.windows_of(ids)
    found = set(zip(q.tolist(), owners.tolist(), numbers.tolist(), distances.tolist(),
                    strict=True))  # fmt: skip
    assert len(found) == len(ids)  # each window once
    expected = _brute(kinds, queries, radius)
    assert found == expected
    assert len(expected) >= 20
    assert index.whole_ids.tolist() == list(range(1, 3001))
    assert (index.whole_words == index.whole_ids.astype(np.uint64) * 7).all()


def test_windows_of_media_after_covered_are_left_out(tmp_path):
    kinds, queries = _case(np.random.default_rng(1))
    index = WindowIndex.open(_written(tmp_path, kinds, covered=1500), "case A")
    assert index is not None
    ids, _, _ = index.search(queries, 8)
    assert (index.windows_of(ids)[0] <= 1500).all()
    assert index.whole_ids.max() == 1500


def test_a_damaged_or_foreign_index_does_not_open(tmp_path):
    kinds, _ = _case(np.random.default_rng(2))
    folder = _written(tmp_path, kinds)
    assert WindowIndex.open(folder, "case B") is None  # another case's, or another engine's
    with open(folder / "ids1.u32", "r+b") as handle:
        handle.truncate(100)
    assert WindowIndex.open(folder, "case A") is None
    window_index.drop(folder)
    assert not folder.exists()
    assert WindowIndex.open(folder, "case A") is None
