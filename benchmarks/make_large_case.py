"""Write a synthetic case of N media (default 1,000,000) straight into a case file, fast.

Rows look like an ingest's: a file location per media (some with extra copies), camera EXIF on
most, dates, a few problem statuses, PDQ hashes, and small harmless thumbnails (gradients and
shapes, reused from a pool so the file stays a few hundred megabytes).

    python benchmarks/make_large_case.py /tmp/large.vigil [--media 1000000]
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


def write_case(
    path: Path,
    media: int,
    batch: int = 50_000,
    thumb_side: int = THUMB_SIDE,
    distinct_thumbnails: bool = False,
) -> None:
    """`distinct_thumbnails`: one picture per media (slower to make; reports need it, as a
    PDF stores a repeated picture once)."""
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    db = open_case(path, create=True)
    db.execute("PRAGMA synchronous = OFF")  # a benchmark file: speed over crash safety
    rng = np.random.default_rng(7)
    pool = thumbnail_pool(thumb_side, media + 1 if distinct_thumbnails else THUMB_POOL)
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
        for media_id in ids:
            make, model, serial = CAMERAS[media_id % len(CAMERAS)]
            status = STATUSES[int(rng.integers(0, len(STATUSES)))]
            digest = rng.bytes(32).hex()
            day = 1 + media_id % 28
            taken = f"20{10 + media_id % 14:02d}-{1 + media_id % 12:02d}-{day:02d}T12:00:00"
            exif = {"make": make, "model": model} if make else {}
            media_rows.append(
                (media_id, digest, digest[:32], digest[:40], 20_000 + media_id % 5000, "jpeg",
                 "image/jpeg", status, None if status == "ok" else f"synthetic {status} file",
                 640, 480, 1, json.dumps(exif) if exif else None, taken if make else None,
                 make, model, serial, pool[media_id % len(pool)] if status == "ok" else None)
            )  # fmt: skip
            for copy in range(1 + (media_id % 10 == 0) * int(rng.integers(1, 4))):
                file_id += 1
                folder = f"/evidence/disk{media_id % 7}/folder{media_id // 1000:04d}"
                name = f"{folder}/IMG_{media_id:07d}{'_copy' * copy}.jpg"
                file_rows.append(
                    (file_id, name.encode(), name, media_id, "ok" if copy == 0 else "duplicate",
                     20_000, file_id)
                )  # fmt: skip
            if status == "ok":
                hash_rows.append((media_id, rng.bytes(32).hex(), 90))
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO media (id, sha256, md5, sha1, size, file_type, mime_type, status,"
                " reason, width, height, frames, exif, taken_at, camera_make, camera_model,"
                " camera_serial, thumbnail, first_run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                media_rows,
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
    args = parser.parse_args()
    write_case(args.case, args.media)


if __name__ == "__main__":
    main()
