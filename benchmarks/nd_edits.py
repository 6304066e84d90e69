"""The edits of the near-duplicate benchmark, and its corpus of real and synthetic pictures."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from desktop.core.samples import scene

Edit = Callable[[Image.Image, int], Image.Image]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without sized default fonts
        return ImageFont.load_default()


def resized(img: Image.Image, seed: int) -> Image.Image:
    return img.resize((max(1, img.width * 2 // 5), max(1, img.height * 2 // 5)), Image.LANCZOS)


def thumbnail(img: Image.Image, seed: int) -> Image.Image:
    out = img.copy()
    out.thumbnail((128, 128), Image.Resampling.BICUBIC)
    return out


def brighter(img: Image.Image, seed: int) -> Image.Image:
    return ImageEnhance.Brightness(img).enhance(1.35)


def contrast(img: Image.Image, seed: int) -> Image.Image:
    return ImageEnhance.Contrast(img).enhance(0.6)


def greyscale(img: Image.Image, seed: int) -> Image.Image:
    return ImageOps.grayscale(img).convert("RGB")


def caption_bar(img: Image.Image, seed: int) -> Image.Image:
    """A white bar with text added under (or over) the picture: 13% of the height."""
    bar = max(8, img.height * 15 // 100)
    out = Image.new("RGB", (img.width, img.height + bar), (255, 255, 255))
    top = seed % 2 == 0
    out.paste(img, (0, bar if top else 0))
    draw = ImageDraw.Draw(out)
    y = 2 if top else img.height + 2
    draw.text((6, y), "shared in group 2023 - do not forward", fill=(0, 0, 0), font=_font(bar // 2))
    return out


def watermark(img: Image.Image, seed: int) -> Image.Image:
    """Semi-transparent text and logo over about 15% of the picture."""
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = base.size
    box = (w // 20, h * 3 // 4, w // 20 + w * 6 // 10, h * 3 // 4 + h // 5)
    draw.rectangle(box, fill=(255, 255, 255, 90))
    draw.text(
        (box[0] + 4, box[1] + 4),
        "www.example-site.test",
        fill=(0, 0, 0, 160),
        font=_font(max(10, h // 14)),
    )
    return Image.alpha_composite(base, layer).convert("RGB")


def letterbox(img: Image.Image, seed: int) -> Image.Image:
    return ImageOps.expand(img, border=(0, img.height // 6), fill=(0, 0, 0))


def pillarbox(img: Image.Image, seed: int) -> Image.Image:
    return ImageOps.expand(img, border=(img.width // 5, 0), fill=(16, 16, 16))


def rotated(img: Image.Image, seed: int) -> Image.Image:
    angle = (3 if seed % 2 else -3) + (seed % 3) * 0.5
    return img.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))


def mirrored(img: Image.Image, seed: int) -> Image.Image:
    return ImageOps.mirror(img)


def rotate90(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_90)


def rotate180(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_180)


def rotate270(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_270)


def cropped(img: Image.Image, seed: int) -> Image.Image:
    """Keeps 76-81% of the area, at a position that depends on the seed."""
    rng = np.random.default_rng(seed)
    keep = 0.87 + 0.03 * rng.random()
    cw, ch = int(img.width * keep), int(img.height * keep)
    x = int(rng.integers(0, img.width - cw + 1))
    y = int(rng.integers(0, img.height - ch + 1))
    return img.crop((x, y, x + cw, y + ch))


def screenshot(img: Image.Image, seed: int) -> Image.Image:
    """The picture shown in a chat app window: bars, text, and the picture at 60% of the width."""
    w, h = 900, 700
    out = Image.new("RGB", (w, h), (236, 239, 242))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, w, 60), fill=(40, 90, 160))
    draw.text((20, 18), "Chat - 14:32", fill=(255, 255, 255), font=_font(22))
    for row in range(4):
        draw.rounded_rectangle((20, 80 + row * 40, 420, 110 + row * 40), 8, fill=(255, 255, 255))
        draw.text(
            (30, 86 + row * 40), f"message {row} from a contact", fill=(0, 0, 0), font=_font(14)
        )
    shown = img.copy()
    shown.thumbnail((w * 6 // 10, h * 45 // 100))
    out.paste(shown, (w - shown.width - 30, 260))
    return out


EDITS: dict[str, Edit] = {
    "resized": resized,
    "thumbnail": thumbnail,
    "jpeg_q25": lambda img, seed: img,  # saved at quality 25 by the writer
    "format_png": lambda img, seed: img,  # saved as PNG (or WebP) by the writer
    "brighter": brighter,
    "contrast": contrast,
    "greyscale": greyscale,
    "caption_bar": caption_bar,
    "watermark": watermark,
    "letterbox": letterbox,
    "pillarbox": pillarbox,
    "rotated_3deg": rotated,
    "mirrored": mirrored,
    "rotate90": rotate90,
    "rotate180": rotate180,
    "rotate270": rotate270,
    "cropped": cropped,
    "screenshot": screenshot,
}


def skimage_photographs() -> dict[str, Image.Image]:
    """The photographs scikit-image ships in its wheel (no download needed)."""
    import skimage.data as data

    names = ["astronaut", "camera", "cat", "coffee", "coins", "hubble_deep_field",
             "immunohistochemistry", "moon", "retina", "rocket", "clock", "cell", "grass",
             "gravel", "brick"]  # fmt: skip
    out = {}
    for name in names:
        try:
            array = getattr(data, name)()
        except Exception:  # noqa: BLE001 - a picture that needs a download is skipped
            continue
        img = Image.fromarray(array)
        out[f"skimage_{name}"] = img.convert("RGB")
    return out


def matplotlib_photographs() -> dict[str, Image.Image]:
    import matplotlib

    folder = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "sample_data")
    out = {}
    for name in ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png", "logo2.png"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            out["mpl_" + name.split(".")[0]] = Image.open(path).convert("RGB")
    return out


def varied_scene(index: int, size: tuple[int, int]) -> Image.Image:
    """desktop.core.samples.scene with more varied content: textures, text, strong shapes."""
    img = scene(1000 + index, size)
    rng = np.random.default_rng(index)
    draw = ImageDraw.Draw(img)
    w, h = size
    kind = index % 4
    if kind == 1:  # fine stripes over part of the picture
        x0 = int(rng.integers(0, w // 2))
        for x in range(x0, x0 + w // 3, 6):
            draw.line((x, 0, x + h // 3, h), fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    elif kind == 2:  # a sign with large text
        draw.rectangle((w // 6, h // 3, w * 5 // 6, h // 2), fill=(250, 240, 200))
        draw.text(
            (w // 6 + 8, h // 3 + 6), f"STREET {index}", fill=(20, 20, 20), font=_font(h // 10)
        )
    elif kind == 3:  # checker texture in one corner
        cell = max(4, w // 40)
        for y in range(0, h // 2, cell):
            for x in range(0, w // 2, cell):
                if (x // cell + y // cell) % 2:
                    draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=(30, 30, 30))
    return img


def hard_negatives(size: tuple[int, int] = (640, 480)) -> dict[str, Image.Image]:
    """Pictures whose hashes are weak or alike: none of them may group with another."""
    w, h = size
    out: dict[str, Image.Image] = {}
    for i, colour in enumerate([(0, 0, 0), (255, 255, 255), (200, 30, 30), (30, 60, 200)]):
        out[f"flat{i}"] = Image.new("RGB", size, colour)
    ramp = np.tile(np.linspace(0, 255, w, dtype=np.uint8), (h, 1))
    vertical = np.tile(np.linspace(0, 255, h, dtype=np.uint8)[:, None], (1, w))
    out["gradient0"] = Image.fromarray(np.stack([ramp] * 3, axis=2))
    out["gradient1"] = Image.fromarray(np.stack([ramp, ramp // 2, 255 - ramp], axis=2))
    out["gradient2"] = Image.fromarray(np.stack([vertical] * 3, axis=2))
    out["gradient3"] = Image.fromarray(np.stack([255 - vertical, vertical, vertical], axis=2))
    for i in range(3):
        noise = np.random.default_rng(i).integers(0, 14, (h, w, 3), dtype=np.uint8)
        out[f"dark{i}"] = Image.fromarray(noise)
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod".split()
    for i in range(4):
        # different pages: their own words and line lengths (pages that differ by one
        # character a line are the same picture to any perceptual hash, and to the eye)
        rng = np.random.default_rng(100 + i)
        page = Image.new("RGB", size, (255, 255, 255))
        draw = ImageDraw.Draw(page)
        for line in range(16):
            text = f"note {i}: " + " ".join(rng.choice(words, int(rng.integers(2, 10))))
            draw.text((16, 12 + line * 28), text, fill=(0, 0, 0), font=_font(18))
        out[f"text{i}"] = page
    return out
