"""Extra per-picture hashes for the near-duplicate engine: trimmed, dihedral and region PDQ.

All of them come from the one reduced decode ingest already made, shrunk once more to small
working copies. PDQ reduces every picture to 64x64 anyway, whatever its shape, so its hashes here
come from a 64x64 copy: on a square of that size PDQ's filter and decimation do nothing, so the
eight orientations taken from one pass's coefficients (sign flips and a transpose, as PDQ's own
dihedral hashing does) are exactly the hashes of the turned pixels. Per picture this adds:

- `trim` PDQ of the picture with uniform borders (letterbox, pillarbox, frames) removed, in all
  eight dihedral orientations (`trim`, `trim.rot90`, ... `trim.transverse`);
- `dct64` `canon*`: a 64-bit DCT hash of the trimmed picture turned into a canonical orientation
  (one form, or a few where the orientation is a near tie): the fast first stage of grouping,
  one lookup finds a copy whatever its rotation or mirroring;
- `crop64` (all but smooth or uniform pictures): one row of 64-bit DCT hashes of the picture
  and of windows of it, as found (core/windows.py); a crop's whole-picture hash meets the
  window it shows (see core/crops.py);
- masked views (detailed pictures only): PDQ of the picture without its top, bottom, left or
  right quarter (`without.top`, ...), and one `mask64` row of their 64-bit DCT hashes, to find a
  copy under a watermark, logo or sticker along one side.

Where the picture sits (borders, a turned frame, a flat background) is found by
core/picture_framing.py.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from desktop.core import pdq
from desktop.core.dct import DCT_KEEP, dct_basis
from desktop.core.hashing import PerceptualHash, bits_to_hex
from desktop.core.media import shrink
from desktop.core.picture_framing import (
    border_box,
    channel_rows,
    colour_box_counts,
    content_region,
    frame_angle,
)
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_VARIANT,
    VIEW_VARIANT,
    view_hashes,
    window_hashes,
)

FINGERPRINT_VERSION = (
    "trim+dihedral PDQ on a 64x64 copy; dct64 canonical orientation; masked side views;"
    " pictures inside screenshots; crop windows; views (corners, other shapes, small turns); v6"
)
WORK_SIDE = 128  # longest side of the copy the 64-bit DCT hashes and detail scores come from
PDQ_SIDE = 64  # side of the square copy PDQ hashes (dihedral forms, masked views)
TRIM_SIDE = 256  # longest side of the copy on which borders are found
# variant prefix of the dct64 hashes of a picture laid on a flat background (content_region)
REGION_PREFIX = "region."
# grey levels of standard deviation below which a picture is uniform: dark and blank frames
# measure under 1; a photograph made faint (a quarter of its contrast) 2.3-2.7, and its pHash
# and dHash still tell it from other pictures (see similarity.FAINT_LIMITS)
MIN_SPREAD = 2.0
MIN_ROUGHNESS = 0.05  # mean step between neighbours per level of spread: below, it is smooth
MIN_EDGES = 0.01  # ... unless this share of neighbours is a sharp jump (flat graphics)

# Each orientation is named for the picture as it looks after that edit is undone (`trim.rot90`:
# turned 90 degrees counter-clockwise, `trim.mirror`: left and right swapped, ...). Its PDQ comes
# from the coefficients of the picture as it is, as PDQ's own dihedral hashing does: (transposed,
# odd vertical frequencies negated, odd horizontal ones negated). PDQ's frequencies start at 1,
# so the odd ones sit at even indices.
DCT_TURNS = {
    "trim": (False, False, False),
    "trim.rot90": (True, True, False),
    "trim.rot180": (False, True, True),
    "trim.rot270": (True, False, True),
    "trim.mirror": (False, False, True),
    "trim.flip": (False, True, False),
    "trim.transpose": (True, False, False),
    "trim.transverse": (True, True, True),
}
ORIENTATION_VARIANTS = tuple(DCT_TURNS)
_PDQ_ODD = np.where(np.arange(16) % 2 == 0, -1.0, 1.0)

# Masked views: the picture without a band along one side. A watermark, logo or sticker
# over one part of the picture moves every whole-picture hash (a pale box over 12% of it costs
# dct64 20-38 bits), yet leaves the view that masks its side untouched.
MASK_SHARE = 0.25  # share of the height (or width) left out by a masked view
MASKED_VARIANTS = ("without.top", "without.bottom", "without.left", "without.right")
# Below this detail score (see detail_score: text pages, logos, screenshots, mostly one flat
# colour) a picture gets no masked views: different pages of text meet through them.
MASK_MIN_DETAIL = 35

# The orientation-free 64-bit hash: low DCT frequencies of a 32x32 grey copy, turned into a
# canonical orientation first. Mirroring negates the odd horizontal frequencies, flipping the odd
# vertical ones, and a quarter turn swaps the axes, so the canonical form is exact for all eight
# orientations; where the choice is close (a weak first frequency), the other forms are kept too.
DCT_SIDE = 32
AMBIGUITY = 0.12  # of the low frequencies' RMS: closer than this to a tie keeps both forms

_ODD = np.arange(DCT_KEEP) % 2 == 1


_DCT = dct_basis(DCT_SIDE)


def _cut(
    small: Image.Image, box: tuple[int, int, int, int], source: Image.Image | None
) -> Image.Image:
    """The part of a picture inside `box` (pixels of `small`), cut from `source` (the same
    picture, larger) when it is given."""
    if source is None or source.width <= small.width:
        return small.crop(box)
    x, y = source.width / small.width, source.height / small.height
    left, top, right, bottom = box
    return source.crop((round(left * x), round(top * y), round(right * x), round(bottom * y)))


def _same_box(a: tuple[int, ...], b: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether two boxes differ by at most 3% of the picture's size on every side (a
    letterboxed picture is both inside borders and a region on a flat background)."""
    h, w = shape[:2]
    limits = (w, h, w, h)
    return all(abs(x - y) <= 0.03 * n for x, y, n in zip(a, b, limits, strict=True))


