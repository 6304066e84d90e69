"""A progress bar, a message line and Cancel for one long job run in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.ui import workers


class JobPanel(QWidget):
    """Runs `fn(progress, cancel)` in the jobs pool; `finished(result)` on success (after a
    cancel too: the job says it stopped), the one-sentence failure in the message line."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker: workers.JobWorker | None = None
        self.bar = QProgressBar()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.bar.setVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.message, 2)

    @property
    def running(self) -> bool:
        return self.worker is not None

    def run(self, fn: Callable[..., Any], message: str) -> None:
        self.worker = worker = workers.JobWorker(fn)
        worker.signals.progress.connect(workers.guarded(self, self._progress))
        worker.signals.result.connect(workers.guarded(self, self._done))
        worker.signals.failed.connect(workers.guarded(self, self._failed))
        self.bar.setRange(0, 0)  # busy until the job gives a total
        self.bar.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.message.setText(message)
        workers.start(worker, workers.pool("jobs"))

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.message.setText("Stopping…")

    def _progress(self, done: int, total: int, message: str) -> None:
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        self.message.setText(f"{message}: {done:,} of {total:,}" if total else message)

    def _end(self) -> None:
        self.worker = None
        self.cancel_button.setEnabled(False)
        self.bar.setVisible(False)

    def _done(self, result: Any) -> None:
        self._end()
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self._end()
        self.message.setText(message)
        self.failed.emit(message)
