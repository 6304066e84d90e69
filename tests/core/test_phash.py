"""Vigil's pHash and dHash (core/hashing.phash_hex: the DCT as matrix products; dhash_hex)
against imagehash's (pHash through scipy.fftpack), which hash lists from other tools are made
with: the same hex."""

from __future__ import annotations

import imagehash
import numpy as np
from PIL import Image, ImageDraw

from desktop.core import samples
from desktop.core.hashing import dhash_hex, phash_hex


def _symmetric_pictures() -> list[Image.Image]:
    """Pictures whose DCT has exact zeros and ties: where float noise could flip bits."""
    pictures = [Image.new("RGB", (64, 48), (c, c // 2, 255 - c)) for c in range(0, 256, 32)]
    ramp = np.tile(np.linspace(0, 255, 150), (150, 1)).astype(np.uint8)
    pictures += [Image.fromarray(ramp), Image.fromarray(ramp.T.copy())]
    pictures.append(Image.fromarray(((ramp.astype(int) + ramp.T) // 2).astype(np.uint8)))
    stripes = np.zeros((96, 96), dtype=np.uint8)
    stripes[:, ::8] = 255
    pictures += [Image.fromarray(stripes), Image.fromarray(stripes.T.copy())]
    pictures.append(
        Image.fromarray((np.indices((96, 96)).sum(axis=0) // 12 % 2 * 255).astype(np.uint8))
    )
    disc = Image.new("L", (120, 120), 20)
    ImageDraw.Draw(disc).ellipse((30, 30, 90, 90), fill=230)
    pictures.append(disc)
    return pictures


def _pictures() -> list[Image.Image]:
    rng = np.random.default_rng(3)
    pictures = [samples.scene(seed, (320, 240)) for seed in range(40)]
    pictures += [
        Image.fromarray(rng.integers(0, 256, (90, 70, 3), dtype=np.uint8)) for _ in range(20)
    ]
    return pictures + _symmetric_pictures()


def test_phash_is_imagehashs_on_scenes_noise_and_symmetric_pictures():
    for picture in _pictures():
        assert phash_hex(picture) == str(imagehash.phash(picture)), picture.size


def test_dhash_is_imagehashs_in_colour_and_grey():
    for picture in _pictures():
        assert dhash_hex(picture) == str(imagehash.dhash(picture)), picture.size
        grey = picture.convert("L")
        assert dhash_hex(grey) == str(imagehash.dhash(grey)), picture.size
