"""Camera body serial numbers kept in makers' notes (EXIF MakerNote), and where each came from.

A serial number ties pictures to one seized camera, and many bodies write it only in their
maker's notes. Each maker lays its notes out its own way: a header or none, IFD offsets counted
from the TIFF header, from the notes or from a TIFF header of their own, and the serial under
its own tag. The layouts and tags below are those of ExifTool's and Exiv2's published tag
tables; the IFDs themselves are parsed by Pillow's TIFF directory reader (bounded against
hostile sizes). Why not a makers'-notes library (benchmarks/makernotes_libraries.py compares
them on the seven makers' notes of tests/helpers/makernotes.py): exifread (BSD) gives Canon's
serial only (Nikon's garbled, the other five none); Exiv2 (python-exiv2, pyexiv2) gives six
(not Ricoh's) but is GPL, which a proprietary build cannot ship (see docs/formats.md).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import TiffImagePlugin

MAKER_NOTE = 0x927C
EXIF_IFD = 0x8769
MAX_SERIAL = 64  # a serial number is a few characters; more is not one


@dataclass(frozen=True)
class Layout:
    """Where a maker's IFD starts and what its offsets count from."""

    signature: bytes  # how the notes start (b"" for none)
    ifd_start: int  # where the IFD starts, from the start of the notes
    base: str  # "tiff": offsets from the TIFF header; "notes": from the notes' start
    order_at: int | None = None  # where "II"/"MM" sits in the notes (None: the EXIF's order)


@dataclass(frozen=True)
class SerialTag:
    group: str  # ExifTool's group name, written with the tag name as the serial's source
    name: str
    tag: int
    in_ifd: int | None = None  # the tag of the sub-directory holding it (Olympus Equipment)


# (make prefix, layouts to try, serial tags to look at in order)
_MAKERS: list[tuple[str, list[Layout], list[SerialTag]]] = [
    ("CANON", [Layout(b"", 0, "tiff")], [SerialTag("Canon", "SerialNumber", 0x000C),
                                         SerialTag("Canon", "InternalSerialNumber", 0x0096)]),
    ("NIKON", [Layout(b"Nikon\x00\x02", 18, "nikon", 10), Layout(b"", 0, "tiff")],
     [SerialTag("Nikon", "SerialNumber", 0x001D)]),
    ("OLYMPUS", [Layout(b"OLYMPUS\x00", 12, "notes", 8), Layout(b"OLYMP\x00", 8, "tiff")],
     [SerialTag("Olympus", "SerialNumber", 0x0101, in_ifd=0x2010),
      SerialTag("Olympus", "SerialNumber", 0x0404)]),
    ("OM DIGITAL", [Layout(b"OM SYSTEM\x00", 16, "notes", 12)],
     [SerialTag("Olympus", "SerialNumber", 0x0101, in_ifd=0x2010)]),
    ("PENTAX", [Layout(b"AOC\x00", 6, "tiff", 4), Layout(b"PENTAX \x00", 10, "notes", 8)],
     [SerialTag("Pentax", "SerialNumber", 0x0229)]),
    ("RICOH", [Layout(b"RICOH\x00", 8, "notes", 6), Layout(b"AOC\x00", 6, "tiff", 4)],
     [SerialTag("Pentax", "SerialNumber", 0x0229)]),
    ("PANASONIC", [Layout(b"Panasonic\x00", 12, "tiff")],
     [SerialTag("Panasonic", "InternalSerialNumber", 0x0025)]),
    ("LEICA", [Layout(b"Panasonic\x00", 12, "tiff")],
     [SerialTag("Panasonic", "InternalSerialNumber", 0x0025)]),
    ("SIGMA", [Layout(b"SIGMA\x00", 10, "tiff"), Layout(b"FOVEON\x00", 10, "tiff")],
     [SerialTag("Sigma", "SerialNumber", 0x0002)]),
    ("FUJIFILM", [Layout(b"FUJIFILM", -1, "notes")],
     [SerialTag("FujiFilm", "InternalSerialNumber", 0x0010)]),
]  # fmt: skip


def _ifd(block: bytes, start: int, order: bytes) -> dict[int, object]:
    """The entries of the IFD at `start` of `block` (offsets count from the block's start)."""
    directory = TiffImagePlugin.ImageFileDirectory_v2(prefix=order)
    stream = io.BytesIO(block)
    stream.seek(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a damaged tag is skipped; the others still count
        directory.load(stream)
    return dict(directory)


def _text(value: object) -> str | None:
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, int):
        return f"{value:010d}"  # as ExifTool prints Canon's numeric serial
    if isinstance(value, bytes):
        value = value.split(b"\x00", 1)[0].decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text[:MAX_SERIAL] if text and text.isprintable() else None


def _directory(
    tiff: bytes, notes_at: int, notes: bytes, layout: Layout
) -> tuple[bytes, int, bytes] | None:
    """(block, IFD start, byte order) of the notes under this layout, or None."""
    if not notes.startswith(layout.signature):
        return None
    order = tiff[:2]
    if layout.order_at is not None and notes[layout.order_at : layout.order_at + 2] in (
        b"II", b"MM"
    ):  # fmt: skip
        order = notes[layout.order_at : layout.order_at + 2]
    start = layout.ifd_start
    if layout.signature == b"FUJIFILM":  # its IFD's place is written after the signature
        start, order = int.from_bytes(notes[8:12], "little"), b"II"
    if layout.base == "tiff":
        return tiff, notes_at + start, order
    if layout.base == "nikon":  # a TIFF header of its own, 10 bytes in
        inner = notes[10:]
        return inner, int.from_bytes(inner[4:8], "big" if order == b"MM" else "little"), order
    return notes, start, order


def serial_from_notes(tiff: bytes, make: str | None) -> tuple[str, str] | None:
    """(serial, "Group:TagName") from the maker's notes of a TIFF/EXIF block, or None.

    `tiff` is the EXIF block from its TIFF header on (without the "Exif\\0\\0" prefix)."""
    if not make or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    try:
        order = tiff[:2]
        first = _ifd(tiff, int.from_bytes(tiff[4:8], "little" if order == b"II" else "big"), order)
        exif_at = first.get(EXIF_IFD)
        if not isinstance(exif_at, int):
            return None
        notes = _ifd(tiff, exif_at, order).get(MAKER_NOTE)
        if not isinstance(notes, bytes) or len(notes) < 8:
            return None
        return _serial(tiff, tiff.find(notes), notes, make.upper())
    except Exception:  # noqa: BLE001 - hostile notes: no serial, never a failed picture
        return None


def _serial(tiff: bytes, notes_at: int, notes: bytes, make: str) -> tuple[str, str] | None:
    for prefix, layouts, tags in _MAKERS:
        if not make.startswith(prefix):
            continue
        for layout in layouts:
            found = _directory(tiff, notes_at, notes, layout)
            if found is None:
                continue
            entries = _ifd(*found)
            for tag in tags:
                value = _lookup(found, entries, tag)
                serial = _text(value) if value is not None else None
                if serial:
                    return serial, f"{tag.group}:{tag.name}"
            return None
    return None


def _lookup(found: tuple[bytes, int, bytes], entries: dict[int, object], tag: SerialTag) -> object:
    if tag.in_ifd is None:
        return entries.get(tag.tag)
    pointer = entries.get(tag.in_ifd)
    if isinstance(pointer, tuple) and len(pointer) == 1:
        pointer = pointer[0]
    if not isinstance(pointer, int):
        return None  # Pillow reads an IFD-typed pointer as a number; anything else is not one
    block, _, order = found
    return _ifd(block, pointer, order).get(tag.tag)
