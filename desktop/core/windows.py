"""Windows for finding crops: their layout, and the `crop64` row of hashes of a picture.

A window's hash meets a crop's within a few bits when the crop is within about 2.5% of the
window's size and 1.5% of its place (see core/crops.py, which finds and confirms crops), so:
a grid of WINDOW_GRID x WINDOW_GRID windows of WINDOW_SHARE of each side (crops of 76-81% of
the area, cut on all sides), and bands along each side of BAND_SHARES of it (crops cut on one
side; the masked views, 75%, are windows too). Each window is a span of the height by a span
of the width, as (start, size) shares; span 0 is the whole side.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from desktop.core.dct import DCT_KEEP, dct_basis

WINDOW_GRID = 5  # positions along each side
WINDOW_SHARE = 0.885  # of the width and of the height: the middle of 75-81% of the area kept
BAND_SHARES = (0.81, 0.87)
SPANS = (
    (0.0, 1.0),
    *(((1 - WINDOW_SHARE) * k / (WINDOW_GRID - 1), WINDOW_SHARE) for k in range(WINDOW_GRID)),
    *((start, share) for share in BAND_SHARES for start in (0.0, 1 - share)),
)
_BANDS = range(1 + WINDOW_GRID, len(SPANS))
# (height span, width span) of each window: the grid row by row, then the bands cut across
# the width (full height), then those cut across the height (full width)
WINDOWS = (
    *((1 + gy, 1 + gx) for gy in range(WINDOW_GRID) for gx in range(WINDOW_GRID)),
    *((0, band) for band in _BANDS),
    *((band, 0) for band in _BANDS),
)
WINDOW_COUNT = len(WINDOWS)
CROP_ROW_BITS = 64 * (1 + WINDOW_COUNT)  # the whole picture's hash, then the windows'
CROP_ALGORITHM = "crop64"
CROP_VARIANT = "windows"


@functools.lru_cache(maxsize=512)
def _span_bases(length: int) -> np.ndarray:
    """(len(SPANS) * DCT_KEEP, length): the low DCT frequencies of each span of a side of
    `length` pixels (zero outside it)."""
    bases = np.zeros((len(SPANS) * DCT_KEEP, length))
    for k, (start, share) in enumerate(SPANS):
        size = max(1, round(length * share))
        first = round(length * start) if start + share < 1 else length - size
        bases[k * DCT_KEEP : (k + 1) * DCT_KEEP, first : first + size] = dct_basis(size)
    return bases


def window_hashes(work: np.ndarray) -> str:
    """The `crop64` row of a working copy (h, w, 3): WINDOW_COUNT + 1 hashes of 16 hex digits,
    the whole picture's then each window's (WINDOWS order), as dct64 hashes but as found, not
    turned canonical.

    Not canonical, because the canonical orientation is a choice between near ties for many
    windows (a first horizontal and a first vertical frequency of about the same size) that
    the crop and its window can then make differently; as found, a crop meets its window
    without any choice. A crop that was also turned or mirrored meets its original through
    the original's other copies, or not at all."""
    grey = np.asarray(Image.fromarray(work).convert("L"), dtype=np.float64)
    h, w = grey.shape
    low = _span_bases(h) @ grey @ _span_bases(w).T  # every span by every span at once
    blocks = low.reshape(len(SPANS), DCT_KEEP, len(SPANS), DCT_KEEP).transpose(0, 2, 1, 3)
    rows, columns = zip((0, 0), *WINDOWS, strict=True)
    chosen = blocks[list(rows), list(columns)]
    coefficients = chosen.reshape(len(chosen), -1)[:, 1:]
    middle = np.partition(coefficients, 31, axis=1)[:, 31:32]  # each row's median of 63
    bits = coefficients > middle  # as dct64, per row
    bits = np.concatenate([bits, np.zeros((len(chosen), 1), dtype=bool)], axis=1)
    return np.packbits(bits).tobytes().hex()
