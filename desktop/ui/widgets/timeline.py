"""The player's timeline: the storyboard (blurred) under a time track with scene marks and the
position, and the loudness strip below it (where speech, music or screams are, never heard).
Click or drag to move; dragging is scrubbing, and nothing is shown sharp while it lasts."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core.loudness import KINDS, LoudnessStrip
from desktop.core.video_meta import frame_clock

TRACK = 10  # px: the time track with scene marks
STORY = 44  # px: the storyboard row
LOUD = 22  # px: the loudness strip
KIND_COLOURS = {
    "silence": QColor("#1f2937"),
    "speech": QColor("#38bdf8"),
    "music": QColor("#a78bfa"),
    "scream": QColor("#ef4444"),
    "other": QColor("#9ca3af"),
}
KIND_WORDS = {"speech": "speech", "music": "music", "scream": "screams", "other": "other sound"}


def filling(tile: QImage, slot: QRectF) -> QRectF:
    """The middle part of `tile` with the slot's shape: a storyboard frame fills its slot
    without being stretched (a phone's upright video keeps its proportions)."""
    width, height = tile.width(), tile.height()
    if width <= 0 or height <= 0 or slot.width() <= 0 or slot.height() <= 0:
        return QRectF(0, 0, width, height)
    shape = slot.width() / slot.height()
    if width / height > shape:  # wider than the slot: cut the sides
        kept = height * shape
        return QRectF((width - kept) / 2, 0, kept, height)
    kept = width / shape  # taller: cut top and bottom
    return QRectF(0, (height - kept) / 2, width, kept)


class Timeline(QWidget):
    """`moved(seconds)` while dragging (scrubbing) and `released(seconds)` when let go or
    clicked; `scrubbing(bool)` when a drag starts and ends."""

    moved = Signal(float)
    released = Signal(float)
    scrubbing = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("videoTimeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(TRACK + STORY + LOUD + 6)
        self.duration = 0.0
        self.position = 0.0
        self.tiles: list[QImage] = []  # blurred storyboard tiles, left to right
        self.tile_times: list[float] = []
        self.scenes: list[float] = []
        self.loudness: LoudnessStrip | None = None
        self.loudness_note = ""
        self._dragging = False
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(600, TRACK + STORY + LOUD + 6)

    def set_video(self, duration: float, scenes: list[float]) -> None:
        self.duration, self.scenes, self.position = max(duration, 0.001), scenes, 0.0
        self.tiles, self.tile_times, self.loudness = [], [], None
        self.loudness_note = ""
        self.update()

    def set_storyboard(self, tiles: list[QImage], times: list[float]) -> None:
        self.tiles, self.tile_times = tiles, times
        self.update()

    def set_loudness(self, strip: LoudnessStrip | None, note: str = "") -> None:
        self.loudness, self.loudness_note = strip, note
        self.setToolTip(self._loudness_tip())
        self.update()

    def set_position(self, seconds: float) -> None:
        if not self._dragging:
            self.position = seconds
            self.update()

    def _heard_kinds(self) -> list[tuple[str, float]]:
        """(kind, seconds) of each kind of sound the strip found, silence left out."""
        assert self.loudness is not None
        found = []
        for index, kind in enumerate(KINDS):
            if kind not in KIND_WORDS:
                continue  # silence: its spans are not counted
            spans = self.loudness.spans(index)
            if spans:
                found.append((kind, sum(b - a for a, b in spans)))
        return found

    def _loudness_tip(self) -> str:
        if self.loudness is None:
            return self.loudness_note
        parts = [f"{KIND_WORDS[kind]} {seconds:.0f} s" for kind, seconds in self._heard_kinds()]
        found = ", ".join(parts) or "silence"
        return f"Sound (not played): {found}. Colours: blue speech, violet music, red screams."

    def legend(self) -> str:
        """The loudness strip's key in rich text, each colour with what it means and how much
        of it there is ("■ speech 4 s"), or why there is no strip; shown under the timeline so
        the colours need no tooltip."""
        if self.loudness is None:
            return self.loudness_note
        parts = [
            f'<span style="color:{KIND_COLOURS[kind].name()}">■</span> {KIND_WORDS[kind]} '
            f"{seconds:.0f} s"
            for kind, seconds in self._heard_kinds()
        ]
        return "Sound, not played: " + ("&nbsp;&nbsp;".join(parts) or "silence")

    # ---- geometry ------------------------------------------------------------------------------

    def x_of(self, seconds: float) -> float:
        return 2 + (self.width() - 4) * min(max(seconds / self.duration, 0.0), 1.0)

    def seconds_at(self, x: float) -> float:
        return min(max((x - 2) / max(self.width() - 4, 1), 0.0), 1.0) * self.duration

    # ---- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111827"))
        width = self.width() - 4
        painter.fillRect(QRectF(2, 2, width, TRACK - 2), QColor("#374151"))
        painter.setPen(QPen(QColor("#facc15"), 1))
        for start in self.scenes:
            x = self.x_of(start)
            painter.drawLine(QPointF(x, 1), QPointF(x, TRACK))
        self._paint_storyboard(painter, QRectF(2, TRACK + 2, width, STORY))
        self._paint_loudness(painter, QRectF(2, TRACK + STORY + 4, width, LOUD))
        x = self.x_of(self.position)
        painter.setPen(QPen(QColor("white"), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def _paint_storyboard(self, painter: QPainter, area: QRectF) -> None:
        painter.fillRect(area, QColor("#1f2937"))
        if not self.tiles:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        step = area.width() / len(self.tiles)
        for k, tile in enumerate(self.tiles):
            slot = QRectF(area.x() + k * step, area.y(), step - 1, area.height())
            painter.drawImage(slot, tile, filling(tile, slot))

    def _paint_loudness(self, painter: QPainter, area: QRectF) -> None:
        painter.fillRect(area, QColor("#0b1220"))
        strip = self.loudness
        if strip is None or not len(strip):
            painter.setPen(QColor("#6b7280"))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.loudness_note)
            return
        for k in range(len(strip)):
            start, end = k * strip.bin_seconds, (k + 1) * strip.bin_seconds
            height = area.height() * min(max((float(strip.levels[k]) + 60) / 60, 0.0), 1.0)
            left, right = self.x_of(start), self.x_of(end)
            painter.fillRect(
                QRectF(left, area.bottom() - height, max(right - left, 1.0), height),
                KIND_COLOURS[KINDS[int(strip.kinds[k])]],
            )

    # ---- mouse ---------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.scrubbing.emit(True)
            self._drag_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging:
            self._drag_to(event.position().x())
        else:
            self.setToolTip(f"{frame_clock(self.seconds_at(event.position().x()))}. "
                            f"{self._loudness_tip()}")  # fmt: skip

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging:
            self._dragging = False
            self.position = self.seconds_at(event.position().x())
            self.scrubbing.emit(False)
            self.released.emit(self.position)
            self.update()

    def _drag_to(self, x: float) -> None:
        self.position = self.seconds_at(x)
        self.moved.emit(self.position)
        self.update()
