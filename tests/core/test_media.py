"""Type sniffing, lying extensions and safe decoding of hostile files."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from desktop.core import samples
from desktop.core.media import DecodeFailure, decode_reduced, extension_mismatch, sniff_type


def _encoded(fmt: str, size=(64, 48), **options) -> bytes:
    buffer = io.BytesIO()
    samples.scene(1, size).save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("JPEG", "jpeg"),
        ("PNG", "png"),
        ("GIF", "gif"),
        ("BMP", "bmp"),
        ("TIFF", "tiff"),
        ("WEBP", "webp"),
        ("HEIF", "heic"),
    ],
)
def test_types_are_told_by_content(fmt, expected):
    data = _encoded(fmt)
    assert sniff_type(data[:64]) == expected
    decoded = decode_reduced(data)
    assert (decoded.width, decoded.height) == (64, 48)
    assert decoded.image.mode == "RGB"


def test_extension_that_lies_is_flagged():
    assert extension_mismatch(b"holiday.txt", "png")  # a picture hidden as text
    assert extension_mismatch(b"notes.jpg", None)  # text dressed as a picture
    assert extension_mismatch(b"IMG_1.JPG", "png")
    assert not extension_mismatch(b"IMG_1.JPG", "jpeg")
    assert not extension_mismatch(b"README", None)
    assert not extension_mismatch(b"archive.bin", None)


def test_reduced_decode_keeps_full_dimensions_and_shrinks_pixels():
    data = _encoded("JPEG", size=(4000, 3000), quality=80)
    decoded = decode_reduced(data)
    assert (decoded.width, decoded.height) == (4000, 3000)
    assert max(decoded.image.size) <= 512
    assert max(decoded.image.size) >= 400


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 clockwise to show upright
    buffer = io.BytesIO()
    samples.scene(2, (120, 80)).save(buffer, "JPEG", exif=exif)
    decoded = decode_reduced(buffer.getvalue())
    assert (decoded.width, decoded.height) == (80, 120)
    assert decoded.image.size == (80, 120)


@pytest.mark.parametrize(
    "name, status",
    [
        ("truncated_download.jpg", "truncated"),
        ("bomb.png", "too_large"),
        ("notes_named_as_picture.jpg", "unsupported"),
    ],
)
def test_hostile_files_become_statuses(name, status):
    data = samples.broken_files()[name]
    with pytest.raises(DecodeFailure) as caught:
        decode_reduced(data)
    assert caught.value.status == status
    assert caught.value.reason


def test_garbage_after_a_jpeg_header_is_not_decoded():
    with pytest.raises(DecodeFailure) as caught:
        decode_reduced(samples.broken_files()["garbage_with_jpeg_header.jpg"])
    assert caught.value.status in ("corrupt", "truncated")


# ---- cut-off and damaged files are named for what they are (issue 17 item 12, issue 18 item 11) --


def _whole(fmt: str, **options) -> bytes:
    out = io.BytesIO()
    samples.scene(21, (240, 180)).save(out, fmt, **options)
    return out.getvalue()


CUT_FORMATS = {
    "png": lambda: _whole("PNG"),
    "gif": lambda: _whole("GIF"),
    "tiff": lambda: _whole("TIFF"),
    "tiff-lzw": lambda: _whole("TIFF", compression="tiff_lzw"),
    "webp": lambda: _whole("WEBP", quality=80),
    "heic": lambda: _whole("HEIF", quality=60),
}


@pytest.mark.parametrize("name", sorted(CUT_FORMATS))
@pytest.mark.parametrize("keep", [40, 0.5])
def test_a_cut_off_file_is_truncated(name, keep):
    data = CUT_FORMATS[name]()
    cut = data[: keep if isinstance(keep, int) else len(data) // 2]
    with pytest.raises(DecodeFailure) as failure:
        decode_reduced(cut)
    assert failure.value.status == "truncated", failure.value.reason
    assert decode_reduced(data).image.size  # the whole file decodes


def test_a_heic_whose_second_image_is_cut_off_is_truncated():
    out = io.BytesIO()
    first, second = samples.scene(22, (240, 180)), samples.scene(23, (240, 180))
    first.save(out, "HEIF", quality=60, save_all=True, append_images=[second])
    data = out.getvalue()
    assert decode_reduced(data).frames == 2
    with pytest.raises(DecodeFailure) as failure:
        decode_reduced(data[:-30])  # the first image is whole; the second is not
    assert failure.value.status == "truncated"


def test_a_damaged_heic_is_corrupt_not_unsupported():
    data = bytearray(CUT_FORMATS["heic"]())
    data[40:80] = b"\xff" * 40  # inside the meta box: item info and locations
    with pytest.raises(DecodeFailure) as failure:
        decode_reduced(bytes(data))
    assert failure.value.status == "corrupt" and "HEIC" in failure.value.reason


def test_a_damaged_png_that_is_whole_is_corrupt():
    data = bytearray(CUT_FORMATS["png"]())
    data[12:16] = b"XXXX"  # the IHDR chunk's type
    with pytest.raises(DecodeFailure) as failure:
        decode_reduced(bytes(data))
    assert failure.value.status == "corrupt"
