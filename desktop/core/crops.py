"""Crops: candidates from window hashes, confirmed by aligning the window a picture shows.

A crop that keeps 75-80% of a picture moves every whole-picture hash far (PDQ 60-150 bits,
dct64 up to 30), because the content is both shifted and enlarged. Yet it is close to one
window of the original: windows.window_hashes hashes the whole picture and windows of it
(a grid of windows of 88.5% of each side, bands cut on one side), as found (`crop64`), and a
crop's whole-picture hash lands within a few bits of the nearest window (measured on the
benchmark's 30 crops: 26 within 4 bits, 29 within 6; unrelated pictures 14 or more). The
grouping joins the two (crop_pairs).

Such a window is only a candidate: a grid cell, not the crop's exact place. `crop_distance`
confirms it on the two stored thumbnails: it searches position and size near the cell for the
window whose low frequencies agree best with the crop's, then compares PDQ of that window
with PDQ of the crop. The benchmark's crops then agree within 6-38 bits of 256 (a brick
texture 56), unrelated pictures' best windows 86 or more.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from desktop.core.dct import DCT_KEEP, dct_basis
from desktop.core.fingerprints import MASK_SHARE
from desktop.core.hamming import HammingIndex
from desktop.core.hashing import hamming_hex
from desktop.core.pdq import pdq_hash
from desktop.core.similarity import Columns
from desktop.core.windows import SPANS, WINDOW_COUNT, WINDOWS

# the alignment search around a window: sizes (added to the window's share of the width), and
# shifts of the centre (shares of a side)
SEARCH_SIZES = np.linspace(-0.06, 0.06, 7)
SEARCH_SHIFTS = np.linspace(-0.04, 0.04, 5)
SEARCH_STEP = 0.01  # the second, finer pass moves the best window by this much each way


# The crop join finds every pair within this many bits, and farther ones up to Rule.crop when
# one of the index's chunks holds few of their differing bits (most pairs 6 bits apart). An
# exact search within 6 would cost ten times more: 155 s instead of 15 at a million pictures.
CROP_EXACT = 4


# ---- candidates ----------------------------------------------------------------------------


def _window_sources(rows: Columns, views: Columns | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(owners, (k, m) words) of every kind of window, in window-number order: the crop64
    rows' grid windows, then the masked views' mask64 hashes (MASKED_VARIANTS order)."""
    sources = [(rows[0], rows[1][:, 1:])]
    if views is not None and len(views[0]):
        sources.append((views[0], views[1]))
    return sources


