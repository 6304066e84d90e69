"""Vigil's PDQ against Meta's reference (ThreatExchange's C++, through pdqhash), without it.

The reference hashes were computed once by pdqhash and kept as test data
(tests/data/pdq_reference.json, made by tests/data/make_pdq_reference.py from the integer-only
pictures of tests/helpers/pdq_inputs.py), so `pip install -e ".[test]"` needs no C++ compiler.
Where pdqhash is installed, tests/core/test_pdq_reference_live.py compares live as well.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers.pdq_inputs import SEEDS, SHAPES, reference_picture

from desktop.core import pdq

REFERENCE = Path(__file__).parents[1] / "data" / "pdq_reference.json"


def reference_rows() -> list[dict]:
    return json.loads(REFERENCE.read_text())["pictures"]


def test_the_reference_covers_every_shape_and_seed():
    rows = reference_rows()
    assert {(r["seed"], tuple(r["size"])) for r in rows} == {(s, z) for s in SEEDS for z in SHAPES}


@pytest.mark.parametrize("size", SHAPES)
def test_pdq_gives_the_stored_reference_hash(size):
    for row in (r for r in reference_rows() if tuple(r["size"]) == size):
        found, quality = pdq.pdq_hash(reference_picture(row["seed"], size))
        assert found == row["pdq"], (row["seed"], size)
        assert abs(quality - row["quality"]) <= 1


def test_the_filter_reaches_only_near_each_sample():
    """Along a 500 px side (window 4, two passes) each sample reads 7 pixels: the reference's
    box reaches 2 pixels ahead and 1 behind, so two passes reach 4 ahead and 2 behind. The
    weights of each sample sum to 1 (an average)."""
    indices, weights = pdq._taps(500)
    assert indices.shape == (64, 7)
    assert np.allclose(weights.sum(axis=1), 1.0)
    centres = ((np.arange(64) + 0.5) * 500 / 64).astype(int)
    assert np.array_equal(indices[10] - centres[10], np.arange(-2, 5))
    identity_indices, identity_weights = pdq._taps(64)
    assert np.array_equal(identity_indices[:, 0], np.arange(64))
    assert np.all(identity_weights == 1.0)
