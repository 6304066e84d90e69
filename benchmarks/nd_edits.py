"""The edits of the near-duplicate benchmark, and its corpus of real and synthetic pictures."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

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
