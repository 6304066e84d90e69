"""Confirming a crop: the window of one picture that another one shows, aligned and compared.

A crop that keeps 75-80% of a picture moves every whole-picture hash far (PDQ 60-150 bits,
dct64 up to 30), because the content is both shifted and enlarged. Yet it is close to one
window of the original: fingerprints.window_hashes hashes windows covering WINDOW_SHARE of each
side on a WINDOW_GRID x WINDOW_GRID grid, and the whole picture, as found (`crop64`), and a
crop's whole-picture hash lands within a few bits of the nearest window (measured on 30
photographs: 24 within 4 bits, all within 8; unrelated pictures 12 or more). The grouping joins
the two (similarity.crop_pairs).

Such a window is only a candidate: a grid cell, not the crop's exact place. `crop_distance`
confirms it on the two stored thumbnails: it searches position and size near the cell for the
window whose low frequencies agree best with the crop's, then compares PDQ of that window
with PDQ of the crop. True crops then agree within 2-30 bits of 256;
unrelated pictures' best windows 106 or more.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from desktop.core.fingerprints import WINDOW_GRID, WINDOW_SHARE, dct_basis, window_starts
from desktop.core.hashing import hamming_hex, pdq_hash

# the alignment search around a grid cell: sizes, and shifts of the centre (shares of a side)
SEARCH_SIZES = np.linspace(WINDOW_SHARE - 0.06, WINDOW_SHARE + 0.06, 7)
SEARCH_SHIFTS = np.linspace(-0.04, 0.04, 5)
SEARCH_STEP = 0.01  # the second, finer pass moves the best window by this much each way


def thumbnail_pixels(jpeg: bytes) -> np.ndarray:
    """A stored thumbnail as an (h, w, 3) array."""
    with Image.open(io.BytesIO(jpeg)) as img:
        return np.asarray(img.convert("RGB"))


def _grey(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float64)


# ---- confirming a crop ------------------------------------------------------------------------


def _low_vector(grey: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The low frequencies of a box of a grey picture, as a unit vector."""
    left, top, right, bottom = box
    part = grey[top:bottom, left:right]
    low = dct_basis(bottom - top) @ part @ dct_basis(right - left).T
    vector = low.ravel()[1:]
    return vector / (np.linalg.norm(vector) or 1.0)


def _box(
    shape: tuple[int, ...], centre: tuple[float, float], width: float, aspect: float
) -> tuple[int, int, int, int] | None:
    """A box of `width` (share of the picture's width) and the crop's aspect ratio around a
    centre (shares), in pixels; None when it would leave the picture by more than a pixel."""
    h, w = shape[:2]
    box_w = width * w
    box_h = box_w / aspect
    left, top = centre[0] * w - box_w / 2, centre[1] * h - box_h / 2
    right, bottom = left + box_w, top + box_h
    if left < -1 or top < -1 or right > w + 1 or bottom > h + 1 or box_w < 8 or box_h < 8:
        return None
    return (max(0, round(left)), max(0, round(top)), min(w, round(right)), min(h, round(bottom)))


def crop_distance(crop: np.ndarray, original: np.ndarray, window: int) -> int:
    """PDQ distance (0-256) between a picture and the best-aligned window of another near
    grid cell `window`: small when `crop` is a crop of `original` (both (h, w, 3), thumbnails).

    The position and size are searched twice (coarse, then a step each way) for the window
    whose low frequencies agree best with the crop's, of the crop's aspect ratio."""
    crop_grey, original_grey = _grey(crop), _grey(original)
    h, w = crop_grey.shape
    target = _low_vector(crop_grey, (0, 0, w, h))
    starts = window_starts(1000)
    gy, gx = divmod(window, WINDOW_GRID)
    cell = ((starts[gx][0] + starts[gx][1] / 2) / 1000, (starts[gy][0] + starts[gy][1] / 2) / 1000)

    def score(centre: tuple[float, float], width: float, aspect: float) -> float:
        box = _box(original_grey.shape, centre, width, aspect)
        return -2.0 if box is None else float(target @ _low_vector(original_grey, box))

    aspect = w / h
    tries = [
        ((cell[0] + dx, cell[1] + dy), size, aspect)
        for size in SEARCH_SIZES
        for dx in SEARCH_SHIFTS
        for dy in SEARCH_SHIFTS
    ]
    best = max(tries, key=lambda t: score(*t))
    (cx, cy), size, aspect = best
    steps = (-SEARCH_STEP, 0.0, SEARCH_STEP)
    finer = [
        ((cx + dx, cy + dy), size + ds, aspect) for dx in steps for dy in steps for ds in steps
    ]
    (cx, cy), size, aspect = max(finer, key=lambda t: score(*t))
    box = _box(original_grey.shape, (cx, cy), size, aspect)
    if box is None:
        return 256
    window_hash, _ = pdq_hash(np.ascontiguousarray(original[box[1] : box[3], box[0] : box[2]]))
    return hamming_hex(pdq_hash(crop)[0], window_hash)
