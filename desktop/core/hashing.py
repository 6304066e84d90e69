"""Exact digests (MD5, SHA-1, SHA-256 in one read) and perceptual hashes (pHash, dHash, PDQ)."""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import imagehash
import numpy as np
import pdqhash
from PIL import Image

READ_CHUNK = 1 << 20


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


# pdqhash's Python binding makes the luma with several float64 numpy passes and returns the
# coefficients through Python lists: on the six PDQ calls a picture (one on the 500 px decode,
# five on 64 px copies) that overhead is about 0.35 ms. Its C++ function that takes the luma
# plane is exported from the same library: it is called here through ctypes, with the luma made
# by one matrix product in the binding's own float64 arithmetic (the same values). A C++ name
# encodes its argument types, so the symbol resolves only with this exact signature; without
# it (another build of pdqhash), pdqhash.compute_float does it all.
_PDQ_FROM_LUMA = "_ZN8facebook3pdq7hashing24pdqFloat256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRi"
_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def _load_pdq_from_luma() -> Callable[..., None] | None:
    try:
        from pdqhash import bindings

        function = getattr(ctypes.CDLL(bindings.__file__), _PDQ_FROM_LUMA)
    except (ImportError, OSError, AttributeError, TypeError):
        return None
    function.restype = None
    function.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_int] * 2 + [ctypes.c_void_p] * 3
    function.argtypes += [ctypes.POINTER(ctypes.c_int)]
    return function


_pdq_from_luma = _load_pdq_from_luma()


def pdq_float(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """PDQ's 256 coefficients, in pdqhash.compute_float's order, and its quality, of an
    (h, w, 3) uint8 picture (or a view of one)."""
    if _pdq_from_luma is None:
        values, quality = pdqhash.compute_float(np.ascontiguousarray(rgb))
        return np.asarray(values), int(quality)
    luma = (rgb @ _LUMA_WEIGHTS).astype(np.float32)  # C order, as the C++ code walks it
    scratch = np.empty_like(luma)
    buffer64x64 = np.empty((64, 64), dtype=np.float32)
    buffer16x64 = np.empty((16, 64), dtype=np.float32)
    out = np.empty((16, 16), dtype=np.float32)
    quality = ctypes.c_int(0)
    rows, columns = luma.shape
    _pdq_from_luma(
        luma.ctypes.data, scratch.ctypes.data, rows, columns,
        buffer64x64.ctypes.data, buffer16x64.ctypes.data, out.ctypes.data, ctypes.byref(quality),
    )  # fmt: skip
    return out.ravel()[::-1], int(quality.value)


def pdq_hash(rgb: np.ndarray) -> tuple[str, int]:
    """PDQ of an (h, w, 3) uint8 picture (or a view of one) as hex, and its quality."""
    values, quality = pdq_float(rgb)
    return bits_to_hex(pdq_bits(pdq_matrix(values))), quality


def pdq_matrix(values: np.ndarray) -> np.ndarray:
    """PDQ's 16x16 DCT coefficients (row: vertical frequency 1-16, column: horizontal) from
    pdqhash.compute_float's output, which lists them last first."""
    return np.asarray(values, dtype=np.float64)[::-1].reshape(16, 16)


def pdq_bits(matrix: np.ndarray) -> np.ndarray:
    """PDQ's 256 bits from its 16x16 coefficients: 1 above the median, in pdqhash's order.

    The same bits as pdqhash.compute (whose per-bit loop in Python costs more than the hash
    on a small picture): PDQ's median is the lower of the two middle values.
    """
    values = matrix.ravel()[::-1]
    return values > np.partition(values, 127)[127]


def perceptual_hashes(image: Image.Image) -> list[PerceptualHash]:
    """pHash, dHash and PDQ of an RGB picture (already reduced and upright)."""
    pdq_hex, quality = pdq_hash(np.asarray(image))
    # one box-reduced grey copy for both: imagehash's Lanczos resize of the whole picture would
    # cost more than the hash; the drift stays as measured by benchmarks/draft_hash_drift.py
    grey = _box_reduced(image.convert("L"), PHASH_SIDE)
    return [
        PerceptualHash("phash", str(imagehash.phash(grey))),
        PerceptualHash("dhash", str(imagehash.dhash(grey))),
        PerceptualHash("pdq", pdq_hex, quality),
    ]


PHASH_SIDE = 32  # imagehash's pHash works on a 32x32 grey copy


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
        "perceptual": "phash,dhash (imagehash 64-bit); pdq (pdqhash 256-bit with quality)",
        "reduced_decode": "JPEG draft to longest side >= 400 px, then longest side <= 512 px",
        "Pillow": Image.__version__,
        "imagehash": _package_version("imagehash"),
        "pdqhash": _package_version("pdqhash"),
        "pillow-heif": _package_version("pillow-heif"),
        "numpy": np.__version__,
    }
