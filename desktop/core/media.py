"""Safe decoding of untrusted image files: type sniffing, limits, and a reduced decode."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageFile, UnidentifiedImageError

from desktop.core.limits import (
    MAX_DECODE_BYTES,
    MAX_FULL_DECODE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_JPEG_SCANS,
)
from desktop.core.truncation import cut_short

try:  # HEIC/HEIF (phones) through libheif, bundled in the pillow-heif wheel
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - the dependency is declared; this is for odd installs
    HEIF_SUPPORTED = False

# A decompression bomb is a small file that claims a huge canvas. Anything past this many pixels
# is refused before decoding (Pillow checks the header size): about 16 times a 12 MP photo.
# Below it, decode_memory() refuses what would need more memory than core.limits allows.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Truncated files must be reported as such, never silently padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

# The decode used for hashes and thumbnails: JPEG draft mode shrinks by 1/2, 1/4 or 1/8 while
# decoding, so a 12 MP photo costs a fraction of a full decode. Keep at least this longest side.
REDUCED_MIN_SIDE = 400
REDUCED_MAX_SIDE = 512

IMAGE_TYPES = ("jpeg", "png", "gif", "bmp", "tiff", "webp", "heic")
# Containers decoded as video (core/video_decode.py); animated GIF, WebP and PNG are read as frame
# sequences too (core/animated.py), though their type stays the picture's.
VIDEO_TYPES = ("mp4", "avi", "mkv", "mpeg", "mpegts", "flv", "asf")
ANIMATED_TYPES = ("gif", "webp", "png")

# What an extension promises, by detected type; used to flag extensions that lie.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "png": (".png", ".apng"),
    "gif": (".gif",),
    "bmp": (".bmp", ".dib"),
    "tiff": (".tif", ".tiff"),
    "webp": (".webp",),
    "heic": (".heic", ".heif", ".hif"),
    "mp4": (".mp4", ".m4v", ".mov", ".qt", ".3gp", ".3g2", ".f4v"),
    "avi": (".avi",),
    "mkv": (".mkv", ".webm", ".mka"),
    "mpeg": (".mpg", ".mpeg", ".mpe", ".vob", ".m1v", ".m2v", ".m2p", ".dat"),
    "mpegts": (".ts", ".mts", ".m2ts", ".m2t", ".tsv", ".tod"),
    "flv": (".flv",),
    "asf": (".wmv", ".asf", ".wma"),
    "pdf": (".pdf",),
    "zip": (".zip", ".docx", ".xlsx", ".pptx", ".odt", ".jar", ".apk", ".epub"),
    "sqlite": (".db", ".sqlite", ".sqlite3"),
}
KNOWN_EXTENSIONS = {ext for exts in EXTENSIONS.values() for ext in exts}

MIME_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "heic": "image/heic",
    "mp4": "video/mp4",
    "avi": "video/x-msvideo",
    "mkv": "video/x-matroska",
    "mpeg": "video/mpeg",
    "mpegts": "video/mp2t",
    "flv": "video/x-flv",
    "asf": "video/x-ms-asf",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "sqlite": "application/vnd.sqlite3",
}

# Enough for a transport stream's sync bytes at three packet starts (192-byte M2TS packets).
SNIFF_BYTES = 1024
# QuickTime files older than the ftyp box start with one of these atoms.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
_ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


def _transport_stream(head: bytes) -> bool:
    """MPEG-TS (188-byte packets, 0x47 sync) or M2TS/MTS (192: a 4-byte time code first)."""
    for first, size in ((0, 188), (4, 192)):
        starts = range(first, len(head), size)
        if len(starts) >= 3 and all(head[i] == 0x47 for i in starts):
            return True
    return False


def sniff_type(head: bytes) -> str | None:
    """Name the file type from its first bytes, or None when it is not one we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head[4:8] == b"ftyp":
        return "heic" if head[8:12] in _HEIF_BRANDS else "mp4"
    if head[4:8] in _QUICKTIME_ATOMS and int.from_bytes(head[:4], "big") >= 8:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "mkv"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg"  # program stream (VOB, MPG) or an MPEG-1/2 video elementary stream
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(_ASF_GUID):
        return "asf"
    if head[:1] == b"\x47" or head[4:5] == b"\x47":
        if _transport_stream(head):
            return "mpegts"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    return None


def extension_mismatch(name: bytes, detected: str | None) -> bool:
    """True when the name's extension lies about the content.

    Either the extension promises a known type the content is not (notes saved as .jpg), or the
    content is a known type hidden under another extension (a PNG renamed .txt). A name without
    an extension is not flagged.
    """
    dot = name.rfind(b".")
    if dot <= 0:
        return False
    ext = name[dot:].decode("ascii", "replace").lower()
    if detected is None:
        return ext in KNOWN_EXTENSIONS
    return ext not in EXTENSIONS.get(detected, ())


