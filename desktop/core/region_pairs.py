"""Candidates for pictures shown inside screenshots: their trimmed PDQ against every picture's.

The first stage's 64-bit hashes keep a picture's 8x8 lowest frequencies. A texture (brick,
grass, gravel, a field of stars) has almost nothing there, so those bits move 20-32 of 64
under any resampling and a texture shown in a chat screenshot never meets its photograph; its
PDQ (16x16 frequencies of a filtered copy) holds better: measured on the benchmark's chat
screenshots, the picture found inside (picture_framing.content_region) lies 10-28 bits of 256
from its photograph's trimmed PDQ (the textures 22-28), every other picture 41 or more.

So the trimmed PDQ of each picture found inside a screenshot or collage (few in a case: the
`region.` rows) is joined with every picture's trimmed PDQ: both are cut in 16 chunks of 16
bits, and a pair is a candidate when one chunk agrees exactly and the whole is within the
radius. That finds every pair within 15 bits and most farther ones (a chunk comes through
clean with probability (1 - d/256)^16: at 28 bits 94% of pairs have one). The candidates are
judged by the PDQ rules as every other (similarity.settle_pairs).
"""

from __future__ import annotations

import numpy as np

from desktop.core.chunk_joins import FewHashes
from desktop.core.similarity import Columns
from desktop.core.sorted_sets import unique_pairs

CHUNKS = 16  # of 16 bits in a 256-bit PDQ hash


def chunk_join(
    stored: np.ndarray, queries: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stored row, query row, distance) of every pair of 256-bit hashes ((n, 4) words) that
    agree exactly on one of their CHUNKS chunks and are within `radius` bits, each pair once:
    the stored hashes (few: the pictures found inside screenshots) in a direct table of their
    65,536 values per chunk."""
    return FewHashes(stored, CHUNKS).join(queries, radius)


def region_pairs(
    trimmed: Columns, framed: np.ndarray, radius: int, queries: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Media id pairs (a < b) of a picture found inside a screenshot or collage (`framed`:
    media ids) and another picture whose trimmed PDQ hashes (`trimmed`: media ids, (n, 4)
    words) meet in chunk_join within `radius`. With `queries` (the new media of an
    incremental run), only pairs with one of them."""
    owners, words, _ = trimmed
    is_framed = np.isin(owners, framed)
    joins = [(is_framed, np.ones(len(owners), dtype=bool))]
    if queries is not None:
        new = np.isin(owners, queries)
        joins = [(is_framed, new), (is_framed & new, np.ones(len(owners), dtype=bool))]
    parts = []
    for stored, asking in joins:
        if not stored.any() or not asking.any():
            continue
        stored_rows, asking_rows = np.flatnonzero(stored), np.flatnonzero(asking)
        rows, numbers, _ = chunk_join(words[stored_rows], words[asking_rows], radius)
        a, b = owners[stored_rows[rows]], owners[asking_rows[numbers]]
        parts.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)[a != b])
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    pairs = unique_pairs(np.concatenate(parts))
    return pairs[:, 0], pairs[:, 1]