def working_copies(
    image: Image.Image, source: Image.Image | None = None
) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """The whole picture; when it has borders, bars or a turned frame, or is a picture laid
    on a flat background (a screenshot, a collage), the part inside; and whether that part is
    such a region (True) rather than the inside of borders.

    All are cut from one copy of at most TRIM_SIDE px (pass one that size to save a resize),
    except a region when `source` (the same picture larger) is given: the picture inside a
    screenshot is often a third of its width, 90 px of the 256, too few for its texture.
    """
    upright = shrink(image, TRIM_SIDE)
    small, rgb = upright, np.asarray(upright)
    whole = np.asarray(shrink(upright, WORK_SIDE))
    angle = frame_angle(rgb)
    if angle is not None:  # turn it back; the fill becomes borders for the trimming below
        colour = tuple(int(c) for c in np.median(rgb[[0, 0, -1, -1], [0, -1, 0, -1]], axis=0))
        small = upright.rotate(-angle, Image.Resampling.BILINEAR, fillcolor=colour)
        rgb = np.asarray(small)
    box = border_box(rgb)
    if angle is None:
        region = content_region(rgb)
        if region is not None and not _same_box(region, box, rgb.shape):
            return whole, np.asarray(shrink(_cut(small, region, source), WORK_SIDE)), True
    if box == (0, 0, small.width, small.height):
        return whole, (np.asarray(shrink(small, WORK_SIDE)) if angle is not None else None), False
    return whole, np.asarray(shrink(small.crop(box), WORK_SIDE)), False


