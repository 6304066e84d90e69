"""Mouse gestures the GUI tests share."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    """Press the left button at `start`, move to `end`, release there."""
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def drag_over_picture(qtbot, view, first: tuple[float, float], last: tuple[float, float]) -> None:
    """Drag across the picture an image view shows, from and to points given as shares of it."""
    rect = view.image_rect()

    def at(share: tuple[float, float]) -> QPoint:
        return QPoint(
            int(rect.x() + rect.width() * share[0]), int(rect.y() + rect.height() * share[1])
        )

    drag(qtbot, view, at(first), at(last))
