"""A calm banner suggesting a break after a stretch of reviewing: every so many minutes of open
case (wall time), or, when the analyst chose it, of time exposed (revealed pictures and video,
sound heard)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class BreakReminder(QWidget):
    """Shows itself every `minutes` of open case time, or of exposure when `counts_exposure`
    (fed by `exposure_changed` with today's totals); 0 minutes turns it off."""

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
        self.counts_exposure = False
        self._exposed = 0.0  # seconds of exposure counted since the last reminder
        self._last_total: float | None = None
        self.hide()

    def configure(self, minutes: int, counts_exposure: bool = False) -> None:
        self.minutes, self.counts_exposure = minutes, counts_exposure
        self._exposed = 0.0
        self.timer.stop()
        if minutes > 0 and not counts_exposure:
            self.timer.start(minutes * 60_000)

    def exposure_changed(self, today: dict[str, float]) -> None:
        """Today's exposure totals (desktop.ui.reveal): what grew since the last call counts."""
        total = sum(today.values())
        grown = total - self._last_total if self._last_total is not None else 0.0
        self._last_total = total
        if not self.counts_exposure or self.minutes <= 0:
            return
        self._exposed += max(grown, 0.0)
        if self._exposed >= self.minutes * 60:
            self.remind()

    def remind(self) -> None:
        span = "1 minute" if self.minutes == 1 else f"{self.minutes} minutes"
        what = "looking at revealed material or listening" if self.counts_exposure else "reviewing"
        self.label.setText(
            f"You have been {what} for {span}. A short break away from the "
            "screen helps: stand up, look outside, talk to someone."
        )
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.configure(self.minutes, self.counts_exposure)  # the next one counts from now

    def _pause(self) -> None:
        self.dismiss()
        self.pause_requested.emit()
