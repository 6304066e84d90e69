"""The first screen: create a case, open one, or pick a recent one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip


class StartScreen(QWidget):
    """Big, plain choices; the window does the file dialogs (so tests can drive it directly)."""

    new_case = Signal()
    open_case = Signal()
    open_path = Signal(str)
    demo = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("startScreen")
        title = QLabel("Vigil")
        title.setObjectName("startTitle")
        subtitle = QLabel(
            "Offline review of seized picture collections. Pictures are always shown blurred "
            "until you choose to look at one, and every look is timed and recorded.\n\n"
            "To learn the program, try it on harmless generated pictures: the demo case."
        )
        subtitle.setWordWrap(True)
        self.new_button = QPushButton("New case…")
        self.open_button = QPushButton("Open case…")
        self.demo_button = QPushButton("Try the demo case")
        self.demo_button.setToolTip("Harmless generated pictures, ingested into a demo case")
        for button in (self.new_button, self.open_button, self.demo_button):
            button.setMinimumHeight(40)
            button.setMinimumWidth(160)
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_case)
        self.open_button.clicked.connect(self.open_case)
        self.demo_button.clicked.connect(self.demo)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.recent = QListWidget()
        self.recent.setObjectName("recentCases")
        self.recent.itemActivated.connect(
            lambda item: self.open_path.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.recent.itemDoubleClicked.connect(
            lambda item: self.open_path.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addWidget(self.status)
        column.addSpacing(16)
        column.addWidget(QLabel("Recent cases (double-click to open)"))
        column.addWidget(self.recent, 1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            exists = Path(path).exists()
            item = QListWidgetItem(
                f"{Path(path).name}    {path}" + ("" if exists else "  (missing)")
            )
            item.setData(Qt.ItemDataRole.UserRole, path)
            if not exists:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
        if not paths:
            item = QListWidgetItem("No recent cases yet.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)
