"""What the grid says when it has nothing to show, and the bar of an open stack."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """A sentence and at most one button, centred over the grid's viewport: "No evidence in
    this case yet. [Add evidence…]", "No media match these filters. [Clear filters]"."""

    def __init__(self, viewport: QWidget):
        super().__init__(viewport)
        self.setObjectName("emptyState")
        self.label = QLabel()
        self.label.setObjectName("emptyStateText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.action = QPushButton()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        viewport.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, action: str = "") -> None:
        self.label.setText(text)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False


class StackBar(QWidget):
    """Above the grid while a near-duplicate stack is open: what it is and the way back."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stackBar")
        self.label = QLabel()
        self.back = QPushButton("Back to all media (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.back)
        self.hide()

    def show_stack(self, media_id: int, members: int) -> None:
        self.label.setText(
            f"Near-duplicate stack of media {media_id}: {members} media, each with its distance "
            "to its nearest member and what differs. Filters do not apply inside a stack."
        )
        self.label.setWordWrap(True)
        self.show()
