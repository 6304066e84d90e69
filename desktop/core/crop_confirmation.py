"""Confirming a crop: the window a candidate points to, aligned on the two stored thumbnails.

Such a window is only a candidate: a grid cell, not the crop's exact place. `crop_distance`
confirms it on the two stored thumbnails: it searches position and size near the cell for the
window whose low frequencies agree best with the crop's, then compares PDQ of that window
with PDQ of the crop. The benchmark's crops then agree within 6-38 bits of 256 (a brick
texture 56), unrelated pictures' best windows 86 or more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from desktop.core.aligned_pixels import pixels_agree
from desktop.core.crops import VIEW_FIRST
from desktop.core.dct import DCT_KEEP, dct_basis
from desktop.core.features import MIN_INLIERS, Features, agrees, local_features, placement
from desktop.core.fingerprints import MASK_SHARE
from desktop.core.hashing import hamming_hex
from desktop.core.pdq import pdq_hash
from desktop.core.windows import SPANS, VIEWS, WINDOW_COUNT, WINDOWS, turned_scale, view_box

# the alignment search around a window: sizes (added to the window's share of the width), and
# shifts of the centre (shares of a side)
SEARCH_SIZES = np.linspace(-0.06, 0.06, 7)
SEARCH_SHIFTS = np.linspace(-0.04, 0.04, 5)
SEARCH_STEP = 0.01  # the second, finer pass moves the best window by this much each way

# Local features are asked about a candidate whose aligned PDQ misses the rule by at most this
# (true copies of textures measured 45-60 bits after alignment, unrelated pictures 86 and more)
FEATURE_MARGIN = 40
WHOLE = -1  # the whole picture as a window: a copy cut a little along one side, or moved
WHOLE_SHARE = 0.98  # of both sides: an aligned box this big is the whole picture
NOT_CUT = "same picture, not cut (found by aligning the two pictures)"


def _grey(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float64)


def _unit_low(low: np.ndarray) -> np.ndarray:
    """(..., 8, 8) low frequencies as unit vectors without the mean (DC)."""
    vectors = low.reshape(*low.shape[:-2], -1)[..., 1:]
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


def _placed_bases(length: int, starts: np.ndarray, size: int) -> np.ndarray:
    """(len(starts), 8, length): the low DCT frequencies of a span of `size` at each start."""
    bases = np.zeros((len(starts), DCT_KEEP, length))
    for k, start in enumerate(starts):
        bases[k, :, start : start + size] = dct_basis(size)
    return bases


def _best_box(
    grey: np.ndarray,
    target: np.ndarray,
    centre: tuple[float, float],
    widths: np.ndarray,
    shifts: np.ndarray,
    aspect: float,
) -> tuple[float, float, float, float] | None:
    """(score, centre x, centre y, width) of the box, among `widths` (shares of the picture's
    width, at the crop's aspect ratio) and centres shifted by `shifts` each way, whose low
    frequencies agree best with `target`; None when no such box fits. A width too tall for
    the picture is the widest that fits (a picture inside bars, nominated by a wider view).
    Per width, the boxes of all shifts come from two products with stacked, zero-padded
    bases (a few hundred boxes in about a millisecond, not one product pair each)."""
    h, w = grey.shape
    best: tuple[float, float, float, float] | None = None
    for width in np.unique(np.minimum(widths, min(1.0, h * aspect / w))):  # too tall: fitted
        box_w = round(width * w)
        box_h = round(width * w / aspect)
        if not (8 <= box_w <= w and 8 <= box_h <= h):
            continue
        xs = centre[0] + shifts
        ys = centre[1] + shifts
        lefts = np.round(xs * w - box_w / 2).astype(int)
        tops = np.round(ys * h - box_h / 2).astype(int)
        # a box may leave the picture by a pixel of rounding, not more
        fits_x = (lefts >= -1) & (lefts + box_w <= w + 1)
        fits_y = (tops >= -1) & (tops + box_h <= h + 1)
        if not fits_x.any() or not fits_y.any():
            continue
        xs, lefts = xs[fits_x], np.clip(lefts[fits_x], 0, w - box_w)
        ys, tops = ys[fits_y], np.clip(tops[fits_y], 0, h - box_h)
        across = grey @ _placed_bases(w, lefts, box_w).reshape(-1, w).T  # (h, lefts * 8)
        low = _placed_bases(h, tops, box_h).reshape(-1, h) @ across  # (tops * 8, lefts * 8)
        blocks = low.reshape(len(tops), DCT_KEEP, len(lefts), DCT_KEEP).transpose(0, 2, 1, 3)
        scores = _unit_low(blocks) @ target  # (tops, lefts)
        row, column = np.unravel_index(int(scores.argmax()), scores.shape)
        if best is None or scores[row, column] > best[0]:
            best = (float(scores[row, column]), float(xs[column]), float(ys[row]), float(width))
    return best


def _nominal(window: int, width: int, height: int) -> tuple[tuple[float, float], float]:
    """(centre, share of the width) of a window of a picture of that shape: one of
    windows.WINDOWS, a masked view (the picture without a quarter along one side,
    MASKED_VARIANTS order), or a view (windows.VIEWS; a turned view spans the whole of the
    turned picture's inner rectangle)."""
    if window == WHOLE:
        return (0.5, 0.5), 1.0
    if window < WINDOW_COUNT:
        (y_start, y_share), (x_start, x_share) = (SPANS[k] for k in WINDOWS[window])
        return (x_start + x_share / 2, y_start + y_share / 2), x_share
    if window >= VIEW_FIRST:
        left, top, right, bottom = view_box(window - VIEW_FIRST, width, height) or (0, 0, 1, 1)
        if _turned(window):
            left, top, right, bottom = (0.0, 0.0, 1.0, 1.0)
        return ((left + right) / 2, (top + bottom) / 2), right - left
    kept = 1 - MASK_SHARE
    return {
        0: ((0.5, MASK_SHARE + kept / 2), 1.0),  # without the top
        1: ((0.5, kept / 2), 1.0),  # without the bottom
        2: ((MASK_SHARE + kept / 2, 0.5), kept),  # without the left side
        3: ((kept / 2, 0.5), kept),  # without the right side
    }[window - WINDOW_COUNT]


def turned_inner(picture: np.ndarray, angle: float) -> np.ndarray:
    """The largest upright rectangle of a picture's shape inside it turned counter-clockwise
    by `angle` degrees (what a small turn cropped so that no corner shows keeps)."""
    h, w = picture.shape[:2]
    keep = turned_scale(w, h, angle)
    turned = Image.fromarray(picture).rotate(angle, Image.Resampling.BILINEAR)
    cw, ch = max(8, round(w * keep)), max(8, round(h * keep))
    left, top = (w - cw) // 2, (h - ch) // 2
    return np.asarray(turned.crop((left, top, left + cw, top + ch)))


def crop_distance(crop: np.ndarray, original: np.ndarray, window: int) -> int:
    """PDQ distance (0-256) between a picture and the best-aligned window of another near
    window number `window`: small when `crop` is a crop of `original` (both (h, w, 3),
    thumbnails); for a turned view, of the original turned by the view's angle.

    The position and size are searched twice (coarse, then a step each way) for the window
    whose low frequencies agree best with the crop's, of the crop's aspect ratio."""
    return _aligned(crop, _shown_for(original, window), window)[0]


def _turned(window: int) -> bool:
    """Whether a window number is one of the views turned by a few degrees."""
    return window >= VIEW_FIRST and VIEWS[window - VIEW_FIRST][0] == "turn"


def _shown_for(original: np.ndarray, window: int) -> np.ndarray:
    """The original as a window number sees it: turned by a turned view's angle."""
    if _turned(window):
        return turned_inner(original, VIEWS[window - VIEW_FIRST][1])
    return original


def _aligned(
    crop: np.ndarray, original: np.ndarray, window: int
) -> tuple[int, tuple[int, int, int, int]]:
    """(PDQ distance, (left, top, width, height) of the best-aligned box in `original`)."""
    crop_grey, original_grey = _grey(crop), _grey(original)
    h, w = crop_grey.shape
    target = _unit_low(dct_basis(h) @ crop_grey @ dct_basis(w).T)
    oh, ow = original_grey.shape
    cell, width = _nominal(window, ow, oh)
    aspect = w / h
    coarse = _best_box(original_grey, target, cell, width + SEARCH_SIZES, SEARCH_SHIFTS, aspect)
    if coarse is None:
        return 256, (0, 0, ow, oh)
    _, cx, cy, size = coarse
    steps = np.array([-SEARCH_STEP, 0.0, SEARCH_STEP])
    fine = _best_box(original_grey, target, (cx, cy), size + steps, steps, aspect)
    assert fine is not None  # the coarse box itself is among them
    _, cx, cy, size = fine
    box_w, box_h = round(size * ow), round(size * ow / aspect)
    left = min(max(0, round(cx * ow - box_w / 2)), ow - box_w)
    top = min(max(0, round(cy * oh - box_h / 2)), oh - box_h)
    shown = np.ascontiguousarray(original[top : top + box_h, left : left + box_w])
    return hamming_hex(pdq_hash(crop)[0], pdq_hash(shown)[0]), (left, top, box_w, box_h)


def confirm_crop(
    crop: np.ndarray,
    original: np.ndarray,
    window: int,
    limit: int,
    features: Callable[[], tuple[Features, Features]] | None = None,
    pixels: bool = False,
    nominated: bool = False,
) -> tuple[int, bool, str]:
    """(PDQ distance after alignment, confirmed, the edit in words) for a candidate crop near
    `window` of `original` (both thumbnails): confirmed when PDQ agrees within `limit`, or,
    with PDQ within FEATURE_MARGIN beyond the limit, when the pixels agree where the
    alignment put the crop (`pixels`: asked only when the caller allows it, never for
    screenshots; see aligned_pixels), or, given the pair's local features (a callable, as
    they are computed only when needed), when MIN_INLIERS ORB matches agree on one placement,
    the one the alignment found (textures, whose PDQ shifts under any resampling). A
    candidate the hashes only `nominated` (beyond the rule's radius) is confirmed by the
    pixels alone."""
    shown = _shown_for(original, window)
    distance, box = _aligned(crop, shown, window)
    edit = _edit(window, box, shown.shape)
    if distance <= limit and not nominated:
        return distance, True, edit
    if distance > limit + FEATURE_MARGIN:
        return distance, False, edit
    if pixels and pixels_agree(crop, shown, box):
        return distance, True, edit
    if features is None or nominated:
        return distance, False, edit
    pair = features() if shown is original else (features()[0], local_features(shown))
    count, matrix = placement(*pair)
    size, of = (crop.shape[1], crop.shape[0]), (shown.shape[1], shown.shape[0])
    ok = count >= MIN_INLIERS and matrix is not None and agrees(matrix, size, box, of)
    return distance, ok, edit


def _edit(window: int, box: tuple[int, int, int, int], shape: tuple[int, ...]) -> str:
    """window_edit, unless the box the alignment found is the whole picture (not turned):
    then the copy was not cut, whichever window nominated it."""
    whole = box[2] >= WHOLE_SHARE * shape[1] and box[3] >= WHOLE_SHARE * shape[0]
    return NOT_CUT if whole and not _turned(window) else window_edit(window)


def window_edit(window: int) -> str:
    """The edit a confirmed crop through this window was, in words for the analyst."""
    if window >= VIEW_FIRST:
        kind, value, _ = VIEWS[window - VIEW_FIRST]
        if kind == "corner":
            return "cropped (one corner kept)"
        if kind == "aspect":
            return "cut to another shape (the same photograph at another aspect ratio)"
        return f"turned {abs(value):g} degrees and cropped"
    if window == WHOLE:
        return "cut a little along a side, or moved in its frame"
    return "cropped (part of the picture kept)"
