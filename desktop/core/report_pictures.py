"""Pictures for reports: stored thumbnails and clue crops, blurred by core.blur unless asked."""

from __future__ import annotations

import io

from PIL import Image

from desktop.core import blur
from desktop.core.regions import Region


def _decode(jpeg: bytes, side: int) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(jpeg))
        image.draft("RGB", (side, side))  # JPEG decodes at 1/2, 1/4, 1/8 size when it can
        return image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a damaged stored thumbnail: the report says "no picture"


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _shown(image: Image.Image, side: int, sharp: bool, strength: int) -> bytes:
    """The picture fitted in `side` pixels, blurred unless `sharp`, as JPEG."""
    scale = min(side / image.width, side / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if sharp:
        return _encode(image.resize(size, Image.Resampling.LANCZOS))
    return _encode(blur.blurred(image, strength, size))


def thumbnail(jpeg: bytes | None, side: int, sharp: bool, strength: int) -> bytes | None:
    """A stored thumbnail as the report shows it (JPEG), or None when there is none."""
    image = _decode(jpeg, side) if jpeg else None
    return None if image is None else _shown(image, side, sharp, strength)


def clue_crop(
    jpeg: bytes | None,
    region: Region,
    media_size: tuple[int | None, int | None],
    side: int,
    sharp: bool,
    strength: int,
) -> bytes | None:
    """A clue's region cut from the stored thumbnail (regions are in pixels of the full
    picture; the thumbnail is that picture reduced), as the report shows it."""
    image = _decode(jpeg, 1024) if jpeg else None
    width, height = media_size
    if image is None or not width or not height:
        return None
    sx, sy = image.width / width, image.height / height
    left, top = max(0, int(region.x * sx)), max(0, int(region.y * sy))
    right = min(image.width, max(left + 1, round((region.x + region.w) * sx)))
    bottom = min(image.height, max(top + 1, round((region.y + region.h) * sy)))
    return _shown(image.crop((left, top, right, bottom)), side, sharp, strength)
