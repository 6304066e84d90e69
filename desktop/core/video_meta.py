"""What a video container says about itself: duration, rate, size, codecs, sound, and the
creation time, device and place phones write, in the searchable fields pictures use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Container metadata keys, most specific first: Apple writes its QuickTime keys (local time
# with offset, ISO 6709 place), Android and FFmpeg the plain ones (UTC time, ©xyz place).
CREATION_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date")
MAKE_KEYS = ("com.apple.quicktime.make", "com.android.manufacturer", "make")
MODEL_KEYS = ("com.apple.quicktime.model", "com.android.model", "model")
SOFTWARE_KEYS = ("com.apple.quicktime.software", "com.android.version", "encoder", "software")
LOCATION_KEYS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
# Times an encoder writes when it knows none (QuickTime's and Unix's epochs)
_UNSET_YEARS = ("1904", "1970")

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS.*)?/?$")


@dataclass
class VideoInfo:
    """One video stream and its container, as read before (and refined while) decoding."""

    container: str  # the demuxer that read it (mov, avi, matroska, ...)
    video_codec: str
    coded_width: int  # as stored, before the rotation phones write
    coded_height: int
    duration: float | None  # seconds; None when the container does not say
    fps: float | None
    audio_codec: str | None = None
    frames_total: int | None = None  # frames in the stream, when the container counts them
    rotation: int = 0  # degrees clockwise that turn the stored picture upright (0/90/180/270)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def width(self) -> int:
        """Width as shown, rotation applied."""
        return self.coded_height if self.rotation in (90, 270) else self.coded_width

    @property
    def height(self) -> int:
        return self.coded_width if self.rotation in (90, 270) else self.coded_height

    def summary(self) -> dict[str, Any]:
        """The fields recorded with the media (the `exif` JSON and its searchable columns:
        datetime_original, make, model, gps_latitude, gps_longitude), absent ones left out."""
        fields: dict[str, Any] = {
            "container": self.container,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "make": _first(self.metadata, MAKE_KEYS),
            "model": _first(self.metadata, MODEL_KEYS),
            "software": _first(self.metadata, SOFTWARE_KEYS),
            "datetime_original": creation_time(self.metadata),
        }
        if self.rotation:
            fields["rotation"] = self.rotation
        place = _first(self.metadata, LOCATION_KEYS)
        where = parse_iso6709(place) if place else None
        if where is not None:
            fields["gps_latitude"], fields["gps_longitude"] = where[0], where[1]
            if where[2] is not None:
                fields["gps_altitude"] = where[2]
        return {key: value for key, value in fields.items() if value is not None}


def _first(metadata: dict[str, str], keys: tuple[str, ...]) -> str | None:
    lowered = {key.lower(): value for key, value in metadata.items()}
    for key in keys:
        value = lowered.get(key.lower())
        if value is not None:
            text = "".join(ch for ch in str(value) if ch.isprintable()).strip()
            if text:
                return text[:200]  # a tag is a name, not a payload
    return None


def creation_time(metadata: dict[str, str]) -> str | None:
    """The recording time as ISO 8601 (with its offset when the container gives one), or None.

    QuickTime's and MP4's own creation time is UTC; Apple's creationdate key is local time
    with the offset, so it is preferred. Times at the epochs (no time written) are left out.
    """
    for key in CREATION_KEYS:
        text = _first(metadata, (key,))
        if not text:
            continue
        parsed = _parse_time(text)
        if parsed is not None and parsed[:4] not in _UNSET_YEARS:
            return parsed
    return None


def _parse_time(text: str) -> str | None:
    cleaned = text.strip().replace(" ", "T", 1)
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    if re.search(r"[+-]\d{4}$", cleaned):  # +0200 -> +02:00
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is not None and moment.utcoffset() == UTC.utcoffset(None):
        return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return moment.replace(microsecond=0).isoformat()


def _angle(text: str, degree_digits: int) -> float | None:
    """One ISO 6709 coordinate: degrees, degrees+minutes or degrees+minutes+seconds, told apart
    by how many digits come before the decimal point."""
    sign = -1.0 if text[0] == "-" else 1.0
    body = text[1:]
    whole = body.split(".")[0]
    if len(whole) == degree_digits:
        value = float(body)
    elif len(whole) == degree_digits + 2:
        value = float(whole[:degree_digits]) + float(body[degree_digits:]) / 60
    elif len(whole) == degree_digits + 4:
        minutes = float(whole[degree_digits : degree_digits + 2])
        seconds = float(body[degree_digits + 2 :])
        value = float(whole[:degree_digits]) + minutes / 60 + seconds / 3600
    else:
        return None
    return sign * value


def parse_iso6709(text: str) -> tuple[float, float, float | None] | None:
    """(latitude, longitude, altitude or None) from an ISO 6709 string such as
    '+52.3702+004.8952+002.000/' (QuickTime location atoms), or None when it is not one."""
    found = _ISO6709.match(text.strip())
    if not found:
        return None
    lat, lon = _angle(found[1], 2), _angle(found[2], 3)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    altitude = float(found[3]) if found[3] else None
    return round(lat, 7), round(lon, 7), altitude


def rotation_from_display(counter_clockwise: float | int | None) -> int:
    """Degrees clockwise that show a frame upright, from FFmpeg's display-matrix angle (which
    is counter-clockwise, in [-180, 180]); rounded to a quarter turn."""
    if not counter_clockwise:
        return 0
    return int(round(-float(counter_clockwise) / 90.0)) % 4 * 90


def frame_clock(seconds: float) -> str:
    """A frame's time to the tenth of a second: 0:12.4, 1:02:03.0."""
    tenths = round(seconds * 10)
    return f"{clock(tenths // 10)}.{tenths % 10}"


def length_badge(seconds: float | None) -> str:
    """A video's length as its tile and list entry show it: ▶ 0:12 (to the tenth, rounded,
    then shown without it: 59.96 s is 1:00)."""
    return "▶ " + frame_clock(seconds or 0.0)[:-2]


def parse_clock(text: str) -> float:
    """Seconds from what an analyst types: 12.5, 0:12.5 or 1:02:03; ValueError otherwise."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"{text!r} is not a time (seconds, M:SS or H:MM:SS)")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{text!r} is not a time (seconds, M:SS or H:MM:SS)") from None
    seconds = 0.0
    for number in numbers:
        if number < 0:
            raise ValueError(f"{text!r} is not a time (seconds, M:SS or H:MM:SS)")
        seconds = seconds * 60 + number
    return seconds


def clock(seconds: float | None) -> str:
    """0:12, 12:03 or 1:02:03."""
    if seconds is None:
        return "?"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
