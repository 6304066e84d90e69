"""Joins of many queries against hashes cut into chunks that must agree exactly: one chunk of
several (FewHashes), two of six (PairedChunkIndex), and each hash's chunk values."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

from desktop.core.hamming import (
    Found,
    _chunk_bounds,
    _extract,
    concatenated,
    joined_in_blocks,
    popcount_rows,
    run_positions,
)

PAIRED_CHUNKS = 6  # PairedChunkIndex: chunks of 64-bit hashes, two of which must agree
PAIRED_EXACT = PAIRED_CHUNKS - 2  # bits within which its search is exact
PAIRED_COUNT_BITS = 5  # a bucket's count, in the low bits of its uint32 (capped: crowded)
_PAIRED_FULL = (1 << PAIRED_COUNT_BITS) - 1
FEW_CHUNKS = 5  # FewHashes: chunks of 64-bit hashes, one of which must agree


def chunk_values(words: np.ndarray, bits: int, chunks: int) -> Iterator[np.ndarray]:
    """Each hash (row of (n, bits/64) words) cut into `chunks` nearly equal runs of bits, as
    one uint64 array per chunk, a chunk at a time (six million frames: 48 MB each, not all
    eight at once): what the multi-index tables are keyed on."""
    for start, length in _chunk_bounds(bits, chunks):
        yield _extract(words, start, length)


class PairedChunkIndex:
    """Exact search within PAIRED_EXACT bits of 64-bit hashes, for many queries against a few
    million stored hashes (the crop join: tens of millions of windows against every picture).

    Each hash is cut into PAIRED_CHUNKS chunks of 10-11 bits; two hashes within 4 bits agree
    exactly on at least two of the six (pigeonhole), so a query looks up the 15 pairs of its
    chunks, each a direct table of 20-22 bits. Against a million hashes that is 15 lookups and
    about 8 candidates a query, where one-flip probes of three 21-bit chunks cost 66 lookups
    and 33 candidates. Farther pairs, up to the search radius, are found when they too agree
    on two chunks (most 5-6 bits apart do). A bucket is one uint32, its start and its count
    (PAIRED_COUNT_BITS; a crowded bucket's end is the next one's start): one random read a
    lookup, not two (a third faster); about 190 MB for a million hashes.
    """

    def __init__(self, ids: np.ndarray, words: np.ndarray):
        self._ids = np.asarray(ids, dtype=np.int64)
        self._words = np.ascontiguousarray(words[:, 0], dtype=np.uint64)
        if len(self._words) >= 1 << (32 - PAIRED_COUNT_BITS):
            raise ValueError("too many hashes for a paired chunk index")
        self._bounds = _chunk_bounds(64, PAIRED_CHUNKS)
        self._pairs = list(combinations(range(PAIRED_CHUNKS), 2))
        chunks = self._chunks(self._words)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            self._tables = list(pool.map(lambda pair: self._table(chunks, pair), self._pairs))

    def ids(self) -> np.ndarray:
        return self._ids

    def _chunks(self, words: np.ndarray) -> list[np.ndarray]:
        return [
            (words >> np.uint64(64 - start - length)) & np.uint64((1 << length) - 1)
            for start, length in self._bounds
        ]

    def _key(self, chunks: list[np.ndarray], pair: tuple[int, int]) -> np.ndarray:
        return (chunks[pair[0]] << np.uint64(self._bounds[pair[1]][1])) | chunks[pair[1]]

    def _table(
        self, chunks: list[np.ndarray], pair: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(buckets: start << PAIRED_COUNT_BITS | count, capped; rows in key order)."""
        length = sum(self._bounds[c][1] for c in pair)
        keys = self._key(chunks, pair).astype(np.int64)
        order = np.argsort(keys, kind="stable").astype(np.uint32)
        counts = np.bincount(keys, minlength=1 << length)
        starts = np.zeros(1 << length, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        buckets = (starts << PAIRED_COUNT_BITS) | np.minimum(counts, _PAIRED_FULL)
        return buckets.astype(np.uint32), order

    def join(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, query number, distance) of every stored hash within PAIRED_EXACT bits of a
        query (queries: (k,) or (k, 1) uint64), and of those farther, up to `radius`, that
        agree with it on two chunks; each pair once. Blocks run on all cores."""
        queries = np.ascontiguousarray(np.asarray(queries, dtype=np.uint64).reshape(-1))
        return joined_in_blocks(queries, lambda block, first: self._block(block, first, radius))

    def _block(
        self, queries: np.ndarray, first: int, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out: list[Found] = []
        chunks = self._chunks(queries)
        shift, full = np.uint32(PAIRED_COUNT_BITS), np.uint32(_PAIRED_FULL)
        for number, pair in enumerate(self._pairs):
            buckets, order = self._tables[number]
            keys = self._key(chunks, pair)
            entry = buckets[keys]
            q = np.flatnonzero(entry & full)
            if not len(q):
                continue
            entry = entry[q]
            at, count = entry >> shift, entry & full
            crowded = np.flatnonzero(count == full)
            if len(crowded):  # its end is where the next bucket starts
                after = keys[q[crowded]].astype(np.int64) + 1
                ends = buckets[np.minimum(after, len(buckets) - 1)] >> shift
                count[crowded] = np.where(after < len(buckets), ends, len(order)) - at[crowded]
            end = at + count
            found_q, found_at = [], []
            while len(q):  # the first row of every bucket met, then the second, ...
                near = np.bitwise_count(self._words[order[at]] ^ queries[q]) <= radius
                found_q.append(q[near])
                found_at.append(at[near])
                at += np.uint32(1)
                more = np.flatnonzero(at < end)
                q, at, end = q[more], at[more], end[more]
            q = np.concatenate(found_q)
            rows = order[np.concatenate(found_at)].astype(np.int64)
            difference = self._words[rows] ^ queries[q]
            # each pair once: from the first pair of chunks on which both agree exactly
            exact = np.stack([chunk == 0 for chunk in self._chunks(difference)], axis=1)
            first_two = np.argsort(~exact, axis=1, kind="stable")[:, :2]
            mine = (first_two[:, 0] == pair[0]) & (first_two[:, 1] == pair[1])
            distances = np.bitwise_count(difference[mine]).astype(np.int64)
            out.append((rows[mine], q[mine] + first, distances))
        return concatenated(out)


class FewHashes:
    """A few hashes (the new pictures of an incremental run; the pictures found inside
    screenshots, region_pairs) searched by very many queries (every window of a case; every
    picture's trimmed PDQ): cut into `chunks` chunks (FEW_CHUNKS: 12-13 bits of 64), two
    hashes within chunks - 1 bits agree exactly on one of them (pigeonhole); per chunk, the few
    hashes sorted by its value and where each value's run starts, so a query is compared only
    with the few hashes that share a chunk with it (about one for a query that shares any;
    comparing it with all of them cost a hundred distances a query at a hundred new
    pictures). A few passes over the queries, where a probe per query per chunk of an index
    would cost ten times more."""

    def __init__(self, words: np.ndarray, chunks: int = FEW_CHUNKS):
        """words: (n,) uint64 hashes of 64 bits, or (n, k) words of 64k-bit ones."""
        words = np.asarray(words, dtype=np.uint64)
        self._words = np.ascontiguousarray(words[:, None] if words.ndim == 1 else words)
        self._bounds = _chunk_bounds(64 * self._words.shape[1], chunks)
        self._tables = []
        for start, length in self._bounds:
            values = _extract(self._words, start, length).astype(np.int64)
            order = np.argsort(values, kind="stable")
            starts = np.zeros((1 << length) + 1, dtype=np.int32)
            np.cumsum(np.bincount(values, minlength=1 << length), out=starts[1:])
            self._tables.append((values, order, starts))

    def join(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, query number, distance) of the hashes within chunks - 1 bits of a query
        (queries: as the hashes, (m,) or (m, k)), and of farther ones up to `radius` that agree
        with it on a chunk; each pair once. Blocks of queries run on all cores."""
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1, self._words.shape[1])
        return joined_in_blocks(queries, lambda block, first: self._block(block, first, radius))

    def _block(
        self, queries: np.ndarray, first: int, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out: list[Found] = []
        chunks = []
        for c, ((start, length), (_, order, starts)) in enumerate(
            zip(self._bounds, self._tables, strict=True)
        ):
            chunk = _extract(queries, start, length).astype(np.int64)
            chunks.append(chunk)
            lo, hi = starts[chunk], starts[chunk + 1]
            q = np.flatnonzero(hi > lo)
            if not len(q):
                continue
            counts = (hi[q] - lo[q]).astype(np.int64)
            at = run_positions(lo[q], counts)
            q, rows = np.repeat(q, counts), order[at]
            distances = popcount_rows(queries[q] ^ self._words[rows])
            near = np.flatnonzero(distances <= radius)
            q, rows, distances = q[near], rows[near], distances[near]
            keep = np.ones(len(rows), dtype=bool)
            for earlier in range(c):  # each pair once: from the first chunk they share
                keep &= self._tables[earlier][0][rows] != chunks[earlier][q]
            out.append((rows[keep], q[keep] + first, distances[keep]))
        return concatenated(out)
