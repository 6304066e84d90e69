"""A calm banner suggesting a break after a stretch of reviewing (timer set in settings)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class BreakReminder(QWidget):
    """Shows itself every `minutes` of open case time; 0 minutes turns it off."""

    pause_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("breakBanner")
        self.label = QLabel()
        pause = QPushButton("Take a break (hide pictures)")
        pause.clicked.connect(self._pause)
        dismiss = QPushButton("Not now")
        dismiss.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(pause)
        layout.addWidget(dismiss)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.remind)
        self.minutes = 0
        self.hide()

    def configure(self, minutes: int) -> None:
        self.minutes = minutes
        self.timer.stop()
        if minutes > 0:
            self.timer.start(minutes * 60_000)

    def remind(self) -> None:
        span = "1 minute" if self.minutes == 1 else f"{self.minutes} minutes"
        self.label.setText(
            f"You have been reviewing for {span}. A short break away from the "
            "screen helps: stand up, look outside, talk to someone."
        )
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.configure(self.minutes)  # the next reminder counts from now

    def _pause(self) -> None:
        self.dismiss()
        self.pause_requested.emit()
