"""One candidate pair of the grouping confirmed on the two stored thumbnails: a crop near a
window of its original, an unsettled pair (the whole picture as the window), or a photograph
and a screenshot, compared on the picture found inside the screenshot.

Screenshots are never compared whole by their pixels or local features: two screenshots of
one app agree on their window chrome. But the picture found inside one (content_region, on
its thumbnail) is a picture like any other: a scanned page shown in a chat window, 48 bits of
PDQ from its photograph, correlates with it at 0.99 and 0.89 (aligned_pixels.pixels_inside).
Measured on benchmarks/near_duplicates.py's case, the pictures found inside its 48
screenshots against every media of the other pictures (30,992 pairs): at most 0.84 and
0.73, never both thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core.aligned_pixels import pixels_inside
from desktop.core.crop_confirmation import WHOLE, confirm_crop
from desktop.core.crops import VIEW_FIRST
from desktop.core.hashing import hamming_hex
from desktop.core.pdq import pdq_hash
from desktop.core.pdq_distances import SHOWN_INSIDE
from desktop.core.similarity import MIN_DETAIL, Rule, pdq_limit
from desktop.core.thumbnail_batch import ThumbnailBatch
from desktop.core.windows import VIEWS

Confirmation = tuple[int, bool, str]  # PDQ distance after alignment, confirmed, edit in words
_REFUSED: Confirmation = (256, False, "")


def taken_candidates(
    rule: Rule, windows: np.ndarray, bits: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(taken, nominated): which crop candidates (their windows, and bits from them) are
    looked at, and which of those the hashes only nominated (beyond the rule's crop radius:
    only the pixels may confirm them). Beyond the radius, up to Rule.nominated, only corner
    views (windows.VIEWS) are taken: a crop keeping one corner lies up to 8 bits from its view
    (a page of text, a brick wall), where other crops lie within 6; and they are 4 windows of
    63, so the extra candidates stay few (200,000 pictures of random hashes: 22 candidates
    instead of 7 at normal, 258 if every window were taken that far)."""
    first = VIEW_FIRST + min(k for k, view in enumerate(VIEWS) if view[0] == "corner")
    corner = (windows >= first) & (windows < first + sum(v[0] == "corner" for v in VIEWS))
    beyond = bits > rule.crop
    return ~beyond | corner, beyond


def without_features(framed: set[int], detail: dict[int, int]) -> set[int]:
    """Media whose candidates local features are never asked about: screenshots (`framed`:
    their app window matches another screenshot's one to one) and pictures mostly of one
    flat colour."""
    return framed | {m for m, d in detail.items() if d < MIN_DETAIL}


@dataclass
class PairJudge:
    """What the grouping knows to confirm pairs: the rule, each media's detail score, the
    screenshots (`framed`: a picture was found inside them) and the media whose local features
    are never asked about (`plain`)."""

    rule: Rule
    detail: dict[int, int]
    framed: set[int]
    plain: set[int]

    def confirm(
        self, pictures: ThumbnailBatch, crop: int, original: int, window: int, nominated: bool
    ) -> Confirmation:
        """Whether `crop` is a copy of `original` near `window` (WHOLE: an unsettled pair),
        both in `pictures`; `nominated`: the hashes only nominated it, only the pixels (or,
        of a screenshot, the picture inside it) may confirm it."""
        sparse = min(self.detail[crop], self.detail[original]) < MIN_DETAIL
        limit = int(pdq_limit(self.rule, sparse))
        screens = (crop in self.framed) + (original in self.framed)
        if screens == 1 and window == WHOLE:
            if original in self.framed:  # each pair comes both ways: look inside once
                found = self._inside(pictures, crop, original)
                if found[1] or nominated:
                    return found
            elif nominated:
                return _REFUSED
        elif screens and nominated:
            return _REFUSED  # neither pixels nor features of a screenshot are asked
        features = None
        if crop not in self.plain and original not in self.plain:
            features = lambda: (pictures.features(crop), pictures.features(original))  # noqa: E731
        return confirm_crop(
            pictures[crop], pictures[original], window, limit, features,
            pixels=not screens, nominated=nominated,
        )  # fmt: skip

    def _inside(self, pictures: ThumbnailBatch, photo: int, screenshot: int) -> Confirmation:
        """The photograph against the picture found inside the screenshot, by their pixels
        (the distance given: PDQ of the two)."""
        region = pictures.region(screenshot)
        if region is None or not pixels_inside(pictures[photo], region):
            return _REFUSED
        return hamming_hex(pdq_hash(pictures[photo])[0], pdq_hash(region)[0]), True, SHOWN_INSIDE
