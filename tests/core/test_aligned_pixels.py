"""Aligned pixels: a crop placed where the alignment found it agrees with its original there;
another picture of the same kind, or one that only shares a smooth shading, does not."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from desktop.core.aligned_pixels import correlations, pixels_agree
from desktop.core.crop_confirmation import NOT_CUT, WHOLE, confirm_crop
from desktop.core.media import decode_reduced, shrink
from desktop.core.samples import jpeg_bytes


def _bricks(seed: int, brick: tuple[int, int] = (48, 20)) -> Image.Image:
    """A brick wall: rows of equal bricks, each a little different in tone and grain, the
    kind of repeated texture whose ORB matches the ratio test throws out."""
    rng = np.random.default_rng(seed)
    w, h = 480, 360
    wall = np.full((h, w), 70.0)  # mortar
    brick_w, brick_h = brick
    for row, top in enumerate(range(0, h, brick_h + 4)):
        offset = (row % 2) * brick_w // 2
        for left in range(-offset, w, brick_w + 4):
            x0, x1 = max(0, left), min(w, left + brick_w)
            if x1 > x0:
                wall[top : top + brick_h, x0:x1] = 150 + rng.normal(0, 15)
    wall += rng.normal(0, 12, wall.shape)
    grey = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8)).filter(ImageFilter.BLUR)
    return Image.merge("RGB", [grey, grey.point(lambda v: v * 0.8), grey.point(lambda v: v * 0.6)])


def _thumb(img: Image.Image) -> np.ndarray:
    """As the grouping sees a picture: its stored thumbnail (256 px, JPEG)."""
    return np.asarray(decode_reduced(jpeg_bytes(shrink(img, 256), 80)).image)


def _corner(img: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """80% of each side from the bottom right corner, and that box in the thumbnail."""
    w, h = round(img.width * 0.8), round(img.height * 0.8)
    crop = img.crop((img.width - w, img.height - h, img.width, img.height))
    scale = 256 / img.width
    box = (round((img.width - w) * scale), round((img.height - h) * scale))
    return crop, (*box, round(w * scale), round(h * scale))


def test_a_corner_crop_of_a_brick_wall_agrees_where_it_was_cut():
    wall = _bricks(1)
    crop, box = _corner(wall)
    plain, detail = correlations(_thumb(crop), _thumb(wall), box)
    assert plain >= 0.95 and detail >= 0.8
    assert pixels_agree(_thumb(crop), _thumb(wall), box)


def test_another_brick_wall_does_not_agree():
    wall = _thumb(_bricks(1))
    other, box = _corner(_bricks(2, (44, 18)))
    assert max(correlations(_thumb(other), wall, box)) < 0.8
    # laid out brick for brick like the first (no photograph is): the grain still tells
    same_layout, box = _corner(_bricks(2))
    plain, _ = correlations(_thumb(same_layout), wall, box)
    assert plain < 0.95
    assert not pixels_agree(_thumb(other), wall, box)
    assert not pixels_agree(_thumb(same_layout), wall, box)


def test_a_shared_smooth_shading_is_not_enough():
    """Two pictures of one strong shading with different fine grain: the blurred pixels
    correlate, their band-pass copies do not."""
    yy, xx = np.mgrid[0:360, 0:480]
    shading = 40 + 170 * (xx / 480 + yy / 360) / 2

    def grain(seed: int) -> Image.Image:
        noise = np.random.default_rng(seed).normal(0, 10, shading.shape)
        grey = Image.fromarray(np.clip(shading + noise, 0, 255).astype(np.uint8))
        return Image.merge("RGB", [grey.filter(ImageFilter.GaussianBlur(1))] * 3)

    crop, box = _corner(grain(3))
    plain, detail = correlations(_thumb(crop), _thumb(grain(4)), box)
    assert plain >= 0.95 > 0.8 > detail
    assert not pixels_agree(_thumb(crop), _thumb(grain(4)), box)


def test_a_flat_picture_has_nothing_to_compare():
    flat = Image.new("RGB", (480, 360), (200, 200, 200))
    crop, box = _corner(flat)
    assert correlations(_thumb(crop), _thumb(flat), box) == (-1.0, -1.0)
    assert not pixels_agree(_thumb(crop), _thumb(flat), box)


def test_a_nominated_candidate_is_confirmed_by_its_pixels_never_by_pdq_alone():
    """The whole picture against itself: PDQ 0, yet a candidate the hashes only nominated
    needs the pixels (or the features) to agree."""
    wall = _thumb(_bricks(5))
    assert confirm_crop(wall, wall, WHOLE, 30) == (0, True, NOT_CUT)
    assert confirm_crop(wall, wall, WHOLE, 30, nominated=True)[:2] == (0, False)
    assert confirm_crop(wall, wall, WHOLE, 30, pixels=True, nominated=True)[:2] == (0, True)
    other = _thumb(_bricks(6))
    assert not confirm_crop(other, wall, WHOLE, 30, pixels=True)[1]
