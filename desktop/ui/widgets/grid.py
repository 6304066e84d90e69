"""The thumbnail grid: a list view in icon mode and the delegate that paints tiles and badges."""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop.core.categories import Scheme
from desktop.ui.hosting import Badge
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.widgets.image_view import HOLD_MS

TILE_MARGIN = 6
PROBLEM = QColor("#dc2626")
BADGE_BG = QColor(17, 24, 39, 210)
TILE_BG = QColor("#1f2937")
SELECTED = QColor("#38bdf8")
REVEALED = QColor("#b45309")
BADGE_HEIGHT = 18


class TileDelegate(QStyledItemDelegate):
    """Paints one tile: the (blurred) picture, then badges that never need the picture seen.

    Badges: category colour bar and number (top left), exact copies xN (top right), near-
    duplicate stack size (bottom left), a status problem (bottom right), reviewed tick.
    """

    def __init__(self, scheme: Scheme, parent=None):
        super().__init__(parent)
        self.scheme = scheme
        self.side = 144

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(self.side + 2 * TILE_MARGIN, self.side + 2 * TILE_MARGIN)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # Straight to the Python model: no QVariant round trip for every tile painted (PySide
        # mis-counts references to None returned through data() under heavy repainting).
        model = index.model()
        if not isinstance(model, MediaGridModel) or index.row() >= len(model.rows):
            return
        row = model.rows[index.row()]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        cell = option.rect.adjusted(
            TILE_MARGIN // 2, TILE_MARGIN // 2, -TILE_MARGIN // 2, -TILE_MARGIN // 2
        )
        painter.fillRect(cell, TILE_BG)
        frame = cell.adjusted(
            TILE_MARGIN // 2, TILE_MARGIN // 2, -TILE_MARGIN // 2, -TILE_MARGIN // 2
        )
        image = model.tile(row.id)
        if image is not None:
            target = QRect(0, 0, image.width(), image.height())
            target.moveCenter(frame.center())
            painter.drawImage(target, image)
        else:
            painter.setPen(QColor("#9ca3af"))
            loaded = model.has_tile(row.id)
            text = "no preview" if loaded or row.status != "ok" else "…"
            painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, text)
        show_stack = row.stack_size > 1 and not model.in_stack()  # inside one it says nothing
        self._badges(
            painter, frame, row, row.id == model.revealed, model.badges(row.id), show_stack
        )
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(SELECTED, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(cell.adjusted(1, 1, -2, -2))
        painter.restore()

    def _badge(self, painter: QPainter, rect: QRect, text: str, colour: QColor = BADGE_BG) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _badges(
        self, painter: QPainter, frame: QRect, row, revealed: bool, extra: list[Badge],
        show_stack: bool,
    ) -> None:  # fmt: skip
        font = QFont(painter.font())
        font.setPointSize(8)
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        h = BADGE_HEIGHT
        left, right = frame.left() + 2, frame.right() - 1
        category = self.scheme.by_value(row.category) if row.category is not None else None
        if category is not None:
            colour = QColor(category.colour)
            painter.fillRect(QRect(frame.left(), frame.top(), frame.width(), 4), colour)
            self._badge(painter, QRect(left, frame.top() + 6, 22, h), category.key, colour)
        elif row.reviewed:
            self._badge(painter, QRect(left, frame.top() + 6, 22, h), "✓")
        top_left, top_right = left + 24, right
        if row.copies > 1:
            self._badge(painter, QRect(right - 32, frame.top() + 6, 32, h), f"×{row.copies}")
            top_right = right - 34
        bottom = frame.bottom() - h - 1
        bottom_left, bottom_right = left, right
        if row.status != "ok":
            self._badge(painter, QRect(right - 20, bottom, 20, h), "!", PROBLEM)
            bottom_right = right - 22
        if show_stack:
            self._badge(painter, QRect(left, bottom, 40, h), f"▣ {row.stack_size}")
            bottom_left = left + 42
        # features' badges: the top ones centred between the corners, the bottom ones in a row
        tops = [b for b in extra if b.row == "top"]
        widths = [metrics.horizontalAdvance(b.text) + 10 for b in tops]
        x = max(top_left, (top_left + top_right - sum(widths) - 2 * len(tops)) // 2)
        for badge, width in zip(tops, widths, strict=True):
            if x + width > top_right:
                break
            self._badge(painter, QRect(x, frame.top() + 6, width, h), badge.text, badge.colour)
            x += width + 2
        x = bottom_left
        for badge in (b for b in extra if b.row != "top"):
            room = bottom_right - x
            text = metrics.elidedText(badge.text, Qt.TextElideMode.ElideRight, room - 10)
            if room < 24 or not text:
                break
            width = metrics.horizontalAdvance(text) + 10
            self._badge(painter, QRect(x, bottom, width, h), text, badge.colour)
            x += width + 2
        if revealed:
            # across the middle, where no corner badge sits
            self._badge(
                painter, QRect(frame.center().x() - 38, frame.center().y() - h // 2, 76, h),
                "REVEALED", REVEALED,
            )  # fmt: skip
            painter.setPen(QPen(REVEALED, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(frame.adjusted(1, 1, -2, -2))


class MediaGrid(QListView):
    """Icon-mode list over MediaGridModel; fetches pages as it scrolls (the model's fetchMore).

    Pressing and holding the mouse still on a tile emits hold_started (it is then the current
    tile), releasing emits hold_ended: the review controller reveals it for that long.
    """

    hold_started = Signal()
    hold_ended = Signal()
    hovered = Signal(int, float)  # row under the mouse (-1: none) and where across it (0..1)

    def __init__(self, scheme: Scheme, parent=None):
        super().__init__(parent)
        self.viewport().setMouseTracking(True)  # storyboard stepping follows the mouse
        self._press: QPoint | None = None
        self._holding = False
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_MS)
        self._hold_timer.timeout.connect(self._start_hold)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionRectVisible(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSpacing(0)
        self.setWrapping(True)
        self.delegate = TileDelegate(scheme, self)
        self.setItemDelegate(self.delegate)
        self.setObjectName("mediaGrid")

    def set_tile_side(self, side: int) -> None:
        self.delegate.side = side
        self._fit_columns()
        self.scheduleDelayedItemsLayout()

    def _fit_columns(self) -> None:
        """The row's width shared among its tiles (the picture stays its size, centred): no
        strip of empty grid up to a tile wide at the right. The scroll bar's width is always
        kept, so its coming and going never changes the number of columns."""
        cell = self.delegate.side + 2 * TILE_MARGIN
        width = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        columns = max(1, width // cell)
        size = QSize(max(cell, (width - 1) // columns), cell)  # QListView wraps at the edge
        if size != self.gridSize():
            self.setGridSize(size)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_columns()

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and self.indexAt(event.position().toPoint()).isValid()
        ):
            self._press = event.position().toPoint()
            self._hold_timer.start()

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        index = self.indexAt(point)
        if index.isValid():
            rect = self.visualRect(index)
            self.hovered.emit(index.row(), (point.x() - rect.left()) / max(rect.width(), 1))
        else:
            self.hovered.emit(-1, 0.0)
        if self._press is not None and (
            (event.position().toPoint() - self._press).manhattanLength() > 4
        ):
            self._press = None
            self._hold_timer.stop()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        self._press = None
        self._hold_timer.stop()
        if self._holding:
            self._holding = False
            self.hold_ended.emit()
        super().mouseReleaseEvent(event)

    def leaveEvent(self, event) -> None:
        self.hovered.emit(-1, 0.0)
        super().leaveEvent(event)

    def _start_hold(self) -> None:
        self._holding = True
        self.hold_started.emit()
