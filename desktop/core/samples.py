"""Synthetic, harmless sample evidence: photo-like scenes, their near-duplicates, broken files."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

CAMERAS = [
    ("Canon", "Canon EOS 250D", "083021004512"),
    ("NIKON CORPORATION", "NIKON D3500", "6021457"),
    ("Apple", "iPhone 12", None),
    ("samsung", "SM-G991B", None),
]
# Harmless places for GPS tags: (latitude, longitude, altitude)
PLACES = [(52.3702, 4.8952, 2.0), (48.8566, 2.3522, 35.0), (-33.8688, 151.2093, 58.0)]


def scene(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A photo-like picture: smooth colour fields, shapes, soft texture and a little noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    coarse = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    img = Image.fromarray(coarse, "RGB").resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 10))):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(w // 10, w // 2)), y0 + int(rng.integers(h // 10, h // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(radius=max(1, w // 400)))
    noise = rng.normal(0, 6, size=(h, w, 3))
    array = np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(array, "RGB")


def exif_for(camera: int, place: int | None, taken: str) -> Image.Exif:
    """EXIF with camera make/model, a body serial number where the camera has one, and GPS."""
    make, model, serial = CAMERAS[camera % len(CAMERAS)]
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = make, model, "Vigil sample generator"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = taken
    if serial:
        sub[0xA431] = serial
    if place is not None:
        lat, lon, alt = PLACES[place % len(PLACES)]
        gps = exif.get_ifd(0x8825)
        gps[1], gps[3] = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        gps[2], gps[4] = _dms(abs(lat)), _dms(abs(lon))
        gps[5], gps[6] = 0, alt
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


# ---- near-duplicate edits ------------------------------------------------------------------------


def _resized(img: Image.Image) -> Image.Image:
    return img.resize((img.width // 2, img.height // 2), Image.Resampling.LANCZOS)


def _cropped(img: Image.Image) -> Image.Image:
    """Keeps 88% of each side (77% of the picture), off centre."""
    dx, dy = img.width * 9 // 100, img.height * 3 // 100
    return img.crop((dx, dy, dx + img.width * 88 // 100, dy + img.height * 88 // 100))


def _bordered(img: Image.Image) -> Image.Image:
    return ImageOps.expand(img, border=(0, img.height // 8), fill=(0, 0, 0))


def _captioned(img: Image.Image) -> Image.Image:
    out = img.copy()
    bar = out.height // 10
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, out.height - bar, out.width, out.height), fill=(255, 255, 255))
    draw.text((10, out.height - bar + 4), "shared picture", fill=(0, 0, 0), font=_font())
    return out


def _mirrored(img: Image.Image) -> Image.Image:
    return ImageOps.mirror(img)


def _greyscale(img: Image.Image) -> Image.Image:
    return ImageOps.grayscale(img).convert("RGB")


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "resized": _resized,
    "cropped": _cropped,
    "bordered": _bordered,
    "captioned": _captioned,
    "mirrored": _mirrored,
    "greyscale": _greyscale,
}


def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default()


def jpeg_bytes(img: Image.Image, quality: int = 88, exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality, exif=exif if exif is not None else b"")
    return buffer.getvalue()


# ---- broken and hostile files --------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a gigantic canvas: must be refused, never decoded."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def broken_files(seed: int = 0) -> dict[str, bytes]:
    """Files a seized drive really holds: cut-off downloads, garbage, liars, empties, bombs."""
    whole = jpeg_bytes(scene(seed + 10_000, (640, 480)))
    rng = np.random.default_rng(seed)
    png = io.BytesIO()
    scene(seed + 10_001, (320, 240)).save(png, "PNG")
    return {
        "truncated_download.jpg": whole[: len(whole) // 2],
        "garbage_with_jpeg_header.jpg": b"\xff\xd8\xff\xe0" + rng.bytes(4000),
        "notes_named_as_picture.jpg": b"These are not picture bytes.\n" * 20,
        "picture_named_as_text.txt": png.getvalue(),
        "empty.png": b"",
        "bomb.png": decompression_bomb_png(),
    }


# ---- a whole sample evidence folder --------------------------------------------------------------


@dataclass
class SampleSummary:
    folder: Path
    files: int
    originals: int
    variants: int
    broken: int


def write_sample_evidence(
    folder: Path, scenes: int = 60, size: tuple[int, int] = (800, 600)
) -> SampleSummary:
    """A folder of harmless generated evidence, laid out like a seized drive.

    Each scene is saved as an original (some with camera EXIF and GPS), most get near-duplicate
    variants and an exact copy in another folder; a few broken files sit among them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    camera_dir, shared_dir, copies_dir, misc_dir = (
        folder / "DCIM" / "Camera",
        folder / "Downloads" / "shared",
        folder / "Backup" / "old phone",
        folder / "Misc",
    )
    for d in (camera_dir, shared_dir, copies_dir, misc_dir):
        d.mkdir(parents=True, exist_ok=True)
    originals = variants = 0
    edit_names = list(EDITS)
    for index in range(scenes):
        img = scene(index, size)
        with_exif = index % 3 != 2
        exif = (
            exif_for(
                index,
                index % 4 if index % 2 == 0 else None,
                f"2024:0{1 + index % 9}:1{index % 10} 1{index % 10}:2{index % 6}:00",
            )
            if with_exif
            else None
        )
        data = jpeg_bytes(img, 90, exif)
        (camera_dir / f"IMG_{1000 + index:04d}.jpg").write_bytes(data)
        originals += 1
        if index % 4 == 0:
            (copies_dir / f"IMG_{1000 + index:04d}.jpg").write_bytes(data)  # exact copy
            variants += 1
        if index % 5 == 4:
            continue  # some pictures have no near-duplicates at all
        for k in range(1 + index % 3):
            name = edit_names[(index + k) % len(edit_names)]
            edited = EDITS[name](img)
            path = shared_dir / f"{index:04d}_{name}.jpg"
            if name == "resized":
                edited.save(path.with_suffix(".png"))
            else:
                path.write_bytes(jpeg_bytes(edited, 60 + (index * 7) % 30))
            variants += 1
    broken = broken_files()
    for name, data in broken.items():
        (misc_dir / name).write_bytes(data)
    try:
        os.symlink("../DCIM/Camera/IMG_1000.jpg", misc_dir / "link_to_picture.jpg")
    except (OSError, NotImplementedError):  # filesystems or platforms without symbolic links
        pass
    total = sum(1 for _ in folder.rglob("*"))
    files = total - sum(1 for p in folder.rglob("*") if p.is_dir())
    return SampleSummary(folder, files, originals, variants, len(broken))
