"""Hamming-space index over fixed-length binary hashes (64-bit pHash/dHash, 256-bit PDQ).

Exact multi-index hashing (Norouzi, Punjani and Fleet): each hash is cut into m chunks of about
log2(n) bits. Two hashes within r bits agree to within floor(r/m) bits on at least one chunk
(pigeonhole), so a search probes, per chunk, the chunk values within that many bits of the
query's, looks them up in a sorted copy of that chunk's column, and checks the full distance of
what it finds. Results are exact: every hash within the radius, nothing else. When the probes
would cost more than reading everything, it falls back to numpy brute force.

`join` runs many queries at once, vectorised per chunk; `pairs_within` is the self-join that
grouping uses. A pair is reported from the first chunk it agrees on only, so nothing repeats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from itertools import combinations

import numpy as np

BLOCK = 1 << 16  # queries joined at a time: bounds the memory of the candidate arrays
PROBES_PER_PASS = 1 << 18  # (query, probe) lookups done in one vectorised pass
DIRECT_BITS = 24  # chunks up to this long get a direct bucket table (2**bits + 1 offsets)


def hex_to_words(hexes: Iterable[str], bits: int) -> np.ndarray:
    """Hex hashes as an (n, bits/64) array of uint64 words, most significant word first."""
    words = bits // 64
    raw = b"".join(bytes.fromhex(h) for h in hexes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, words)


def words_to_hex(words: np.ndarray) -> str:
    return words.astype(">u8").tobytes().hex()


def popcount_rows(words: np.ndarray) -> np.ndarray:
    """Bits set per row of an (n, k) uint64 array."""
    return np.bitwise_count(words).sum(axis=1, dtype=np.int64)


def _chunk_bounds(bits: int, chunks: int) -> list[tuple[int, int]]:
    base, extra = divmod(bits, chunks)
    bounds, start = [], 0
    for c in range(chunks):
        length = base + (1 if c < extra else 0)
        bounds.append((start, length))
        start += length
    return bounds


def _extract(words: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits [start, start+length) of each row (bit 0 = most significant), as uint64."""
    word, offset = divmod(start, 64)
    mask = np.uint64((1 << length) - 1)
    end = offset + length
    if end <= 64:
        return (words[:, word] >> np.uint64(64 - end)) & mask
    high = words[:, word] << np.uint64(end - 64)
    low = words[:, word + 1] >> np.uint64(128 - end)
    return (high | low) & mask


def _masks(length: int, flips: int) -> np.ndarray:
    """Every value of `length` bits with at most `flips` bits set."""
    values = [0]
    for k in range(1, flips + 1):
        values.extend(sum(1 << b for b in combo) for combo in combinations(range(length), k))
    return np.array(values, dtype=np.uint64)


