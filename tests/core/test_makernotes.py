"""Serial numbers in makers' notes, from notes laid out as each maker's bodies write them."""

from __future__ import annotations

import io

import pytest
from helpers import makernotes
from PIL import Image

from desktop.core import exif as exif_fields
from desktop.core.makernotes import serial_from_notes
from desktop.core.media import decode_reduced

SOURCES = {"Canon": "Canon:SerialNumber", "Nikon": "Nikon:SerialNumber",
           "Olympus": "Olympus:SerialNumber", "Pentax": "Pentax:SerialNumber",
           "Panasonic": "Panasonic:InternalSerialNumber", "Sigma": "Sigma:SerialNumber",
           "Ricoh": "Pentax:SerialNumber"}  # fmt: skip


@pytest.mark.parametrize("maker", sorted(makernotes.CAMERAS))
def test_the_serial_in_each_makers_notes_is_read_with_its_source(maker):
    data, serial = makernotes.jpeg_with_notes(maker)
    decoded = decode_reduced(data)
    fields = exif_fields.summarize(decoded.exif, decoded.exif_raw)
    assert fields["serial_number"] == serial
    assert fields["serial_number_source"] == SOURCES[maker]
    assert fields["make"] == makernotes.CAMERAS[maker][0]


def test_the_exif_body_serial_wins_and_says_so():
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8769)[0xA431] = "BODY-42"
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, "JPEG", exif=exif)
    decoded = decode_reduced(out.getvalue())
    fields = exif_fields.summarize(decoded.exif, decoded.exif_raw)
    assert (fields["serial_number"], fields["serial_number_source"]) == (
        "BODY-42", "ExifIFD:BodySerialNumber"
    )  # fmt: skip


@pytest.mark.parametrize("maker", sorted(makernotes.CAMERAS))
def test_damaged_notes_give_no_serial_and_no_error(maker):
    make, model, order, notes, _ = makernotes.CAMERAS[maker]
    block = bytearray(makernotes.exif_block(make, model, order, notes))
    for cut in range(40, len(block), 7):
        damaged = bytes(block[:cut]) + b"\xff" * (len(block) - cut)
        serial_from_notes(damaged, make)  # must not raise
    assert serial_from_notes(bytes(block), "Unknown maker") is None
    assert serial_from_notes(b"not a tiff", make) is None
