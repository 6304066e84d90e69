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
from collections.abc import Callable, Iterable

import numpy as np
from PIL import Image

from desktop.core.aligned_pixels import pixels_agree
from desktop.core.chunk_joins import PAIRED_EXACT, FewHashes, PairedChunkIndex
from desktop.core.dct import DCT_KEEP, dct_basis
from desktop.core.features import MIN_INLIERS, Features, agrees, local_features, placement
from desktop.core.fingerprints import MASK_SHARE, MASKED_VARIANTS
from desktop.core.hamming import HammingIndex
from desktop.core.hashing import hamming_hex
from desktop.core.pdq import pdq_hash
from desktop.core.similarity import Columns
from desktop.core.windows import SPANS, VIEWS, WINDOW_COUNT, WINDOWS, turned_scale, view_box

# the alignment search around a window: sizes (added to the window's share of the width), and
# shifts of the centre (shares of a side)
SEARCH_SIZES = np.linspace(-0.06, 0.06, 7)
SEARCH_SHIFTS = np.linspace(-0.04, 0.04, 5)
SEARCH_STEP = 0.01  # the second, finer pass moves the best window by this much each way


# The crop join finds every pair within this many bits, and farther ones up to Rule.crop when
# one of the index's chunks holds few of their differing bits (most pairs 6 bits apart). An
# exact search within 6 would cost ten times more: 155 s instead of 15 at a million pictures.
CROP_EXACT = PAIRED_EXACT  # 4
PAIRED_MIN = 20_000  # whole-picture hashes from which the crop join uses PairedChunkIndex
FEW_MAX = 256  # and up to which FewHashes
WINDOW_ROWS = 1 << 15  # rows of windows joined at a time: memory stays flat at any size


# ---- candidates ----------------------------------------------------------------------------


# Local features are asked about a candidate whose aligned PDQ misses the rule by at most this
# (true copies of textures measured 45-60 bits after alignment, unrelated pictures 86 and more)
FEATURE_MARGIN = 40
WHOLE = -1  # the whole picture as a window: a copy cut a little along one side, or moved
WHOLE_SHARE = 0.98  # of both sides: an aligned box this big is the whole picture
NOT_CUT = "same picture, not cut (found by aligning the two pictures)"
MASKED_FIRST = WINDOW_COUNT  # window numbers of the four masked views (MASKED_VARIANTS order)
VIEW_FIRST = WINDOW_COUNT + len(MASKED_VARIANTS)  # then the views (windows.VIEWS order)


WindowSource = tuple[np.ndarray, np.ndarray, int]  # owners, (k, m) words, number of the first


def window_sources(
    rows: Columns | None = None, views: Columns | None = None, more: Columns | None = None
) -> list[WindowSource]:
    """(owners, (k, m) words, number of the first) of the kinds of window given: the crop64
    rows' grid windows and bands, the masked views' mask64 hashes, the views rows (corners,
    other shapes, small turns)."""
    sources = []
    if rows is not None:
        sources.append((rows[0], rows[1][:, 1:], 0))
    if views is not None and len(views[0]):
        sources.append((views[0], views[1], MASKED_FIRST))
    if more is not None and len(more[0]):
        sources.append((more[0], more[1], VIEW_FIRST))
    return sources


