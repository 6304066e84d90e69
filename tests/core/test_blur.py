"""The one blur (core.blur): what the screen and the reports both show."""

from __future__ import annotations

import numpy as np
from helpers.images import detail_level
from PIL import Image

from desktop.core import blur


def test_blur_removes_detail_at_every_strength_and_cannot_be_switched_off():
    rng = np.random.default_rng(3)
    picture = Image.fromarray(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8), "RGB")
    original = detail_level(np.asarray(picture.convert("L"), dtype=np.float64))
    for strength in (0, blur.MIN_BLUR, blur.DEFAULT_BLUR, 100):
        shown = blur.blurred(picture, strength, (160, 120))
        assert shown.size == (160, 120)
        assert detail_level(np.asarray(shown.convert("L"), dtype=np.float64)) < 0.1 * original
    assert blur.blur_side(0) == blur.blur_side(blur.MIN_BLUR)
    assert max(blur.reduce_for_blur(picture, blur.DEFAULT_BLUR).size) == blur.blur_side(40) == 16
    assert blur.blur_side(blur.MIN_BLUR) == blur.LIGHTEST_SIDE == 20
