"""JPEGs whose EXIF holds a camera maker's notes with a body serial number, laid out as each
maker's cameras write them (from ExifTool's and Exiv2's published tag tables).

Each maker writes its notes (EXIF tag 0x927C, MakerNote) differently: a header or none, its own
byte order, IFD offsets counted from the TIFF header or from the notes themselves, the serial
number as text, as a number, or inside a sub-directory. The pictures are harmless gradients.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image

ASCII, SHORT, LONG, UNDEFINED = 2, 3, 4, 7
_SIZES = {ASCII: 1, SHORT: 2, LONG: 4, UNDEFINED: 1}


@dataclass
class Entry:
    tag: int
    type: int
    value: bytes | int | tuple[int, ...] | IFD

    def data(self, order: str) -> tuple[int, bytes]:
        """(count, bytes) of the value; a sub-IFD is written by the caller."""
        if isinstance(self.value, bytes):
            return len(self.value), self.value
        values = (self.value,) if isinstance(self.value, int) else self.value
        code = {SHORT: "H", LONG: "L"}[self.type]
        return len(values), struct.pack(order + code * len(values), *values)


@dataclass
class IFD:
    entries: list[Entry]
    next_ifd: bool = True  # Panasonic's notes end without the next-IFD pointer


def write_ifd(ifd: IFD, at: int, base: int, order: str) -> bytes:
    """The IFD and its out-of-line values, as it is laid at byte `at` of a block whose offsets
    count from byte `base` (the TIFF header, or the notes' own start)."""
    size = 2 + 12 * len(ifd.entries) + (4 if ifd.next_ifd else 0)
    table, extra = [struct.pack(order + "H", len(ifd.entries))], b""
    for entry in sorted(ifd.entries, key=lambda e: e.tag):
        position = at + size + len(extra)
        if isinstance(entry.value, IFD):
            block = write_ifd(entry.value, position, base, order)
            table.append(struct.pack(order + "HHLL", entry.tag, LONG, 1, position - base))
            extra += block
            continue
        count, data = entry.data(order)
        if len(data) <= 4:
            table.append(struct.pack(order + "HHL", entry.tag, entry.type, count)
                         + data.ljust(4, b"\x00"))  # fmt: skip
        else:
            table.append(struct.pack(order + "HHLL", entry.tag, entry.type, count, position - base))
            extra += data + (b"\x00" if len(data) % 2 else b"")
    if ifd.next_ifd:
        table.append(struct.pack(order + "L", 0))
    return b"".join(table) + extra


def text(value: str, width: int | None = None) -> bytes:
    data = value.encode("ascii") + b"\x00"
    return data.ljust(width, b"\x00") if width else data


# ---- each maker's notes: (make, model, build(notes_at) -> bytes, expected serial) ------------


def canon(at: int) -> bytes:
    """A plain IFD in the EXIF's byte order (little-endian), offsets from the TIFF header;
    SerialNumber (0x000C) is a 32-bit number."""
    return write_ifd(IFD([Entry(0x0006, ASCII, text("Canon EOS 5D Mark II")),
                          Entry(0x000C, LONG, 1230456789)]), at, 0, "<")  # fmt: skip


def nikon(at: int) -> bytes:
    """Type 3: "Nikon\\0" and version 2.10, then a TIFF header of its own (big-endian here);
    offsets count from that inner header. SerialNumber (0x001D) is text."""
    inner = b"MM\x00\x2a" + struct.pack(">L", 8)
    body = write_ifd(IFD([Entry(0x0001, UNDEFINED, b"0210"),
                          Entry(0x001D, ASCII, text("3004567"))]), 8, 0, ">")  # fmt: skip
    return b"Nikon\x00\x02\x10\x00\x00" + inner + body


def olympus(at: int) -> bytes:
    """New style: "OLYMPUS\\0II" and version 3, offsets from the notes' start; the serial is
    in the Equipment sub-directory (0x2010), tag 0x0101, 32 bytes of text."""
    equipment = IFD([Entry(0x0000, UNDEFINED, b"0100"),
                     Entry(0x0101, ASCII, text("BHP215032", 32))])  # fmt: skip
    return b"OLYMPUS\x00II\x03\x00" + write_ifd(
        IFD([Entry(0x0000, UNDEFINED, b"0100"), Entry(0x2010, LONG, equipment)]), 12, 0, "<"
    )


def pentax(at: int) -> bytes:
    """ "AOC\\0" and the byte order ("MM": Pentax bodies write big-endian EXIF), offsets from
    the TIFF header; SerialNumber (0x0229) is text."""
    return b"AOC\x00MM" + write_ifd(
        IFD([Entry(0x0000, UNDEFINED, b"\x03\x00\x00\x00"), Entry(0x0229, ASCII, text("4063152"))]),
        at + 6,
        0,
        ">",  # fmt: skip
    )


def panasonic(at: int) -> bytes:
    """ "Panasonic\\0\\0\\0", offsets from the TIFF header, no next-IFD pointer;
    InternalSerialNumber (0x0025) is 16 bytes of text, not terminated."""
    return b"Panasonic\x00\x00\x00" + write_ifd(
        IFD(
            [
                Entry(0x0001, UNDEFINED, b"0121"),
                Entry(0x0025, UNDEFINED, b"F541105170123\x00\x00\x00"),
            ],
            next_ifd=False,
        ),
        at + 12,
        0,
        "<",  # fmt: skip
    )


def sigma(at: int) -> bytes:
    """ "SIGMA\\0\\0\\0" and version 1, offsets from the TIFF header; SerialNumber (0x0002)."""
    return b"SIGMA\x00\x00\x00\x01\x00" + write_ifd(
        IFD([Entry(0x0002, ASCII, text("1005678"))]), at + 10, 0, "<"
    )


def ricoh(at: int) -> bytes:
    """Ricoh's Pentax-based bodies (GR II on): "RICOH\\0II", offsets from the notes' start,
    SerialNumber (0x0229) as Pentax writes it."""
    return b"RICOH\x00II" + write_ifd(IFD([Entry(0x0229, ASCII, text("00172033"))]), 8, 0, "<")


# maker: (Make, Model, the EXIF byte order the bodies write, notes, the serial they hold)
CAMERAS = {
    "Canon": ("Canon", "Canon EOS 5D Mark II", "<", canon, "1230456789"),
    "Nikon": ("NIKON CORPORATION", "NIKON D700", ">", nikon, "3004567"),
    "Olympus": ("OLYMPUS IMAGING CORP.", "E-M5", "<", olympus, "BHP215032"),
    "Pentax": ("PENTAX", "PENTAX K-5", ">", pentax, "4063152"),
    "Panasonic": ("Panasonic", "DMC-GH2", "<", panasonic, "F541105170123"),
    "Sigma": ("SIGMA", "SIGMA SD1 Merrill", "<", sigma, "1005678"),
    "Ricoh": ("RICOH IMAGING COMPANY, LTD.", "GR II", "<", ricoh, "00172033"),
}


def exif_block(make: str, model: str, order: str, notes) -> bytes:
    """A TIFF block: IFD0 (Make, Model, the Exif pointer), the Exif IFD holding only the
    maker's notes, laid where their offsets expect."""
    ifd0 = IFD([Entry(0x010F, ASCII, text(make)), Entry(0x0110, ASCII, text(model)),
                Entry(0x8769, LONG, 0)])  # fmt: skip
    first = write_ifd(ifd0, 8, 0, order)
    exif_at = 8 + len(first)
    notes_at = exif_at + 2 + 12 + 4
    data = notes(notes_at)
    exif_ifd = struct.pack(order + "H", 1) + struct.pack(
        order + "HHLL", 0x927C, UNDEFINED, len(data), notes_at
    ) + struct.pack(order + "L", 0)  # fmt: skip
    first = write_ifd(IFD([*ifd0.entries[:2], Entry(0x8769, LONG, exif_at)]), 8, 0, order)
    header = (b"II\x2a\x00" if order == "<" else b"MM\x00\x2a") + struct.pack(order + "L", 8)
    return header + first + exif_ifd + data


def jpeg_with_notes(maker: str) -> tuple[bytes, str]:
    """A small JPEG from `maker`'s camera and the serial number its notes hold."""
    make, model, order, notes, serial = CAMERAS[maker]
    picture = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    out = io.BytesIO()
    picture.save(
        out, "JPEG", quality=80, exif=b"Exif\x00\x00" + exif_block(make, model, order, notes)
    )
    return out.getvalue(), serial
