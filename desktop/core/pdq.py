"""PDQ, Meta's 256-bit perceptual hash, computed as two small linear maps of the luma.

PDQ (ThreatExchange's reference, which pdqhash wraps) blurs the luma with a tent filter (a box
filter of ceil(side / 128) pixels, twice along each side), samples 64 x 64 points, and keeps the
16 x 16 lowest frequencies of their DCT; a bit is 1 where a frequency is above the median. Each
step is linear and acts on rows and columns separately, so the 64 x 64 samples are
`S(rows) @ luma @ S(columns).T`, where S(n) (64 x n) depends only on the side's length. Only the
few pixels around each sample count: along a 500 px side, 7 of them. Reading just those costs a
third of the reference's passes over every pixel (0.25 ms against 0.85 ms on a 500 x 375
picture), which is most of what PDQ costs ingest.

The numbers are the reference's up to float rounding, in another order of additions: a
frequency within rounding of the median, or a gradient at a whole step of the quality metric,
can come out the other way. Measured against pdqhash on 350 pictures (300 reduced decodes of
photo-sized JPEGs, 50 generated scenes of 10 shapes): every hash identical, one quality score
1 lower. tests/core/test_pdq.py holds it to that. Flat pictures and pure gradients are the
exception: most of their coefficients are zero but for rounding, so their bits are rounding
noise in any implementation, the reference's included. Their detail score is 0, and the
similarity engine never matches such pictures on PDQ.
"""

from __future__ import annotations

import functools

import numpy as np

IMPLEMENTATION = "Vigil core/pdq.py 1: ThreatExchange's PDQ, the reference's bits (tested)"
SAMPLES = 64  # PDQ samples the blurred picture on a 64 x 64 grid
FREQUENCIES = 16  # and keeps 16 x 16 frequencies of their DCT (the first, the mean, left out)
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# PDQ's DCT: row i holds frequency i + 1 over the 64 samples
_FREQUENCY, _SAMPLE = np.arange(1, FREQUENCIES + 1)[:, None], np.arange(SAMPLES)[None, :]
_DCT = (
    np.sqrt(2.0 / SAMPLES) * np.cos(np.pi / (2 * SAMPLES) * _FREQUENCY * (2 * _SAMPLE + 1))
).astype(np.float32)


def _box_reach(n: int, window: int, out: int) -> tuple[int, int]:
    """First and last of the n pixels that the reference's box filter averages into pixel
    `out`: (window + 2) // 2 - 1 ahead of it and the rest behind, fewer at the ends."""
    ahead = (window + 2) // 2 - 1
    return max(0, out - (window - 1 - ahead)), min(n - 1, out + ahead)


@functools.lru_cache(maxsize=2048)
def _taps(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each of the 64 samples along a side of n pixels reads, and with what weights:
    (64, k) pixel indices and (64, k) weights, k the widest reach (padded with weight 0).

    A sample is the second box pass's average, at the sample's pixel, of the first pass's
    averages, each of a few pixels: its weights are built that way, pixel by pixel."""
    window = (n + 2 * SAMPLES - 1) // (2 * SAMPLES)
    # the reference samples the blurred picture at the centres of 64 equal steps
    centres = ((np.arange(SAMPLES) + 0.5) * n / SAMPLES).astype(int)
    rows = np.zeros((SAMPLES, n))
    for sample, centre in enumerate(centres):
        first, last = _box_reach(n, window, int(centre))
        for middle in range(first, last + 1):
            a, b = _box_reach(n, window, middle)
            rows[sample, a : b + 1] += 1.0 / ((last - first + 1) * (b - a + 1))
    reach = [np.flatnonzero(row) for row in rows]
    k = max(len(r) for r in reach)
    indices = np.zeros((SAMPLES, k), dtype=np.intp)
    weights = np.zeros((SAMPLES, k), dtype=np.float32)
    for sample, r in enumerate(reach):
        indices[sample, : len(r)], indices[sample, len(r) :] = r, r[0]
        weights[sample, : len(r)] = rows[sample, r]
    return indices, weights


def _sample_columns(values: np.ndarray) -> np.ndarray:
    """(r, n) -> (r, 64): PDQ's blur and sampling along the rows' length."""
    indices, weights = _taps(values.shape[1])
    return np.einsum("rsk,sk->rs", values[:, indices], weights)


def luma(rgb: np.ndarray) -> np.ndarray:
    """PDQ's luma of an (h, w, 3) uint8 picture, as float32."""
    return rgb @ LUMA_WEIGHTS


def _quality(samples: np.ndarray) -> int:
    """PDQ's 0-100 quality: the significant steps between neighbouring samples (the
    reference's float arithmetic, each step cut to whole hundredths of the range)."""
    scale, span = np.float32(100), np.float32(255)
    down = ((samples[:-1] - samples[1:]) * scale / span).astype(np.int32)
    across = ((samples[:, :-1] - samples[:, 1:]) * scale / span).astype(np.int32)
    return min(100, int(np.abs(down).sum() + np.abs(across).sum()) // 90)


def coefficients(grey: np.ndarray) -> tuple[np.ndarray, int]:
    """PDQ's 16 x 16 DCT coefficients (row: vertical frequency 1-16, column: horizontal) of a
    float32 luma plane, and its quality."""
    samples = _sample_columns(_sample_columns(grey).T).T
    return _DCT @ samples @ _DCT.T, _quality(samples)


def _bits(matrix: np.ndarray) -> np.ndarray:
    """PDQ's 256 bits from its 16 x 16 coefficients, in the reference's order (last
    coefficient first): 1 above the median, which PDQ takes as the lower of the middle two."""
    values = matrix.ravel()[::-1]
    return values > np.partition(values, 127)[127]


def to_hex(matrix: np.ndarray) -> str:
    """The hash as 64 hex digits, most significant bit first (the ThreatExchange convention)."""
    return np.packbits(_bits(matrix)).tobytes().hex()


def pdq_hash(rgb: np.ndarray) -> tuple[str, int]:
    """PDQ of an (h, w, 3) uint8 picture (or a view of one) as hex, and its quality."""
    matrix, quality = coefficients(luma(rgb))
    return to_hex(matrix), quality
