"""Write a synthetic case of N media (default 1,000,000) straight into a case file, fast.

Rows look like an ingest's: a file location per media (some with extra copies), camera EXIF on
most, dates, a few problem statuses, PDQ hashes, and small harmless thumbnails (gradients and
shapes, reused from a pool so the file stays a few hundred megabytes). With --videos every
media is a video instead: a videos row (length, codecs, kept frames' times), a 16-frame
storyboard strip and packed frame PDQs, as video ingest writes them.

    python benchmarks/make_large_case.py /tmp/large.vigil [--media 1000000] [--videos]
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import numpy as np

from desktop.core.samples import scene
from desktop.store.db import now_iso, open_case

THUMB_POOL = 400
THUMB_SIDE = 64
CAMERAS = [
    ("Canon", "Canon EOS 250D", "083021004512"),
    ("NIKON CORPORATION", "NIKON D3500", "6021457"),
    ("Apple", "iPhone 12", None),
    ("samsung", "SM-G991B", None),
    (None, None, None),
]
STATUSES = ["ok"] * 97 + ["truncated", "corrupt", "unsupported"]


def thumbnail_pool(side: int = THUMB_SIDE, count: int = THUMB_POOL) -> list[bytes]:
    pool = []
    for seed in range(count):
        img = scene(seed, (side, side * 3 // 4))
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=70)
        pool.append(buffer.getvalue())
    return pool


def storyboard_pool(count: int = 40) -> list[tuple[bytes, bytes]]:
    """(tile times, strip JPEG) of synthetic 16-frame storyboards of 160x90 tiles."""
    from desktop.core.video_frames import storyboard_strip

    pool = []
    for seed in range(count):
        tiles = [scene(seed * 16 + k, (160, 90)) for k in range(16)]
        times = np.arange(16, dtype="<i4") * 4000 + 2000
        pool.append((times.tobytes(), storyboard_strip(tiles, (160, 90))))
    return pool


def video_rows(media_id: int, rng: np.random.Generator, boards: list[tuple[bytes, bytes]]):
    """A videos row, a storyboard row and a packed PDQ row for one synthetic video."""
    duration = float(5 + media_id % 600)
    kept = min(600, int(duration))
    times = (np.arange(kept, dtype="<i4") * 1000).tobytes()
    times_board, strip = boards[media_id % len(boards)]
    frames = np.arange(kept, dtype="<u2").tobytes()
    video = (media_id, "mov", "h264", "aac" if media_id % 3 else None, duration, 30.0, 1920,
             1080, 0, int(duration * 30), kept, duration, times)  # fmt: skip
    board = (media_id, times_board, strip, 160, 90)
    hashes = (media_id, "pdq", "original", frames, rng.bytes(32 * kept), bytes([90]) * kept)
    return video, board, hashes


def write_case(
    path: Path,
    media: int,
    batch: int = 50_000,
    thumb_side: int = THUMB_SIDE,
    distinct_thumbnails: bool = False,
    videos: bool = False,
) -> None:
    """`distinct_thumbnails`: one picture per media (slower to make; reports need it, as a
    PDF stores a repeated picture once). `videos`: every media a video (videos row,
    storyboard, frame hashes)."""
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    db = open_case(path, create=True)
    db.execute("PRAGMA synchronous = OFF")  # a benchmark file: speed over crash safety
    rng = np.random.default_rng(7)
    pool = thumbnail_pool(thumb_side, media + 1 if distinct_thumbnails else THUMB_POOL)
    boards = storyboard_pool() if videos else []
    with db.atomic():
        db.execute(
            "INSERT INTO ingest_runs (id, started_at, user, tool_version, sources, state)"
            " VALUES (1, ?, 'benchmark', 'synthetic', '[\"/evidence\"]', 'finished')",
            [now_iso()],
        )
        db.execute(
            "INSERT INTO sources (id, path_raw, path, added_at) VALUES (1, ?, '/evidence', ?)",
            [b"/evidence", now_iso()],
        )
    file_id = 0
    started = time.monotonic()
    for start in range(1, media + 1, batch):
        ids = range(start, min(start + batch, media + 1))
        media_rows, file_rows, hash_rows = [], [], []
        video_batch: list[tuple] = []
        for media_id in ids:
            make, model, serial = CAMERAS[media_id % len(CAMERAS)]
            status = STATUSES[int(rng.integers(0, len(STATUSES)))]
            digest = rng.bytes(32).hex()
            day = 1 + media_id % 28
            taken = f"20{10 + media_id % 14:02d}-{1 + media_id % 12:02d}-{day:02d}T12:00:00"
            exif = {"make": make, "model": model} if make else {}
            kind = ("mp4", "video/mp4", 1920, 1080) if videos else ("jpeg", "image/jpeg", 640, 480)
            media_rows.append(
                (media_id, digest, digest[:32], digest[:40], 20_000 + media_id % 5000, kind[0],
                 kind[1], status, None if status == "ok" else f"synthetic {status} file",
                 kind[2], kind[3], 1, json.dumps(exif) if exif else None, taken if make else None,
                 make, model, serial, pool[media_id % len(pool)] if status == "ok" else None,
                 float(5 + media_id % 600) if videos else None)
            )  # fmt: skip
            if videos and status == "ok":
                video_batch.append(video_rows(media_id, rng, boards))
            for copy in range(1 + (media_id % 10 == 0) * int(rng.integers(1, 4))):
                file_id += 1
                folder = f"/evidence/disk{media_id % 7}/folder{media_id // 1000:04d}"
                suffix = ".mp4" if videos else ".jpg"
                name = f"{folder}/IMG_{media_id:07d}{'_copy' * copy}{suffix}"
                file_rows.append(
                    (file_id, name.encode(), name, media_id, "ok" if copy == 0 else "duplicate",
                     20_000, file_id)
                )  # fmt: skip
            if status == "ok" and not videos:
                hash_rows.append((media_id, rng.bytes(32).hex(), 90))
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO media (id, sha256, md5, sha1, size, file_type, mime_type, status,"
                " reason, width, height, frames, exif, taken_at, camera_make, camera_model,"
                " camera_serial, thumbnail, duration, first_run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                media_rows,
            )
            db.conn.executemany(
                "INSERT INTO videos (media_id, container, video_codec, audio_codec, duration, fps,"
                " coded_width, coded_height, rotation, frames_total, frames_decoded,"
                " decoded_until, frame_times) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [v for v, _, _ in video_batch],
            )
            db.conn.executemany(
                "INSERT INTO video_storyboards (media_id, times, strip, tile_width, tile_height)"
                " VALUES (?, ?, ?, ?, ?)",
                [b for _, b, _ in video_batch],
            )
            db.conn.executemany(
                "INSERT INTO frame_hashes (media_id, algorithm, variant, frames, hashes,"
                " qualities) VALUES (?, ?, ?, ?, ?, ?)",
                [h for _, _, h in video_batch],
            )
            db.conn.executemany(
                "INSERT INTO files (id, source_id, path_raw, path, media_id, status, size,"
                " mtime_ns, run_id) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1)",
                file_rows,
            )
            db.conn.executemany(
                "INSERT INTO perceptual_hashes (media_id, algorithm, hash, quality)"
                " VALUES (?, 'pdq', ?, ?)",
                hash_rows,
            )
        done = ids[-1]
        rate = done / (time.monotonic() - started)
        print(f"\r{done:,} media ({rate:,.0f}/s)", end="", flush=True)
    db.execute("ANALYZE")
    db.close()
    print(f"\nwrote {path} ({path.stat().st_size / 1e6:,.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", type=Path)
    parser.add_argument("--media", type=int, default=1_000_000)
    parser.add_argument("--videos", action="store_true", help="every media a video")
    args = parser.parse_args()
    write_case(args.case, args.media, videos=args.videos)


if __name__ == "__main__":
    main()
