"""Every hash Vigil keeps of one picture, whether a file or a frame of a video: one code path,
so whatever the similarity engine learns to find in pictures it finds in frames too."""

from __future__ import annotations

from PIL import Image

from desktop.core.fingerprints import extra_hashes
from desktop.core.hashing import PerceptualHash, perceptual_hashes
from desktop.core.media import shrink

# The similarity engine's working copy, which is also the stored thumbnail: longest side, px.
PREVIEW_SIDE = 256


def picture_hashes(
    image: Image.Image,
    exif_orientation: int = 1,
    first: list[PerceptualHash] | None = None,
) -> tuple[list[PerceptualHash], Image.Image]:
    """pHash, dHash and PDQ of the reduced picture (RGB, upright, longest side at most
    media.REDUCED_MAX_SIDE) and the engine's fingerprints of its PREVIEW_SIDE copy, and that
    copy (the thumbnail to store). `exif_orientation`: the EXIF orientation that turned a
    photo upright (media.DecodedImage.orientation), for PDQ of its pixels as stored too. A
    picture found inside a screenshot is cut from the reduced picture itself. `first`: pHash,
    dHash and PDQ when the caller has already taken them (perceptual_hashes of the same image:
    a video frame, to tell whether it repeats the frame before)."""
    preview = shrink(image, PREVIEW_SIDE)
    if first is None:
        first = perceptual_hashes(image, exif_orientation)
    return first + extra_hashes(preview, image), preview
