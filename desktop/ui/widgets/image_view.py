"""The viewer's picture: zoom and pan, blurred until the analyst reveals it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from desktop.ui import imaging

HOLD_MS = 250  # press this long without moving to reveal while held
# Overlays (e.g. clue regions) paint on top: fn(painter, image_rect_on_screen, scale).
Overlay = Callable[[QPainter, QRectF, float], None]


class ImageView(QWidget):
    """Shows one picture fitted (or zoomed, wheel; panned, drag), blurred unless `revealed`.

    Signals hold_started/hold_ended let the reveal controller reveal while the mouse is held.
    """

    hold_started = Signal()
    hold_ended = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageView")
        self.setMinimumSize(240, 180)
        self.setMouseTracking(False)
        self.image: QImage | None = None
        self._tiny: QImage | None = None
        self._grey: QImage | None = None
        self.revealed = False
        self.blur_strength = imaging.DEFAULT_BLUR
        self.greyscale = False
        self.zoom = 1.0  # 1.0 = fitted to the widget
        self.pan = QPointF(0, 0)
        self.message = ""
        self.overlays: list[Overlay] = []
        self._press: QPointF | None = None
        self._holding = False
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_MS)
        self._hold_timer.timeout.connect(self._start_hold)

    # ---- content -------------------------------------------------------------------------------

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self.image, self.message = image, message
        self.zoom, self.pan = 1.0, QPointF(0, 0)
        self._prepare()

    def set_look(self, blur_strength: int, greyscale: bool) -> None:
        self.blur_strength, self.greyscale = blur_strength, greyscale
        self._prepare()

    def set_revealed(self, revealed: bool) -> None:
        self.revealed = revealed
        self.update()

    def show_frame(self, picture: imaging.FramePicture) -> None:
        """A picture prepared elsewhere (a video frame from the player's thread) through
        imaging.prepare_frame; zoom and pan stay as they are."""
        self.image, self.message = picture.image, ""
        self._grey = picture.shown if picture.shown is not picture.image else None
        self._tiny = picture.tiny
        self.update()

    def _prepare(self) -> None:
        self._tiny = self._grey = None
        if self.image is not None:
            picture = imaging.prepare_frame(self.image, self.blur_strength, self.greyscale)
            self._grey = picture.shown if self.greyscale else None
            self._tiny = picture.tiny
        self.update()

    # ---- geometry ------------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the picture is drawn, in widget coordinates."""
        if self.image is None:
            return QRectF()
        w, h = self.image.width(), self.image.height()
        fit = min(self.width() / w, self.height() / h, 1.0 if max(w, h) < 64 else 1e9)
        scale = fit * self.zoom
        rect = QRectF(0, 0, w * scale, h * scale)
        rect.moveCenter(QPointF(self.width() / 2, self.height() / 2) + self.pan)
        return rect

    def set_zoom(self, zoom: float) -> None:
        self.zoom = max(1.0, min(16.0, zoom))
        if self.zoom == 1.0:
            self.pan = QPointF(0, 0)
        self.update()

    # ---- painting ------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111827"))
        if self.image is None:
            painter.setPen(QColor("#9ca3af"))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            text = self.message or "Select a picture"
            painter.drawText(self.rect().adjusted(16, 16, -16, -16), flags, text)
            return
        rect = self.image_rect()
        # smooth scaling of the tiny copy is the blur; of the picture, a clean zoom
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.revealed:
            painter.drawImage(rect, self._grey if self._grey is not None else self.image)
        elif self._tiny is not None:
            painter.drawImage(rect, self._tiny)
        scale = rect.width() / self.image.width()
        for overlay in self.overlays:
            overlay(painter, rect, scale)

    # ---- mouse ---------------------------------------------------------------------------------

    def wheelEvent(self, event) -> None:
        step = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.set_zoom(self.zoom * step)

    def mouseDoubleClickEvent(self, event) -> None:
        self.set_zoom(1.0 if self.zoom > 1.0 else 2.0)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._hold_timer.start()

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            return
        delta = event.position() - self._press
        if abs(delta.x()) + abs(delta.y()) > 4:
            self._hold_timer.stop()
            if self.zoom > 1.0:
                self.pan += delta
                self._press = event.position()
                self.update()

    def mouseReleaseEvent(self, event) -> None:
        self._press = None
        self._hold_timer.stop()
        if self._holding:
            self._holding = False
            self.hold_ended.emit()

    def _start_hold(self) -> None:
        self._holding = True
        self.hold_started.emit()
