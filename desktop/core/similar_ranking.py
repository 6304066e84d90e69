"""The pictures nearest one query picture, ranked by their PDQ hashes (similar-picture search)."""

from __future__ import annotations

import numpy as np

from desktop.core.fingerprints import MASKED_VARIANTS
from desktop.core.hamming import popcount_rows
from desktop.core.pdq_distances import MASKED, explain, turned_distances
from desktop.core.similarity import (
    DEFAULT_STRICTNESS,
    MIN_DETAIL,
    MIN_QUALITY,
    SPARSE_PDQ,
    STRICTNESS,
    Fingerprints,
)

RANK_BLOCK = 1 << 16  # pictures compared at a time when ranking against one query


def rank_similar(
    fp: Fingerprints,
    query_original: np.ndarray,
    query_oriented: np.ndarray,
    query_quality: int,
    top: int,
    exclude: int | None = None,
    query_masked: np.ndarray | None = None,
    query_framed: bool = False,
) -> list[tuple[int, int, str, bool]]:
    """(media id, distance, explanation, reliable) of the nearest pictures, nearest first.

    A brute-force pass over every picture's PDQ hashes (nine per picture, vectorised): exact,
    and about a tenth of a second per million pictures. `reliable` is False when either picture
    is too uniform for its hashes to mean much. With `query_masked` (the query's masked views,
    when it is detailed enough to have them), a detailed picture whose same view agrees within
    the normal rule's masked distance is ranked by that distance: a watermarked copy.
    """
    if len(fp) == 0:
        return []
    parts = [  # in blocks: the turned hashes of a million pictures are 256 MB a copy
        turned_distances(
            fp.original[at : at + RANK_BLOCK],
            fp.oriented[at : at + RANK_BLOCK],
            query_original,
            query_oriented,
        )
        for at in range(0, len(fp), RANK_BLOCK)
    ]
    best, orientation, plain = (np.concatenate(column) for column in zip(*parts, strict=True))
    by_mask = np.zeros(len(fp), dtype=bool)
    if query_masked is not None:
        masked = np.minimum.reduce(
            [popcount_rows(fp.masked[:, k] ^ query_masked[k]) for k in range(len(MASKED_VARIANTS))]
        )
        normal = STRICTNESS[DEFAULT_STRICTNESS]
        by_mask = (masked < best) & (masked <= normal.masked) & (fp.detail >= MIN_DETAIL)
        best = np.where(by_mask, masked, best)
    if exclude is not None:
        best = np.where(fp.ids == exclude, 1 << 20, best)
    order = np.argsort(best, kind="stable")[:top]
    framed = fp.framed | query_framed
    results = []
    for row in order:
        if best[row] >= 1 << 20:
            continue
        o = MASKED if by_mask[row] else int(orientation[row])
        results.append(
            (
                int(fp.ids[row]),
                int(best[row]),
                explain(o, int(plain[row]), int(best[row]), bool(framed[row])),
                bool(
                    fp.quality[row] >= MIN_QUALITY
                    and query_quality >= MIN_QUALITY
                    and fp.detail[row] > 0
                    and (fp.detail[row] >= MIN_DETAIL or best[row] <= SPARSE_PDQ)
                ),
            )
        )
    return results
