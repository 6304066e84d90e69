"""PDQ distances of pictures however turned or mirrored, and the edit a match points to in words."""

from __future__ import annotations

import numpy as np

from desktop.core.fingerprints import ORIENTATION_VARIANTS

SHOWN_INSIDE = "shown inside a screenshot or collage"

EDIT_NAMES = {
    "trim.rot90": "rotated 90 degrees",
    "trim.rot180": "rotated 180 degrees",
    "trim.rot270": "rotated 270 degrees",
    "trim.mirror": "mirrored",
    "trim.flip": "flipped upside down",
    "trim.transpose": "mirrored and rotated",
    "trim.transverse": "mirrored and rotated",
}
MASKED = len(ORIENTATION_VARIANTS)  # orientation code of a match found by a masked view


# the orientation that undoes each one (a quarter turn one way undoes the other; the rest
# undo themselves), as indexes of ORIENTATION_VARIANTS
_UNDO = [
    ORIENTATION_VARIANTS.index({"trim.rot90": "trim.rot270", "trim.rot270": "trim.rot90"}.get(n, n))
    for n in ORIENTATION_VARIANTS
]


def _bits(words: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)


def turned_distances(
    original_a: np.ndarray, oriented_a: np.ndarray, original_b: np.ndarray, oriented_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(best distance, orientation index, plain distance) of pictures a against pictures b.

    Arrays broadcast against each other: original (..., 4) words, oriented (..., 8, 4). The
    nearer of the plain hashes, and for each orientation v, a's trimmed picture turned by v
    against b's trimmed and plain hashes, and b's turned back (the inverse of v) against a's:
    so the distance is one number whichever side asks (the turned hashes come from turned
    coefficients, and a turn and its undoing do not give exactly mirrored bits).
    """
    plain = _bits(original_a ^ original_b)
    undo = oriented_b[..., _UNDO, :]
    turned = np.minimum.reduce(
        [
            _bits(oriented_a ^ oriented_b[..., :1, :]),
            _bits(oriented_a ^ original_b[..., None, :]),
            _bits(undo ^ oriented_a[..., :1, :]),
            _bits(undo ^ original_a[..., None, :]),
        ]
    )
    orientation = turned.argmin(axis=-1)
    best_turned = np.take_along_axis(turned, orientation[..., None], axis=-1)[..., 0]
    best = np.minimum(plain, best_turned)
    return best, np.where(best_turned < plain, orientation, 0), plain


def explain(orientation: int, plain: int, best: int, framed: bool = False) -> str:
    """Which edit the hashes point to, in words for the analyst (`framed`: one of the two was
    found as a picture inside a screenshot or collage)."""
    if orientation == MASKED:
        return "overlay on one side (watermark, logo or sticker)"
    name = ORIENTATION_VARIANTS[orientation]
    if plain - best >= 24 and framed:
        return SHOWN_INSIDE
    if name in EDIT_NAMES:
        return EDIT_NAMES[name]
    if plain - best >= 24:
        return "borders added or removed"
    if best <= 12:
        return "same picture (resized, recompressed or converted)"
    return "edited copy (colours, caption or small changes)"
