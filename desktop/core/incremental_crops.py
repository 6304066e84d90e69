"""The crop join of an incremental grouping: its few new pictures against every window and
every whole-picture hash of the case, through the window index (core/window_index.py).

The full join (crops.crop_pairs at a case's size, PairedChunkIndex) pairs a whole-picture hash
with a window when they are within the radius and agree exactly on two of the index's six
chunks (all pairs within four bits do). Here each way round finds a superset, and
`paired_agree` keeps exactly those pairs, so an incremental run's candidates are the ones a
full rebuild would find for the same pictures:

- new pictures as crops: their whole-picture hashes searched in the window index (exact
  within the radius) and compared with every window of the media the index does not cover
  yet (the side: this run's new media and those of runs since the index was written);
- new pictures as originals: every whole-picture hash against the new pictures' windows,
  through each pair of chunks (the two that agree make one 20-22-bit key: a table of the
  windows' keys is looked up by every whole hash, fifteen passes over a million hashes).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from desktop.core.chunk_joins import PAIRED_CHUNKS
from desktop.core.crops import WindowSource, nearest_windows
from desktop.core.hamming import _chunk_bounds, _extract, run_positions
from desktop.core.self_join import few_pairs
from desktop.core.window_index import WindowIndex

PAIRED_BOUNDS = _chunk_bounds(64, PAIRED_CHUNKS)

Parts = list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # crop, original, window, d


def paired_agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each two 64-bit hashes agree exactly on at least two of PairedChunkIndex's
    six chunks (the full crop join's condition beyond PAIRED_EXACT bits)."""
    difference = np.asarray(a, dtype=np.uint64) ^ np.asarray(b, dtype=np.uint64)
    clean = np.zeros(len(difference), dtype=np.int64)
    for start, length in PAIRED_BOUNDS:
        clean += _extract(difference[:, None], start, length) == 0
    return clean >= 2


def incremental_crop_pairs(
    index: WindowIndex,
    side_wholes: tuple[np.ndarray, np.ndarray],
    side_sources: list[WindowSource],
    queries: np.ndarray,
    radius: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """crop_pairs(every whole, radius, queries, every window) of a case whose windows and
    whole hashes up to index.covered are in `index`, and those after it in `side_wholes`
    (ids, words) and `side_sources` (window_sources): (crop, original, window, bits), each
    pair once by its nearest window, nearest pairs first."""
    side_ids, side_words = side_wholes
    mine = np.isin(side_ids, queries)
    new_ids, new_words = side_ids[mine], side_words[mine]
    found: Parts = []
    # new pictures as crops: the index's windows, then the side's
    window_ids, number, distance = index.search(new_words, radius)
    agree = np.flatnonzero(paired_agree(index.words_of(window_ids), new_words[number]))
    owner, window = index.windows_of(window_ids[agree])
    found.append((new_ids[number[agree]], owner, window, distance[agree]))
    for owners, words, first in side_sources:
        found += _side_pairs(new_ids, new_words, owners, words, first, radius)
    # new pictures as originals: every whole hash against their windows
    every_ids = np.concatenate([index.whole_ids, side_ids])
    every_words = np.concatenate([index.whole_words, side_words])
    # every window of the new pictures, of every kind
    hashes: list[np.ndarray] = []
    holders: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    for owners, words, first in side_sources:
        rows = np.flatnonzero(np.isin(owners, queries))
        flat = words[rows].reshape(-1)
        used = np.flatnonzero(flat)  # 0: a view that does not apply
        hashes.append(flat[used])
        holders.append(owners[rows][used // words.shape[1]])
        numbers.append(first + used % words.shape[1])
    if hashes:
        windows = (np.concatenate(hashes), np.concatenate(holders), np.concatenate(numbers))
        found.append(_paired_join(every_ids, every_words, *windows, radius))
    return nearest_windows(found)


def _side_pairs(
    new_ids: np.ndarray,
    new_words: np.ndarray,
    owners: np.ndarray,
    words: np.ndarray,
    first: int,
    radius: int,
) -> Parts:
    """New whole hashes against every window of the media past the index (few: the side),
    exactly within the radius (self_join.few_pairs), then those that agree on two chunks."""
    per_row = words.shape[1]
    flat = words.reshape(-1)
    used = np.flatnonzero(flat)  # 0: a view that does not apply
    number, at, distances = few_pairs(new_words, flat[used], radius)
    agree = paired_agree(new_words[number], flat[used[at]])
    number, at, distances = number[agree], used[at[agree]], distances[agree]
    return [(new_ids[number], owners[at // per_row], first + at % per_row, distances)]


def _paired_join(
    ids: np.ndarray,
    wholes: np.ndarray,
    windows: np.ndarray,
    owners: np.ndarray,
    numbers: np.ndarray,
    radius: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every whole hash against a few pictures' windows (their hashes, owners and numbers):
    (whole's media, window's media, window number, distance) of the pairs within `radius`
    that agree on two chunks, found by the key of each pair of chunks (a whole hash whose key
    is among the windows' keys is compared with the windows of that key)."""
    whole_chunks = [_extract(wholes[:, None], s, n) for s, n in PAIRED_BOUNDS]
    window_chunks = [_extract(windows[:, None], s, n) for s, n in PAIRED_BOUNDS]
    found_whole, found_window = [], []
    for i, j in combinations(range(PAIRED_CHUNKS), 2):
        shift = np.uint64(PAIRED_BOUNDS[j][1])
        window_keys = ((window_chunks[i] << shift) | window_chunks[j]).astype(np.intp)
        present = np.zeros(1 << (PAIRED_BOUNDS[i][1] + PAIRED_BOUNDS[j][1]), dtype=bool)
        present[window_keys] = True
        whole_keys = ((whole_chunks[i] << shift) | whole_chunks[j]).astype(np.intp)
        hit = np.flatnonzero(present[whole_keys])
        order = np.argsort(window_keys, kind="stable")
        lo = np.searchsorted(window_keys[order], whole_keys[hit], "left")
        counts = np.searchsorted(window_keys[order], whole_keys[hit], "right") - lo
        found_whole.append(np.repeat(hit, counts))
        at = run_positions(lo, counts)
        found_window.append(order[at])
    whole_rows, window_rows = np.concatenate(found_whole), np.concatenate(found_window)
    pair = np.unique(whole_rows * len(windows) + window_rows)  # a pair met on several keys
    whole_rows, window_rows = pair // len(windows), pair % len(windows)
    distances = np.bitwise_count(wholes[whole_rows] ^ windows[window_rows]).astype(np.int64)
    near = distances <= radius
    whole_rows, window_rows, distances = whole_rows[near], window_rows[near], distances[near]
    return ids[whole_rows], owners[window_rows], numbers[window_rows], distances
