"""How far the reduced (JPEG draft) decode moves perceptual hashes from full-decode hashes.

Usage: python benchmarks/draft_hash_drift.py [--count 200]

Ingest hashes a picture from one reduced decode (longest side about 512 px) instead of a full
decode. For photo-sized JPEGs this prints, per algorithm, the distribution of the Hamming
distance between the two, and the share within the targets: pHash and dHash within 2 bits for
99% of pictures, PDQ within 16 (half its usual match threshold of 31). It also prints the
decode time of both ways, the baseline for the saving. The full-decode hashes are the
libraries' own: imagehash's, and PDQ from pdqhash (Meta's C++: `pip install -e ".[reference]"`),
not Vigil's core/pdq.py.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import imagehash
import numpy as np
import pdqhash
from PIL import Image

from desktop.core.hashing import bits_to_hex, hamming_hex, perceptual_hashes
from desktop.core.media import decode_reduced

sys.path.insert(0, str(Path(__file__).resolve().parent))
from photo_corpus import photo_folder  # noqa: E402

TARGETS = {"phash": 2, "dhash": 2, "pdq": 16}


def real_photographs() -> list[tuple[str, bytes]]:
    """Real photographs shipped inside installed packages (none are downloaded), as 12 MP JPEGs."""
    found = []
    try:
        import matplotlib.cbook as cbook

        for name in ("grace_hopper.jpg",):
            with cbook.get_sample_data(name) as handle:
                found.append((name, Image.open(handle).convert("RGB")))
    except Exception:  # noqa: BLE001 - optional: matplotlib not installed or data missing
        pass
    try:
        from skimage import data

        for name in ("astronaut", "coffee", "chelsea", "rocket", "motorcycle_left", "retina"):
            try:
                found.append((name, Image.fromarray(getattr(data, name)()).convert("RGB")))
            except Exception:  # noqa: BLE001 - some sample images need a download: skip them
                continue
    except ImportError:
        pass
    out = []
    for name, img in found:
        for size in ((4000, 3000), (1920, 1080)):
            big = img.resize(size, Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            big.save(buffer, "JPEG", quality=90)
            out.append((f"{name}@{size[0]}", buffer.getvalue()))
    return out


def reference_hashes(image: Image.Image) -> dict[str, str]:
    """The libraries' own hashes of the full-size picture, with no shortcut of Vigil's."""
    vector, _ = pdqhash.compute(np.asarray(image))
    return {
        "phash": str(imagehash.phash(image)),
        "dhash": str(imagehash.dhash(image)),
        "pdq": bits_to_hex(vector),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    folder = photo_folder(2000)
    corpus = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.jpg"))[: args.count]]
    real = real_photographs()
    print(
        f"{len(corpus)} synthetic photo-sized JPEGs + {len(real)} real photographs from "
        "installed packages (matplotlib/scikit-image sample data, enlarged)"
    )
    distances: dict[str, list[int]] = {a: [] for a in TARGETS}
    reduced_time = full_time = 0.0
    for _, data in corpus + real:
        t0 = time.perf_counter()
        reduced = decode_reduced(data)
        t1 = time.perf_counter()
        full = decode_reduced(data, full=True)
        t2 = time.perf_counter()
        reduced_time += t1 - t0
        full_time += t2 - t1
        a = {h.algorithm: h.hex for h in perceptual_hashes(reduced.image)}
        b = reference_hashes(full.image)
        for algorithm in TARGETS:
            distances[algorithm].append(hamming_hex(a[algorithm], b[algorithm]))
    n = len(corpus) + len(real)
    print(
        f"decode: reduced {reduced_time / n * 1000:.1f} ms, full {full_time / n * 1000:.1f} ms "
        f"per picture (ratio {full_time / reduced_time:.2f}x)"
    )
    for algorithm, limit in TARGETS.items():
        values = np.array(distances[algorithm])
        share = float(np.mean(values <= limit))
        p50, p99, worst = np.percentile(values, 50), np.percentile(values, 99), values.max()
        verdict = "meets" if share >= 0.99 else "MISSES"
        print(
            f"{algorithm:6} median {p50:4.1f}  p99 {p99:5.1f}  max {worst:3d}  "
            f"within {limit}: {share:.3f}  ({verdict} the 99% target)"
        )


if __name__ == "__main__":
    main()
