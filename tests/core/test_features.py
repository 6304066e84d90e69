"""Local features confirm copies that moved, shrank or turned, and not other pictures."""

from __future__ import annotations

import numpy as np
from PIL import Image

from desktop.core.features import MIN_INLIERS, inliers, local_features
from desktop.core.samples import scene


def _texture(seed: int) -> Image.Image:
    """Gravel-like: blobs of random greys, the kind of picture whose PDQ moves under resizing."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (48, 64), dtype=np.uint8)
    return Image.fromarray(small).resize((256, 192), Image.Resampling.BICUBIC).convert("RGB")


def test_a_resized_turned_copy_shares_many_features_another_picture_few():
    original = _texture(1)
    copy = original.rotate(4, Image.Resampling.BILINEAR).resize((200, 150)).crop((10, 8, 190, 142))
    features = local_features(np.asarray(original))
    assert inliers(local_features(np.asarray(copy)), features) >= MIN_INLIERS
    for other in (_texture(2), scene(3, (256, 192))):
        assert inliers(local_features(np.asarray(other)), features) < MIN_INLIERS // 2


def test_flat_pictures_have_no_features_to_match():
    flat = np.full((120, 160, 3), 200, dtype=np.uint8)
    assert inliers(local_features(flat), local_features(flat)) == 0
