"""Clue crops: exactly the region's pixels, blackouts applied, no EXIF or other metadata."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from desktop.core.clue_export import crop_clue, encode_without_metadata, sidecar
from desktop.core.media import DecodeFailure
from desktop.core.regions import Region, RegionError, parse_region
from desktop.core.samples import exif_for, scene


def _png_with_exif() -> tuple[bytes, np.ndarray]:
    img = scene(3, (320, 240))
    buffer = io.BytesIO()
    img.save(buffer, "PNG", exif=exif_for(0, 0, "2024:01:01 10:00:00"))
    data = buffer.getvalue()
    return data, np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_crop_holds_exactly_the_region_pixels():
    data, pixels = _png_with_exif()
    region = Region(40, 30, 100, 60)
    crop = crop_clue(data, region)
    assert crop.image.size == (100, 60)
    assert np.array_equal(np.asarray(crop.image), pixels[30:90, 40:140])


def test_blackouts_are_clipped_to_the_region_and_painted_black():
    data, pixels = _png_with_exif()
    region = Region(40, 30, 100, 60)
    crop = crop_clue(data, region, [Region(20, 20, 40, 30)])  # pokes out top-left
    assert crop.blackouts == (Region(40, 30, 20, 20),)
    out = np.asarray(crop.image)
    assert (out[:20, :20] == 0).all()
    assert np.array_equal(out[20:, 20:], pixels[50:90, 60:140])
    with pytest.raises(RegionError, match="outside the clue's region"):
        crop_clue(data, region, [Region(200, 200, 10, 10)])


def test_region_outside_the_picture_and_broken_source_are_refused():
    data, _ = _png_with_exif()
    with pytest.raises(RegionError):
        crop_clue(data, Region(300, 0, 50, 50))
    with pytest.raises(DecodeFailure):
        crop_clue(data[: len(data) // 2], Region(0, 0, 10, 10))


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_encoded_crop_carries_no_metadata(fmt):
    source = scene(5, (64, 48))
    source.info["icc_profile"] = b"not really a profile"
    source.info["comment"] = b"evidence comment"
    source.info["exif"] = exif_for(1, 1, "2024:01:01 10:00:00").tobytes()
    encoded = encode_without_metadata(source, fmt)
    reopened = Image.open(io.BytesIO(encoded))
    assert reopened.format.lower() == fmt
    assert len(reopened.getexif()) == 0
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(reopened.info)
    assert b"Exif" not in encoded and b"evidence comment" not in encoded
    if fmt == "png":
        assert np.array_equal(np.asarray(reopened), np.asarray(source))


def test_sidecar_names_the_source_by_digest_only():
    meta = sidecar(
        kind="electrical",
        label="socket",
        note="",
        case_reference="2025-001",
        source_sha256="ab" * 32,
        region=Region(1, 2, 3, 4),
        blackouts=[],
        crop_file="c.png",
        crop_sha256="cd" * 32,
        exported_at="now",
        tool_version="0.1",
    )
    assert meta["kind_name"] == "Electrical fittings"
    assert meta["source_sha256"] == "ab" * 32 and meta["region"] == {"x": 1, "y": 2, "w": 3, "h": 4}
    assert not [key for key in meta if "path" in key]


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "0,0,0,4", "-1,0,4,4"])
def test_parse_region_refuses_bad_text(text):
    with pytest.raises(RegionError):
        parse_region(text)


def test_parse_region_reads_x_y_w_h():
    assert parse_region(" 5, 6,70 ,80") == Region(5, 6, 70, 80)


def test_region_is_in_the_coordinates_of_the_picture_as_displayed():
    """A phone photo stored sideways with EXIF orientation 6: regions follow the upright view."""
    upright = scene(9, (120, 160))  # portrait as the analyst sees it
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # sideways in the file (160x120)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "PNG", exif=exif)
    crop = crop_clue(buffer.getvalue(), Region(10, 100, 60, 40))
    assert crop.image.size == (60, 40)
    assert np.array_equal(np.asarray(crop.image), np.asarray(upright)[100:140, 10:70])
