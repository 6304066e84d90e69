"""Adding evidence to the open case: one ingest at a time, its progress panel, the grid polled
for the rows it commits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.jobs.ingest import IngestSummary
from desktop.ui import workers
from desktop.ui.models.media_model import MediaGridModel
from desktop.ui.widgets.ingest_panel import IngestPanel

GRID_POLL_MS = 2000  # ingest commits every ~2 s; look for new rows as often


class EvidenceIntake(QObject):
    """Runs desktop.jobs.ingest in the jobs pool for the case at `case_path` and shows it in
    `panel` (the workspace puts the panel above the grid). While it runs, `model` looks for
    new rows every GRID_POLL_MS. `started` says an ingest began; `finished` carries its
    summary once it ended (not when the case closed first); a failure is said in a message box
    over `workspace`."""

    started = Signal()
    finished = Signal(object)

    def __init__(self, case_path: Path, model: MediaGridModel, workspace: QWidget) -> None:
        super().__init__(workspace)
        self.case_path = case_path
        self.workspace = workspace
        self.panel = IngestPanel()
        self.panel.cancel_requested.connect(self.cancel)
        self.worker: workers.IngestWorker | None = None
        self.closed = False
        self.poll_timer = QTimer(self, interval=GRID_POLL_MS)
        self.poll_timer.timeout.connect(model.poll_new_rows)

    def add(self, sources: list[str], processes: int | None = None) -> workers.IngestWorker | None:
        if self.worker is not None:
            QMessageBox.information(
                self.workspace, "Vigil", "Evidence is already being added; wait for it to finish."
            )
            return None
        worker = workers.IngestWorker(self.case_path, sources, processes)
        worker.signals.progress.connect(self.panel.update_progress)
        worker.signals.result.connect(self._done)
        worker.signals.failed.connect(self._failed)
        self.worker = worker
        self.panel.begin(sources)
        self.poll_timer.start()
        self.started.emit()
        workers.start(worker, workers.pool("jobs"))
        return worker

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def close(self) -> None:
        """The case closes: stop the ingest; what it reports after is not shown."""
        self.closed = True
        self.cancel()

    def _done(self, summary: IngestSummary) -> None:
        self.worker = None
        if self.closed:
            return
        self.poll_timer.stop()
        workers.forget_similar_index(self.case_path)
        state = "Cancelled" if summary.cancelled else "Finished"
        self.panel.finish(
            f"{state}: {summary.seen:,} files, {summary.new_media:,} new media"
            f" in {summary.elapsed:.1f} s"
        )
        self.finished.emit(summary)

    def _failed(self, message: str) -> None:
        self.worker = None
        self.poll_timer.stop()
        self.panel.finish(message, failed=True)
        QMessageBox.warning(self.workspace, "Vigil", message)
