"""Hostile evidence files, each small and quick to write, with what ingest must record for it.

Add a reader's hostile cases to HOSTILE_FILES (see tests/faults/__init__.py). The benchmark of a
hostile mix (benchmarks/hostile_mix.py) writes the same files.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from helpers.videos import huge_frame_avi, small_video
from PIL import Image

from desktop.core import samples


@dataclass(frozen=True)
class Hostile:
    """A hostile file: its name, how to write it, the statuses it may be recorded with, and a
    word its reason must hold."""

    name: str
    make: Callable[[], bytes]
    statuses: frozenset[str]
    reason: str = ""


# ---- JPEG ----------------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, bytes) of each segment of a JPEG, a scan with its entropy-coded data."""
    segments, i = [], 2
    while i < len(data):
        marker = data[i + 1]
        if marker == 0xD9:
            segments.append((marker, data[i : i + 2]))
            break
        end = i + 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker == 0xDA:  # a scan runs to the next marker that is not stuffing or a restart
            while True:
                end = data.index(b"\xff", end)
                if data[end + 1] == 0 or 0xD0 <= data[end + 1] <= 0xD7:
                    end += 2
                    continue
                break
        segments.append((marker, data[i:end]))
        i = end
    return segments


def progressive_jpeg(width: int, height: int, repeat_last_scan: int = 0, shade: int = 90) -> bytes:
    """A tiny progressive JPEG whose frame header claims width x height, its last scan
    repeated: each scan is a pass over the whole canvas (the 450 s file of the issue)."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (shade, 120, 150)).save(buffer, "JPEG", progressive=True)
    out, last_scan = bytearray(b"\xff\xd8"), b""
    for marker, segment in _jpeg_segments(buffer.getvalue()):
        if marker == 0xC2:  # SOF2: height then width, big-endian, after length and precision
            segment = segment[:5] + struct.pack(">HH", height, width) + segment[9:]
        if marker == 0xDA:
            last_scan = segment
        if marker == 0xD9:
            out += last_scan * repeat_last_scan
        out += segment
    return bytes(out)


# ---- PNG -----------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, colour_type: int = 6) -> bytes:
    """A PNG of zeros (RGBA by default) of any size, written in milliseconds: one deflate block
    of about 1 MB of zero rows, flushed to a byte boundary, repeated (PNG decodes it whole)."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = 1 + width * channels  # the filter byte, then the pixels
    rows_per_block = max(1, (1 << 20) // row)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(row * rows_per_block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    blocks, left = divmod(height, rows_per_block)
    rest = deflate.compress(bytes(row * left)) + deflate.flush(zlib.Z_FULL_FLUSH) if left else b""
    adler = (((row * height) % 65521) << 16) | 1  # Adler-32 of that many zero bytes
    stream = b"\x78\xda" + block * blocks + rest + deflate.flush() + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", stream)
        + _png_chunk(b"IEND", b"")
    )


# ---- others --------------------------------------------------------------------------------


def gif_claiming(width: int, height: int) -> bytes:
    image = b"\x2c" + struct.pack("<HHHH", 0, 0, width, height) + b"\x00\x02\x02\x44\x01\x00"
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + image + b"\x3b"


def tiff_ifd_loop() -> bytes:
    """A 16x16 greyscale TIFF whose next-IFD offset points back at its own IFD."""
    entries = [
        (256, 3, 1, 16), (257, 3, 1, 16), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
        (273, 4, 1, 8), (277, 3, 1, 1), (278, 3, 1, 16), (279, 4, 1, 256),
    ]  # fmt: skip
    ifd_offset = 8 + 256
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    loop = struct.pack("<I", ifd_offset)
    return b"II*\0" + struct.pack("<I", ifd_offset) + bytes(256) + ifd + loop


