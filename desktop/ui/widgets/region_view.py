"""The picture blurred, with only a clue's region sharp: draw a rectangle to make a clue."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core.clue_kinds import clue_kind
from desktop.core.regions import Region
from desktop.ui import imaging

MIN_DRAG_PIXELS = 4  # a click (or a shaky click) is not a rectangle


class RegionView(QWidget):
    """Shows a picture blurred, fitted in the widget; one region at a time is shown sharp.

    Coordinates given and emitted are image coordinates of the media as displayed (the size
    ingest recorded): the picture shown may be a smaller copy (the stored thumbnail when the
    evidence is not mounted) and is scaled accordingly.
    """

    regionDrawn = Signal(object)  # Region, when the analyst finishes a rectangle
    drawingCancelled = Signal()

    def __init__(self, parent: QWidget | None = None, blur_strength: int = imaging.DEFAULT_BLUR):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self._image: QImage | None = None
        self._media_size: tuple[int, int] = (1, 1)
        self._strength = blur_strength
        self._blurred_cache: tuple[QSize, QImage] | None = None
        self._outlines: list[tuple[int, Region, str]] = []  # (clue id, region, kind)
        self._selected: Region | None = None
        self._selected_id: int | None = None
        self._drawing_enabled = False
        self._drag_start: QPointF | None = None
        self._drag_region: Region | None = None

    # ---- content ---------------------------------------------------------------------------

    def set_image(self, image: QImage | None, media_size: tuple[int, int] | None = None) -> None:
        """The picture and the media's full size (defaults to the picture's own size)."""
        self._image = None if image is None or image.isNull() else image
        if self._image is not None:
            self._media_size = media_size or (self._image.width(), self._image.height())
        self._blurred_cache = None
        self._drag_start = self._drag_region = None
        self.update()

    def set_blur_strength(self, strength: int) -> None:
        self._strength = strength
        self._blurred_cache = None
        self.update()

    def set_clues(self, clues: list[tuple[int, Region, str]]) -> None:
        """Outlines of the media's clue regions: (clue id, region, kind key)."""
        self._outlines = list(clues)
        if self._selected_id is not None and all(c[0] != self._selected_id for c in clues):
            self.select_region(None)
        self.update()

    def select_region(self, region: Region | None, clue_id: int | None = None) -> None:
        """Show this region sharp (None: everything blurred)."""
        self._selected, self._selected_id = region, clue_id
        self.update()

    def selected_region(self) -> Region | None:
        return self._selected

    def set_drawing(self, enabled: bool) -> None:
        """In drawing mode a left-button drag makes a rectangle; Esc leaves the mode."""
        self._drawing_enabled = enabled
        self._drag_start = self._drag_region = None
        self.setCursor(Qt.CursorShape.CrossCursor if enabled else Qt.CursorShape.ArrowCursor)
        self.update()

    def is_drawing(self) -> bool:
        return self._drawing_enabled

    def sharp_region(self) -> Region | None:
        """The region shown sharp now: the one being drawn, else the selected one."""
        return self._drag_region or self._selected

    # ---- geometry --------------------------------------------------------------------------

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn in the widget (fitted, centred)."""
        if self._image is None:
            return QRectF()
        mw, mh = self._media_size
        scale = min(self.width() / mw, self.height() / mh)
        w, h = mw * scale, mh * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _scale(self) -> float:
        rect = self.picture_rect()
        return rect.width() / self._media_size[0] if rect.width() else 1.0

    def widget_rect(self, region: Region) -> QRectF:
        """A region's rectangle in widget coordinates."""
        rect, scale = self.picture_rect(), self._scale()
        return QRectF(
            rect.x() + region.x * scale, rect.y() + region.y * scale,
            region.w * scale, region.h * scale,
        )  # fmt: skip

    def image_point(self, point: QPointF) -> tuple[float, float]:
        rect, scale = self.picture_rect(), self._scale()
        mw, mh = self._media_size
        x = min(max((point.x() - rect.x()) / scale, 0.0), float(mw))
        y = min(max((point.y() - rect.y()) / scale, 0.0), float(mh))
        return x, y

    def region_between(self, a: QPointF, b: QPointF) -> Region | None:
        """The image-coordinate rectangle spanned by two widget points, clipped to the picture."""
        (x0, y0), (x1, y1) = self.image_point(a), self.image_point(b)
        left, top = int(min(x0, x1)), int(min(y0, y1))
        right, bottom = round(max(x0, x1)), round(max(y0, y1))
        if right - left < 1 or bottom - top < 1:
            return None
        return Region(left, top, right - left, bottom - top)

    def _source_rect(self, region: Region) -> QRect:
        """The region in the shown picture's own pixels."""
        assert self._image is not None
        sx = self._image.width() / self._media_size[0]
        sy = self._image.height() / self._media_size[1]
        return QRectF(region.x * sx, region.y * sy, region.w * sx, region.h * sy).toAlignedRect()

    # ---- painting --------------------------------------------------------------------------

    def _blurred(self, size: QSize) -> QImage:
        if self._blurred_cache is None or self._blurred_cache[0] != size:
            assert self._image is not None
            picture = imaging.blurred(self._image, self._strength, (size.width(), size.height()))
            self._blurred_cache = (size, picture)
        return self._blurred_cache[1]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2937"))
        if self._image is None:
            painter.setPen(QColor("#d1d5db"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No picture")
            return
        target = self.picture_rect()
        painter.drawImage(target.topLeft(), self._blurred(target.size().toSize()))
        sharp = self.sharp_region()
        if sharp is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self.widget_rect(sharp), self._image, self._source_rect(sharp))
        for clue_id, region, kind in self._outlines:
            found = clue_kind(kind)
            colour = QColor(found.colour if found else "#f9fafb")
            selected = clue_id == self._selected_id
            painter.setPen(QPen(colour, 3 if selected else 1.5))
            painter.drawRect(self.widget_rect(region))
        if self._drag_region is not None:
            painter.setPen(QPen(QColor("#facc15"), 2, Qt.PenStyle.DashLine))
            painter.drawRect(self.widget_rect(self._drag_region))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 480)

    # ---- drawing with the mouse ------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        inside = self.picture_rect().contains(event.position())
        if self._drawing_enabled and event.button() == Qt.MouseButton.LeftButton and inside:
            self._drag_start = event.position()
            self._drag_region = None
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_start is not None:
            self._drag_region = self.region_between(self._drag_start, event.position())
            self.update()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_start is None:
            super().mouseReleaseEvent(event)
            return
        start, self._drag_start = self._drag_start, None
        moved = (event.position() - start).manhattanLength() >= MIN_DRAG_PIXELS
        region = self.region_between(start, event.position()) if moved else None
        self._drag_region = None
        if region is not None:
            self._selected, self._selected_id = region, None  # keep showing it while labelled
            self.regionDrawn.emit(region)
        self.update()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and (self._drawing_enabled or self._drag_start):
            self.set_drawing(False)
            self.drawingCancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def widget_point(view: RegionView, x: float, y: float) -> QPoint:
    """The widget point over image coordinate (x, y): for tests and keyboard drawing."""
    rect = view.picture_rect()
    scale = rect.width() / view._media_size[0]
    return QPoint(round(rect.x() + x * scale), round(rect.y() + y * scale))
