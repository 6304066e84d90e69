"""Vigil's PDQ against the reference binding (pdqhash, ThreatExchange's C++), live.

Runs where pdqhash is installed (`pip install -e ".[test,reference]"`, which builds its C++;
CI does); without it, tests/core/test_pdq.py checks the same hashes stored in
tests/data/pdq_reference.json.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.pdq_inputs import reference_picture, reference_rows

from desktop.core import pdq, samples
from desktop.core.hashing import bits_to_hex, perceptual_hashes

pdqhash = pytest.importorskip("pdqhash")

# sides that give every filter window from 1 (<= 128 px: no blur) to 16 (2000 px), and the
# shapes ingest meets: 500x375 and 480x270 reduced decodes, 64x64 squares and 48x64 views
SHAPES = [(500, 375), (480, 270), (64, 64), (64, 48), (48, 64), (97, 301), (2000, 1500),
          (1000, 30), (129, 257), (5, 5), (333, 512)]  # fmt: skip


def reference(rgb: np.ndarray) -> tuple[str, int, np.ndarray]:
    vector, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    values, _ = pdqhash.compute_float(np.ascontiguousarray(rgb))
    return bits_to_hex(vector), quality, np.asarray(values)[::-1].reshape(16, 16)


@pytest.mark.parametrize("size", SHAPES)
def test_pdq_gives_the_reference_hash(size):
    for seed in (1, 2):
        rgb = np.asarray(samples.scene(seed * 100 + size[0] % 97, size))
        expected_hex, expected_quality, expected_matrix = reference(rgb)
        matrix, quality = pdq.coefficients(pdq.luma(rgb))
        # the same numbers up to float rounding, hence the same bits and (within 1) quality
        assert np.allclose(matrix, expected_matrix, rtol=1e-4, atol=1e-2)
        assert pdq.to_hex(matrix) == expected_hex
        assert abs(quality - expected_quality) <= 1


def test_pdq_of_views_and_of_noise():
    """Views (not contiguous) as the masked views are, and noise, whose coefficients crowd the
    median."""
    rng = np.random.default_rng(7)
    rgb = np.asarray(samples.scene(8, (500, 375)))
    noise = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    for view in (rgb[40:], rgb[:, :-90], rgb[::3, ::2], rgb[:64, :48], noise):
        expected_hex, expected_quality, _ = reference(view)
        assert pdq.pdq_hash(view) == (expected_hex, pytest.approx(expected_quality, abs=1))


def test_ingest_pdq_from_pillows_luma_is_the_reference_hash():
    """perceptual_hashes takes the luma from Pillow (one pass in C): the same hash."""
    for seed in (3, 4, 5):
        image = samples.scene(seed, (500, 375))
        expected_hex, expected_quality, _ = reference(np.asarray(image))
        found = {h.algorithm: h for h in perceptual_hashes(image)}["pdq"]
        assert found.hex == expected_hex
        assert abs(found.quality - expected_quality) <= 1


def test_the_stored_reference_is_what_pdqhash_computes_here():
    """tests/data/pdq_reference.json still matches the installed pdqhash (the file is data, and
    its script must keep making it)."""
    for row in reference_rows():
        vector, quality = pdqhash.compute(reference_picture(row["seed"], tuple(row["size"])))
        assert (bits_to_hex(vector), quality) == (row["pdq"], row["quality"])
