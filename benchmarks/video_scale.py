"""Video grouping at scale: a case of synthetic videos (random frame hashes, one kept frame a
second) with planted copies and clips, grouped by the real grouping job.

    python benchmarks/index_scale.py --videos 100000   (runs this; or run it directly)
    python benchmarks/video_scale.py --make /tmp/v.vigil   (the case alone, untimed), then
    flock /tmp/vigil-bench.lock python benchmarks/video_scale.py --case /tmp/v.vigil
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from desktop.core.fingerprints import MASKED_VARIANTS, ORIENTATION_VARIANTS
from desktop.core.frame_hashes import NO_QUALITY
from desktop.core.windows import CROP_ROW_BITS
from desktop.store.db import open_case
from desktop.store.fingerprint_columns import CENTRE_WINDOW

# What the video grouping reads of each frame (pHash, views rows are stored but not read); of
# the crop64 row (the whole frame's hash and its windows') the centred crop join reads two.
PDQ_KINDS = ("original", *ORIENTATION_VARIANTS, *MASKED_VARIANTS)
CROP_WORDS = CROP_ROW_BITS // 64


def _flip(words: np.ndarray, bits: int, counts: np.ndarray, rng: np.random.Generator) -> None:
    """Flip counts[i] random bits of row i of (n, bits/64) uint64 words, in place."""
    for row, count in enumerate(counts.tolist()):
        for bit in rng.choice(bits, count, replace=False):
            words[row, bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)


def synthetic_video_case(path: Path, videos: int, frames: int = 60, seed: int = 11):
    """A case of `videos` videos of `frames` kept frames each. Every 100th video is a copy of
    the one before (each frame's PDQ 0-16 bits off, its dct64 0-3); every 100th plus 50 a
    clip of the one before (its frames 20-39, as copies); every 100th plus 26 a centred crop
    of the one before (each frame's whole crop64 hash 0-3 bits from its centred window, every
    other hash its own). Returns (copies, clips, crops) planted as (video, original) pairs."""
    rng = np.random.default_rng(seed)
    top = np.iinfo(np.uint64).max
    db = open_case(path, create=True)
    copies, clips, crops = [], [], []
    numbers = np.arange(frames, dtype="<u2").tobytes()
    quality = bytes([90]) * frames
    times = (np.arange(frames, dtype="<i4") * 1000).tobytes()
    previous: dict[str, np.ndarray] = {}
    with db.atomic():
        for first in range(0, videos, 10_000):
            media, rows, hashes = [], [], []
            for i in range(first, min(videos, first + 10_000)):
                media_id = i + 1
                if i % 100 in (1, 51) and previous:
                    keep = slice(None) if i % 100 == 1 else slice(20, 40)
                    words = {k: v[keep].copy() for k, v in previous.items()}
                    n = len(words["dct64"])
                    for name in PDQ_KINDS:
                        _flip(words[name], 256, rng.integers(0, 17, n), rng)
                    _flip(words["dct64"], 64, rng.integers(0, 4, n), rng)
                    _flip(words["crop64"], CROP_ROW_BITS, rng.integers(0, 4, n), rng)
                    (copies if i % 100 == 1 else clips).append((media_id, media_id - 1))
                else:
                    words = {k: rng.integers(0, top, size=(frames, 4), dtype=np.uint64,
                                             endpoint=True) for k in PDQ_KINDS}  # fmt: skip
                    words["dct64"] = rng.integers(0, top, size=(frames, 1), dtype=np.uint64,
                                                  endpoint=True)  # fmt: skip
                    words["crop64"] = rng.integers(0, top, size=(frames, CROP_WORDS),
                                                   dtype=np.uint64, endpoint=True)  # fmt: skip
                    if i % 100 == 26 and previous:  # a centred crop of the video before
                        words["crop64"][:, 0] = previous["crop64"][:, CENTRE_WINDOW]
                        _flip(words["crop64"][:, :1], 64, rng.integers(0, 4, frames), rng)
                        crops.append((media_id, media_id - 1))
                previous = words
                n = len(words["dct64"])
                media.append((media_id, f"{media_id:064x}", "0" * 32, "0" * 40, 1, "mp4",
                              "ok", 640, 360, float(n)))  # fmt: skip
                rows.append((media_id, "mov", "h264", float(n), 25.0, 640, 360, n, times[: 4 * n]))
                for name in PDQ_KINDS:
                    hashes.append((media_id, "pdq", name, numbers[: 2 * n],
                                   words[name].astype(">u8").tobytes(), quality[:n]))  # fmt: skip
                hashes.append((media_id, "dct64", "canon", numbers[: 2 * n],
                               words["dct64"].astype(">u8").tobytes(), quality[:n]))  # fmt: skip
                hashes.append((media_id, "crop64", "windows", numbers[: 2 * n],
                               words["crop64"].astype(">u8").tobytes(), quality[:n]))  # fmt: skip
            db.conn.executemany(
                "INSERT INTO media (id, sha256, md5, sha1, size, file_type, status, width,"
                " height, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                media,
            )
            db.conn.executemany(
                "INSERT INTO videos (media_id, container, video_codec, duration, fps,"
                " coded_width, coded_height, frames_decoded, frame_times)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany(
                "INSERT INTO frame_hashes (media_id, algorithm, variant, frames, hashes,"
                " qualities) VALUES (?, ?, ?, ?, ?, ?)",
                hashes,
            )
    db.close()
    assert NO_QUALITY != 90
    return copies, clips, crops


def make_case(path: Path, videos: int, frames: int = 60) -> None:
    """The case, made ahead of a timed run (outside the benchmark lock); its planted pairs
    beside it (PATH.json). A case made so is grouped once: the run adds a video to it."""
    t = time.perf_counter()
    planted = synthetic_video_case(path, videos, frames)
    made = time.perf_counter() - t
    path.with_suffix(".json").write_text(json.dumps([videos, frames, made, *planted]))


def bench_video_grouping(videos: int, frames: int = 60, made_case: Path | None = None) -> None:
    import resource
    import tempfile

    from desktop.jobs.grouping import update_groups
    from desktop.store import groups as group_store

    with tempfile.TemporaryDirectory() as tmp:
        if made_case is not None:
            path = made_case
            videos, frames, made, *planted = json.loads(path.with_suffix(".json").read_text())
            copies, clips, crops = ([tuple(pair) for pair in kind] for kind in planted)
        else:
            path = Path(tmp) / "videos.vigil"
            t = time.perf_counter()
            copies, clips, crops = synthetic_video_case(path, videos, frames)
            made = time.perf_counter() - t
        size = path.stat().st_size / 2**20
        db = open_case(path)
        t = time.perf_counter()
        summary = update_groups(db)  # the first run: reads every row, packs the engine's copy
        first = time.perf_counter() - t
        together = set()
        for group in group_store.iter_groups(db, "normal"):
            ids = [m["media_id"] for m in group]
            together.update((a, b) for a in ids for b in ids if a != b)
        found_copies = np.mean([pair in together for pair in copies]) if copies else 1.0
        found_clips = np.mean([pair in together for pair in clips]) if clips else 1.0
        found_crops = np.mean([pair in together for pair in crops]) if crops else 1.0
        with db.atomic():  # the same grouping again from its packed copy (not a --rebuild)
            db.execute("DELETE FROM similarity_state")
        t = time.perf_counter()
        update_groups(db)
        again = time.perf_counter() - t
        with db.atomic():  # one new video: a copy of video 1
            db.execute(
                "INSERT INTO media (id, sha256, md5, sha1, size, file_type, status, duration)"
                " SELECT ?, 'new', '', '', 1, 'mp4', 'ok', duration FROM media WHERE id = 1",
                [videos + 1],
            )
            names = [r[1] for r in db.execute("PRAGMA table_info(videos)") if r[1] != "media_id"]
            listed = ", ".join(names)
            db.execute(
                f"INSERT INTO videos (media_id, {listed}) SELECT ?, {listed} FROM videos"
                " WHERE media_id = 1",
                [videos + 1],
            )
            db.execute("INSERT INTO frame_hashes SELECT ?, algorithm, variant, frames, hashes,"
                       " qualities FROM frame_hashes WHERE media_id = 1", [videos + 1])  # fmt: skip
        t = time.perf_counter()
        incremental = update_groups(db)
        one_more = time.perf_counter() - t
        db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"video grouping job, {videos:,} videos x {frames} frames ({videos * frames:,} frames; "
        f"case made in {made:.0f} s, {size:,.0f} MiB): first run {first:.1f} s, "
        f"{summary.video_pairs:,} video pairs compared, {summary.groups:,} groups; planted "
        f"copies grouped {found_copies:.3f}, clips with their video {found_clips:.3f}, centred "
        f"crops grouped {found_crops:.3f}"
    )
    print(
        f"  again from its packed copy {again:.1f} s; one new video then "
        f"{one_more:.1f} s (incremental: {incremental.incremental}); peak RSS {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--make", type=Path, help="only make the case at this path (untimed)")
    parser.add_argument("--case", type=Path, help="group a case --make made (once)")
    arguments = parser.parse_args()
    if arguments.make:
        make_case(arguments.make, arguments.videos, arguments.frames)
    else:
        bench_video_grouping(arguments.videos, arguments.frames, arguments.case)
