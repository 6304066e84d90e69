"""EXIF fields that help place a picture: camera, serial number, lens, time taken, GPS."""

from __future__ import annotations

import math
from typing import Any

from PIL import Image

from desktop.core.makernotes import serial_from_notes

# IFD0 tags
MAKE, MODEL, SOFTWARE, DATETIME, ORIENTATION = 0x010F, 0x0110, 0x0131, 0x0132, 0x0112
# Exif sub-IFD tags
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
BODY_SERIAL, LENS_MAKE, LENS_MODEL, LENS_SERIAL = 0xA431, 0xA433, 0xA434, 0xA435
# GPS IFD tags
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 1, 2, 3, 4, 5, 6

MAX_TEXT = 200  # hostile files carry megabytes in a "Make" field; keep what a person could read


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_TEXT] or None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: Any, ref: Any) -> float | None:
    """Degrees, minutes, seconds rationals and an N/S/E/W reference as signed decimal degrees."""
    try:
        d, m, s = (_number(part) for part in value)
    except (TypeError, ValueError):
        return None
    if d is None or m is None or s is None:
        return None
    degrees = d + m / 60 + s / 3600
    if _text(ref) in ("S", "W"):
        degrees = -degrees
    return round(degrees, 7)


def _iso_datetime(value: Any, offset: Any = None) -> str | None:
    """EXIF's 'YYYY:MM:DD HH:MM:SS' as ISO 8601; None when the field is empty or malformed."""
    text = _text(value)
    if not text or len(text) < 19 or text.startswith("0000"):
        return None
    iso = f"{text[0:4]}-{text[5:7]}-{text[8:10]}T{text[11:19]}"
    if not (iso[:4].isdigit() and iso[5:7].isdigit() and iso[8:10].isdigit()):
        return None
    tz = _text(offset)
    return iso + tz if tz and len(tz) == 6 and tz[0] in "+-" else iso


def _serial(exif_ifd: Any, make: str | None, raw: bytes | None) -> tuple[str | None, str | None]:
    """The body serial number and where it came from: EXIF's BodySerialNumber, else the
    maker's notes (the source is "ExifIFD:BodySerialNumber", "Canon:SerialNumber", ...)."""
    body = _text(exif_ifd.get(BODY_SERIAL))
    if body:
        return body, "ExifIFD:BodySerialNumber"
    if raw:
        found = serial_from_notes(raw.removeprefix(b"Exif\x00\x00"), make)
        if found:
            return found
    return None, None


def summarize(exif: Image.Exif, raw: bytes | None = None) -> dict[str, Any]:
    """The fields Vigil records, as plain JSON-ready values; absent fields are left out.

    `raw` is the EXIF block as the file holds it (makers' notes need their original offsets)."""
    try:
        exif_ifd = exif.get_ifd(EXIF_IFD)
        gps_ifd = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - malformed IFD offsets in hostile files
        exif_ifd, gps_ifd = {}, {}
    make = _text(exif.get(MAKE))
    serial, serial_source = _serial(exif_ifd, make, raw)
    fields: dict[str, Any] = {
        "make": make,
        "model": _text(exif.get(MODEL)),
        "software": _text(exif.get(SOFTWARE)),
        "orientation": exif.get(ORIENTATION) if isinstance(exif.get(ORIENTATION), int) else None,
        "serial_number": serial,
        "serial_number_source": serial_source,
        "lens_make": _text(exif_ifd.get(LENS_MAKE)),
        "lens_model": _text(exif_ifd.get(LENS_MODEL)),
        "lens_serial_number": _text(exif_ifd.get(LENS_SERIAL)),
        "datetime_original": _iso_datetime(
            exif_ifd.get(DATETIME_ORIGINAL), exif_ifd.get(OFFSET_TIME_ORIGINAL)
        )
        or _iso_datetime(exif.get(DATETIME)),
    }
    if gps_ifd:
        fields["gps_latitude"] = _degrees(gps_ifd.get(GPS_LAT), gps_ifd.get(GPS_LAT_REF))
        fields["gps_longitude"] = _degrees(gps_ifd.get(GPS_LON), gps_ifd.get(GPS_LON_REF))
        altitude = _number(gps_ifd.get(GPS_ALT))
        if altitude is not None and gps_ifd.get(GPS_ALT_REF) in (1, b"\x01"):
            altitude = -altitude
        fields["gps_altitude"] = altitude
    return {key: value for key, value in fields.items() if value is not None}


# Vigil's field -> (ExifTool family-1 group, EXIF tag name): the names other tools write in VICS
# Exifs (PropertyGroup, PropertyName) and that `exiftool -G1` prints.
TAG_NAMES = {
    "make": ("IFD0", "Make"),
    "model": ("IFD0", "Model"),
    "software": ("IFD0", "Software"),
    "orientation": ("IFD0", "Orientation"),
    "serial_number": ("ExifIFD", "BodySerialNumber"),
    "lens_make": ("ExifIFD", "LensMake"),
    "lens_model": ("ExifIFD", "LensModel"),
    "lens_serial_number": ("ExifIFD", "LensSerialNumber"),
    "datetime_original": ("ExifIFD", "DateTimeOriginal"),
}


def _exif_datetime(iso: str) -> tuple[str, str | None]:
    """ISO 8601 back to EXIF's 'YYYY:MM:DD HH:MM:SS' and its OffsetTime ('+02:00'), if any."""
    stamp, offset = iso[:19], iso[19:] or None
    return stamp[:10].replace("-", ":") + " " + stamp[11:19], offset


def tag_properties(fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(group, tag name, value) for each recorded field, as EXIF defines the tags: datetimes in
    EXIF's own form, GPS as unsigned decimal degrees with their N/S/E/W and sea-level refs, and
    a serial number under the tag it was read from (`serial_number_source`)."""
    found: list[tuple[str, str, str]] = []
    for field, (group, name) in TAG_NAMES.items():
        value = fields.get(field)
        if value is None:
            continue
        if field == "serial_number" and fields.get("serial_number_source"):
            group, _, name = str(fields["serial_number_source"]).partition(":")
        if field == "datetime_original":
            value, offset = _exif_datetime(str(value))
            if offset:
                found.append((group, "OffsetTimeOriginal", offset))
        found.append((group, name, str(value)))
    for axis, refs in (("latitude", "NS"), ("longitude", "EW")):
        degrees = fields.get(f"gps_{axis}")
        if degrees is not None:
            found.append(("GPS", f"GPS{axis.title()}Ref", refs[1] if degrees < 0 else refs[0]))
            found.append(("GPS", f"GPS{axis.title()}", f"{abs(degrees):.7f}"))
    altitude = fields.get("gps_altitude")
    if altitude is not None:
        found.append(("GPS", "GPSAltitudeRef", "1" if altitude < 0 else "0"))
        found.append(("GPS", "GPSAltitude", f"{abs(altitude):g}"))
    return found
