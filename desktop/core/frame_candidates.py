"""Candidate pairs that involve video frames: two subjects (frames or pictures) of different
media whose hash agrees exactly on one chunk of it.

Frames come by the million (100,000 one-minute videos keep 6 million), where the pictures'
exact search within 8 bits of 64 would cost minutes. A video, though, needs only one of its
frames to meet one frame (or the picture) of the other media: every frame of the pair is then
compared exhaustively (jobs/video_comparison.py). So frames are joined by exact agreement on
one of a few long chunks (a sort per chunk: linear in the frames), which two frames a few bits
apart share with good odds, and frames with no detail (black, uniform) are left out. Pairs
within chunks-1 bits always share one; further apart, one of many frame pairs does.
"""

from __future__ import annotations

import numpy as np

from desktop.core.chunk_joins import chunk_values
from desktop.core.frame_hashes import media_of

# A chunk value shared by more subjects than this is common content (a studio's intro, a
# black frame with a logo): its run is left out rather than paired all with all.
RUN_CAP = 48
TABLE_BITS = 20  # of the direct table that picks the rows of repeated keys (1 MB)
TABLE_MASK = np.uint32((1 << TABLE_BITS) - 1)


def equal_chunk_pairs(
    ids: np.ndarray,
    words: np.ndarray,
    chunks: int,
    new: np.ndarray | None = None,
) -> np.ndarray:
    """(k, 2) subject pairs (a < b, of different media, at least one a frame) whose hashes
    (`words`: (n, bits/64) uint64 rows owned by `ids`) agree exactly on one of `chunks`
    chunks; with `new` (a boolean mask over the rows), only pairs with a new side."""
    bits = words.shape[1] * 64
    found = [np.zeros((0, 2), dtype=np.int64)]
    for keys in chunk_values(words, bits, chunks):
        rows = np.arange(len(ids))
        if new is not None:  # only keys some new subject has: the rest cannot pair with it
            rows = rows[np.isin(keys, keys[new])]
        found.append(_runs_paired(ids, keys, rows, new))
    pairs = np.concatenate(found)
    if not len(pairs):
        return pairs
    media = media_of(pairs)
    keep = (media[:, 0] != media[:, 1]) & ((pairs[:, 0] < 0) | (pairs[:, 1] < 0))
    pairs = np.sort(pairs[keep], axis=1)
    return np.unique(pairs, axis=0) if len(pairs) else pairs


def _runs_paired(
    ids: np.ndarray, keys: np.ndarray, rows: np.ndarray, new: np.ndarray | None
) -> np.ndarray:
    """Every pair of `rows` with equal keys, runs longer than RUN_CAP left out."""
    narrow = not len(keys) or int(keys.max()) < 1 << 32  # one pass over the keys, used twice
    if narrow:
        rows = _with_an_equal(keys, rows)
    if len(ids) < 1 << 32 and narrow:
        # key and row in one number: a plain sort is three times quicker than an argsort
        packed = np.sort((keys[rows] << np.uint64(32)) | rows.astype(np.uint64))
        order = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
        sorted_keys = packed >> np.uint64(32)
    else:
        order = rows[np.argsort(keys[rows], kind="stable")]
        sorted_keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    lengths = np.diff(np.append(starts, len(order)))
    wanted = (lengths >= 2) & (lengths <= RUN_CAP)
    if not wanted.any():
        return np.zeros((0, 2), dtype=np.int64)
    # the members of the runs kept, each with its run's number and its place in the run
    kept = np.repeat(wanted, lengths)
    run_of = np.repeat(np.arange(len(starts)), lengths)[kept]
    members = order[kept]
    pairs = []
    for offset in range(1, int(lengths[wanted].max())):
        same = run_of[offset:] == run_of[:-offset]
        a, b = members[:-offset][same], members[offset:][same]
        if new is not None:
            either = new[a] | new[b]
            a, b = a[either], b[either]
        pairs.append(np.stack([ids[a], ids[b]], axis=1))
    return np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)


def _with_an_equal(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The `rows` whose key another row has too, in their order. Random 32-bit keys rarely
    repeat (a million frames: a few hundred equal pairs), so the keys alone are sorted (as
    uint32: half the bytes of key and row packed) to find the repeated values, and the rows
    holding one are found by a direct table of the values' low bits (then checked exactly):
    the sort that pairs them is of those few rows, not of every one. Keys fit in 32 bits."""
    if len(rows) < 2:
        return rows
    values = keys[rows].astype(np.uint32)
    ordered = np.sort(values)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    table = np.zeros(1 << TABLE_BITS, dtype=bool)
    table[repeated & TABLE_MASK] = True
    maybe = np.flatnonzero(table[values & TABLE_MASK])
    if not len(maybe):
        return rows[:0]
    at = np.minimum(np.searchsorted(repeated, values[maybe]), len(repeated) - 1)
    return rows[maybe[repeated[at] == values[maybe]]]
