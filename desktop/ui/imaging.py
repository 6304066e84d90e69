"""Blur and greyscale for what the analyst sees: cheap, done in worker threads, cached.

The blur itself is core.blur's (one definition for the screen and the reports); this module
only moves pixels between Qt and Pillow and paints the enlargement with Qt's smooth scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QImage

from desktop.core import blur
from desktop.core.blur import DEFAULT_BLUR, MIN_BLUR, blur_side

__all__ = [
    "DEFAULT_BLUR", "MIN_BLUR", "FramePicture", "blur_side", "blurred", "prepare",
    "prepare_frame", "reduce_for_blur",
]  # fmt: skip


def to_pil(image: QImage) -> Image.Image:
    """A QImage's pixels as a Pillow RGB image (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    return Image.frombuffer("RGB", (w, h), bytes(rgb.constBits()), "raw", "RGB", stride, 1)


def from_pil(image: Image.Image) -> QImage:
    """A Pillow image as a QImage that owns its pixels."""
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    out = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return out.convertToFormat(QImage.Format.Format_RGB32)


def reduce_for_blur(image: QImage, strength: int) -> QImage:
    """core.blur's tiny copy; whoever paints it enlarges it with smooth scaling."""
    return from_pil(blur.reduce_for_blur(to_pil(image), strength))


def blurred(image: QImage, strength: int, size: tuple[int, int] | None = None) -> QImage:
    """The picture blurred, at `size` (default: its own size)."""
    w, h = size or (image.width(), image.height())
    return reduce_for_blur(image, strength).scaled(
        max(1, w), max(1, h), Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )  # fmt: skip


def greyscale(image: QImage) -> QImage:
    return image.convertToFormat(QImage.Format.Format_Grayscale8).convertToFormat(
        QImage.Format.Format_RGB32
    )


def decode_thumbnail(data: bytes | None) -> QImage | None:
    """A stored JPEG thumbnail (from the case file, not evidence) as a QImage; None if bad."""
    if not data:
        return None
    image = QImage.fromData(QByteArray(data), "JPEG")
    return None if image.isNull() else image.convertToFormat(QImage.Format.Format_RGB32)


def prepare(image: QImage, strength: int, grey: bool, revealed: bool, side: int) -> QImage:
    """What a tile shows: blurred unless revealed, greyscale if asked, fitted in `side`."""
    if grey:
        image = greyscale(image)
    fitted = image.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    if revealed:
        return fitted
    return blurred(image, strength, (fitted.width(), fitted.height()))


@dataclass(frozen=True)
class FramePicture:
    """A picture made ready for the viewer: `shown` is what a reveal paints (greyscale when
    asked), `tiny` is core.blur's tiny copy, painted enlarged with smooth scaling (the blur)."""

    image: QImage
    shown: QImage
    tiny: QImage


def prepare_frame(image: QImage, strength: int, grey: bool) -> FramePicture:
    """The viewer's preparation of a picture or a video frame (workers prepare video frames,
    so playing never blurs on the UI thread): one blur path for both."""
    shown = greyscale(image) if grey else image
    return FramePicture(image, shown, reduce_for_blur(shown, strength))
