"""Photo-sized synthetic JPEGs for the ingest benchmarks, written once and cached."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from desktop.core.samples import exif_for, jpeg_bytes, scene

SIZES = [(4000, 3000), (1920, 1080)]  # a 12 MP phone photo and a full-HD frame, alternating
OUT = Path(__file__).resolve().parent / "out"


def photo(index: int) -> tuple[str, bytes]:
    """A photo-like JPEG: a scene made at quarter size, enlarged, with fine sensor-like grain."""
    w, h = SIZES[index % len(SIZES)]
    base = scene(index, (w // 4, h // 4)).resize((w, h), Image.Resampling.BICUBIC)
    rng = np.random.default_rng(index)
    grain = rng.integers(-8, 9, size=(h, w, 1), dtype=np.int16)  # detail that JPEG must encode
    array = np.clip(np.asarray(base, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
    exif = exif_for(index, index % 3 if index % 2 else None, "2024:06:01 12:00:00")
    return f"IMG_{index:05d}.jpg", jpeg_bytes(Image.fromarray(array), quality=88, exif=exif)


def _write(args: tuple[Path, int]) -> None:
    folder, index = args
    name = f"IMG_{index:05d}.jpg"
    path = folder / name
    for other in OUT.glob("photos_*"):  # the same picture made for a run of another size
        if other != folder and (other / name).exists():
            os.link(other / name, path)
            return
    name, data = photo(index)
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.rename(path)


def photo_folder(count: int) -> Path:
    """A folder of `count` photos (reused between runs; only missing ones are made, or linked
    from a folder made for another count)."""
    folder = OUT / f"photos_{count}"
    folder.mkdir(parents=True, exist_ok=True)
    missing = [(folder, i) for i in range(count) if not (folder / f"IMG_{i:05d}.jpg").exists()]
    if missing:
        print(f"Generating {len(missing)} photo-sized JPEGs in {folder} (cached for next runs)...")
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(_write, missing, chunksize=8))
    return folder
