"""The viewer in a window of its own, for a second screen; closing it puts the viewer back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class ViewerWindow(QWidget):
    closed = Signal()

    def __init__(self, viewer: QWidget, title: str):
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"Vigil viewer · {title}")
        self.setObjectName("viewerWindow")
        self.resize(1000, 760)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(viewer)  # reparented here; the workspace takes it back on close
        self.viewer = viewer

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.closed.emit()
        super().closeEvent(event)
