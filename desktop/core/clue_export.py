"""A clue as a shareable picture: its region only, parts blacked out, no metadata; and a sidecar."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from desktop.core.clue_kinds import kind_name
from desktop.core.media import decode_reduced
from desktop.core.regions import Region, RegionError

SIDECAR_FORMAT = "vigil-clue-export"
SIDECAR_VERSION = 1
EXPORT_FORMATS = ("png", "jpeg")
JPEG_QUALITY = 92


@dataclass(frozen=True)
class ClueCrop:
    image: Image.Image  # RGB, exactly the region's pixels (blacked-out parts black)
    blackouts: tuple[Region, ...]  # the blackouts actually applied, clipped to the region


def crop_clue(source: bytes, region: Region, blackouts: Sequence[Region] = ()) -> ClueCrop:
    """Decode the source picture (safely, full size, upright) and cut out the region.

    `region` and `blackouts` are in image coordinates of the picture as displayed. Raises
    desktop.core.media.DecodeFailure for a picture that cannot be decoded and RegionError for a
    region outside it or a blackout that does not touch the region.
    """
    return crop_picture(decode_reduced(source, full=True).image, region, blackouts)


def crop_picture(
    picture: Image.Image, region: Region, blackouts: Sequence[Region] = ()
) -> ClueCrop:
    """Cut the region out of a decoded picture (or video frame) and black out parts of it."""
    region.check_inside(picture.width, picture.height)
    crop = picture.convert("RGB").crop(region.box)
    applied = []
    draw = ImageDraw.Draw(crop)
    for blackout in blackouts:
        part = blackout.intersect(region)
        if part is None:
            raise RegionError(
                f"The blackout {blackout.w}x{blackout.h} at {blackout.x},{blackout.y} lies "
                "outside the clue's region."
            )
        local = (part.x - region.x, part.y - region.y)
        draw.rectangle((*local, local[0] + part.w - 1, local[1] + part.h - 1), fill=(0, 0, 0))
        applied.append(part)
    return ClueCrop(crop, tuple(applied))


def encode_without_metadata(image: Image.Image, fmt: str = "png") -> bytes:
    """The picture as PNG or JPEG bytes carrying pixels only: no EXIF, ICC, XMP or text.

    The pixels are copied into a new image first, so nothing Pillow kept from the source file
    (its `info`: EXIF, ICC profile, comments) can be written out by the encoder.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rgb = image.convert("RGB")
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    buffer = io.BytesIO()
    if fmt == "png":
        clean.save(buffer, "PNG", optimize=False)
    else:
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, exif=b"", icc_profile=None)
    return buffer.getvalue()


def sidecar(
    *,
    kind: str,
    label: str,
    note: str,
    case_reference: str,
    source_sha256: str,
    region: Region,
    blackouts: Sequence[Region],
    crop_file: str,
    crop_sha256: str,
    exported_at: str,
    tool_version: str,
    time: float | None = None,
) -> dict[str, Any]:
    """What travels with the crop: enough to identify the clue (and, from a video, the frame's
    time), nothing of the rest of the picture (no file names or paths of the evidence, no
    EXIF)."""
    return {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "kind": kind,
        "kind_name": kind_name(kind),
        "label": label,
        "note": note,
        "case_reference": case_reference,
        "source_sha256": source_sha256,
        "region": region.as_dict(),
        "blackouts": [b.as_dict() for b in blackouts],
        "crop_file": crop_file,
        "crop_sha256": crop_sha256,
        "exported_at": exported_at,
        "tool": f"Vigil {tool_version}",
        **({"time": time} if time is not None else {}),
    }
