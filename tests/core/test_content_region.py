"""Pictures found inside screenshots: a picture sent small and a light page are found; text
bubbles, an object on a flat ground and the app's title bar are not pictures."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from desktop.core.media import shrink
from desktop.core.picture_framing import content_region
from desktop.core.samples import scene

GROUND = (236, 239, 242)


def _chat(picture: Image.Image | None) -> Image.Image:
    """A 900 x 700 chat window (title bar, four text bubbles) with the picture as sent, at
    (742 - its width + 128, 260), its right side 30 px from the window's."""
    out = Image.new("RGB", (900, 700), GROUND)
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, 900, 60), fill=(40, 90, 160))
    for row in range(4):
        draw.rounded_rectangle((20, 80 + row * 40, 420, 110 + row * 40), 8, fill=(255, 255, 255))
        draw.text((30, 86 + row * 40), f"message {row} from a contact", fill=(0, 0, 0))
    if picture is not None:
        out.paste(picture, (900 - picture.width - 30, 260))
    return out


def _found(window: Image.Image) -> tuple[int, int, int, int] | None:
    """The region as ingest looks for it: on the 256 px working copy, in pixels of the window."""
    small = np.asarray(shrink(window, 256))
    box = content_region(small)
    if box is None:
        return None
    scale = window.width / small.shape[1]
    return tuple(round(v * scale) for v in box)  # type: ignore[return-value]


def _near(box: tuple[int, int, int, int] | None, expected: tuple[int, int, int, int]) -> bool:
    return box is not None and all(abs(a - b) <= 8 for a, b in zip(box, expected, strict=True))


def test_a_picture_sent_small_is_found():
    """128 px in a 900 x 700 window: 2.6% of it (the title bar is larger, against the edges)."""
    assert _near(_found(_chat(scene(3, (128, 128)))), (742, 260, 870, 388))


def test_a_light_page_is_found():
    """A scanned page 384 x 191 (11.6% of the window), its ground nearly as light as the
    window's: the largest box, though under the 12% a region needs otherwise."""
    rng = np.random.default_rng(4)
    page = np.clip(rng.normal(0, 4, (191, 384)) + np.linspace(190, 222, 384), 0, 255)
    for line in range(20, 180, 22):
        page[line : line + 9, 10 : 10 + int(rng.integers(250, 370))] = 40
    picture = Image.fromarray(page.astype(np.uint8)).convert("RGB")
    assert _near(_found(_chat(picture)), (486, 260, 870, 451))


def test_text_bubbles_an_object_and_the_title_bar_are_not_pictures():
    assert _found(_chat(None)) is None  # bubbles: mostly white; the bar: against the edges
    ground = Image.new("RGB", (900, 700), GROUND)
    cross = Image.new("L", (160, 160), 0)
    ImageDraw.Draw(cross).polygon([(0, 70), (160, 70), (160, 90), (0, 90)], fill=255)
    ImageDraw.Draw(cross).polygon([(70, 0), (90, 0), (90, 160), (70, 160)], fill=255)
    ground.paste(scene(5, (160, 160)), (500, 300), cross)  # a shape, not a filled box
    assert _found(ground) is None
