"""Windows for finding crops: their layout, and the `crop64` row of hashes of a picture.

A window's hash meets a crop's within a few bits when the crop is within about 2.5% of the
window's size and 1.5% of its place (see core/crops.py, which finds crops, and
core/crop_confirmation.py, which confirms them), so: a grid of WINDOW_GRID x WINDOW_GRID
windows of WINDOW_SHARE of each side (crops of 76-81% of the area, cut on all sides), and
bands along each side of BAND_SHARES of it (crops cut on one side; the masked views, 75%, are
windows too). Each window is a span of the height by a span of the width, as (start, size)
shares; span 0 is the whole side.
"""

from __future__ import annotations

import functools

import numpy as np

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


def window_hashes(grey: np.ndarray) -> str:
    """The `crop64` row of a grey working copy (h, w) float: WINDOW_COUNT + 1 hashes of 16 hex
    digits,
    the whole picture's then each window's (WINDOWS order), as dct64 hashes but as found, not
    turned canonical.

    Not canonical, because the canonical orientation is a choice between near ties for many
    windows (a first horizontal and a first vertical frequency of about the same size) that
    the crop and its window can then make differently; as found, a crop meets its window
    without any choice. A crop that was also turned or mirrored meets its original through
    the original's other copies, or not at all."""
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


# ---- views: corners, other shapes, small turns (a second crop64 row, fingerprints v6) --------
# A crop keeping one corner (80% of each side from a corner: 64% of the picture) lies outside
# every grid window; the same photograph published at another shape (a 16:9 and a 4:3 cut of
# one photo) is a band of the whole width or height, centred or nearly; a photo turned 3-5
# degrees and cropped so no corner shows is a window of the turned picture. Each gets views:
# the part of the picture such a copy shows, hashed as the windows are (the crop's own
# whole-picture hash meets them). A view that does not apply (a cut to the picture's own
# shape) holds the whole picture's hash, which the join leaves out.
VIEW_VARIANT = "views"
CORNER_SHARE = 0.8
ASPECTS = (16 / 9, 3 / 2, 4 / 3, 5 / 4, 1.0)  # the shapes photographs are published at
ASPECT_SHIFTS = (-0.08, 0.0, 0.08)  # cut positions, as shares of the room left, from the centre
SAME_SHAPE = 0.03  # a cut within this share of the picture's own shape is the whole picture
TURNS = (-5.0, -4.0, -3.0, 3.0, 4.0, 5.0)  # degrees, counter-clockwise
TURN_SAMPLES = 48  # samples along each side of a turned view (from a half-size copy)
VIEWS: tuple[tuple[str, float, float], ...] = (
    *(("corner", float(x), float(y)) for y in (0, 1) for x in (0, 1)),
    *(("aspect", aspect, shift) for aspect in ASPECTS for shift in ASPECT_SHIFTS),
    *(("turn", angle, 0.0) for angle in TURNS),
)
VIEW_COUNT = len(VIEWS)
VIEW_ROW_BITS = 64 * VIEW_COUNT


def turned_scale(width: int, height: int, angle: float) -> float:
    """Share of each side kept by the largest rectangle of the picture's shape that shows no
    corner once the picture is turned by `angle` degrees."""
    sin, cos = abs(np.sin(np.radians(angle))), np.cos(np.radians(angle))
    return float(min(width / (width * cos + height * sin), height / (width * sin + height * cos)))


