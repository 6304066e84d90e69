"""Crops: a crop's dct64 meets a window of its original; the alignment confirms only true crops."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from desktop.core.crop_confirmation import crop_distance
from desktop.core.crops import VIEW_FIRST
from desktop.core.fingerprints import extra_hashes, working_copies
from desktop.core.hamming import hex_to_words
from desktop.core.media import decode_reduced, shrink
from desktop.core.samples import jpeg_bytes, scene
from desktop.core.windows import (
    CROP_ALGORITHM,
    CROP_ROW_BITS,
    CROP_VARIANT,
    VIEWS,
    WINDOW_COUNT,
    window_hashes,
)


def _decoded(img: Image.Image) -> Image.Image:
    return decode_reduced(jpeg_bytes(img, 80)).image


def _crop(img: Image.Image, keep: float, at: tuple[float, float]) -> Image.Image:
    """The part of img keeping `keep` of each side, its corner at `at` of the free room."""
    w, h = round(img.width * keep), round(img.height * keep)
    x, y = round((img.width - w) * at[0]), round((img.height - h) * at[1])
    return img.crop((x, y, x + w, y + h))


def _crop_row(img: Image.Image) -> np.ndarray:
    row = [
        h for h in extra_hashes(img) if h.algorithm == CROP_ALGORITHM and h.variant == CROP_VARIANT
    ]
    assert len(row) == 1
    return hex_to_words([row[0].hex], CROP_ROW_BITS)[0]


def _nearest_window(crop: Image.Image, original: Image.Image) -> tuple[int, int]:
    """(bits, window) from the crop's whole-picture hash to the original's nearest window."""
    distances = np.bitwise_count(_crop_row(crop)[0] ^ _crop_row(original)[1:])
    return int(distances.min()), int(distances.argmin())


def _thumb(img: Image.Image) -> np.ndarray:
    return np.asarray(_decoded(shrink(img, 256)))


CROPS = [(0.87, (0.0, 0.0)), (0.88, (1.0, 0.3)), (0.9, (0.5, 1.0)), (0.87, (0.7, 0.6))]


@pytest.fixture(scope="module")
def photos():
    return [scene(300 + k, (480, 360)) for k in range(4)]


@pytest.mark.parametrize(("keep", "at"), CROPS)
def test_a_crop_meets_a_window_of_its_original(photos, keep, at):
    for photo in photos:
        bits, _ = _nearest_window(_decoded(_crop(photo, keep, at)), _decoded(photo))
        assert bits <= 6, f"crop {keep} at {at} is {bits} bits from every window"


def _one_side(img: Image.Image, keep: float, side: str) -> Image.Image:
    """img without 1 - keep of it along one side."""
    w, h = img.size
    cut_w, cut_h = round(w * (1 - keep)), round(h * (1 - keep))
    boxes = {"left": (cut_w, 0, w, h), "right": (0, 0, w - cut_w, h),
             "top": (0, cut_h, w, h), "bottom": (0, 0, w, h - cut_h)}  # fmt: skip
    return img.crop(boxes[side])


@pytest.mark.parametrize(("keep", "side"), [(0.81, "left"), (0.87, "top"), (0.83, "bottom")])
def test_a_crop_on_one_side_meets_a_band(photos, keep, side):
    for photo in photos:
        crop = _decoded(_one_side(photo, keep, side))
        bits, window = _nearest_window(crop, _decoded(photo))
        assert bits <= 6, f"{side} {keep}: {bits} bits from every window"
        assert window >= 25  # a band, not a cell of the grid
        assert crop_distance(_thumb(crop), _thumb(photo), window) <= 30


def test_unrelated_pictures_meet_no_window(photos):
    for k, photo in enumerate(photos):
        other = photos[(k + 1) % len(photos)]
        bits, _ = _nearest_window(_decoded(_crop(other, 0.88, (0.5, 0.5))), _decoded(photo))
        assert bits >= 10


def test_window_hashes_are_stable_for_the_same_picture(photos):
    whole, _, _ = working_copies(_decoded(photos[0]))
    grey = np.asarray(Image.fromarray(whole).convert("L"), dtype=np.float64)
    assert window_hashes(grey) == window_hashes(grey.copy())
    assert len(window_hashes(grey)) == 16 * (1 + WINDOW_COUNT)


def test_smooth_pictures_have_no_windows():
    ramp = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    flat = Image.fromarray(np.stack([ramp] * 3, axis=2))
    assert not [h for h in extra_hashes(flat) if h.algorithm == CROP_ALGORITHM]


@pytest.mark.parametrize(("keep", "at"), CROPS)
def test_the_alignment_confirms_a_crop(photos, keep, at):
    for photo in photos:
        crop = _decoded(_crop(photo, keep, at))
        _, window = _nearest_window(crop, _decoded(photo))
        assert crop_distance(_thumb(crop), _thumb(photo), window) <= 30


def test_the_alignment_rejects_other_pictures(photos):
    for k, photo in enumerate(photos):
        other = _decoded(_crop(photos[(k + 1) % len(photos)], 0.88, (0.5, 0.5)))
        for window in (0, WINDOW_COUNT // 2, WINDOW_COUNT - 1):
            assert crop_distance(_thumb(other), _thumb(photo), window) >= 70


def test_a_picture_inside_bars_is_found_through_a_wider_view(photos):
    """A picture (shape 1.15) shown inside dark bars that make it 1.6 wide is nominated by the
    pillarboxed copy's 5:4 view, a box 6% wider than the picture: every size the alignment
    tries around that view is too tall for the copy, so the widest box that fits is tried."""
    view = VIEW_FIRST + VIEWS.index(("aspect", 1.25, 0.0))
    for k in range(3):
        photo = scene(310 + k, (460, 400))
        barred = ImageOps.expand(photo, border=(photo.width // 5, 0), fill=(16, 16, 16))
        assert crop_distance(_thumb(photo), _thumb(barred), view) <= 30
        other = ImageOps.expand(scene(320 + k, (460, 400)), border=(92, 0), fill=(16, 16, 16))
        assert crop_distance(_thumb(photo), _thumb(other), view) >= 70
