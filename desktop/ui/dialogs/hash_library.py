"""The hash library dialog: the sets on this workstation, import with progress, remove, match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.hashset_formats import detect_format
from desktop.core.hashsets import AmbiguousFormat, HashSetError
from desktop.jobs.hashset_import import ImportResult, import_hashset
from desktop.jobs.match import MatchSummary, match_case
from desktop.store import hashlibrary
from desktop.store.db import CaseError
from desktop.ui import workers

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
COLUMNS = ("Name", "Records", "Bad", "Format", "Scheme", "Purpose", "Imported", "Source")
FILE_FILTER = (
    "Hash sets (*.json *.txt *.csv *.tsv *.md5 *.sha1 *.sha256 *.db *.sqlite *.pdq);;All files (*)"
)


class JobWorker(workers.JobWorker):
    """A job worker whose HashSetError becomes the one-sentence failure the dialog shows."""

    def _run(self) -> Any:
        try:
            return super()._run()
        except HashSetError as error:
            raise CaseError(str(error)) from None


class HashLibraryDialog(QDialog):
    """Lists the library's sets; Import… runs in a worker with progress and Stop; Remove asks
    first; "Match this case" re-matches the open case. `matched` fires after a match run."""

    matched = Signal(object)

    def __init__(self, case_path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Hash library")
        self.resize(900, 420)
        self.case_path = case_path
        self.worker: JobWorker | None = None
        self.where = QLabel(f"Library: {hashlibrary.default_library_path()}")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.import_button = QPushButton("Import…")
        self.remove_button = QPushButton("Remove")
        self.match_button = QPushButton("Match this case")
        self.match_button.setEnabled(case_path is not None)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setVisible(False)
        close = QPushButton("Close")
        self.import_button.clicked.connect(self.choose_import)
        self.remove_button.clicked.connect(self.remove_selected)
        self.match_button.clicked.connect(self.match)
        self.stop_button.clicked.connect(self.stop)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.import_button, self.remove_button, self.match_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    # ---- listing -------------------------------------------------------------------------------

    def reload(self) -> None:
        sets: list[hashlibrary.HashSet] = []
        if hashlibrary.library_exists():
            try:
                db = hashlibrary.open_library(create=False)
            except CaseError as error:
                self.message.setText(str(error))
            else:
                sets = hashlibrary.hash_sets(db)
                db.close()
        self.table.setRowCount(len(sets))
        for row, s in enumerate(sets):
            name = s.name + (" (incomplete)" if s.truncated else "")
            values = (name, s.record_count, s.bad_records, s.format, s.scheme or "-", s.purpose,
                      s.imported_at[:19].replace("T", " "), s.source_path)  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.ItemDataRole.UserRole, s.name)
                if isinstance(value, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.remove_button.setEnabled(bool(sets))

    def selected_name(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    # ---- jobs ----------------------------------------------------------------------------------

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a hash set", "", FILE_FILTER)
        if not path:
            return
        fmt = self._format_of(Path(path))
        if fmt == "":
            return
        name, ok = QInputDialog.getText(self, "Import a hash set", "Name of the set:",
                                        text=Path(path).stem)  # fmt: skip
        if ok and name.strip():
            self.start_import(Path(path), name.strip(), fmt)

    def _format_of(self, path: Path) -> str | None:
        """None to let the import detect it; the analyst's choice when the lines could be read
        two ways (SHA-256 or PDQ); "" when the analyst cancels."""
        try:
            detect_format(path)
        except AmbiguousFormat as error:
            labels = {"digests": "SHA-256 digests", "pdq": "PDQ hashes (ThreatExchange list)"}
            choices = [labels.get(c, c) for c in error.choices]
            text = f"{path.name} holds 64-hex-digit values. Are they…"
            chosen, ok = QInputDialog.getItem(self, "Import a hash set", text, choices, 0, False)
            return error.choices[choices.index(chosen)] if ok else ""
        except (HashSetError, OSError):
            pass  # the import says what is wrong, in the usual place
        return None

    def start_import(self, path: Path, name: str, fmt: str | None = None) -> JobWorker:
        def job(progress: Any, cancel: Any) -> ImportResult:
            return import_hashset(path, name, fmt, None, progress, cancel)

        return self._start(job, f"Importing {path.name}…", self._imported)

    def match(self) -> JobWorker | None:
        if self.case_path is None:
            return None
        case_path = self.case_path

        def job(progress: Any, cancel: Any) -> MatchSummary:
            return match_case(case_path, progress, cancel)

        return self._start(job, "Matching this case against the library…", self._matched)

    def _start(self, job: Any, text: str, done: Any) -> JobWorker:
        self._busy(True)
        self.message.setText(text)
        worker = JobWorker(job)
        worker.signals.progress.connect(workers.guarded(self, self._progress))
        worker.signals.result.connect(workers.guarded(self, done))
        worker.signals.failed.connect(workers.guarded(self, self._failed))
        worker.signals.finished.connect(workers.guarded(self, lambda: self._busy(False)))
        self.worker = worker
        return workers.start(worker)

    def set_case(self, case_path: Path | None) -> None:
        """The open case changed (None: no case open): what "Match this case" matches."""
        self.case_path = case_path
        self.match_button.setEnabled(case_path is not None and self.worker is None)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.message.setText("Stopping…")

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.stop_button.setVisible(busy)
        for button in (self.import_button, self.remove_button, self.match_button):
            button.setEnabled(not busy)
        if not busy:
            self.worker = None
            self.match_button.setEnabled(self.case_path is not None)
            self.remove_button.setEnabled(self.table.rowCount() > 0)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total if total > 0 else 0)  # 0..0: busy indicator
        if total > 0:
            self.progress.setValue(min(done, total))
        self.message.setText(message)

    def _imported(self, result: ImportResult) -> None:
        self.reload()
        if result.cancelled:
            self.message.setText("Import stopped: nothing was added to the hash library.")
            return
        text = f"Imported {result.records} records as {result.name!r} ({result.format})."
        if result.bad_records:
            text += f" {result.bad_records} malformed records were skipped"
            text += f", e.g. {result.reasons[0]}." if result.reasons else "."
        if result.truncated:
            text += f" Warning: {result.truncated_reason}; the records before it were kept."
        if self.case_path is not None:
            text += " Use “Match this case” to mark its known media."
        self.message.setText(text)

    def _matched(self, summary: MatchSummary) -> None:
        if summary.skipped:
            self.message.setText(f"Nothing to match: {summary.skipped}.")
        else:
            self.message.setText(
                f"Checked {summary.media_checked} media: {summary.known} known, "
                f"{summary.known_good} known good, {summary.probably_known} probably known."
            )
        self.matched.emit(summary)

    def _failed(self, message: str) -> None:
        self.message.setText(message)

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            self.message.setText("Choose a set to remove.")
            return
        answer = QMessageBox.question(
            self, "Remove hash set", f"Remove the set {name!r} and its records from the library?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(name)

    def remove(self, name: str) -> None:
        try:
            db = hashlibrary.open_library(create=False)
            removed = hashlibrary.remove_set(db, name)
            db.close()
        except CaseError as error:
            self.message.setText(str(error))
            return
        self.reload()
        self.message.setText(
            f"Removed {removed.name!r} ({removed.record_count} records). "
            "Match the case again to refresh its known media."
        )

    def closeEvent(self, event: Any) -> None:
        self.stop()
        super().closeEvent(event)