class DecodeFailure(Exception):
    """A file that cannot be decoded; `status` is the per-item status to record."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class DecodedImage:
    """The result of one reduced decode: what ingest needs to hash, describe and preview."""

    image: Image.Image  # RGB, orientation applied, longest side about REDUCED_MAX_SIDE or less
    width: int  # full size of the picture as displayed (orientation applied)
    height: int
    format: str
    exif: Image.Exif
    frames: int
    exif_raw: bytes | None = None  # the EXIF block as stored (makers' notes need its offsets)
    orientation: int = 1  # the EXIF orientation that was applied (1: none)


# EXIF orientation tag value -> the transpose that shows the picture upright.
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _draft_request(size: tuple[int, int]) -> tuple[int, int]:
    """The draft size that makes libjpeg pick the largest scale keeping REDUCED_MIN_SIDE."""
    w, h = size
    longest = max(w, h)
    scale = 1
    while scale < 8 and longest / (scale * 2) >= REDUCED_MIN_SIDE:
        scale *= 2
    return (max(1, w // scale), max(1, h // scale))


# Formats whose reduced decode reads the first picture only: a cut after it goes unseen unless
# the container's sizes are checked (a HEIC with its second image cut off, an animated WebP).
_LATER_FRAMES_UNREAD = ("heic", "webp")


def _unreadable(claimed: str | None, stream: IO[bytes]) -> DecodeFailure:
    """No decoder took the file. When its header names a picture format, it is that format
    cut short or damaged, not an unsupported one."""
    if claimed not in IMAGE_TYPES:
        return DecodeFailure("unsupported", "not a picture format Vigil can decode")
    cut = cut_short(claimed, stream)
    if cut:
        return DecodeFailure("truncated", f"file is truncated: {cut}")
    return DecodeFailure("corrupt", f"cannot decode: the header says {claimed.upper()}, "
                         "but the rest of the file is damaged")  # fmt: skip


def _classify(
    error: BaseException, claimed: str | None = None, stream: IO[bytes] | None = None
) -> DecodeFailure:
    text = str(error) or error.__class__.__name__
    lowered = text.lower()
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return DecodeFailure("too_large", f"decompression bomb refused: {text}")
    cut = cut_short(claimed, stream) if stream is not None else None
    if cut:
        return DecodeFailure("truncated", f"file is truncated: {cut}")
    if "truncated" in lowered or "premature end" in lowered or "unexpected end" in lowered:
        return DecodeFailure("truncated", f"file is truncated: {text}")
    if isinstance(error, MemoryError):
        return DecodeFailure("too_large", "picture too large to decode in memory")
    return DecodeFailure("corrupt", f"cannot decode: {text}")


JPEG_END = b"\xff\xd9"


def decode_partial(data: bytes) -> DecodedImage:
    """The decodable part of a truncated JPEG, at full size (what is missing comes out grey).

    libjpeg decodes as far as the data goes once it meets an end-of-image marker, so one is
    appended; nothing global (Pillow's LOAD_TRUNCATED_IMAGES) is changed. Other formats, and a
    JPEG that still does not decode, raise DecodeFailure as decode_reduced does.
    """
    if not data.startswith(b"\xff\xd8"):
        raise DecodeFailure("truncated", "only a cut-short JPEG can be shown in part")
    return decode_reduced(data + JPEG_END, full=True)


_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
# Decoders that fill a buffer of their own before Pillow copies it (RGBA, 4 bytes a pixel)
_OWN_BUFFER_FORMATS = ("heif", "heic", "webp")


def decode_memory(img: Image.Image, full: bool = False) -> int:
    """Bytes a decode of this opened (not yet loaded) picture holds at its peak, from its header.

    The pixels decoded (a JPEG's draft size, else the whole canvas) at Pillow's storage (1, 2 or
    4 bytes a pixel), twice for pictures with transparency (shrinking works on a premultiplied
    copy; three times at full size, flattened onto white), plus the decoder's own buffer
    (libheif, libwebp), plus a progressive JPEG's coefficients (two bytes per sample of the
    whole canvas, whatever the draft). Measured on 12 MP files: RGB PNG 4.8 bytes a pixel
    (estimate 4), RGBA PNG 8.8 (8), HEIC 8.1 (8).
    """
    width, height = img.size
    fmt = (img.format or "").lower()
    pixels = width * height
    if fmt == "jpeg" and not full:
        draft_w, draft_h = _draft_request(img.size)
        pixels = draft_w * draft_h
    storage = 1 if img.mode in ("1", "L", "P") else 2 if img.mode.startswith("I;16") else 4
    if img.mode in _ALPHA_MODES:
        storage *= 3 if full else 2
    needed = pixels * storage
    if fmt in _OWN_BUFFER_FORMATS:
        needed += width * height * 4
    if fmt == "jpeg" and img.info.get("progressive"):
        needed += _coefficient_bytes(img)
    return needed


def _coefficient_bytes(img: Image.Image) -> int:
    """A progressive JPEG keeps every DCT coefficient of the canvas until its last scan."""
    layers = getattr(img, "layer", None) or [("Y", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    samples = sum(layer[1] * layer[2] / (h_max * v_max) for layer in layers)
    return int(img.size[0] * img.size[1] * samples * 2)


def _check_memory(img: Image.Image, full: bool) -> None:
    needed = decode_memory(img, full)
    limit = MAX_FULL_DECODE_BYTES if full else MAX_DECODE_BYTES
    if needed > limit:
        fmt = img.format or "picture"
        raise DecodeFailure(
            "too_large",
            f"decoding this {img.size[0]}x{img.size[1]} {fmt} would need about "
            f"{needed / 2**20:.0f} MiB, more than the {limit / 2**20:.0f} MiB a decode may use "
            "(it cannot be decoded at reduced size)",
        )


def _jpeg_scans(stream: IO[bytes]) -> int:
    """Start-of-scan markers in a JPEG (0xFF 0xDA cannot occur inside entropy-coded data, where
    every 0xFF is followed by 0x00 or a restart number); counted at memchr speed."""
    start = stream.tell()
    count, previous = 0, b""
    while chunk := stream.read(1 << 20):
        count += (previous[-1:] + chunk).count(b"\xff\xda")
        previous = chunk
    stream.seek(start)
    return count


def _check_scans(img: Image.Image, stream: IO[bytes]) -> None:
    """A progressive JPEG is decoded scan by scan, each a pass over the whole canvas: thousands
    of scans in a few kilobytes take minutes (a 33 KB file of 3,000 scans on a 4000x4000 canvas
    took 6 s, the same on 8000x8000 24 s). Ordinary ones have 6 to 12."""
    if img.info.get("progressive"):
        scans = _jpeg_scans(stream)
        if scans > MAX_JPEG_SCANS:
            raise DecodeFailure(
                "too_slow",
                f"a progressive JPEG of {scans} scans (ordinary ones have about 10; the limit is "
                f"{MAX_JPEG_SCANS}): decoding it could take minutes, so it was not decoded",
            )


def decode_reduced(data: bytes | IO[bytes], full: bool = False) -> DecodedImage:
    """Decode an image once at reduced size (or at full size when `full`), safely.

    Raises DecodeFailure with status unsupported, truncated, corrupt or too_large.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    start = stream.tell()
    claimed = sniff_type(stream.read(SNIFF_BYTES))  # what the header says the file is
    stream.seek(start)
    with warnings.catch_warnings():
        # Hostile metadata can make Pillow warn thousands of times ("Tag data larger than
        # file"): the file's status says what matters, the terminal must not fill up.
        warnings.simplefilter("ignore")
        # Pillow warns (rather than raises) between 1x and 2x the pixel limit: treat it as a bomb.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(stream)
        except UnidentifiedImageError:
            raise _unreadable(claimed, stream) from None
        except Exception as error:  # noqa: BLE001 - hostile input can raise anything
            raise _classify(error, claimed, stream) from None
        try:
            fmt = (img.format or "").lower()
            width, height = img.size
            # before anything reads on: a PNG's getexif() decodes the whole picture
            _check_memory(img, full)
            if fmt == "jpeg":
                _check_scans(img, stream)
            exif = img.getexif()
            exif_raw = img.info.get("exif")
            frames = getattr(img, "n_frames", 1)
            if fmt == "jpeg" and not full:
                img.draft("RGB", _draft_request(img.size))
            img.load()
            if not full and max(img.size) > REDUCED_MAX_SIDE:
                img.thumbnail((REDUCED_MAX_SIDE, REDUCED_MAX_SIDE), Image.Resampling.BILINEAR)
            img = _to_rgb(img)
            orientation = exif.get(0x0112, 1)
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            transpose = _ORIENTATION_TRANSPOSE.get(orientation)
            if transpose is not None:
                img = img.transpose(transpose)
        except DecodeFailure:
            raise
        except Exception as error:  # noqa: BLE001 - hostile input can raise anything
            raise _classify(error, claimed, stream) from None
    if claimed in _LATER_FRAMES_UNREAD:
        cut = cut_short(claimed, stream)
        if cut:  # the first picture decoded, but what follows it is missing
            raise DecodeFailure("truncated", f"file is truncated: {cut}")
    raw = exif_raw if isinstance(exif_raw, bytes) else None
    applied = orientation if transpose is not None else 1
    return DecodedImage(img, width, height, fmt, exif, frames, raw, applied)


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB for hashing and thumbnails; transparency is flattened onto white, as viewers show it."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clipping to white
        array = img.point(lambda v: v / 256).convert("L")
        return array.convert("RGB")
    return img.convert("RGB")


def shrink(image: Image.Image, side: int) -> Image.Image:
    """A copy whose longest side is at most `side`, each pixel the average of its box (the
    picture itself when already that small)."""
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX)
