"""Blur and greyscale for what the analyst sees: cheap, done in worker threads, cached."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QImage

DEFAULT_BLUR = 80  # 0 (lightest) .. 100 (strongest)
MIN_BLUR = 20  # blur can be lightened, never switched off: revealing is a per-item act


def blur_side(strength: int) -> int:
    """Longest side, in pixels, the picture is reduced to before being enlarged again."""
    strength = max(MIN_BLUR, min(100, strength))
    return max(4, round(4 + (100 - strength) * 0.6))


def reduce_for_blur(image: QImage, strength: int) -> QImage:
    """A tiny copy that, drawn enlarged with smooth scaling, is the blurred picture.

    Averaging down to a few pixels removes every detail; the smooth enlargement is bilinear, so
    no block edges come back. Two steps keep the averaging even (one big step aliases).
    """
    side = blur_side(strength)
    middle = image.scaled(
        side * 4,
        side * 4,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return middle.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


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
