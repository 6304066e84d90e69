"""The low frequencies of a discrete cosine transform: the basis the 64-bit DCT hashes share.

The dct64 hashes (fingerprints), the masked views' and the crop windows' hashes (windows) and
the crop alignment (crops) all take the DCT_KEEP x DCT_KEEP lowest frequencies of a grey
picture or of a part of it, as `dct_basis(h) @ grey @ dct_basis(w).T`.
"""

from __future__ import annotations

import functools

import numpy as np

DCT_KEEP = 8  # frequencies kept along each side


@functools.lru_cache(maxsize=512)
def dct_basis(n: int) -> np.ndarray:
    """(DCT_KEEP, n): the DCT-II basis of the lowest frequencies over n samples (orthonormal
    scaling: the same for every frequency but the first, so bits taken at a median do not
    depend on n)."""
    k = np.arange(DCT_KEEP)[:, None]
    x = np.arange(n)[None, :]
    return np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2 / n)
