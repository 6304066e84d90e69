"""The near-duplicate benchmark's corpus (real photographs that installed packages ship) and edits.

Every picture is a real photograph shipped inside a wheel of the bench extra (scikit-image,
matplotlib, scikit-learn, PyWavelets): nothing is downloaded and nothing is generated, but
for two kinds that real photographs cannot stand for, said plainly where they are made:
flat graphics (a few regions of flat colour, as vector art: two real logos and generated
shapes) and the hard negatives (flat, gradient, dark and text-only pictures, which must never
group). Each edit is what analysts meet: the kinds issue 19 lists (corner crops, small turns,
other aspect-ratio cuts, a picture inside a screenshot window, downscale + cut + JPEG q50, PNG
and greyscale copies of flat graphics, faint photographs whose PDQ quality is low) beside the
usual ones (resize, recompression, colour changes, borders, turns, mirror, watermark).
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

Edit = Callable[[Image.Image, int], Image.Image]


@dataclass(frozen=True)
class Kind:
    """One kind of copy: how it is made and how the file is written."""

    make: Edit
    extension: str = "jpg"
    quality: int = 85


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without sized default fonts
        return ImageFont.load_default()


def _same(img: Image.Image, seed: int) -> Image.Image:
    return img


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


def turned_in_frame(img: Image.Image, seed: int) -> Image.Image:
    """Turned 3-4 degrees with the corners filled black (the whole picture still shows)."""
    angle = (3 if seed % 2 else -3) + (seed % 3) * 0.5
    return img.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))


def small_turn(img: Image.Image, seed: int) -> Image.Image:
    """Turned 3-5 degrees, then cropped to the largest rectangle of the same shape that shows
    no corner (a straightened or tilted photo as apps save it): about 90% of each side."""
    rng = np.random.default_rng(seed + 7)
    angle = float(rng.uniform(3.0, 5.0)) * (1 if seed % 2 else -1)
    w, h = img.size
    sin, cos = abs(math.sin(math.radians(angle))), math.cos(math.radians(angle))
    scale = 0.99 * min(w / (w * cos + h * sin), h / (w * sin + h * cos))
    turned = img.rotate(angle, Image.Resampling.BICUBIC)
    cw, ch = round(w * scale), round(h * scale)
    left, top = (w - cw) // 2, (h - ch) // 2
    return turned.crop((left, top, left + cw, top + ch))


def mirrored(img: Image.Image, seed: int) -> Image.Image:
    return ImageOps.mirror(img)


def rotate90(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_90)


def rotate180(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_180)


def rotate270(img: Image.Image, seed: int) -> Image.Image:
    return img.transpose(Image.Transpose.ROTATE_270)


def cropped(img: Image.Image, seed: int) -> Image.Image:
    """Keeps 87-90% of each side (76-81% of the area), at a position that depends on the seed."""
    rng = np.random.default_rng(seed)
    keep = 0.87 + 0.03 * rng.random()
    cw, ch = int(img.width * keep), int(img.height * keep)
    x = int(rng.integers(0, img.width - cw + 1))
    y = int(rng.integers(0, img.height - ch + 1))
    return img.crop((x, y, x + cw, y + ch))


def _corner_crop(img: Image.Image, corner: int) -> Image.Image:
    """80% of the width and 80% of the height from one corner (64% of the picture)."""
    cw, ch = round(img.width * 0.8), round(img.height * 0.8)
    x = 0 if corner in (0, 2) else img.width - cw
    y = 0 if corner in (0, 1) else img.height - ch
    return img.crop((x, y, x + cw, y + ch))


def corner_crop(img: Image.Image, seed: int) -> Image.Image:
    return _corner_crop(img, seed % 4)


def corner_crop_opposite(img: Image.Image, seed: int) -> Image.Image:
    return _corner_crop(img, 3 - seed % 4)


def _aspect_cut(img: Image.Image, aspect: float, width: int, seed: int) -> Image.Image:
    """The largest cut of the photo at `aspect` (width / height), off centre by up to a tenth
    of the room left, scaled to `width` pixels wide: the photo published at another shape."""
    w, h = img.size
    cw, ch = (w, round(w / aspect)) if w / h < aspect else (round(h * aspect), h)
    rng = np.random.default_rng(seed + 11)
    x = (w - cw) // 2 + round((w - cw) * 0.1 * rng.uniform(-1, 1))
    y = (h - ch) // 2 + round((h - ch) * 0.1 * rng.uniform(-1, 1))
    cut = img.crop((x, y, x + cw, y + ch))
    return cut.resize((width, round(width / aspect)), Image.Resampling.LANCZOS)


def aspect_16x9(img: Image.Image, seed: int) -> Image.Image:
    return _aspect_cut(img, 16 / 9, 960, seed)


def aspect_4x3(img: Image.Image, seed: int) -> Image.Image:
    """A 4:3 cut, or 5:4 when the photo itself is already about 4:3."""
    aspect = 5 / 4 if abs(img.width / img.height - 4 / 3) < 0.05 else 4 / 3
    return _aspect_cut(img, aspect, 640, seed)


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


def window_screenshot(img: Image.Image, seed: int) -> Image.Image:
    """A screenshot of a viewer window: a title bar with text and buttons, the picture at 90%
    of the window's width, centred on a flat grey ground."""
    shown = img.resize((900, round(900 * img.height / img.width)), Image.Resampling.LANCZOS)
    w = 1000
    bar = 44
    h = bar + 30 + shown.height + 30
    out = Image.new("RGB", (w, h), (45, 45, 48))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, w, bar), fill=(222, 222, 226))
    draw.text((16, 12), f"IMG_{seed:04d}.jpg - Photos", fill=(20, 20, 20), font=_font(18))
    for k, colour in enumerate(((230, 80, 70), (240, 190, 60), (90, 190, 90))):
        x = w - 30 - 28 * k
        draw.ellipse((x - 8, 14, x + 8, 30), fill=colour)
    out.paste(shown, ((w - shown.width) // 2, bar + 30))
    return out


def downscale_cut_q50(img: Image.Image, seed: int) -> Image.Image:
    """Downscaled to 70%, one side cut by 4% (which side by the seed); saved at JPEG q50."""
    small = img.resize((round(img.width * 0.7), round(img.height * 0.7)), Image.LANCZOS)
    w, h = small.size
    cut_w, cut_h = round(w * 0.04), round(h * 0.04)
    box = [(cut_w, 0, w, h), (0, 0, w - cut_w, h), (0, cut_h, w, h), (0, 0, w, h - cut_h)]
    return small.crop(box[seed % 4])


# the copies made of every photograph; the file's format and quality come with the kind
PHOTO_EDITS: dict[str, Kind] = {
    "resized": Kind(resized),
    "thumbnail": Kind(thumbnail),
    "jpeg_q25": Kind(_same, quality=25),
    "format_png": Kind(_same, "png"),
    "brighter": Kind(brighter),
    "contrast": Kind(contrast),
    "greyscale": Kind(greyscale),
    "caption_bar": Kind(caption_bar),
    "watermark": Kind(watermark),
    "letterbox": Kind(letterbox),
    "pillarbox": Kind(pillarbox),
    "turned_in_frame": Kind(turned_in_frame),
    "mirrored": Kind(mirrored),
    "rotate90": Kind(rotate90),
    "rotate180": Kind(rotate180),
    "rotate270": Kind(rotate270),
    "cropped": Kind(cropped),
    "corner_crop": Kind(corner_crop),
    "corner_crop_opposite": Kind(corner_crop_opposite),
    "small_turn": Kind(small_turn),
    "aspect_16x9": Kind(aspect_16x9),
    "aspect_4x3": Kind(aspect_4x3),
    "chat_screenshot": Kind(screenshot),
    "window_screenshot": Kind(window_screenshot),
    "downscale_cut_q50": Kind(downscale_cut_q50, quality=50),
}
# flat graphics (originals written as PNG): copies as another format, greyscale, smaller
GRAPHIC_EDITS: dict[str, Kind] = {
    "graphic_jpeg": Kind(_same, quality=90),
    "graphic_greyscale": Kind(greyscale, "png"),
    "graphic_resized": Kind(resized, "png"),
}
# faint photographs (low PDQ quality): copies that change nothing but size and compression
FAINT_EDITS: dict[str, Kind] = {
    "faint_resized": Kind(resized),
    "faint_png": Kind(_same, "png"),
    "faint_jpeg_q50": Kind(_same, quality=50),
}
# what each original is written as
ORIGINAL = {"photo": Kind(_same, quality=92), "graphic": Kind(_same, "png"),
            "faint": Kind(_same, quality=92)}  # fmt: skip
EDITS_OF = {"photo": PHOTO_EDITS, "graphic": GRAPHIC_EDITS, "faint": FAINT_EDITS}


def _package_folder(package: str, *parts: str) -> str | None:
    """A data folder inside an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], *parts)


def _open(path: str) -> Image.Image:
    with Image.open(path) as img:
        return img.convert("RGB")


def real_photographs() -> dict[str, Image.Image]:
    """The real photographs that the bench extra's wheels ship (nothing downloaded).

    scikit-image (public domain or CC0 unless its README says otherwise; the stereo pair's
    right view is left out: two views of one scene are not copies), matplotlib's Grace Hopper
    and gift photographs, scikit-learn's two Flickr photographs (CC BY 2.0), PyWavelets' aerial
    and stairs photographs. Tiny ones (under 150 px) are left out."""
    out: dict[str, Image.Image] = {}
    folder = _package_folder("skimage", "data")
    if folder:
        for name in ("astronaut", "camera", "chelsea", "coffee", "coins", "hubble_deep_field",
                     "ihc", "moon", "retina", "rocket", "clock_motion", "cell", "grass",
                     "gravel", "brick", "motorcycle_left", "page", "text"):  # fmt: skip
            for extension in ("png", "jpg"):
                path = os.path.join(folder, f"{name}.{extension}")
                if os.path.exists(path):
                    out[f"skimage_{name}"] = _open(path)
    folder = _package_folder("matplotlib", "mpl-data", "sample_data")
    if folder:
        for name in ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png"):
            if os.path.exists(os.path.join(folder, name)):
                out["mpl_" + name.split(".")[0]] = _open(os.path.join(folder, name))
    folder = _package_folder("sklearn", "datasets", "images")
    if folder:
        for name in ("china.jpg", "flower.jpg"):
            if os.path.exists(os.path.join(folder, name)):
                out["sklearn_" + name.split(".")[0]] = _open(os.path.join(folder, name))
    folder = _package_folder("pywt", "data")
    if folder:
        for name in ("aero", "ascent"):
            path = os.path.join(folder, f"{name}.npz")
            if os.path.exists(path):
                with np.load(path) as data:
                    array = data[data.files[0]]
                out[f"pywt_{name}"] = Image.fromarray(array.astype(np.uint8)).convert("RGB")
    return out


def flat_graphics(count: int = 10) -> dict[str, Image.Image]:
    """Flat graphics: two real logos (scikit-image's, matplotlib's) and generated vector-like
    art (a flat ground with a few flat shapes and sometimes a word); two generated graphics
    share a palette and differ in their shapes, so they must not group."""
    out: dict[str, Image.Image] = {}
    folder = _package_folder("skimage", "data")
    if folder and os.path.exists(os.path.join(folder, "logo.png")):
        with Image.open(os.path.join(folder, "logo.png")) as logo:
            flat = Image.new("RGB", logo.size, (255, 255, 255))
            flat.paste(logo, mask=logo.convert("RGBA").split()[3])
            out["graphic_skimage_logo"] = flat
    folder = _package_folder("matplotlib", "mpl-data", "sample_data")
    if folder and os.path.exists(os.path.join(folder, "logo2.png")):
        out["graphic_mpl_logo2"] = _open(os.path.join(folder, "logo2.png"))
    palettes = [((250, 250, 245), (220, 60, 50), (40, 90, 160), (250, 200, 40)),
                ((30, 30, 40), (0, 180, 170), (240, 240, 240), (250, 120, 30)),
                ((120, 190, 80), (255, 255, 255), (60, 60, 60), (200, 40, 120))]  # fmt: skip
    for i in range(count):
        rng = np.random.default_rng(500 + i)
        ground, *inks = palettes[i // 2 % len(palettes)]
        w, h = int(rng.integers(480, 800)), int(rng.integers(360, 600))
        img = Image.new("RGB", (w, h), ground)
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(3, 7))):
            ink = inks[int(rng.integers(0, len(inks)))]
            x, y = int(rng.integers(0, w * 3 // 4)), int(rng.integers(0, h * 3 // 4))
            size = int(rng.integers(min(w, h) // 8, min(w, h) // 2))
            shape = int(rng.integers(0, 3))
            if shape == 0:
                draw.ellipse((x, y, x + size, y + size), fill=ink)
            elif shape == 1:
                draw.rectangle((x, y, x + size, y + size * 2 // 3), fill=ink)
            else:
                draw.polygon([(x, y + size), (x + size // 2, y), (x + size, y + size)], fill=ink)
        if i % 3 == 0:
            draw.text((w // 10, h * 4 // 5), f"BRAND {i}", fill=inks[0], font=_font(h // 10))
        out[f"graphic_generated{i:02d}"] = img
    return out


def faint_photographs(photos: dict[str, Image.Image], count: int = 8) -> dict[str, Image.Image]:
    """Real photographs made faint (a dim, washed-out copy: a quarter of the contrast, half the
    brightness), so their PDQ quality falls under the 50 that hash lists require."""
    out = {}
    for name in sorted(photos)[:: max(1, len(photos) // count)][:count]:
        grey = ImageEnhance.Contrast(photos[name]).enhance(0.25)
        out[f"faint_{name}"] = ImageEnhance.Brightness(grey).enhance(0.5)
    return out


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
