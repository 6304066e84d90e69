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
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

BLOCK = 1 << 16  # queries joined at a time: bounds the memory of the candidate arrays
PROBES_PER_PASS = 1 << 18  # (query, probe) lookups done in one vectorised pass
# chunks up to this long (and 2**bits <= 4n) get a direct bucket table: one gather per probe
DIRECT_BITS = 24
FEW_QUERIES = 16  # up to this many queries at once take the one-pass path
COUNT_SHIFT = 36  # bucket table entries: the count above this bit, the start below
START_MASK = (1 << COUNT_SHIFT) - 1


def hex_to_words(hexes: Iterable[str], bits: int) -> np.ndarray:
    """Hex hashes as an (n, bits/64) array of uint64 words, most significant word first."""
    words = bits // 64
    raw = b"".join(bytes.fromhex(h) for h in hexes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, words)


def words_to_hex(words: np.ndarray) -> str:
    return words.astype(">u8").tobytes().hex()


Found = tuple[np.ndarray, np.ndarray, np.ndarray]  # (rows, query numbers, distances)


def concatenated(parts: list[Found]) -> Found:
    """Search results found in parts, as one (rows, query numbers, distances)."""
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    rows, numbers, distances = (np.concatenate(part) for part in zip(*parts, strict=True))
    return rows, numbers, distances


