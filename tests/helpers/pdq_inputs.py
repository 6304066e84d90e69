"""The pictures PDQ's stored reference hashes were computed from: integer arithmetic only, so
every machine and every numpy makes the same pixels (no float, no drawing library)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).parents[1] / "data" / "pdq_reference.json"

# sides that give every filter window from 1 (<= 128 px: no blur) to 16 (2000 px), and the
# shapes ingest meets: 500x375 and 480x270 reduced decodes, 64x64 squares and 48x64 views
SHAPES = [(500, 375), (480, 270), (64, 64), (64, 48), (48, 64), (97, 301), (2000, 1500),
          (1000, 30), (129, 257), (5, 5), (333, 512)]  # fmt: skip
SEEDS = (1, 2, 3)


def reference_picture(seed: int, size: tuple[int, int]) -> np.ndarray:
    """An RGB picture (height x width x 3, uint8) of blocks, ramps and hashed noise."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    noise = (x * 1103515245 + y * 12345 + seed * 2654435761) % 2147483647 % 61
    blocks = ((x * 8 // max(width, 1)) ^ (y * 6 // max(height, 1))) * (37 + seed)
    red = (x * (3 + seed) + y * 5 + blocks + noise) % 256
    green = ((x * y) // (7 + seed) + x * 2 + noise // 2) % 256
    blue = (
        (x ^ y) * (seed + 1) + (x * 4 // max(width, 1) + y * 4 // max(height, 1)) % 2 * 100
    ) % 256
    return np.stack([red, green, blue], axis=-1).astype(np.uint8)


def reference_rows() -> list[dict]:
    """The stored reference: seed, size, PDQ hex and quality of each picture."""
    return json.loads(REFERENCE.read_text())["pictures"]
