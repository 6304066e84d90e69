"""The strip that shows a running ingest: progress, files per second, time left, Cancel."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


def eta_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s left"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min left"
    return f"{seconds / 3600:.1f} h left"


class IngestPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ingestPanel")
        self.label = QLabel("Adding evidence…")
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(240)
        self.rate = QLabel("")
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self._cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.hide)
        self.close_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.rate)
        layout.addWidget(self.cancel)
        layout.addWidget(self.close_button)
        self._started = time.monotonic()
        self._first_done: tuple[float, int] | None = None
        self.sources = ""
        self.hide()

    def begin(self, sources: list[str]) -> None:
        self.sources = ", ".join(sources)
        self.label.setText(f"Adding evidence: {self.sources}")
        self.bar.setRange(0, 0)
        self.rate.setText("counting files…")
        self.cancel.setEnabled(True)
        self.cancel.show()
        self.close_button.hide()
        self._started = time.monotonic()
        self._first_done = None
        self.show()

    def update_progress(self, done: int, total: int, message: str) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
            return
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
        now = time.monotonic()
        if self._first_done is None:
            self._first_done = (now, done)  # rate from here: counting is not reading
            return
        t0, d0 = self._first_done
        if now - t0 > 0.5 and done > d0:
            rate = (done - d0) / (now - t0)
            self.rate.setText(
                f"{done:,} of {total:,} · {rate:,.0f} files/s · {eta_text((total - done) / rate)}"
            )
        else:
            self.rate.setText(f"{done:,} of {total:,}")

    def finish(self, text: str, failed: bool = False) -> None:
        """The ingest ended: say how, and offer Close (it also closes itself after a while)."""
        QTimer.singleShot(30_000, self._hide_if_idle)  # the result stays readable a while
        what = "Could not add evidence from" if failed else "Evidence added from"
        self.label.setText(f"{what} {self.sources}")
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.rate.setText(text)
        self.cancel.setEnabled(False)
        self.cancel.hide()
        self.close_button.show()

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.rate.setText("cancelling: finishing files in flight…")
        self.cancel_requested.emit()

    def _hide_if_idle(self) -> None:
        if not self.cancel.isEnabled():  # not running again since
            self.hide()