def crop_pairs(
    rows: Columns,
    radius: int,
    queries: np.ndarray | None = None,
    views: Columns | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(crop media, original media, window) of every picture whose whole-picture hash lies
    within `radius` of a window of another picture: candidates for a crop, to be confirmed on
    the pictures (crop_distance). One window per pair, the nearest; nearest pairs first.

    `rows` are crop64 rows (fingerprints.window_hashes): (media ids, (k, 1 + WINDOW_COUNT)
    words, the whole picture's first, detail scores). `views`, the mask64 rows of detailed
    pictures, add their four masked views as windows WINDOW_COUNT to WINDOW_COUNT + 3: each is
    the picture without a quarter along one side, which is a crop too, and its hash is the
    same as-found DCT hash (a stretched copy has the same bits). With `queries`, only pairs
    with one of those media on either side. The index holds the whole-picture hashes and the
    windows are the queries: an index of a million pictures' windows would need 1.4 GB, this
    way round 0.4.
    """
    owners, words, _ = rows
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def join(index_rows: np.ndarray, window_media: np.ndarray | None) -> None:
        """The whole hashes of `index_rows` against the windows of `window_media` (all: None)."""
        if not len(index_rows):
            return
        index = HammingIndex(64)
        index.add_words(owners[index_rows], np.ascontiguousarray(words[index_rows, :1]))
        first = 0
        for window_owners, windows in _window_sources(rows, views):
            chosen = np.arange(len(window_owners))
            if window_media is not None:
                chosen = np.flatnonzero(np.isin(window_owners, window_media))
            per_row = windows.shape[1]
            if len(chosen):
                flat = np.ascontiguousarray(windows[chosen]).reshape(-1, 1)
                stored, numbers, distances = index.join_words(flat, radius, min(radius, CROP_EXACT))
                window_owner = window_owners[chosen][numbers // per_row]
                found.append(
                    (index.ids()[stored], window_owner, first + numbers % per_row, distances)
                )
            first += per_row

    everything = np.arange(len(owners))
    if queries is None:
        join(everything, None)
    else:
        join(np.flatnonzero(np.isin(owners, queries)), None)  # new pictures as crops
        join(everything, queries)  # new pictures as originals
    empty = np.zeros(0, dtype=np.int64)
    if not found:
        return empty, empty, empty
    crop, original, window, distance = (np.concatenate(part) for part in zip(*found, strict=True))
    keep = crop != original
    crop, original, window, distance = crop[keep], original[keep], window[keep], distance[keep]
    order = np.lexsort((distance, original, crop))  # nearest window first within each pair
    crop, original, window, distance = crop[order], original[order], window[order], distance[order]
    first_of_pair = np.ones(len(crop), dtype=bool)
    first_of_pair[1:] = (crop[1:] != crop[:-1]) | (original[1:] != original[:-1])
    crop, original = crop[first_of_pair], original[first_of_pair]
    window, distance = window[first_of_pair], distance[first_of_pair]
    order = np.argsort(distance, kind="stable")  # the nearest pairs first
    return crop[order], original[order], window[order].astype(np.int64)


def crop_candidates_for(
    query: np.ndarray,
    query_views: np.ndarray | None,
    rows: Columns,
    views: Columns | None,
    radius: int,
    limit: int,
) -> list[tuple[int, int, bool]]:
    """(media id, window, query is the crop) of the pictures one picture may be a crop of, or
    that may be crops of it, nearest first, at most `limit`: crop_pairs for one picture (its
    crop64 row `query` and its masked views' hashes, when it has them, as words), by brute
    force (a million rows in about a tenth of a second). The window is the original's."""
    owners, words, _ = rows
    found = []
    first = 0
    for window_owners, windows in _window_sources(rows, views):  # its whole against windows
        distances = np.bitwise_count(windows ^ query[0])
        nearest = distances.min(axis=1)
        for row in np.flatnonzero(nearest <= radius):
            window = first + int(distances[row].argmin())
            found.append((int(nearest[row]), int(window_owners[row]), window, True))
        first += windows.shape[1]
    mine = [query[1:]] if query_views is None else [query[1:], query_views]
    own_windows = np.concatenate(mine)
    distances = np.bitwise_count(words[:, :1] ^ own_windows[None, :])  # and the other way
    nearest = distances.min(axis=1)
    for row in np.flatnonzero(nearest <= radius):
        found.append((int(nearest[row]), int(owners[row]), int(distances[row].argmin()), False))
    found.sort()
    return [(media_id, window, is_crop) for _, media_id, window, is_crop in found[:limit]]


# ---- confirming a crop ------------------------------------------------------------------------


def thumbnail_pixels(jpeg: bytes) -> np.ndarray:
    """A stored thumbnail as an (h, w, 3) array."""
    with Image.open(io.BytesIO(jpeg)) as img:
        return np.asarray(img.convert("RGB"))


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
    frequencies agree best with `target`; None when no such box fits in the picture.

    Per width, the boxes of all shifts come from two products with stacked, zero-padded
    bases (a few hundred boxes in about a millisecond, not one product pair each)."""
    h, w = grey.shape
    best: tuple[float, float, float, float] | None = None
    for width in widths:
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


def _nominal(window: int) -> tuple[tuple[float, float], float]:
    """(centre, share of the width) of a window: one of fingerprints.WINDOWS, or after them a
    masked view (the picture without a quarter along one side, MASKED_VARIANTS order)."""
    if window < WINDOW_COUNT:
        (y_start, y_share), (x_start, x_share) = (SPANS[k] for k in WINDOWS[window])
        return (x_start + x_share / 2, y_start + y_share / 2), x_share
    kept = 1 - MASK_SHARE
    return {
        0: ((0.5, MASK_SHARE + kept / 2), 1.0),  # without the top
        1: ((0.5, kept / 2), 1.0),  # without the bottom
        2: ((MASK_SHARE + kept / 2, 0.5), kept),  # without the left side
        3: ((kept / 2, 0.5), kept),  # without the right side
    }[window - WINDOW_COUNT]


def crop_distance(crop: np.ndarray, original: np.ndarray, window: int) -> int:
    """PDQ distance (0-256) between a picture and the best-aligned window of another near
    grid cell `window`: small when `crop` is a crop of `original` (both (h, w, 3), thumbnails).

    The position and size are searched twice (coarse, then a step each way) for the window
    whose low frequencies agree best with the crop's, of the crop's aspect ratio."""
    crop_grey, original_grey = _grey(crop), _grey(original)
    h, w = crop_grey.shape
    target = _unit_low(dct_basis(h) @ crop_grey @ dct_basis(w).T)
    cell, width = _nominal(window)
    aspect = w / h
    coarse = _best_box(original_grey, target, cell, width + SEARCH_SIZES, SEARCH_SHIFTS, aspect)
    if coarse is None:
        return 256
    _, cx, cy, size = coarse
    steps = np.array([-SEARCH_STEP, 0.0, SEARCH_STEP])
    fine = _best_box(original_grey, target, (cx, cy), size + steps, steps, aspect)
    assert fine is not None  # the coarse box itself is among them
    _, cx, cy, size = fine
    oh, ow = original_grey.shape
    box_w, box_h = round(size * ow), round(size * ow / aspect)
    left = min(max(0, round(cx * ow - box_w / 2)), ow - box_w)
    top = min(max(0, round(cy * oh - box_h / 2)), oh - box_h)
    shown = np.ascontiguousarray(original[top : top + box_h, left : left + box_w])
    return hamming_hex(pdq_hash(crop)[0], pdq_hash(shown)[0])
