"""Exact digests (MD5, SHA-1, SHA-256 in one read) and perceptual hashes (pHash, dHash, PDQ)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from PIL import Image

from desktop.core import pdq


@dataclass(frozen=True)
class Digests:
    md5: str
    sha1: str
    sha256: str
    size: int


class MultiDigest:
    """Feeds each chunk of one read to all three exact hash functions."""

    def __init__(self) -> None:
        self._hashers = (hashlib.md5(), hashlib.sha1(), hashlib.sha256())
        self.size = 0

    def update(self, chunk: bytes) -> None:
        for hasher in self._hashers:
            hasher.update(chunk)
        self.size += len(chunk)

    def result(self) -> Digests:
        md5, sha1, sha256 = (h.hexdigest() for h in self._hashers)
        return Digests(md5=md5, sha1=sha1, sha256=sha256, size=self.size)


def digest_bytes(data: bytes) -> Digests:
    digest = MultiDigest()
    digest.update(data)
    return digest.result()


@dataclass(frozen=True)
class PerceptualHash:
    """One perceptual hash of a picture, as hex, with the algorithm that made it.

    `variant` names the form of the picture that was hashed ("original" for the picture as
    shown; the similarity engine adds others such as trimmed or mirrored forms).
    """

    algorithm: str  # "phash", "dhash" (64 bits) or "pdq" (256 bits)
    hex: str
    quality: int | None = None  # PDQ's 0-100 quality; None for the imagehash algorithms
    variant: str = "original"


def bits_to_hex(bits: np.ndarray) -> str:
    """A 0/1 vector, most significant bit first, as hex (the ThreatExchange PDQ convention)."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


# The picture as its file stores it, from the upright one (a view): undoes each EXIF
# orientation (desktop.core.media applies them). Tools that ignore EXIF orientation
# (python-threatexchange, Meta's C++ hasher) hash a phone photo this way.
AS_STORED = "as_stored"
_AS_STORED: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.T,
    6: lambda a: np.rot90(a, 1),
    7: lambda a: np.rot90(a, 2).T,
    8: lambda a: np.rot90(a, -1),
}


def perceptual_hashes(image: Image.Image, exif_orientation: int = 1) -> list[PerceptualHash]:
    """pHash, dHash and PDQ of an RGB picture (already reduced and upright); for a picture
    whose EXIF orientation turned it, also PDQ of its pixels as stored (variant `as_stored`),
    which hash lists made by tools that ignore the orientation hold."""
    luma = np.asarray(image.convert("F"))  # PDQ's luma, in one pass
    matrix, quality = pdq.coefficients(luma)
    # one box-reduced grey copy for both: imagehash's Lanczos resize of the whole picture would
    # cost more than the hash; the drift stays as measured by benchmarks/draft_hash_drift.py
    grey = _box_reduced(image.convert("L"), PHASH_SIDE)
    hashes = [
        PerceptualHash("phash", phash_hex(grey)),
        PerceptualHash("dhash", dhash_hex(grey)),
        PerceptualHash("pdq", pdq.to_hex(matrix), quality),
    ]
    if exif_orientation in _AS_STORED:  # one more PDQ pass, for turned phone photos only
        stored, stored_quality = pdq.coefficients(_AS_STORED[exif_orientation](luma))
        hashes.append(PerceptualHash("pdq", pdq.to_hex(stored), stored_quality, AS_STORED))
    return hashes


PHASH_SIDE = 32  # imagehash's pHash works on a 32x32 grey copy
PHASH_KEEP = 8  # and keeps the 8x8 lowest frequencies
ROUNDING = 6  # decimals: coefficients are sums of up to 1024 pixels of 0-255, the noise 1e-11
# scipy.fftpack's unnormalised DCT-II (y[k] = 2 sum x[n] cos(pi k (2n + 1) / 2N)), lowest rows
_PHASH_DCT = 2 * np.cos(
    np.pi * np.arange(PHASH_KEEP)[:, None] * (2 * np.arange(PHASH_SIDE)[None, :] + 1)
    / (2 * PHASH_SIDE)
)  # fmt: skip


def phash_hex(image: Image.Image) -> str:
    """imagehash.phash(image) as hex: the same steps (grey, Lanczos to 32x32, DCT, 8x8 lowest
    frequencies above their median), the DCT as two small matrix products instead of
    scipy.fftpack, whose import alone costs each ingest worker 0.15 s. The coefficients agree
    to float rounding, and rounded to ROUNDING decimals they tie where the FFT's do (flat
    pictures, gradients): the bits are imagehash's; tests/core/test_phash.py holds it."""
    grey = _grey(image).resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS)
    low = _PHASH_DCT @ np.asarray(grey, dtype=np.float64) @ _PHASH_DCT.T
    # what the FFT leaves exactly 0 (or equal) by symmetry the products leave as noise
    low = np.round(low, ROUNDING)
    return bits_to_hex((low > np.median(low)).ravel())


def dhash_hex(image: Image.Image) -> str:
    """imagehash.dhash(image) as hex: grey, Lanczos to 9x8, each pixel brighter than the one
    on its left (imagehash's steps, without its string of '0' and '1' characters: the same
    hex; tests/core/test_phash.py compares them)."""
    pixels = np.asarray(_grey(image).resize((9, 8), Image.Resampling.LANCZOS))
    return bits_to_hex((pixels[:, 1:] > pixels[:, :-1]).ravel())


def _grey(image: Image.Image) -> Image.Image:
    return image if image.mode == "L" else image.convert("L")


def _box_reduced(grey: Image.Image, side: int) -> Image.Image:
    """Average blocks down to about 3x the hash's side before imagehash's Lanczos resize.

    The same as Pillow's reducing_gap: a quarter of the cost, and the hash stays within the
    drift measured by benchmarks/draft_hash_drift.py.
    """
    factor = min(grey.size) // (side * 3)
    return grey.reduce(factor) if factor > 1 else grey


def hamming_hex(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def algorithm_versions() -> dict[str, str]:
    """What produced the hashes, recorded once per case: perceptual hashes shift with versions."""
    return {
        "exact": "md5,sha1,sha256 (hashlib)",
        "perceptual": "phash,dhash (imagehash 64-bit; pHash's DCT as matrix products, imagehash's "
        "bits); pdq (256-bit with quality)",
        "reduced_decode": "JPEG draft to longest side >= 400 px, then longest side <= 512 px",
        "Pillow": Image.__version__,
        "imagehash": _package_version("imagehash"),
        "pdq": pdq.IMPLEMENTATION,
        "pillow-heif": _package_version("pillow-heif"),
        "numpy": np.__version__,
    }
