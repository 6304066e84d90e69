"""Clue regions on the viewer's picture: outlines, drawing, and a region revealed alone."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from desktop.core.clue_kinds import clue_kind
from desktop.core.regions import Region
from desktop.ui import imaging
from desktop.ui.reveal import RevealController
from desktop.ui.widgets.image_view import ImageView

MIN_DRAG_PIXELS = 4


class ClueOverlay(QObject):
    """Adds clue regions to the viewer's ImageView: outlines of the media's clues, the
    rectangle being drawn, and, only while the reveal controller reveals that region of this
    media (a reveal with a clue selected), the region's pixels sharp. Nothing else is ever
    drawn sharp here: selecting or drawing a region shows its outline on the blurred picture.

    Regions are in the media's image coordinates (its recorded width and height); the view may
    show a smaller copy (the stored thumbnail) and the overlay scales. While the analyst draws,
    mouse presses go to the overlay, not to the view (no pan, no hold-to-reveal).
    """

    regionDrawn = Signal(object)  # Region

    def __init__(self, view: ImageView, reveals: RevealController):
        super().__init__(view)
        self.view = view
        self.reveals = reveals
        self.media_id: int | None = None
        self.media_size: tuple[int, int] | None = None
        self._outlines: list[tuple[int, Region, str]] = []
        self._selected: Region | None = None
        self._selected_id: int | None = None
        self._drawing = False
        self._drag_start: QPointF | None = None
        self._drag_region: Region | None = None
        self._grey_cache: tuple[int, QImage] | None = None
        view.overlays.append(self.paint)
        view.installEventFilter(self)
        reveals.changed.connect(view.update)

    def set_media(self, media_id: int | None, size: tuple[int, int] | None) -> None:
        self.media_id, self.media_size = media_id, size
        self._drawing = False
        self._drag_start = self._drag_region = None
        self._selected = self._selected_id = None
        self.view.update()

    def set_clues(self, clues: list[tuple[int, Region, str]]) -> None:
        self._outlines = list(clues)
        if self._selected_id is not None and all(c[0] != self._selected_id for c in clues):
            self._selected = self._selected_id = None
        self.view.update()

    def select_region(self, region: Region | None, clue_id: int | None = None) -> None:
        self._selected, self._selected_id = region, clue_id
        self.view.update()

    def set_drawing(self, enabled: bool) -> None:
        self._drawing = enabled and self.media_size is not None and self.view.image is not None
        self._drag_start = self._drag_region = None
        shape = Qt.CursorShape.CrossCursor if self._drawing else Qt.CursorShape.ArrowCursor
        self.view.setCursor(shape)
        self.view.update()

    def is_drawing(self) -> bool:
        return self._drawing

    def selected_region(self) -> Region | None:
        return self._selected

    def sharp_region(self) -> Region | None:
        """The region shown sharp now: only one the reveal controller reveals on its own."""
        current = self.reveals.current
        if current is None or current.region is None or self.media_id is None:
            return None
        return current.region if self.reveals.shows(self.media_id) else None

    # ---- geometry --------------------------------------------------------------------------

    def _scale(self) -> float:
        """Screen pixels per media pixel."""
        assert self.media_size is not None
        return float(self.view.image_rect().width() / self.media_size[0])

    def widget_rect(self, region: Region) -> QRectF:
        rect, scale = self.view.image_rect(), self._scale()
        return QRectF(
            rect.x() + region.x * scale,
            rect.y() + region.y * scale,
            region.w * scale,
            region.h * scale,
        )

    def region_between(self, a: QPointF, b: QPointF) -> Region | None:
        assert self.media_size is not None
        rect, scale = self.view.image_rect(), self._scale()
        mw, mh = self.media_size

        def image_point(p: QPointF) -> tuple[float, float]:
            x = min(max((p.x() - rect.x()) / scale, 0.0), float(mw))
            y = min(max((p.y() - rect.y()) / scale, 0.0), float(mh))
            return x, y

        (x0, y0), (x1, y1) = image_point(a), image_point(b)
        left, top = int(min(x0, x1)), int(min(y0, y1))
        right, bottom = round(max(x0, x1)), round(max(y0, y1))
        if right - left < 1 or bottom - top < 1:
            return None
        return Region(left, top, right - left, bottom - top)

    # ---- painting (called by the view after it drew the blurred picture) -----------------------

    def _shown_image(self) -> QImage:
        image = self.view.image
        assert image is not None
        if not self.view.greyscale:
            return image
        if self._grey_cache is None or self._grey_cache[0] != image.cacheKey():
            self._grey_cache = (image.cacheKey(), imaging.greyscale(image))
        return self._grey_cache[1]

    def paint(self, painter: QPainter, rect: QRectF, _scale: float) -> None:
        if self.media_size is None or self.view.image is None:
            return
        sharp = self.sharp_region()
        if sharp is not None and not self.view.revealed:
            image = self._shown_image()
            sx, sy = image.width() / self.media_size[0], image.height() / self.media_size[1]
            source = QRectF(sharp.x * sx, sharp.y * sy, sharp.w * sx, sharp.h * sy)
            painter.drawImage(self.widget_rect(sharp), image, source)
        for clue_id, region, kind in self._outlines:
            found = clue_kind(kind)
            colour = QColor(found.colour if found else "#f9fafb")
            painter.setPen(QPen(colour, 3 if clue_id == self._selected_id else 1.5))
            painter.drawRect(self.widget_rect(region))
        if self._drag_region is not None:
            painter.setPen(QPen(QColor("#facc15"), 2, Qt.PenStyle.DashLine))
            painter.drawRect(self.widget_rect(self._drag_region))

    # ---- drawing ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self._drawing:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._drag_start, self._drag_region = event.position(), None
            return True
        if kind == QEvent.Type.MouseMove and self._drag_start is not None:
            self._drag_region = self.region_between(self._drag_start, event.position())
            self.view.update()
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._drag_start is not None:
            start, self._drag_start = self._drag_start, None
            moved = (event.position() - start).manhattanLength() >= MIN_DRAG_PIXELS
            region = self.region_between(start, event.position()) if moved else None
            self._drag_region = None
            if region is not None:
                self._selected, self._selected_id = region, None
                self.regionDrawn.emit(region)
            self.view.update()
            return True
        if kind in (QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel):
            return True  # no zoom changes under a rectangle being drawn
        return False  # Esc belongs to the workspace's keys (InvestigationPart.cancel_drawing)