class HammingIndex:
    """Exact search: every stored hash within `max_distance` bits of a query."""

    def __init__(self, bits: int, chunk_bits: int | None = None):
        if bits % 64:
            raise ValueError("hash length must be a multiple of 64 bits")
        self.bits = bits
        self._chunk_bits = chunk_bits
        self._ids = np.zeros(0, dtype=np.int64)
        self._words = np.zeros((0, bits // 64), dtype=np.uint64)
        self._pending_ids: list[np.ndarray] = []
        self._pending_words: list[np.ndarray] = []
        self._tables: list[tuple[int, int, np.ndarray, np.ndarray]] | None = None

    def __len__(self) -> int:
        return len(self._ids) + sum(len(i) for i in self._pending_ids)

    # ---- building ------------------------------------------------------------------------------

    def add(self, ids: Iterable[int], hexes: Iterable[str]) -> None:
        ids_array = np.fromiter(ids, dtype=np.int64)
        words = hex_to_words(hexes, self.bits)
        self.add_words(ids_array, words)

    def add_words(self, ids: np.ndarray, words: np.ndarray) -> None:
        """Add hashes already packed as (n, bits/64) uint64 words."""
        if len(ids) != len(words) or words.shape[1:] != (self.bits // 64,):
            raise ValueError("one id per hash, each of the index's length")
        self._pending_ids.append(np.asarray(ids, dtype=np.int64))
        self._pending_words.append(np.asarray(words, dtype=np.uint64))
        self._tables = None

    def _settle(self) -> None:
        if self._pending_ids:
            self._ids = np.concatenate([self._ids, *self._pending_ids])
            self._words = np.concatenate([self._words, *self._pending_words])
            self._pending_ids, self._pending_words = [], []

    def _chunk_count(self) -> int:
        chunk_bits = self._chunk_bits or min(32, max(12, round(math.log2(max(len(self._ids), 2)))))
        return max(1, self.bits // chunk_bits)

    def _build(self) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        self._settle()
        if self._tables is None:
            tables = []
            for start, length in _chunk_bounds(self.bits, self._chunk_count()):
                keys = _extract(self._words, start, length)
                order = np.argsort(keys, kind="stable")
                if length <= DIRECT_BITS:  # a bucket-start table: O(1) lookups
                    counts = np.bincount(keys.astype(np.int64), minlength=1 << length)
                    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
                else:
                    starts = keys[order]
                tables.append((start, length, starts, order))
            self._tables = tables
        return self._tables

    # ---- searching -----------------------------------------------------------------------------

    def distances(self, query_hex: str) -> np.ndarray:
        self._settle()
        query = hex_to_words([query_hex], self.bits)[0]
        return popcount_rows(self._words ^ query)

    def query(self, query_hex: str, max_distance: int) -> list[tuple[int, int]]:
        """(id, distance) of every hash within max_distance, nearest first."""
        query = hex_to_words([query_hex], self.bits)
        rows, _, distances = self.join_words(query, max_distance)
        order = np.lexsort((rows, distances))
        return [(int(self._ids[rows[i]]), int(distances[i])) for i in order]

    def join_words(
        self, queries: np.ndarray, max_distance: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (row, query number, distance) with distance <= max_distance, in no order.

        `row` indexes the stored hashes (map it through ids()); exact, each pair once.
        """
        found = [self._join_block(queries[i : i + BLOCK], i, max_distance)
                 for i in range(0, len(queries), BLOCK)]  # fmt: skip
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        rows, numbers, distances = (np.concatenate(part) for part in zip(*found, strict=True))
        return rows, numbers, distances

    def ids(self) -> np.ndarray:
        self._settle()
        return self._ids

    def _join_block(
        self, queries: np.ndarray, first: int, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tables = self._build()
        n = len(self._ids)
        flips = radius // len(tables)
        probes = sum(len(_masks(length, flips)) for _, length, _, _ in tables)
        expected = probes * sum(n / (1 << length) for _, length, _, _ in tables) / len(tables)
        if n == 0 or len(queries) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        if expected >= n / 4:  # probing would touch most rows anyway: read them all
            return self._brute_block(queries, first, radius)
        query_keys = [_extract(queries, start, length) for start, length, _, _ in tables]
        out_rows, out_queries = [], []
        for c, (_, length, sorted_keys, order) in enumerate(tables):
            masks = _masks(length, flips)
            # few queries: all their probes in one vectorised pass; many: one pass per mask
            per_pass = max(1, PROBES_PER_PASS // max(len(queries), 1))
            for first_mask in range(0, len(masks), per_pass):
                chosen = masks[first_mask : first_mask + per_pass]
                wanted = (query_keys[c][:, None] ^ chosen[None, :]).ravel()
                numbers = np.repeat(np.arange(len(queries)), len(chosen))
                if length <= DIRECT_BITS:
                    index = wanted.astype(np.int64)
                    lo, hi = sorted_keys[index], sorted_keys[index + 1]
                else:
                    lo = np.searchsorted(sorted_keys, wanted, "left")
                    hi = np.searchsorted(sorted_keys, wanted, "right")
                counts = hi - lo
                total = int(counts.sum())
                if not total:
                    continue
                q = np.repeat(numbers, counts)
                starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
                rows = order[starts + np.arange(total)]
                # keep a pair only from the first chunk on which it is within the flips
                keep = np.ones(total, dtype=bool)
                for earlier in range(c):
                    start_e, length_e, _, _ = tables[earlier]
                    stored = _extract(self._words[rows], start_e, length_e)
                    keep &= np.bitwise_count(stored ^ query_keys[earlier][q]) > flips
                out_rows.append(rows[keep])
                out_queries.append(q[keep])
        if not out_rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        rows = np.concatenate(out_rows)
        q = np.concatenate(out_queries)
        distances = popcount_rows(self._words[rows] ^ queries[q])
        hit = distances <= radius
        return rows[hit], q[hit] + first, distances[hit]

    def _brute_block(
        self, queries: np.ndarray, first: int, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out_rows, out_queries, out_distances = [], [], []
        for number, query in enumerate(queries):
            distances = popcount_rows(self._words ^ query)
            rows = np.nonzero(distances <= radius)[0]
            out_rows.append(rows)
            out_queries.append(np.full(len(rows), number + first, dtype=np.int64))
            out_distances.append(distances[rows])
        return (np.concatenate(out_rows).astype(np.int64), np.concatenate(out_queries),
                np.concatenate(out_distances))  # fmt: skip

    def pairs_within(self, max_distance: int) -> Iterator[tuple[int, int, int]]:
        """Every (id_a, id_b, distance) with id_a's row before id_b's, within max_distance."""
        for a, b, distance in zip(*self.pair_arrays(max_distance), strict=True):
            yield int(a), int(b), int(distance)

    def pair_arrays(self, max_distance: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """pairs_within as three arrays (ids a, ids b, distances): the fast form for grouping."""
        self._settle()
        rows, queries, distances = self.join_words(self._words, max_distance)
        keep = queries < rows
        return self._ids[queries[keep]], self._ids[rows[keep]], distances[keep]
