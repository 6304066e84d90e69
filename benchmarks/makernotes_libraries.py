"""Which camera serial numbers in makers' notes each reader finds: Vigil, exifread and Exiv2.

Usage: python benchmarks/makernotes_libraries.py

The comparison behind desktop/core/makernotes.py (issue 17, item 11): the JPEGs of
tests/helpers/makernotes.py hold a serial number in the makers' notes of seven makers (Canon,
Nikon, Olympus, Pentax, Panasonic, Sigma, Ricoh), laid out from ExifTool's and Exiv2's published
tag tables. For each reader it prints what it gives as the serial number and counts the exact
ones, as a share of the seven. exifread (BSD, `pip install exifread`) and python-exiv2 (GPL,
`pip install exiv2`) are not Vigil's dependencies: each is compared where it is installed.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers import makernotes  # noqa: E402

from desktop.core import exif as exif_fields  # noqa: E402
from desktop.core.media import decode_reduced  # noqa: E402

Reader = Callable[[bytes], str | None]


def vigil(data: bytes) -> str | None:
    decoded = decode_reduced(data)
    return exif_fields.summarize(decoded.exif, decoded.exif_raw).get("serial_number")


def _exifread() -> Reader | None:
    try:
        import exifread
    except ImportError:
        return None

    def read(data: bytes) -> str | None:
        tags = exifread.process_file(io.BytesIO(data), details=True)
        found = [str(v) for k, v in tags.items() if "serialnumber" in k.lower()]
        return found[0] if found else None

    return read


def _exiv2() -> Reader | None:
    try:
        import exiv2
    except ImportError:
        return None
    exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)

    def read(data: bytes) -> str | None:
        image = exiv2.ImageFactory.open(data)
        image.readMetadata()
        found = [d for d in image.exifData() if "serialnumber" in d.key().lower()]
        if not found:
            return None
        value = found[0]
        if value.typeId() == exiv2.TypeId.undefined:  # Panasonic's: 16 bytes of text
            return bytes(int(b) for b in value.toString().split()).rstrip(b"\0").decode()
        return value.toString()

    return read


def main() -> None:
    readers = {"Vigil": vigil, "exifread": _exifread(), "Exiv2": _exiv2()}
    cameras = sorted(makernotes.CAMERAS)
    exact = dict.fromkeys(readers, 0)
    print(f"{'maker':<10} {'serial':<14} " + " ".join(f"{name:<16}" for name in readers))
    for maker in cameras:
        data, serial = makernotes.jpeg_with_notes(maker)
        cells = []
        for name, reader in readers.items():
            if reader is None:
                cells.append("(not installed)")
                continue
            try:
                found = reader(data)
            except Exception as error:  # noqa: BLE001 - a foreign library's failure is a result
                found = f"error: {type(error).__name__}"
            exact[name] += found == serial
            cells.append(repr(found)[:16] if found != serial else "ok")
        print(f"{maker:<10} {serial:<14} " + " ".join(f"{c:<16}" for c in cells))
    for name, reader in readers.items():
        if reader is not None:
            print(f"{name}: {exact[name]} of {len(cameras)} serials exact "
                  f"(ratio to Vigil {exact[name] / max(exact['Vigil'], 1):.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
