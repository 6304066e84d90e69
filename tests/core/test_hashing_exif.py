"""Exact digests, perceptual hashes and the EXIF fields that place a picture."""

from __future__ import annotations

import hashlib
import io

from desktop.core import samples
from desktop.core.exif import summarize
from desktop.core.hashing import digest_bytes, hamming_hex, perceptual_hashes
from desktop.core.media import decode_reduced


def test_one_pass_digests_match_hashlib():
    data = b"evidence" * 100_000
    digests = digest_bytes(data)
    assert digests.md5 == hashlib.md5(data).hexdigest()
    assert digests.sha1 == hashlib.sha1(data).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.size == len(data)


def test_perceptual_hashes_survive_recompression_but_not_other_pictures():
    original = samples.scene(5, (640, 480))
    recompressed = decode_reduced(samples.jpeg_bytes(original, quality=40)).image
    other = samples.scene(6, (640, 480))
    a = {h.algorithm: h for h in perceptual_hashes(original)}
    b = {h.algorithm: h for h in perceptual_hashes(recompressed)}
    c = {h.algorithm: h for h in perceptual_hashes(other)}
    assert len(a["phash"].hex) == 16 and len(a["dhash"].hex) == 16 and len(a["pdq"].hex) == 64
    assert 0 <= a["pdq"].quality <= 100
    assert hamming_hex(a["phash"].hex, b["phash"].hex) <= 6
    assert hamming_hex(a["pdq"].hex, b["pdq"].hex) <= 31
    assert hamming_hex(a["pdq"].hex, c["pdq"].hex) > 60


def test_exif_fields_are_read_with_gps_signs():
    exif = samples.exif_for(camera=0, place=2, taken="2023:05:06 07:08:09")
    buffer = io.BytesIO()
    samples.scene(3, (64, 48)).save(buffer, "JPEG", exif=exif)
    fields = summarize(decode_reduced(buffer.getvalue()).exif)
    assert fields["make"] == "Canon"
    assert fields["serial_number"] == "083021004512"
    assert fields["datetime_original"] == "2023-05-06T07:08:09"
    lat, lon, alt = samples.PLACES[2]
    assert abs(fields["gps_latitude"] - lat) < 1e-3  # southern hemisphere: negative
    assert abs(fields["gps_longitude"] - lon) < 1e-3
    assert fields["gps_altitude"] == alt


def test_hostile_exif_text_is_bounded():
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "X" * 60_000 + "\x00"
    buffer = io.BytesIO()
    samples.scene(3, (32, 32)).save(buffer, "JPEG", exif=exif)
    fields = summarize(decode_reduced(buffer.getvalue()).exif)
    assert len(fields["make"]) <= 200


def test_a_picture_turned_by_its_exif_also_gets_pdq_of_its_pixels_as_stored():
    import numpy as np
    from PIL import Image

    from desktop.core.pdq import pdq_hash

    raw = samples.scene(5, (96, 64))  # as the camera stored it
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        decoded = decode_reduced(samples.jpeg_bytes(raw, 95, exif))
        stored = [h for h in perceptual_hashes(decoded.image, decoded.orientation)
                  if h.variant == "as_stored"]  # fmt: skip
        if orientation == 1:
            assert not stored
            continue
        with Image.open(io.BytesIO(samples.jpeg_bytes(raw, 95))) as again:
            expected, _ = pdq_hash(np.asarray(again.convert("RGB")))
        assert hamming_hex(stored[0].hex, expected) <= 2, orientation
