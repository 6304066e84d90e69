"""Hamming index at scale: random hashes with planted near-duplicates, beside numpy brute force.

For 64-bit and 256-bit hashes: the self-join (what grouping does) at 1M, one query against
4.3M (INTERPOL's collection size), peak memory, and recall of the planted pairs (must be 1.0).
Brute force is timed on a sample of rows and extrapolated, in the same run.

    python benchmarks/index_scale.py [--join 1000000] [--known 4300000] [--videos 100000]
    python benchmarks/index_scale.py --only videos   (100,000 videos x 60 frames; see video_scale)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from desktop.core.crops import crop_pairs, window_sources
from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS
from desktop.core.hamming import HammingIndex, popcount_rows
from desktop.core.similarity import STRICTNESS
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_VARIANT,
    VIEW_COUNT,
    VIEW_VARIANT,
    WINDOW_COUNT,
)
from desktop.jobs.grouping import update_groups
from desktop.store import fingerprint_columns
from desktop.store import groups as group_store
from desktop.store.db import open_case

sys.path.insert(0, str(Path(__file__).parent))
from video_scale import bench_video_grouping  # noqa: E402

RADIUS = {64: 8, 256: 31}  # query radius: pHash's usual 8, PDQ's usual 31
JOIN_RADIUS = {64: 8, 256: 15}  # self-join radius (normal grouping joins dct64 within 8)
NEW_MEDIA = 100  # added to the big case for the incremental run


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


def _flip(words: np.ndarray, bits: int, count: int, rng: np.random.Generator) -> np.ndarray:
    out = words.copy()
    for bit in rng.choice(bits, count, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


def synthetic_case(path: Path, n: int, planted_crops: list, seed: int = 7) -> int:
    """A case file with n media and their engine hashes (random; every 100th has a copy, and
    every 100th a crop: its whole-picture hash 0-6 bits from a window of the picture before,
    appended to `planted_crops` as (crop, original)). Returns the number of copies."""
    rng = np.random.default_rng(seed)
    db = open_case(path, create=True)
    top = np.iinfo(np.uint64).max
    planted = 0
    last_pdq: list[np.ndarray] = []
    last_coarse = np.zeros(1, dtype=np.uint64)
    last_masked = np.zeros(4, dtype=np.uint64)
    last_crop = np.zeros(1 + WINDOW_COUNT, dtype=np.uint64)
    last_views = np.zeros(VIEW_COUNT, dtype=np.uint64)
    with db.atomic():
        for first in range(0, n, 50_000):
            media, hashes = [], []
            for i in range(first, min(n, first + 50_000)):
                media_id = i + 1
                media.append((media_id, f"{media_id:064x}", "0" * 32, "0" * 40, 1, "ok", 640, 480))
                if i % 100 == 1:  # a copy of the previous picture: a few bits off everywhere
                    pdq = [_flip(w, 256, int(rng.integers(0, 30)), rng) for w in last_pdq]
                    coarse = _flip(last_coarse, 64, int(rng.integers(0, 7)), rng)
                    masked = last_masked.copy()
                    planted += 1
                else:
                    pdq = list(rng.integers(0, top, size=(13, 4), dtype=np.uint64, endpoint=True))
                    coarse = rng.integers(0, top, size=1, dtype=np.uint64, endpoint=True)
                    masked = rng.integers(0, top, size=4, dtype=np.uint64, endpoint=True)
                crop = rng.integers(0, top, size=1 + WINDOW_COUNT, dtype=np.uint64, endpoint=True)
                views = rng.integers(0, top, size=VIEW_COUNT, dtype=np.uint64, endpoint=True)
                views[rng.random(VIEW_COUNT) < 0.15] = 0  # cuts to the picture's own shape
                if i % 100 == 51:  # a crop of the previous picture: near a window or a view
                    near = np.concatenate([last_crop[1:], last_views[last_views != 0]])
                    window = int(rng.integers(0, len(near)))
                    crop[0] = _flip(near[window : window + 1], 64, 2 * (i // 100 % 4), rng)[0]
                    planted_crops.append((media_id, media_id - 1))
                last_pdq, last_coarse, last_masked, last_crop = pdq, coarse, masked, crop
                last_views = views
                names = ("original", *ORIENTATION_VARIANTS, *MASKED_VARIANTS)
                for name, words in zip(names, pdq, strict=True):
                    hashes.append((media_id, "pdq", name, words.astype(">u8").tobytes().hex(), 100))
                hashes.append(
                    (media_id, "dct64", "canon", coarse.astype(">u8").tobytes().hex(), 90)
                )
                # the masked views' DCT hashes: four 64-bit words in one row
                hashes.append(
                    (media_id, "mask64", "views", masked.astype(">u8").tobytes().hex(), 90)
                )
                hashes.append(
                    (media_id, CROP_ALGORITHM, CROP_VARIANT, crop.astype(">u8").tobytes().hex(), 90)
                )
                hashes.append(
                    (
                        media_id,
                        CROP_ALGORITHM,
                        VIEW_VARIANT,
                        views.astype(">u8").tobytes().hex(),
                        90,
                    )
                )
            db.conn.executemany(
                "INSERT INTO media (id, sha256, md5, sha1, size, status, width, height)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                media,
            )
            db.conn.executemany(
                "INSERT INTO perceptual_hashes (media_id, algorithm, variant, hash, quality)"
                " VALUES (?, ?, ?, ?, ?)",
                hashes,
            )
    db.close()
    return planted


def cpu_seconds() -> float:
    """CPU time (user and system) of this process so far, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU time of a stretch of work."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, cpu_seconds() - self.cpu