def crop_pairs(
    whole: Columns,
    radius: int,
    queries: np.ndarray | None,
    sources: Iterable[WindowSource],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(crop media, original media, window, bits) of every picture whose whole-picture hash
    lies within `radius` of a window of another picture: candidates for a crop, to be
    confirmed on the pictures (confirm_crop). One window per pair, the nearest, and its
    distance; nearest pairs first.

    `whole`: (media ids, (n, 1) whole-picture hashes from the crop64 rows, detail scores).
    `sources`: every kind of window (window_sources), iterated once, so a caller can read
    each kind only when it is reached and let it go after (a million pictures' windows and
    views are 270 and 200 MB). The masked views of detailed pictures are windows too: each is
    the picture without a quarter along one side, which is a crop, and its hash is the same
    as-found DCT hash (a stretched copy has the same bits). With `queries`, only pairs with
    one of those media on either side. The index holds the whole-picture hashes and the
    windows are the queries: an index of a million pictures' windows would need gigabytes.
    """
    owners, words, _ = whole
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    every = np.arange(len(owners))
    # every picture's windows against every picture; or new pictures as crops (their whole
    # against all windows) and as originals (every whole against their windows)
    joins: list[tuple[np.ndarray, np.ndarray | None]] = [(every, None)]
    if queries is not None:
        joins = [(np.flatnonzero(np.isin(owners, queries)), None), (every, queries)]
    searches = [
        (owners[rows], _searcher(owners[rows], words[rows], radius, media is None), media)
        for rows, media in joins
        if len(rows)
    ]
    for window_owners, windows, first in sources:
        per_row = windows.shape[1]
        for index_ids, search, window_media in searches:
            chosen = np.arange(len(window_owners))
            if window_media is not None:
                chosen = np.flatnonzero(np.isin(window_owners, window_media))
            for start in range(0, len(chosen), WINDOW_ROWS):  # a block of rows at a time
                part = chosen[start : start + WINDOW_ROWS]
                flat = windows[part].reshape(-1)
                used = np.flatnonzero(flat)  # 0: a view that does not apply
                stored, numbers, distances = search(flat[used])
                numbers = used[numbers]
                window_owner = window_owners[part][numbers // per_row]
                found.append(
                    (index_ids[stored], window_owner, first + numbers % per_row, distances)
                )
        del window_owners, windows  # a kind's windows go before the next kind is read
    return nearest_windows(found)


def nearest_windows(
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(crop media, original media, window, bits) from (crop, original, window, distance)
    parts: each pair once, by its nearest window (the lowest number of the nearest: the same
    whichever way the pairs were found), nearest pairs first."""
    empty = np.zeros(0, dtype=np.int64)
    if not found:
        return empty, empty, empty, empty
    crop, original, window, distance = (np.concatenate(part) for part in zip(*found, strict=True))
    keep = crop != original
    crop, original, window, distance = crop[keep], original[keep], window[keep], distance[keep]
    order = np.lexsort((window, distance, original, crop))  # nearest window first in a pair
    crop, original, window, distance = crop[order], original[order], window[order], distance[order]
    first_of_pair = np.ones(len(crop), dtype=bool)
    first_of_pair[1:] = (crop[1:] != crop[:-1]) | (original[1:] != original[:-1])
    crop, original = crop[first_of_pair], original[first_of_pair]
    window, distance = window[first_of_pair], distance[first_of_pair]
    order = np.argsort(distance, kind="stable")  # the nearest pairs first
    return crop[order], original[order], window[order].astype(np.int64), distance[order]


def _searcher(
    ids: np.ndarray, words: np.ndarray, radius: int, every_window: bool
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The search of windows (a flat uint64 array) against whole-picture hashes: exact within
    CROP_EXACT bits, farther pairs up to `radius` as they come. Many hashes (a case's)
    searched by every window (`every_window`; not the new pictures' windows alone): two
    chunks of six must agree (PairedChunkIndex, 15 lookups a window); a few (the new pictures
    of an incremental run): one chunk of five must agree (FewHashes, five passes over the
    windows); in between, the multi-index."""
    words = np.ascontiguousarray(words)
    if len(ids) >= PAIRED_MIN and every_window:  # its 15 tables pay for themselves only then
        index = PairedChunkIndex(ids, words)
        return lambda windows: index.join(windows, radius)
    if len(ids) <= FEW_MAX:
        few = FewHashes(words)
        return lambda windows: few.join(windows, radius)
    small = HammingIndex(64)
    small.add_words(ids, words)
    return lambda windows: small.join_words(windows[:, None], radius, min(radius, CROP_EXACT))


def crop_candidates_for(
    query: np.ndarray,
    query_views: np.ndarray | None,
    rows: Columns,
    views: Columns | None,
    radius: int,
    limit: int,
    query_more: np.ndarray | None = None,
    more: Columns | None = None,
) -> list[tuple[int, int, bool, int]]:
    """(media id, window, query is the crop, bits) of the pictures one picture may be a crop
    of, or that may be crops of it, nearest first, at most `limit`: crop_pairs for one picture (its
    crop64 row `query` and its masked views' hashes, when it has them, as words), by brute
    force (a million rows in about a tenth of a second). The window is the original's;
    `query_more` and `more` are the views rows (windows.view_hashes) of the query and of all."""
    owners, words, _ = rows
    found = []
    for window_owners, windows, first in window_sources(rows, views, more):  # its whole
        distances = np.bitwise_count(windows ^ query[0])  # against their windows
        nearest = distances.min(axis=1)
        for row in np.flatnonzero(nearest <= radius):
            window = first + int(distances[row].argmin())
            found.append((int(nearest[row]), int(window_owners[row]), window, True))
    own_windows, own_numbers = _own_windows(query, query_views, query_more)
    distances = np.bitwise_count(words[:, :1] ^ own_windows[None, :])  # and the other way
    nearest = distances.min(axis=1)
    for row in np.flatnonzero(nearest <= radius):
        window = int(own_numbers[distances[row].argmin()])
        found.append((int(nearest[row]), int(owners[row]), window, False))
    found.sort()
    return [(media, window, is_crop, bits) for bits, media, window, is_crop in found[:limit]]


def _own_windows(
    query: np.ndarray, query_views: np.ndarray | None, query_more: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """One picture's windows (words) and their window numbers, the views that do not apply
    left out."""
    parts = [(query[1:], 0), (query_views, MASKED_FIRST), (query_more, VIEW_FIRST)]
    words = [w for w, _ in parts if w is not None]
    numbers = [first + np.arange(len(w)) for w, first in parts if w is not None]
    own, number = np.concatenate(words), np.concatenate(numbers)
    return own[own != 0], number[own != 0]


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
