"""Aligned pixels: once a candidate copy is placed where the alignment found it, do the pixels
themselves agree?

The hashes only nominate; some true copies stay just beyond them: a brick wall's crop whose
aligned PDQ is 34 bits from its window (texture: PDQ moves under any resampling), a page of
text whose corner crop lies 8 bits of its corner view's 64-bit hash away, a faint page saved at
JPEG quality 50 whose PDQ is 32 bits from its own original. Their local features fail too
(ORB's ratio test throws out the matches of a repeated texture). Yet the pixels agree: the
crop, shrunk to the box the alignment found (crop_confirmation._aligned) and moved a few
pixels and a few percent in size around it, correlates with the original there at 0.93-1.00
(normalised cross-correlation of lightly blurred grey copies), and at 0.73-0.97 once the slow
shading is taken out (a band-pass copy, at the best size: smooth gradients and the mean say
nothing).
Measured on benchmarks/near_duplicates.py's case, every crop candidate within 16 bits of a
window (screenshots aside): 3,106 pairs of different pictures, at most 0.84 and 0.64, none
over both thresholds; 69 of 71 true crops over both. Two faint pages with one shading and
different grain correlate at 0.98 plain, 0.55-0.67 band-pass: the band-pass decides them.

Never asked about screenshots: two screenshots of one app agree on their window chrome
pixel for pixel (0.99 measured on chat screenshots of different pictures).
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_PLAIN = 0.95  # correlation of the blurred grey pixels
MIN_DETAIL = 0.80  # and of their band-pass copies (the slow shading taken out)
BLUR = 1.0  # pixels (of a thumbnail): sigma of the light blur that forgives resampling
SHADING = 4.0  # pixels: sigma of the blur whose removal takes out the slow shading
SEARCH_SCALES = (-0.03, -0.015, 0.0, 0.015, 0.03)  # sizes tried around the box
SEARCH_MARGIN = 4  # pixels tried each way around the box's place
MIN_SPREAD = 0.25  # grey levels of the band-pass copy below which there is nothing to compare


def _grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)


def _blurred(grey: np.ndarray, band: bool) -> np.ndarray:
    if band:
        grey = grey - cv2.GaussianBlur(grey, (0, 0), SHADING)
    return cv2.GaussianBlur(grey, (0, 0), BLUR)


def correlations(
    crop: np.ndarray, shown: np.ndarray, box: tuple[int, int, int, int], need: float = -1.0
) -> tuple[float, float]:
    """(plain, band-pass) normalised cross-correlation of `crop` (h, w, 3) shrunk to the size
    of `box` (left, top, width, height in `shown`) against `shown`: the best plain one over
    SEARCH_SCALES of that size and places within SEARCH_MARGIN pixels of the box, and the
    band-pass one at that size; -1 where nothing fits or there is nothing to compare, and for
    the band-pass one when the plain one is under `need` (a fifth of the cost not spent)."""
    crop_grey, shown_grey = _grey(crop), _grey(shown)
    left, top, box_w, box_h = box
    centre_x, centre_y = left + box_w / 2, top + box_h / 2
    plain = _blurred(shown_grey, band=False)
    best, best_size = -1.0, (0, 0)
    for scale in SEARCH_SCALES:
        size = (round(box_w * (1 + scale)), round(box_h * (1 + scale)))
        found = _match(plain, crop_grey, size, (centre_x, centre_y), band=False)
        if found > best:
            best, best_size = found, size
    if best_size == (0, 0):
        return -1.0, -1.0
    if best < need:
        return best, -1.0
    shading_out = _blurred(shown_grey, band=True)
    return best, _match(shading_out, crop_grey, best_size, (centre_x, centre_y), band=True)


def _match(
    shown: np.ndarray,
    crop_grey: np.ndarray,
    size: tuple[int, int],
    centre: tuple[float, float],
    band: bool,
) -> float:
    """The best correlation of the crop at `size` (w, h) against `shown` (already blurred the
    same way) within SEARCH_MARGIN pixels of the place centred on `centre`; -1 when it does
    not fit or is (nearly) flat."""
    w, h = size
    if w < 16 or h < 16:
        return -1.0
    x0 = max(0, round(centre[0] - w / 2) - SEARCH_MARGIN)
    y0 = max(0, round(centre[1] - h / 2) - SEARCH_MARGIN)
    x1 = min(shown.shape[1], round(centre[0] + w / 2) + SEARCH_MARGIN)
    y1 = min(shown.shape[0], round(centre[1] + h / 2) + SEARCH_MARGIN)
    area = shown[y0:y1, x0:x1]
    if area.shape[0] < h or area.shape[1] < w:
        return -1.0
    template = _blurred(cv2.resize(crop_grey, (w, h), interpolation=cv2.INTER_AREA), band)
    if float(template.std()) < MIN_SPREAD:
        return -1.0
    found = cv2.matchTemplate(area, template, cv2.TM_CCOEFF_NORMED)
    return float(np.nan_to_num(found, nan=-1.0).max())


def pixels_agree(crop: np.ndarray, shown: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether `crop` shows the pixels of `shown` inside `box` (see correlations): both
    correlations at least MIN_PLAIN and MIN_DETAIL."""
    plain, detail = correlations(crop, shown, box, need=MIN_PLAIN)
    return plain >= MIN_PLAIN and detail >= MIN_DETAIL


INSIDE_SIZES = (1.0, 0.94, 0.88, 0.82, 0.76)  # of the largest box of the picture's shape


def pixels_inside(picture: np.ndarray, region: np.ndarray) -> bool:
    """Whether `picture` is what `region` shows (the picture found inside a screenshot's
    thumbnail): pixels_agree for the largest box of the picture's shape centred in the
    region, or a smaller one (INSIDE_SIZES; the thumbnail's JPEG smears a small picture's
    colours a few pixels into the window's ground, so the region found is that much larger)."""
    h, w = region.shape[:2]
    aspect = picture.shape[1] / picture.shape[0]
    fit_w = min(w, h * aspect)
    for size in INSIDE_SIZES:
        box_w, box_h = round(fit_w * size), round(fit_w * size / aspect)
        box = ((w - box_w) // 2, (h - box_h) // 2, box_w, box_h)
        if pixels_agree(picture, region, box):
            return True
    return False