BASELINE_WORDS = 1 << 29  # word distances the baseline computes, whatever the case's size


def baseline(words: np.ndarray) -> tuple[float, float]:
    """(wall, CPU) of a bare numpy pass over the same rows, repeated to a fixed amount of work
    (BASELINE_WORDS distances of a hash to a dct64 word and their count within 4 bits, one
    thread: about half a second of CPU): what the machine gives this process now. On a quiet
    machine its wall time is its CPU time; the ratio of the two says how loaded it is."""
    flat = words.reshape(-1)
    clock = Clock()
    for probe in np.resize(flat, max(1, BASELINE_WORDS // len(flat))):
        np.count_nonzero(np.bitwise_count(flat ^ probe) <= 4)
    return clock.stop()


def _quiet(wall: float, base: tuple[float, float]) -> str:
    """A stretch's wall time on a quiet machine, estimated by the baseline's load factor."""
    load = base[0] / max(base[1], 1e-9)
    return f"~{wall / max(load, 1.0):.1f} s quiet (load factor {load:.1f})"


def case_file(path: Path | None, n: int, planted_crops: list) -> tuple[Path, float, int]:
    """The synthetic case of n media: made in a temporary folder, or kept at `path` and made
    only when missing (making a million media takes minutes). Returns (path, seconds to make,
    planted copies)."""
    t = time.perf_counter()
    if path is not None and path.exists():
        with open(str(path) + ".planted") as handle:
            planted, *pairs = (int(x) for x in handle.read().split())
        planted_crops.extend(zip(pairs[::2], pairs[1::2], strict=True))
        return path, 0.0, planted
    target = path or Path(tempfile.mkdtemp()) / "large.vigil"
    planted = synthetic_case(target, n, planted_crops)
    with open(str(target) + ".planted", "w") as handle:
        handle.write(" ".join(str(x) for x in [planted, *sum(planted_crops, ())]))
    return target, time.perf_counter() - t, planted


def bench_case_grouping(
    n: int, levels: tuple[str, ...] = ("normal",), keep: Path | None = None
) -> None:
    """The whole grouping job on a case of n media, as `vigil groups` runs it, from a case
    grouped never before (no packed copy), then again after NEW_MEDIA new media."""
    planted_crops: list[tuple[int, int]] = []
    source, made, planted = case_file(keep, n, planted_crops)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.vigil"
        shutil.copyfile(source, path)
        with open(path, "rb+") as handle:  # the copy on disk before any timing: the grouping's
            os.fsync(handle.fileno())  # first checkpoint would otherwise write the whole case
        db = open_case(path)
        rss_before = peak_rss_mib()
        coarse = fingerprint_columns.hash_columns(db, "dct64", None, 64)[1]
        for level in levels[1:]:  # the other strictness levels first, each from scratch
            t = time.perf_counter()
            other = update_groups(db, strictness=level)
            print(f"grouping job, {n:,} media, strictness {level}: "
                  f"{time.perf_counter() - t:.1f} s ({other.groups:,} groups)")  # fmt: skip
        base = baseline(coarse)
        clock = Clock()
        summary = update_groups(db, strictness=levels[0])
        seconds, cpu = clock.stop()
        peak = peak_rss_mib()  # the grouping's peak: the crop recount below reads more at once
        pairs = sum(1 for g in group_store.iter_groups(db, levels[0]) if len(g) == 2)
        # crops are confirmed on thumbnails, which random hashes do not have: their candidates
        # are counted here, with the time of the join alone
        t = time.perf_counter()
        rows = fingerprint_columns.crop_rows(db)
        views = fingerprint_columns.masked_coarse_columns(db)
        more = fingerprint_columns.view_rows(db)
        whole = (rows[0], np.ascontiguousarray(rows[1][:, :1]), rows[2])
        sources = window_sources(rows, views, more)
        crop, original, _, _ = crop_pairs(whole, STRICTNESS[levels[0]].nominated, None, sources)
        crop_join = time.perf_counter() - t
        found_crops = set(zip(crop.tolist(), original.tolist(), strict=True))
        crop_recall = np.mean([pair in found_crops for pair in planted_crops])
        del rows, views, more, whole, sources
        with db.atomic():  # NEW_MEDIA new pictures: exact re-encodes of media 1, 2, ...
            for k in range(1, NEW_MEDIA + 1):
                db.execute("INSERT INTO media (id, sha256, md5, sha1, size, status) VALUES "
                           "(?, ?, '', '', 1, 'ok')", [n + k, f"new{k}"])  # fmt: skip
                db.execute("INSERT INTO perceptual_hashes SELECT ?, algorithm, variant,"
                           " hash, quality FROM perceptual_hashes WHERE media_id = ?",
                           [n + k, k])  # fmt: skip
        again_base = baseline(coarse)
        clock = Clock()
        again = update_groups(db, strictness=levels[0])
        incremental, incremental_cpu = clock.stop()
        db.close()
    print(
        f"grouping job, case of {n:,} media (made in {made:.0f} s): {seconds:.1f} s, "
        f"CPU {cpu:.1f} s, {_quiet(seconds, base)} (target: under 60 s quiet) "
        f"({summary.groups:,} groups), planted pairs recovered {pairs / planted:.3f}; "
        f"peak RSS {peak:.0f} MiB (target: under 1024; before grouping {rss_before:.0f})"
    )
    print(f"  baseline (numpy: {BASELINE_WORDS:,} distances of a hash to the "
          f"{len(coarse):,} dct64 words, one thread): "
          f"wall {base[0] * 1000:.0f} ms, CPU {base[1] * 1000:.0f} ms; "
          f"grouping / baseline wall {seconds / base[0]:.0f}")  # fmt: skip
    print(f"  incremental run after {NEW_MEDIA} new media: {incremental:.2f} s, CPU "
          f"{incremental_cpu:.2f} s, {_quiet(incremental, again_base)} (target: under 2 s "
          f"quiet; queried {again.queried}); baseline wall {again_base[0] * 1000:.0f} ms, CPU "
          f"{again_base[1] * 1000:.0f} ms, ratio {incremental / again_base[0]:.1f}")  # fmt: skip
    print(f"  the crop join alone (read {n:,} crop64, views and mask64 rows, join every window, "
          f"view and masked view against every "
          f"whole-picture hash): {crop_join:.1f} s, {len(crop):,} candidates, planted crops "
          f"(0-6 bits from a window or view) found {crop_recall:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--join", type=int, default=1_000_000)
    parser.add_argument("--known", type=int, default=4_300_000)
    parser.add_argument("--case", type=int, default=1_000_000, help="media in the grouping case")
    parser.add_argument("--only", choices=["join", "query", "case", "videos"], default=None)
    parser.add_argument("--all-strictness", action="store_true", help="also time strict, loose")
    parser.add_argument("--keep", type=Path, help="keep the synthetic case here (made if missing)")
    parser.add_argument("--videos", type=int, default=100_000, help="videos (60 frames each)")
    args = parser.parse_args()
    if args.only in (None, "videos"):
        bench_video_grouping(args.videos)  # benchmarks/video_scale.py
    if args.only == "videos":
        return
    if args.only in (None, "case"):
        levels = ("normal", "strict", "loose") if args.all_strictness else ("normal",)
        bench_case_grouping(args.case, levels, args.keep)
    if args.only == "case":
        return
    for bits in (64, 256):
        if args.only != "query":
            bench_join(bits, args.join)
        if args.only != "join":
            bench_query(bits, args.known)


if __name__ == "__main__":
    main()
