"""Verify evidence: re-read every file in a worker (progress, Cancel) and list what changed or
went missing since ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.controls import printable
from desktop.jobs.verify import VerifyReport, verify
from desktop.store.db import open_case
from desktop.ui.dialogs.job_panel import JobPanel


def run_verify(case_path: Path, progress: Any, cancel: Any) -> VerifyReport:
    db = open_case(case_path)  # the worker's own connection: verify audits its run
    try:
        return verify(db, progress, cancel)
    finally:
        db.close()


class VerifyDialog(QDialog):
    def __init__(self, case_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Verify evidence")
        self.resize(760, 460)
        self.case_path = case_path
        self.summary = QLabel("Re-read every evidence file and compare it with its SHA-256.")
        self.summary.setWordWrap(True)
        self.changed = QListWidget()
        self.missing = QListWidget()
        self.jobs = JobPanel()
        self.jobs.finished.connect(self._show)
        self.start_button = QPushButton("Verify")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Changed since ingest"))
        layout.addWidget(self.changed, 1)
        layout.addWidget(QLabel("Missing"))
        layout.addWidget(self.missing, 1)
        layout.addWidget(self.jobs)
        layout.addLayout(buttons)
        self.report: VerifyReport | None = None

    def start(self) -> None:
        self.start_button.setEnabled(False)
        self.changed.clear()
        self.missing.clear()
        self.jobs.run(lambda p, c: run_verify(self.case_path, p, c), "Verifying the evidence…")

    def _show(self, report: VerifyReport) -> None:
        self.report = report
        self.start_button.setEnabled(True)
        for row in report.changed:
            self.changed.addItem(printable(f"{row['path']}  ({row['problem']})"))
        for row in report.missing:
            self.missing.addItem(printable(row["path"]))
        verdict = "The evidence is unchanged." if report.clean else (
            "Stopped before every file was checked." if report.cancelled
            else "Some evidence changed or is missing."
        )  # fmt: skip
        self.summary.setText(
            f"{verdict} Checked {report.checked:,} files: {report.unchanged:,} unchanged, "
            f"{len(report.changed):,} changed, {len(report.missing):,} missing."
        )
        self.jobs.message.setText("")

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.jobs.cancel()
        super().closeEvent(event)
