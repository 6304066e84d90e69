"""The one blur: how pictures are hidden wherever they are shown (screen, dialogs, reports)."""

from __future__ import annotations

from PIL import Image

DEFAULT_BLUR = 40  # 20 (lightest) .. 100 (strongest): a 16-pixel copy
MIN_BLUR = 20  # blur can be lightened, never switched off: revealing is a per-item act
# The lightest blur still hides faces: a face a quarter of the picture wide, reduced to a
# 20-pixel copy, keeps its eyes and mouth at about one pixel, so they cannot be made out at any
# display size (tests/ui/test_blur_and_reveal.py measures the detail left in a face). A
# 52-pixel copy, the old lightest blur, showed a smile on a 144-pixel tile.
LIGHTEST_SIDE = 20


def blur_side(strength: int) -> int:
    """Longest side, in pixels, the picture is reduced to before being enlarged again."""
    strength = max(MIN_BLUR, min(100, strength))
    return round(4 + (100 - strength) * (LIGHTEST_SIDE - 4) / (100 - MIN_BLUR))


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    w, h = size
    scale = min(side / w, side / h, 1.0)
    return max(1, round(w * scale)), max(1, round(h * scale))


def reduce_for_blur(image: Image.Image, strength: int) -> Image.Image:
    """A tiny copy that, drawn enlarged with smooth scaling, is the blurred picture.

    Averaging down to a few pixels removes every detail; the enlargement is bilinear, so no
    block edges come back. Two averaging steps keep it even (one big step aliases).
    """
    side = blur_side(strength)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    middle = image.resize(_fit(image.size, side * 4), Image.Resampling.BOX)
    return middle.resize(_fit(middle.size, side), Image.Resampling.BOX)


def blurred(image: Image.Image, strength: int, size: tuple[int, int] | None = None) -> Image.Image:
    """The picture blurred, at `size` (default: its own size)."""
    w, h = size or image.size
    return reduce_for_blur(image, strength).resize(
        (max(1, w), max(1, h)), Image.Resampling.BILINEAR
    )
