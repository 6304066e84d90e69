"""Self-join of 64-bit hashes: every pair within a radius, each once, probed in key order.

Multi-index hashing as in hamming.py (a pair within r bits agrees within r // m bits on one of
m chunks), specialised for joining a million hashes with themselves (grouping's dct64 within
8 bits, the masked views' within 4):

- per chunk the hashes are sorted by the chunk's value, and each probes the values within
  the flips of its own in that order, so the table lookups of one probe pattern walk memory
  forwards (about five times faster than lookups at random places, measured at a million);
- a pair is probed from one side only: for a pattern whose highest flipped bit is b, only
  from the hash whose value has b clear (its partner's is larger); equal values pair each
  hash with the ones after it. That halves the probes HammingIndex.pair_arrays makes;
- candidates are checked as soon as they are found, a pattern at a time, so memory holds the
  pairs within the radius only; patterns run on every core (numpy releases the GIL).

Exact: every pair within the radius, nothing else (tested against brute force).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from desktop.core.hamming import _chunk_bounds, _extract, _masks, run_positions

BRUTE_MAX = 4096  # hashes up to which every pair is compared (cheaper than any table)
MAX_TABLE_BITS = 23  # a chunk's direct table has 2**bits + 1 int32 starts (32 MB at most)

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows i, rows j (i < j), distances


def self_pairs(words: np.ndarray, radius: int) -> Pairs:
    """(rows i, rows j, distances) with i < j of every two of `words` ((n,) or (n, 1)
    uint64) within `radius` bits, each pair once, in no particular order."""
    words = np.ascontiguousarray(np.asarray(words, dtype=np.uint64).reshape(-1))
    n = len(words)
    if n <= BRUTE_MAX:
        return _brute(words, radius)
    chunks = _chunk_count(n, radius)
    flips = radius // chunks
    bounds = _chunk_bounds(64, chunks)
    keys = [_extract(words[:, None], start, length).astype(np.int64) for start, length in bounds]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        tables = list(pool.map(lambda c: _Table(keys[c], words, bounds[c][1]), range(chunks)))
        highest = [range(-1, length if flips else 0) for _, length in bounds]
        tasks = [(c, high) for c in range(chunks) for high in highest[c]]
        found = list(pool.map(lambda task: tables[task[0]].probe(task[1], flips, radius), tasks))
    out: list[Pairs] = []
    for (c, _), (i, j) in zip(tasks, found, strict=True):
        # each pair once: from the first chunk on which it is within the flips
        keep = np.ones(len(i), dtype=bool)
        for earlier in range(c):
            keep &= np.bitwise_count(keys[earlier][i] ^ keys[earlier][j]) > flips
        i, j = i[keep], j[keep]
        out.append((np.minimum(i, j), np.maximum(i, j), _distances(words, i, j)))
    return _joined(out)


FEW_CHUNKS = 3  # few_pairs: chunks of 21-22 bits, a table of 4 MB each


def few_pairs(few: np.ndarray, many: np.ndarray, radius: int) -> Pairs:
    """(rows of `few`, rows of `many`, distances) of every two hashes ((k,) and (n,) uint64)
    within `radius` bits: a few new pictures against a whole case. Each chunk of the few
    hashes, and every value within radius // FEW_CHUNKS bits of it, is marked in a table;
    one pass per chunk over the many hashes looks their values up in it, and only those
    found are compared (a hundred hashes against a million: milliseconds, where a pass per
    new hash took a second)."""
    few = np.asarray(few, dtype=np.uint64).reshape(-1)
    many = np.asarray(many, dtype=np.uint64).reshape(-1)
    flips = radius // FEW_CHUNKS
    found_f, found_m = [], []
    for start, length in _chunk_bounds(64, FEW_CHUNKS):
        masks = _masks(length, flips).astype(np.int64)
        values = (_extract(few[:, None], start, length).astype(np.int64)[:, None] ^ masks).ravel()
        order = np.argsort(values, kind="stable")
        values, owner = values[order], order // len(masks)
        marked = np.zeros(1 << length, dtype=bool)
        marked[values] = True
        keys = _extract(many[:, None], start, length).astype(np.int64)
        hit = np.flatnonzero(marked[keys])
        lo = np.searchsorted(values, keys[hit], "left")
        counts = np.searchsorted(values, keys[hit], "right") - lo
        at = run_positions(lo, counts)
        found_f.append(owner[at])
        found_m.append(np.repeat(hit, counts))
    f, m = np.concatenate(found_f), np.concatenate(found_m)
    pair = np.unique(f * len(many) + m)  # a pair met on several chunks, or by several values
    f, m = pair // len(many), pair % len(many)
    distances = np.bitwise_count(few[f] ^ many[m]).astype(np.int64)
    near = distances <= radius
    return f[near], m[near], distances[near]


def _chunk_count(n: int, radius: int) -> int:
    """The number of chunks that makes the join cheapest, per hash: probes (half the patterns
    within the flips, one lookup each), candidates (a probe meets n / 2**bits hashes) and the
    tables' making (2**bits starts each, shared by n hashes)."""
    best, best_cost = 3, math.inf
    for chunks in range(2, 9):
        bounds = _chunk_bounds(64, chunks)
        if max(length for _, length in bounds) > MAX_TABLE_BITS:
            continue
        cost = 0.0
        for _, length in bounds:
            patterns = sum(math.comb(length, k) for k in range(radius // chunks + 1)) / 2
            cost += patterns * (1 + 2 * n / (1 << length)) + (1 << length) / n
        if cost < best_cost:
            best, best_cost = chunks, cost
    return best


class _Table:
    """One chunk: the hashes sorted by its value, and where each value's run starts."""

    def __init__(self, keys: np.ndarray, words: np.ndarray, length: int):
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]
        self.words = words[self.order]
        self.starts = np.zeros((1 << length) + 1, dtype=np.int32)
        np.cumsum(np.bincount(self.keys, minlength=1 << length), out=self.starts[1:])

    def probe(self, high: int, flips: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, rows) of the pairs within `radius` met by the patterns whose highest flipped
        bit is `high` (-1: no flip, the hashes of equal value)."""
        if high < 0:
            return self._equal(radius)
        bit = 1 << high
        mine = np.flatnonzero((self.keys & bit) == 0)  # the partner's value is the larger
        keys = self.keys[mine]
        found_p, found_q = [], []
        for lower in _masks(high, flips - 1).tolist():
            probe = keys ^ (lower | bit)
            lo = self.starts[probe]
            counts = self.starts[probe + 1] - lo
            hit = np.flatnonzero(counts)
            if not len(hit):
                continue
            counts, lo = counts[hit], lo[hit]
            if counts.max() == 1:
                p, q = mine[hit], lo.astype(np.int64)
            else:
                p = np.repeat(mine[hit], counts)
                q = run_positions(lo, counts)
            near = np.flatnonzero(np.bitwise_count(self.words[p] ^ self.words[q]) <= radius)
            found_p.append(p[near])
            found_q.append(q[near])
        return self._rows(found_p, found_q)

    def _equal(self, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of hashes of equal value, each with those after it in the run: passes over
        the positions in runs of two or more only (a run of a thousand costs a thousand
        passes over those, not over every hash)."""
        found_p, found_q = [], []
        same = self.keys[1:] == self.keys[:-1]
        at = np.flatnonzero(np.concatenate([same, [False]]) | np.concatenate([[False], same]))
        keys = self.keys[at]
        gap = 1
        while gap < len(keys):
            p = np.flatnonzero(keys[gap:] == keys[:-gap])
            if not len(p):
                break
            p, q = at[p], at[p + gap]
            near = np.flatnonzero(np.bitwise_count(self.words[p] ^ self.words[q]) <= radius)
            found_p.append(p[near])
            found_q.append(q[near])
            gap += 1
        return self._rows(found_p, found_q)

    def _rows(self, p: list[np.ndarray], q: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        if not p:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return self.order[np.concatenate(p)], self.order[np.concatenate(q)]


def _distances(words: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words[i] ^ words[j]).astype(np.int64)


def _brute(words: np.ndarray, radius: int) -> Pairs:
    found: list[Pairs] = []
    for row in range(len(words) - 1):
        later = np.flatnonzero(np.bitwise_count(words[row + 1 :] ^ words[row]) <= radius)
        i, j = np.full(len(later), row, dtype=np.int64), later + row + 1
        found.append((i, j, _distances(words, i, j)))
    return _joined(found)


def _joined(parts: list[Pairs]) -> Pairs:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    i, j, d = (np.concatenate(column) for column in zip(*parts, strict=True))
    return i.astype(np.int64), j.astype(np.int64), d
