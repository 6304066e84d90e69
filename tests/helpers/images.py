"""Measuring what the screen shows: grey pixels of a grab and how much fine detail they hold."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def grey(image: QImage) -> np.ndarray:
    """The grey values of a QImage (a widget grab) as a float array, rows by columns."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h)
    return data.reshape(h, image.bytesPerLine())[:, :w].astype(np.float64)


def laplacian(pixels: np.ndarray) -> np.ndarray:
    return (
        -4 * pixels[1:-1, 1:-1]
        + pixels[:-2, 1:-1] + pixels[2:, 1:-1] + pixels[1:-1, :-2] + pixels[1:-1, 2:]
    )  # fmt: skip


def detail_energy(pixels: np.ndarray | QImage) -> float:
    """Mean squared Laplacian: large for sharp detail, near zero for a blurred picture."""
    if isinstance(pixels, QImage):
        pixels = grey(pixels)
    return float((laplacian(pixels) ** 2).mean())


def detail_level(pixels: np.ndarray | QImage) -> float:
    """Mean absolute Laplacian: the same measure on a linear scale."""
    if isinstance(pixels, QImage):
        pixels = grey(pixels)
    return float(np.abs(laplacian(pixels)).mean())
