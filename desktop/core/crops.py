"""Crop candidates: pictures whose whole-picture hash lies near a window of another picture.

A crop that keeps 75-80% of a picture moves every whole-picture hash far (PDQ 60-150 bits,
dct64 up to 30), because the content is both shifted and enlarged. Yet it is close to one
window of the original: windows.window_hashes hashes the whole picture and windows of it
(a grid of windows of 88.5% of each side, bands cut on one side), as found (`crop64`), and a
crop's whole-picture hash lands within a few bits of the nearest window (measured on the
benchmark's 30 crops: 26 within 4 bits, 29 within 6; unrelated pictures 14 or more). The
grouping joins the two (crop_pairs). Each such window is only a candidate, confirmed on the
two stored thumbnails by core/crop_confirmation.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from desktop.core.chunk_joins import PAIRED_EXACT, FewHashes, PairedChunkIndex
from desktop.core.fingerprints import MASKED_VARIANTS
from desktop.core.hamming import HammingIndex
from desktop.core.similarity import Columns
from desktop.core.windows import WINDOW_COUNT

# The crop join finds every pair within this many bits, and farther ones up to Rule.crop when
# one of the index's chunks holds few of their differing bits (most pairs 6 bits apart). An
# exact search within 6 would cost ten times more: 155 s instead of 15 at a million pictures.
CROP_EXACT = PAIRED_EXACT  # 4
PAIRED_MIN = 20_000  # whole-picture hashes from which the crop join uses PairedChunkIndex
FEW_MAX = 256  # and up to which FewHashes
WINDOW_ROWS = 1 << 15  # rows of windows joined at a time: memory stays flat at any size

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
    confirmed on the pictures (crop_confirmation.confirm_crop). One window per pair, the
    nearest, and its distance; nearest pairs first.

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