def _orientations(low: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The canonical form(s) of an 8x8 block of DCT coefficients, with the transform's name.

    Canonical: first horizontal and first vertical frequency both >= 0, horizontal >= vertical.
    """
    scale = float(np.sqrt(np.mean(low.ravel()[1:] ** 2))) or 1.0
    margin = AMBIGUITY * scale
    forms = []
    for name, transposed, mirror, flip in (
        ("trim", False, False, False),
        ("trim.mirror", False, True, False),
        ("trim.flip", False, False, True),
        ("trim.rot180", False, True, True),
        ("trim.transpose", True, False, False),
        ("trim.rot90", True, True, False),
        ("trim.rot270", True, False, True),
        ("trim.transverse", True, True, True),
    ):
        m = low.T if transposed else low
        if mirror:
            m = m * np.where(_ODD, -1.0, 1.0)[None, :]
        if flip:
            m = m * np.where(_ODD, -1.0, 1.0)[:, None]
        h, v = m[0, 1], m[1, 0]
        if h >= -margin and v >= -margin and abs(h) >= abs(v) - margin:
            forms.append((name, m))
    return forms


def detail_score(work: np.ndarray) -> int:
    """0-100: how much a picture's hashes can be trusted to tell it from other pictures.

    0 for smooth or nearly uniform pictures (gradients, flat colours, dark frames): their
    edges are too weak for any hash. Otherwise the share of the picture not covered by its most
    common flat colour, at least 1: text on a plain page, a logo on a flat ground score low, as
    their hashes are strong (much contrast) yet say little.
    """
    grey = np.asarray(
        Image.fromarray(work).convert("L").resize((64, 64), Image.Resampling.BOX), dtype=np.float64
    )
    spread = float(grey.std())
    down, across = np.abs(np.diff(grey, axis=0)), np.abs(np.diff(grey, axis=1))
    steps = (down.mean() + across.mean()) / 2
    # photographs measure 0.08 or more whatever their contrast; linear gradients about 0.03,
    # and so do flat graphics (a few shapes of flat colour), but their steps are few and
    # sharp: 3-6% of neighbours a jump of half the spread or more, gradients' none
    jump = max(spread / 2, 8.0)
    edges = ((down > jump).mean() + (across > jump).mean()) / 2
    if spread < MIN_SPREAD or (steps / (spread + 1) < MIN_ROUGHNESS and edges < MIN_EDGES):
        return 0
    # the most common colour box's centre, and the pixels near it, channel by channel
    dominant = int(colour_box_counts(work).argmax())
    close = np.ones(work.shape[0] * work.shape[1], dtype=bool)
    levels = (dominant >> 8, dominant >> 4 & 15, dominant & 15)
    for values, level in zip(channel_rows(work), levels, strict=True):
        centre = level * 16 + 8  # within 16 levels of it
        close &= (values >= max(centre - 16, 0)) & (values <= min(centre + 16, 255))
    return max(1, int(round(100 * (1 - close.mean()))))


def masked_views(work: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The picture without its top, bottom, left or right band (MASKED_VARIANTS order)."""
    h, w = work.shape[:2]
    rows, columns = round(h * MASK_SHARE), round(w * MASK_SHARE)
    return [
        ("without.top", work[rows:]),
        ("without.bottom", work[: h - rows]),
        ("without.left", work[:, columns:]),
        ("without.right", work[:, : w - columns]),
    ]


def _low_frequencies(work: np.ndarray) -> np.ndarray:
    grey = Image.fromarray(np.ascontiguousarray(work)).convert("L")
    grey = grey.resize((DCT_SIDE, DCT_SIDE), Image.Resampling.BOX)
    return _DCT @ np.asarray(grey, dtype=np.float64) @ _DCT.T


def _dct_bits(low: np.ndarray) -> str:
    coefficients = low.ravel()[1:]  # the mean (DC) says nothing about the picture's content
    middle = np.partition(coefficients, 31)[31]  # the median of the 63: np.median's value
    return bits_to_hex(np.append(coefficients > middle, False))


def orientation_free_hashes(work: np.ndarray, detail: int | None = None) -> list[PerceptualHash]:
    """64-bit `dct64` hashes of the canonical orientation(s) of a working copy (h, w, 3).

    Their quality column holds the picture's detail score (see detail_score), not PDQ's; pass
    `detail` to reuse one already computed.
    """
    detail = detail_score(work) if detail is None else detail
    return [
        PerceptualHash("dct64", _dct_bits(m), detail, "canon" + name.removeprefix("trim"))
        for name, m in _orientations(_low_frequencies(work))
    ]


def extra_hashes(image: Image.Image, source: Image.Image | None = None) -> list[PerceptualHash]:
    """The similarity engine's hashes of an RGB picture (already reduced and upright);
    `source`: the same picture larger, when the caller has it (a picture found inside a
    screenshot is cut from it: measured on the benchmark's chat screenshots of textures,
    their trimmed PDQ comes 4-8 bits nearer the photograph's)."""
    whole, inner, is_region = working_copies(image, source)
    detail = detail_score(whole)
    inner_detail = detail if inner is None or is_region else detail_score(inner)
    if inner is not None and inner_detail == 0 < detail:
        inner = None  # what was taken for borders was most of the picture (a flat graphic)
    whole_square = _pdq_square(whole)
    hashes = dihedral_pdq(whole_square if inner is None else _pdq_square(inner))
    # the whole picture's form is kept even when borders were found: finding them is not
    # stable for pictures whose own edges are flat, and then the two copies meet untrimmed
    hashes.extend(orientation_free_hashes(whole, detail))
    if inner is not None:
        # the grouping judges a picture by its best score, but a screenshot stays as sparse as
        # its window: two screenshots of different pictures meet on the app around them
        prefix = REGION_PREFIX if is_region else "inner."
        for h in orientation_free_hashes(inner, inner_detail):
            hashes.append(PerceptualHash(h.algorithm, h.hex, h.quality, prefix + h.variant))
        detail = max(detail, inner_detail)
    if detail >= MASK_MIN_DETAIL:
        hashes.extend(masked_hashes(whole_square, detail))
    if detail > 0:  # not for smooth or uniform pictures: their windows are all alike
        grey = np.asarray(Image.fromarray(whole).convert("L"), dtype=np.float64)
        hashes.append(PerceptualHash(CROP_ALGORITHM, window_hashes(grey), detail, CROP_VARIANT))
        hashes.append(PerceptualHash(CROP_ALGORITHM, view_hashes(grey), detail, VIEW_VARIANT))
    return hashes


def dihedral_pdq(square: np.ndarray) -> list[PerceptualHash]:
    """PDQ of a square PDQ_SIDE copy in each of ORIENTATION_VARIANTS, from one pass of PDQ.

    On a 64x64 square PDQ's filter and decimation change nothing, so these are exactly the
    hashes of the turned pixels."""
    matrix, quality = pdq.coefficients(pdq.luma(square))
    hashes = []
    for name in ORIENTATION_VARIANTS:
        transposed, rows, columns = DCT_TURNS[name]
        turned = matrix.T if transposed else matrix
        if rows:
            turned = turned * _PDQ_ODD[:, None]
        if columns:
            turned = turned * _PDQ_ODD[None, :]
        hashes.append(PerceptualHash("pdq", pdq.to_hex(turned), quality, name))
    return hashes


def _pdq_square(work: np.ndarray) -> np.ndarray:
    """The PDQ_SIDE x PDQ_SIDE copy PDQ hashes (stretched, as PDQ itself would)."""
    square = Image.fromarray(work).resize((PDQ_SIDE, PDQ_SIDE), Image.Resampling.BOX)
    return np.asarray(square)


def masked_hashes(small: np.ndarray, detail: int) -> list[PerceptualHash]:
    """PDQ of each masked view of the whole picture (not trimmed: an overlay can change where
    borders are found), and one `mask64` row holding the 64-bit DCT hash of each view in
    MASKED_VARIANTS order (256 bits: one row, not four, as a million pictures are read back
    at every grouping). `small` is the whole picture's square PDQ copy."""
    hashes, coarse = [], []
    for name, grey_view in masked_views(pdq.luma(small)):
        matrix, quality = pdq.coefficients(grey_view)
        hashes.append(PerceptualHash("pdq", pdq.to_hex(matrix), quality, name))
        # as found, not turned canonical: a view is only ever compared with the same view; its
        # low frequencies straight from the view's pixels (no 32x32 grey copy: 3x faster)
        h, w = grey_view.shape
        coarse.append(_dct_bits(dct_basis(h) @ grey_view @ dct_basis(w).T))
    hashes.append(PerceptualHash("mask64", "".join(coarse), detail, "views"))
    return hashes
