"""A list for keyboard work: Delete removes, F2 edits, Insert adds, Enter activates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget


class KeyList(QListWidget):
    """A list where Delete, F2 and Insert call the panel's remove, edit and add; Enter and a
    double-click call `activate` (default: edit). Empty, it says what would go there."""

    def __init__(
        self,
        remove: Callable[[], None],
        edit: Callable[[], None],
        add: Callable[[], None],
        activate: Callable[[], None] | None = None,
        placeholder: str = "",
    ):
        super().__init__()
        self.placeholder = placeholder
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        activate = activate or edit
        self._keys = {
            Qt.Key.Key_Delete: remove,
            Qt.Key.Key_Backspace: remove,
            Qt.Key.Key_Return: activate,
            Qt.Key.Key_Enter: activate,
            Qt.Key.Key_F2: edit,
            Qt.Key.Key_Insert: add,
        }
        self.itemDoubleClicked.connect(lambda _item: activate())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        action = self._keys.get(event.key())
        if action is not None and (
            self.currentItem() is not None or event.key() == Qt.Key.Key_Insert
        ):
            action()
            event.accept()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.count() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(QColor("#6b7280"))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.viewport().rect().adjusted(8, 4, -8, -4), flags, self.placeholder)