def run_positions(lo: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """lo[i], lo[i] + 1, ..., lo[i] + counts[i] - 1 for each i, one run after the other: the
    places of every bucket's entries, each bucket's first at lo and counts long."""
    return np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


def joined_in_blocks(queries: np.ndarray, search: Callable[[np.ndarray, int], Found]) -> Found:
    """search(block, number of its first query) over blocks of BLOCK queries, run on all cores
    (numpy releases the GIL), as one result."""
    blocks = range(0, len(queries), BLOCK)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = list(pool.map(lambda i: search(queries[i : i + BLOCK], i), blocks))
    return concatenated(found)


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


def _volume(length: int, flips: int) -> int:
    """How many values lie within `flips` bits of one value of `length` bits."""
    return sum(math.comb(length, k) for k in range(min(flips, length) + 1))


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
        self._tables: dict[int, list[tuple[int, int, np.ndarray, np.ndarray]]] = {}
        self._flat: tuple[np.ndarray, np.ndarray] | None = None
        self._probes: dict[int, tuple[np.ndarray, ...]] = {}
        self._plans: dict[tuple[int, int, int], int | None] = {}

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
        self._tables = {}

    def _settle(self) -> None:
        if self._pending_ids:
            self._ids = np.concatenate([self._ids, *self._pending_ids])
            self._words = np.concatenate([self._words, *self._pending_words])
            self._pending_ids, self._pending_words = [], []

    def _plan(self, radius: int, queries: int) -> int | None:
        """The number of chunks that makes a search cheapest, or None for brute force (worked
        out once per size, radius and number of queries: one query's search takes less than a
        millisecond, and this model in Python a fifth of one)."""
        key = (len(self._ids), radius, queries)
        if key not in self._plans:
            self._plans[key] = self._cheapest(radius, queries)
        return self._plans[key]

    def _cheapest(self, radius: int, queries: int) -> int | None:
        """Cost model, in array elements touched: every probe is a lookup, every candidate a
        check of its full distance, and each chunk a fixed numpy overhead per pass."""
        n = len(self._ids)
        if self._chunk_bits:
            options = [max(1, -(-self.bits // self._chunk_bits))]
        else:
            options = list(range(max(1, -(-self.bits // 32)), self.bits // 8 + 1))
        best, best_cost = None, n * (self.bits // 64) * 1.5 * queries
        for chunks in options:
            flips = radius // chunks
            probes = candidates = 0.0
            for _, length in _chunk_bounds(self.bits, chunks):
                volume = _volume(length, flips)
                probes += volume * (1 if self._direct(length) else 2 * math.log2(n + 1))
                candidates += volume * n / (1 << length)
            cost = queries * (probes + 3 * candidates) + 4000 * chunks
            if probes > 4_000_000:
                continue
            if cost < best_cost:
                best, best_cost = chunks, cost
        return best

    def _direct(self, length: int) -> bool:
        """Whether a chunk this long gets a direct bucket table (fast, 8 bytes per value)."""
        return length <= DIRECT_BITS and (1 << length) <= max(4 * len(self._ids), 1 << 22)

    def _build(self, chunks: int) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """Per chunk: (bit start, length, bucket table or sorted keys, row order).

        Direct bucket tables live in one array and row orders in another, so a search for a
        few queries can probe every chunk in one vectorised pass (see _few_queries).
        """
        self._settle()
        if chunks not in self._tables:
            n = len(self._ids)
            bounds = _chunk_bounds(self.bits, chunks)
            direct = [self._direct(length) for _, length in bounds]
            entries = np.zeros(sum(1 << ln for (_, ln), d in zip(bounds, direct, strict=True) if d),
                               dtype=np.int64)  # fmt: skip
            orders = np.empty(n * chunks, dtype=np.int32 if n < 2**31 else np.int64)
            tables, table_offset = [], 0
            for c, (start, length) in enumerate(bounds):
                keys = _extract(self._words, start, length)
                order = orders[c * n : (c + 1) * n]
                order[:] = np.argsort(keys, kind="stable")
                if direct[c]:  # one gather per probe: (count << 36) | start
                    table = entries[table_offset : table_offset + (1 << length)]
                    table_offset += 1 << length
                    counts = np.bincount(keys.astype(np.int64), minlength=1 << length)
                    np.cumsum(counts[:-1], out=table[1:])
                    table |= counts.astype(np.int64) << COUNT_SHIFT
                else:
                    table = keys[order]
                tables.append((start, length, table, order))
            self._tables = {chunks: tables}  # one layout at a time: they are large
            self._flat = (entries, orders) if all(direct) else None
            self._probes = {}
        return self._tables[chunks]

    def _few_queries(
        self, queries: np.ndarray, radius: int, probe: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every chunk of a few queries probed in one pass (the one-query case: < 1 ms)."""
        assert self._flat is not None
        entries, orders = self._flat
        tables = next(iter(self._tables.values()))
        chunks, n = len(tables), len(self._ids)
        flips = probe // chunks
        if flips not in self._probes:
            parts: list[list[np.ndarray]] = [[], [], [], []]
            offset = 0
            for c, (_, length, _, _) in enumerate(tables):
                m = _masks(length, flips).astype(np.int64)
                parts[0].append(np.full(len(m), c))
                parts[1].append(m)
                parts[2].append(np.full(len(m), offset, dtype=np.int64))
                parts[3].append(np.full(len(m), c * n, dtype=np.int64))
                offset += 1 << length
            self._probes[flips] = tuple(np.concatenate(part) for part in parts)
        chunk_of, masks, table_at, order_at = self._probes[flips]
        if -1 not in self._probes:  # each chunk's value as a product of the query's bits
            weights = np.zeros((self.bits, chunks), dtype=np.int64)
            for c, (start, length, _, _) in enumerate(tables):
                weights[start : start + length, c] = 1 << np.arange(length - 1, -1, -1)
            self._probes[-1] = (weights,)
        bits = np.unpackbits(queries.astype(">u8").view(np.uint8), axis=1)
        keys = bits.astype(np.int64) @ self._probes[-1][0]
        entry = entries[(table_at + (keys[:, chunk_of] ^ masks)).ravel()]
        hit = np.flatnonzero(entry >= 1 << COUNT_SHIFT)
        entry = entry[hit]
        probes = len(masks)
        lo = (entry & START_MASK) + order_at[hit % probes]
        counts = entry >> COUNT_SHIFT
        total = int(counts.sum())
        q = np.repeat(hit // probes, counts)
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        rows = orders[starts + np.arange(total)].astype(np.int64)
        distances = popcount_rows(self._words[rows] ^ queries[q])
        near = np.flatnonzero(distances <= radius)
        # a row met on several chunks counts once
        pair, first = np.unique(q[near] * n + rows[near], return_index=True)
        return pair % n, pair // n, distances[near[first]]

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
        self, queries: np.ndarray, max_distance: int, exact_distance: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (row, query number, distance) with distance <= max_distance, in no order.

        `row` indexes the stored hashes (map it through ids()); each pair once. Exact, unless
        `exact_distance` (< max_distance) is given: then the probes are those of a search
        within exact_distance, every pair that near is found, and farther ones up to
        max_distance only when they happen to agree closely enough on one chunk (most do:
        6 bits spread over three chunks miss only when each chunk holds two), at the cost of
        the nearer search.
        """
        self._settle()
        probe = max_distance if exact_distance is None else min(exact_distance, max_distance)

        def search(block: np.ndarray, first: int) -> Found:
            return self._join_block(block, first, max_distance, probe)

        if len(queries) > BLOCK and len(self._ids):
            chunks = self._plan(probe, BLOCK)
            if chunks:  # build the tables once, before the threads share them
                self._build(chunks)
            return joined_in_blocks(queries, search)
        return concatenated([search(queries[i : i + BLOCK], i)
                             for i in range(0, len(queries), BLOCK)])  # fmt: skip

    def ids(self) -> np.ndarray:
        self._settle()
        return self._ids

    def _join_block(
        self, queries: np.ndarray, first: int, radius: int, probe: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs within `radius` of a block of queries, probing as for `probe` (<= radius)."""
        self._settle()
        n = len(self._ids)
        if n == 0 or len(queries) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        chunks = self._plan(probe, len(queries))
        if chunks is None:  # probing would touch most rows anyway: read them all
            return self._brute_block(queries, first, radius)
        tables = self._build(chunks)
        if len(queries) <= FEW_QUERIES and self._flat is not None:
            rows, q, distances = self._few_queries(queries, radius, probe)
            return rows, q + first, distances
        flips = probe // len(tables)
        query_keys = [
            _extract(queries, start, length).astype(np.int64) for start, length, _, _ in tables
        ]
        out_rows, out_queries, out_distances = [], [], []
        for c, (_, length, sorted_keys, order) in enumerate(tables):
            masks = _masks(length, flips)
            # few queries: all their probes in one vectorised pass; many: one pass per mask
            per_pass = max(1, PROBES_PER_PASS // max(len(queries), 1))
            for first_mask in range(0, len(masks), per_pass):
                chosen = masks[first_mask : first_mask + per_pass].astype(np.int64)
                wanted = (query_keys[c][:, None] ^ chosen[None, :]).ravel()
                if self._direct(length):
                    entry = sorted_keys[wanted]
                    hit = np.flatnonzero(entry >= 1 << COUNT_SHIFT)
                    if not len(hit):
                        continue
                    entry = entry[hit]
                    lo, counts = entry & START_MASK, entry >> COUNT_SHIFT
                else:
                    lo = np.searchsorted(sorted_keys, wanted, "left")
                    hi = np.searchsorted(sorted_keys, wanted, "right")
                    hit = np.flatnonzero(hi != lo)
                    if not len(hit):
                        continue
                    lo = lo[hit].astype(np.int64)
                    counts = hi[hit] - lo
                total = int(counts.sum())
                q = np.repeat(hit // len(chosen), counts)
                starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
                rows = order[starts + np.arange(total)].astype(np.int64)
                # the full distance first: few candidates survive it
                distances = popcount_rows(self._words[rows] ^ queries[q])
                near = np.flatnonzero(distances <= radius)
                rows, q, distances = rows[near], q[near], distances[near]
                # keep a pair only from the first chunk on which it is within the flips
                keep = np.ones(len(rows), dtype=bool)
                for earlier in range(c):
                    start_e, length_e, _, _ = tables[earlier]
                    stored = _extract(self._words[rows], start_e, length_e).astype(np.int64)
                    keep &= np.bitwise_count(stored ^ query_keys[earlier][q]) > flips
                out_rows.append(rows[keep])
                out_queries.append(q[keep])
                out_distances.append(distances[keep])
        if not out_rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        rows = np.concatenate(out_rows)
        q = np.concatenate(out_queries)
        return rows, q + first, np.concatenate(out_distances)

    def _brute_block(
        self, queries: np.ndarray, first: int, radius: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every distance computed: one pass per query, or per stored hash when there are
        fewer of those (a few new pictures' hashes against a million windows)."""
        out_rows, out_queries, out_distances = [], [], []
        if len(self._ids) < len(queries):
            for row, stored in enumerate(self._words):
                distances = popcount_rows(queries ^ stored)
                numbers = np.nonzero(distances <= radius)[0]
                out_rows.append(np.full(len(numbers), row, dtype=np.int64))
                out_queries.append(numbers + first)
                out_distances.append(distances[numbers])
        else:
            for number, query in enumerate(queries):
                distances = popcount_rows(self._words ^ query)
                rows = np.nonzero(distances <= radius)[0]
                out_rows.append(rows)
                out_queries.append(np.full(len(rows), number + first, dtype=np.int64))
                out_distances.append(distances[rows])
        if not out_rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
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