def view_box(view: int, width: int, height: int) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom), as shares of the sides, of view number `view` of a picture
    of that shape; for a turned view, of the picture once turned. None when the view does not
    apply (a cut to the picture's own shape)."""
    kind, first, second = VIEWS[view]
    if kind == "corner":
        left, top = first * (1 - CORNER_SHARE), second * (1 - CORNER_SHARE)
        return (left, top, left + CORNER_SHARE, top + CORNER_SHARE)
    if kind == "turn":
        keep = turned_scale(width, height, first)
        return ((1 - keep) / 2, (1 - keep) / 2, (1 + keep) / 2, (1 + keep) / 2)
    own = width / height
    if abs(np.log(first / own)) < SAME_SHAPE:
        return None
    share = own / first if first > own else first / own
    start = (1 - share) / 2 + second * (1 - share)
    if first > own:  # wider: the whole width, a band of the height
        return (0.0, start, 1.0, start + share)
    return (start, 0.0, start + share, 1.0)


@functools.lru_cache(maxsize=128)
def _view_layout(h: int, w: int) -> tuple:
    """For a grey copy of h x w: the stacked bases of every row span and column span the
    views use, the (row span, column span) of each view that is a part of the picture, where
    the turned views' samples come from (TURN_SAMPLES x TURN_SAMPLES points of the largest
    upright rectangle of the picture's shape inside it turned by each of TURNS, as Pillow's
    rotate places them: the four neighbours and the bilinear weights), and which views apply
    (not a cut to the picture's own shape)."""
    parts = [view_box(k, w, h) if kind != "turn" else None for k, (kind, _, _) in enumerate(VIEWS)]
    boxes = [(0, 0, w, h) if box is None else _pixels(box, w, h) for box in parts]
    rows = sorted({(top, bottom) for _, top, _, bottom in boxes})
    columns = sorted({(left, right) for left, _, right, _ in boxes})
    row_of = np.array([rows.index((top, bottom)) for _, top, _, bottom in boxes])
    column_of = np.array([columns.index((left, right)) for left, _, right, _ in boxes])
    steps = (np.arange(TURN_SAMPLES) + 0.5) / TURN_SAMPLES - 0.5
    angles = np.radians(np.array(TURNS))[:, None, None]
    keep = np.array([turned_scale(w, h, angle) for angle in TURNS])[:, None, None]
    xs, ys = steps[None, None, :] * keep * w, steps[None, :, None] * keep * h  # turned frame
    sin, cos = np.sin(angles), np.cos(angles)
    x = np.clip(xs * cos - ys * sin + w / 2 - 0.5, 0, w - 1.001)  # where each comes from
    y = np.clip(xs * sin + ys * cos + h / 2 - 0.5, 0, h - 1.001)
    x0, y0 = x.astype(np.int64), y.astype(np.int64)
    sampler = (y0 * w + x0, x - x0, y - y0)
    applies = np.array([box is not None or kind == "turn"
                        for box, (kind, _, _) in zip(parts, VIEWS, strict=True)])  # fmt: skip
    return _stacked_bases(h, rows), _stacked_bases(w, columns), row_of, column_of, sampler, applies


def _bits_of(low: np.ndarray) -> np.ndarray:
    """(k, 64) bits of k blocks of 8 x 8 low frequencies, as every dct64-style hash."""
    coefficients = low.reshape(len(low), -1)[:, 1:]
    middle = np.partition(coefficients, 31, axis=1)[:, 31:32]
    bits = coefficients > middle
    return np.concatenate([bits, np.zeros((len(low), 1), dtype=bool)], axis=1)


def view_hashes(grey: np.ndarray) -> str:
    """The `views` crop64 row of a grey working copy (h, w) float: VIEW_COUNT hashes of 16 hex
    digits in VIEWS order, as found (as window_hashes), 0 for a view that does not apply (a
    cut to the picture's own shape). The parts of the picture come from two matrix products
    with stacked bases, the turns from one bilinear sampling of a half-size copy."""
    h, w = grey.shape
    row_bases, column_bases, row_of, column_of, _, applies = _view_layout(h, w)
    low = (row_bases @ grey @ column_bases.T).reshape(-1, DCT_KEEP, len(column_bases) // 8, 8)
    blocks = low[row_of, :, column_of, :]
    if min(h, w) >= 32:
        grey = grey[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        h, w = grey.shape
    at, fx, fy = _view_layout(h, w)[4]
    flat = grey.ravel()
    top = flat[at] * (1 - fx) + flat[at + 1] * fx
    bottom = flat[at + w] * (1 - fx) + flat[at + w + 1] * fx
    basis = dct_basis(TURN_SAMPLES)
    turns = [k for k, (kind, _, _) in enumerate(VIEWS) if kind == "turn"]
    blocks[turns] = basis @ (top * (1 - fy) + bottom * fy) @ basis.T
    bits = _bits_of(blocks) & applies[:, None]  # a view that does not apply: 0 (no hash)
    return np.packbits(bits).tobytes().hex()


def _pixels(box: tuple[float, float, float, float], w: int, h: int) -> tuple[int, int, int, int]:
    """A box in shares as (left, top, right, bottom) pixels, at least one pixel each way."""
    left, top = round(box[0] * w), round(box[1] * h)
    return (left, top, max(left + 1, round(box[2] * w)), max(top + 1, round(box[3] * h)))


def _stacked_bases(length: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """(len(spans) * DCT_KEEP, length): the low DCT frequencies of each (start, end) span."""
    bases = np.zeros((len(spans) * DCT_KEEP, length))
    for k, (start, end) in enumerate(spans):
        bases[k * DCT_KEEP : (k + 1) * DCT_KEEP, start:end] = dct_basis(end - start)
    return bases
