"""Whether a picture file ends before its own structure says it does (a cut-off copy).

A decoder's error rarely says "cut off", and a cut can leave the first frame whole (a HEIC
whose second image is gone decodes). The container's own sizes say it: each format's check
below reads only headers (a PNG's chunk lengths, a TIFF's strip table, RIFF and ISO-BMFF box
sizes, a GIF's trailer), never pixels.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import IO

MAX_WALK = 1_000_000  # chunks or boxes walked at most (a PNG has thousands, not millions)


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    return stream.tell()


def _read(stream: IO[bytes], at: int, count: int) -> bytes:
    stream.seek(at)
    return stream.read(count)


def _png(stream: IO[bytes], size: int) -> int | None:
    """Each chunk is length, type, data and CRC; the last is IEND."""
    at = 8
    for _ in range(MAX_WALK):
        head = _read(stream, at, 8)
        if len(head) < 8:
            return at + 12  # not even the next chunk's header: IEND never came
        length, kind = struct.unpack(">L4s", head)
        end = at + 12 + length
        if end > size:
            return end
        if kind == b"IEND":
            return None
        at = end
    return None


def _gif(stream: IO[bytes], size: int) -> int | None:
    """A GIF ends with its trailer byte, 0x3B."""
    return None if size >= 14 and _read(stream, size - 1, 1) == b";" else size + 1


def _riff(stream: IO[bytes], size: int) -> int | None:
    """WebP: RIFF's length field counts the bytes after the first eight."""
    declared = 8 + struct.unpack("<L", _read(stream, 4, 4).ljust(4, b"\0"))[0]
    return declared if declared > size else None


def _isobmff(stream: IO[bytes], size: int) -> int | None:
    """HEIC/HEIF: top-level boxes, each with its size (1: a 64-bit size follows; 0: to the end)."""
    at = 0
    for _ in range(MAX_WALK):
        if at >= size:
            return None
        head = _read(stream, at, 16)
        if len(head) < 8:
            return at + 8
        box = struct.unpack(">L", head[:4])[0]
        if box == 1:
            if len(head) < 16:
                return at + 16
            box = struct.unpack(">Q", head[8:16])[0]
        if box == 0:
            return None
        if box < 8:
            return None  # not a size: damaged, not cut (the decoder says corrupt)
        if at + box > size:
            return at + box
        at += box
    return None


def _tiff(stream: IO[bytes], size: int) -> int | None:
    """The first IFD, and where its strips or tiles end."""
    head = _read(stream, 0, 8)
    order = "<" if head[:2] == b"II" else ">"
    if len(head) < 8:
        return 8
    ifd = struct.unpack(order + "L", head[4:8])[0]
    count_bytes = _read(stream, ifd, 2)
    if len(count_bytes) < 2:
        return ifd + 2
    count = struct.unpack(order + "H", count_bytes)[0]
    table = _read(stream, ifd + 2, 12 * count)
    if len(table) < 12 * count:
        return ifd + 2 + 12 * count
    values: dict[int, list[int]] = {}
    for number in range(count):
        tag, kind, n, inline = struct.unpack(order + "HHL4s", table[12 * number : 12 * number + 12])
        if tag not in (273, 279, 324, 325) or kind not in (3, 4) or n > 1_000_000:
            continue
        width = 2 if kind == 3 else 4
        data = inline if n * width <= 4 else _read(stream, struct.unpack(order + "L", inline)[0],
                                                   n * width)  # fmt: skip
        if len(data) < n * width:
            return size + 1  # the strip table itself is past the end
        values[tag] = list(
            struct.unpack(order + ("H" if kind == 3 else "L") * n, data[: n * width])
        )
    for offsets, counts in ((273, 279), (324, 325)):
        ends = [
            o + c for o, c in zip(values.get(offsets, []), values.get(counts, []), strict=False)
        ]
        if ends and max(ends) > size:
            return max(ends)
    return None


_CHECKS: dict[str, Callable[[IO[bytes], int], int | None]] = {
    "png": _png,
    "gif": _gif,
    "webp": _riff,
    "heic": _isobmff,
    "tiff": _tiff,
}


def cut_short(kind: str | None, stream: IO[bytes]) -> str | None:
    """A sentence when the file of this sniffed type ends before its structure does, else None
    (complete, damaged in another way, or a type without a check)."""
    check = _CHECKS.get(kind or "")
    if check is None:
        return None
    position = stream.tell()
    try:
        size = _size(stream)
        needed = check(stream, size)
    except (OSError, struct.error, ValueError):
        return None
    finally:
        stream.seek(position)
    if needed is None:
        return None
    return f"the {(kind or '').upper()} file ends at byte {size}, before its own structure does"