def exif_claiming_gigabytes() -> bytes:
    """A small JPEG whose EXIF holds 2,000 entries each claiming a 4 GB value."""
    count = 2000
    entries = b"".join(
        struct.pack("<HHII", 0x9000 + i % 1000, 7, 0xFFFFFFF0, 8) for i in range(count)
    )
    tiff = b"II*\0" + struct.pack("<IH", 8, count) + entries + b"\0\0\0\0"
    app1 = b"Exif\0\0" + tiff
    jpeg = samples.jpeg_bytes(samples.scene(5, (32, 24)))
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def truncated_jpeg() -> bytes:
    data = samples.jpeg_bytes(samples.scene(6, (320, 240)))
    return data[: len(data) // 2]


HOSTILE_PICTURES = [
    # thousands of scans of a 4000x4000 canvas: minutes of decoding in 33 KB
    Hostile(
        "many_scans.jpg",
        lambda: progressive_jpeg(4000, 4000, 3000),
        frozenset({"too_slow"}),
        "scans",
    ),
    # under the pixel limit, but all 192 MP of coefficients must be held: 576 MB
    Hostile(
        "huge_progressive.jpg",
        lambda: progressive_jpeg(16000, 12000),
        frozenset({"too_large"}),
        "MiB",
    ),
    # 100 MP of RGBA, and PNG has no reduced decode: 800 MB to decode a 400 KB file
    Hostile("memory_bomb.png", lambda: blank_png(10000, 10000), frozenset({"too_large"}), "MiB"),
    Hostile("pixel_bomb.gif", lambda: gif_claiming(65535, 65535), frozenset({"too_large"}), "bomb"),
    Hostile("ifd_loop.tif", tiff_ifd_loop, frozenset({"ok", "corrupt"})),
    Hostile("exif_gigabytes.jpg", exif_claiming_gigabytes, frozenset({"ok"})),
    Hostile("half.jpg", truncated_jpeg, frozenset({"truncated"}), "truncated"),
    Hostile("noise.jpg", lambda: os.urandom(4096), frozenset({"unsupported"})),
    Hostile("empty.png", lambda: b"", frozenset({"unsupported"}), "empty"),
]

# Canvases just under the pixel limit (the issue's pair took an ingest to 1.65 GB): PNG has no
# reduced decode, so what it may claim is bounded by the memory a decode may use. Greyscale
# needs 1 byte a pixel and is decoded; RGB needs about 4 with Pillow's copies and is refused.
NEAR_THE_PIXEL_LIMIT = [
    Hostile("grey_near_the_limit.png", lambda: blank_png(14000, 14000, 0), frozenset({"ok"})),
    Hostile(
        "rgb_near_the_limit.png",
        lambda: blank_png(14000, 14000, 2),
        frozenset({"too_large"}),
        "512 MiB a decode may use",
    ),
]


# ---- videos --------------------------------------------------------------------------------


def _video(make: Callable[[Path], Path], cut: float = 1.0, repeat: int = 1) -> bytes:
    """The bytes of a small video `make` writes, cut to a share of its length or repeated."""
    with tempfile.TemporaryDirectory() as folder:
        data = make(Path(folder)).read_bytes()
    return data[: int(len(data) * cut)] * repeat


def _mkv_lying_about_its_size() -> bytes:
    """An EBML (Matroska) header, then a Segment claiming 2^56 bytes, then noise."""
    header = bytes.fromhex("1a45dfa3a34286810142f7810142f2810442f381084282886d6174726f736b61")
    header += bytes.fromhex("42878104428581021853806701ffffffffffffff")
    return header + os.urandom(50_000)


def many_frames_gif(frames: int) -> bytes:
    """A 1x1 GIF of many frames: every frame is read to count them."""
    head = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    control = b"\x21\xf9\x04\x00\x00\x00\x00\x00"
    image = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
    return head + (control + image) * frames + b"\x3b"


HOSTILE_VIDEOS = [
    # headers claiming frames of 100 megapixels (a decoder would allocate 300 MB a frame)
    Hostile(
        "huge_frames.avi",
        lambda: _video(lambda d: huge_frame_avi(d / "v.avi", 10_000, 10_000)),
        frozenset({"too_large"}),
        "10000x10000",
    ),
    Hostile(
        "absurd_frames.avi",
        lambda: _video(lambda d: huge_frame_avi(d / "v.avi", 50_000, 50_000)),
        frozenset({"corrupt"}),
        "absurd",
    ),
    # the index (moov, written last) cut off: nothing to read the frames by
    Hostile(
        "index_cut.mp4",
        lambda: _video(lambda d: small_video(d / "v.mp4"), cut=0.5),
        frozenset({"corrupt"}),
        "mp4",
    ),
    # a download cut short: the frames before the cut are kept
    Hostile(
        "download_cut.mp4",
        lambda: _video(
            lambda d: small_video(
                d / "v.mp4", seeds=(1, 2, 3, 4), container_options={"movflags": "faststart"}
            ),
            cut=0.55,
        ),
        frozenset({"partial"}),
        "cut short",
    ),
    Hostile(
        "cut.mkv",
        lambda: _video(lambda d: small_video(d / "v.mkv", seeds=(1, 2, 3), codec="libx264"), 0.6),
        frozenset({"partial"}),
        "cut short",
    ),
    Hostile("lying_size.mkv", _mkv_lying_about_its_size, frozenset({"corrupt"}), "mkv"),
    Hostile(
        "noise_after_ftyp.mp4",
        lambda: b"\x00\x00\x00\x18ftypisom" + os.urandom(20_000),
        frozenset({"corrupt"}),
    ),
    # the same 8 s again and again: timestamps that keep jumping back are not followed for ever
    Hostile(
        "looping.ts",
        lambda: _video(
            lambda d: small_video(d / "v.ts", seeds=(5,), seconds_each=8.0, codec="libx264"),
            repeat=12,
        ),
        frozenset({"partial"}),
        "jumping back",
    ),
    # what FFmpeg would follow elsewhere (a URL, another file) if it guessed the demuxer
    Hostile(
        "playlist.m3u8",
        lambda: b"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n",
        frozenset({"unsupported"}),
    ),
    Hostile(
        "concat.mp4",
        lambda: b"ffconcat version 1.0\nfile '/etc/hostname'\n",
        frozenset({"unsupported"}),
    ),
    # more frames than an animation is followed for: the first 20,000 are read
    Hostile(
        "frames_20500.gif",
        lambda: many_frames_gif(20_500),
        frozenset({"partial"}),
        "first 20000 frames",
    ),
]

HOSTILE_FILES = HOSTILE_PICTURES + NEAR_THE_PIXEL_LIMIT + HOSTILE_VIDEOS


# ---- cut off and damaged files of other formats (issue 18, item 11; issue 17, item 12) -------


def _picture(fmt: str, **options: object) -> bytes:
    """A picture as Pillow (libpng, giflib-style LZW, libtiff layout, libwebp) or pillow-heif
    (libheif, as phones' HEIC) writes it."""
    out = io.BytesIO()
    samples.scene(21, (240, 180)).save(out, fmt, **options)
    return out.getvalue()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def heic_second_image_cut() -> bytes:
    """A HEIC of two images (as a phone's burst or a live photo's still) cut inside the second."""
    out = io.BytesIO()
    first, second = samples.scene(22, (240, 180)), samples.scene(23, (240, 180))
    first.save(out, "HEIF", quality=60, save_all=True, append_images=[second])
    return out.getvalue()[:-30]


def heic_damaged_meta() -> bytes:
    data = bytearray(_picture("HEIF", quality=60))
    data[40:80] = b"\xff" * 40  # inside the meta box: item info and locations
    return bytes(data)


# Their header says what they are, so a cut is `truncated` (a damaged whole file `corrupt`),
# never `unsupported`. Kept out of HOSTILE_FILES, whose 9 kinds the hostile-mix benchmark counts.
CUT_FILES = [
    Hostile("cut_40.png", lambda: _picture("PNG")[:40], frozenset({"truncated"}), "truncated"),
    Hostile("cut_40.gif", lambda: _picture("GIF")[:40], frozenset({"truncated"}), "truncated"),
    Hostile("cut_40.tif", lambda: _picture("TIFF")[:40], frozenset({"truncated"}), "truncated"),
    Hostile("half.webp", lambda: _half(_picture("WEBP", quality=80)), frozenset({"truncated"})),
    Hostile("second_cut.heic", heic_second_image_cut, frozenset({"truncated"}), "HEIC"),
    Hostile("damaged.heic", heic_damaged_meta, frozenset({"corrupt"}), "HEIC"),
]


def write_hostile_files(folder: Path, hostile: list[Hostile] = HOSTILE_FILES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in hostile:
        (folder / case.name).write_bytes(case.make())
