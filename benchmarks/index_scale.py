"""Hamming index at scale: random hashes with planted near-duplicates, beside numpy brute force.

For 64-bit and 256-bit hashes: the self-join (what grouping does) at 1M, one query against
4.3M (INTERPOL's collection size), peak memory, and recall of the planted pairs (must be 1.0).
Brute force is timed on a sample of rows and extrapolated, in the same run.

    python benchmarks/index_scale.py [--join 1000000] [--known 4300000]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from desktop.core.hamming import HammingIndex, popcount_rows

RADIUS = {64: 8, 256: 31}  # query radius: pHash's usual 8, PDQ's usual 31
JOIN_RADIUS = {64: 10, 256: 15}  # self-join radius, as grouping uses them (dct64 <= 10)


def planted(bits: int, n: int, radius: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n random hashes; every 100th has a copy within `radius` bits. Returns words, copy rows."""
    rng = np.random.default_rng(seed)
    words = rng.integers(0, np.iinfo(np.uint64).max, size=(n, bits // 64), dtype=np.uint64,
                         endpoint=True)  # fmt: skip
    sources = np.arange(0, n - 1, 100)
    copies = sources + 1
    words[copies] = words[sources]
    for k, row in enumerate(copies):
        flips = rng.choice(bits, int(radius * (k % 4 + 1) / 4), replace=False)
        for bit in flips:
            words[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return words, sources


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_join(bits: int, n: int) -> None:
    radius = JOIN_RADIUS[bits]
    words, sources = planted(bits, n, radius, seed=bits)
    index = HammingIndex(bits)
    index.add_words(np.arange(n), words)
    start = time.perf_counter()
    a, b, _ = index.pair_arrays(radius)
    seconds = time.perf_counter() - start
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    recall = np.mean([(int(s), int(s) + 1) in found for s in sources])
    sample = 200
    t = time.perf_counter()
    for row in range(sample):
        popcount_rows(words[row + 1 :] ^ words[row])
    brute = (time.perf_counter() - t) / sample * n / 2  # a self-join scans half on average
    print(f"self-join {bits}-bit n={n:,} r={radius}: {seconds:.1f} s, {len(a):,} pairs, "
          f"planted recall {recall:.3f}; numpy brute force ~{brute:.0f} s "
          f"(x{brute / seconds:.0f}); peak RSS {peak_rss_mib():.0f} MiB")  # fmt: skip


def bench_query(bits: int, n: int) -> None:
    radius = RADIUS[bits]
    words, sources = planted(bits, n, radius, seed=bits + 1)
    index = HammingIndex(bits)
    index.add_words(np.arange(n), words)
    t = time.perf_counter()
    index.join_words(words[:1], radius)  # builds the tables
    build = time.perf_counter() - t
    queries = sources[:500]
    t = time.perf_counter()
    hits = 0
    for row in queries:
        rows, _, _ = index.join_words(words[row : row + 1], radius)
        hits += int(row + 1 in set(rows.tolist()))
    per_query = (time.perf_counter() - t) / len(queries)
    t = time.perf_counter()
    for row in queries[:20]:
        distances = popcount_rows(words ^ words[row])
        np.nonzero(distances <= radius)
    brute = (time.perf_counter() - t) / 20
    print(f"query {bits}-bit against n={n:,} r={radius}: {per_query * 1000:.3f} ms "
          f"(build {build:.1f} s), planted recall {hits / len(queries):.3f}; "
          f"numpy brute force {brute * 1000:.1f} ms (x{brute / per_query:.0f}); "
          f"peak RSS {peak_rss_mib():.0f} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--join", type=int, default=1_000_000)
    parser.add_argument("--known", type=int, default=4_300_000)
    parser.add_argument("--only", choices=["join", "query"], default=None)
    args = parser.parse_args()
    for bits in (64, 256):
        if args.only != "query":
            bench_join(bits, args.join)
        if args.only != "join":
            bench_query(bits, args.known)


if __name__ == "__main__":
    main()
