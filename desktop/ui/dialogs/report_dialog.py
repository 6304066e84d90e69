"""The Report dialog: scope (the grid's selection too), format, blurred or sharp with a reason;
the report job runs in a worker with progress and Cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs.report import ReportError, make_scope, write_report
from desktop.jobs.verify import verify
from desktop.store.db import CaseError, open_case
from desktop.ui.dialogs.job_panel import JobPanel

FORMATS = {"HTML (one file, prints well)": "html", "PDF": "pdf", "CSV (media table)": "csv",
           "Excel XLSX (media table)": "xlsx"}  # fmt: skip
SCOPES = {
    "The whole case": "all",
    "The media selected in the grid": "media",
    "One category (number)": "category",
    "Media carrying a tag": "tag",
    "Media linked to an entity (number or name)": "entity",
}
VALUE_HINTS = {"category": "category number (-1: uncategorised)", "tag": "tag name",
               "entity": "entity number or name"}  # fmt: skip


def run_report(
    case_path: Path, out: Path, scope_kind: str, scope_value: Any, reason: str | None,
    reread: bool, progress: Any, cancel: Any,
) -> Any:  # fmt: skip
    """The job as the worker runs it, on a connection of the worker's own thread."""
    db = open_case(case_path)
    try:
        scope = make_scope(db, scope_kind, scope_value)
        fresh = verify(db, progress, cancel).as_dict() if reread else None
        if cancel():
            return None
        return write_report(db, case_path, out, scope, unblurred_reason=reason,
                            verification=fresh, force=True, progress=progress,
                            cancel=cancel)  # fmt: skip
    except ReportError as error:
        raise CaseError(str(error)) from None
    finally:
        db.close()


class ReportDialog(QDialog):
    def __init__(self, case_path: Path, selection: Sequence[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Write a case report")
        self.resize(620, 330)
        self.case_path, self.selection = case_path, list(selection)
        self.scope = QComboBox()
        self.scope.addItems(list(SCOPES))
        self.scope_value = QLineEdit()
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.path = QLineEdit(str(case_path.with_name(case_path.stem + "-report.html")))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_path)
        self.format.currentTextChanged.connect(self._format_changed)
        self.sharp = QCheckBox("Sharp pictures (unblurred): every page says so, and it is audited")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(
            "Why the pictures must be sharp (required, goes into the audit log)"
        )
        self.reason.setEnabled(False)
        self.sharp.toggled.connect(self.reason.setEnabled)
        self.sharp.toggled.connect(lambda _on: self.jobs.message.clear())
        self.reread = QCheckBox("Re-read the evidence now and print the result on the cover")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(choose)
        form = QFormLayout()
        form.addRow("Scope", self.scope)
        form.addRow("", self.scope_value)
        form.addRow("Format", self.format)
        form.addRow("File", path_row)
        form.addRow("", self.sharp)
        form.addRow("Reason", self.reason)
        form.addRow("", self.reread)
        self.selection_note = QLabel(f"{len(self.selection)} media selected in the grid.")
        self.scope.currentTextChanged.connect(self._scope_changed)
        self._scope_changed(self.scope.currentText())
        self.jobs = JobPanel()
        self.jobs.finished.connect(self._finished)
        self.write_button = QPushButton("Write report")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.selection_note)
        layout.addWidget(self.jobs)
        layout.addLayout(buttons)
        self.result: Any = None

    def _scope_changed(self, text: str) -> None:
        """The value field only for the scopes that need one, saying what to type."""
        kind = SCOPES[text]
        self.scope_value.setEnabled(kind in VALUE_HINTS)
        self.scope_value.setPlaceholderText(VALUE_HINTS.get(kind, "(nothing to type)"))
        self.selection_note.setVisible(kind == "media")

    def _format_changed(self, text: str) -> None:
        path = Path(self.path.text() or "report.html")
        self.path.setText(str(path.with_suffix("." + FORMATS[text])))

    def choose_path(self) -> None:
        kind = FORMATS[self.format.currentText()]
        path, _ = QFileDialog.getSaveFileName(self, "Report", self.path.text(), f"*.{kind}")
        if path:
            self.path.setText(path if path.endswith(f".{kind}") else f"{path}.{kind}")

    def write(self) -> None:
        kind = SCOPES[self.scope.currentText()]
        value: Any = self.scope_value.text().strip()
        if kind == "media":
            value = self.selection
        elif kind == "category":
            try:
                value = int(value)
            except ValueError:
                self.jobs.message.setText("Give the category as a number (-1: uncategorised).")
                return
        reason = self.reason.text().strip() if self.sharp.isChecked() else None
        if self.sharp.isChecked() and not reason:
            self.jobs.message.setText("Sharp pictures need a reason; it goes into the audit log.")
            return
        out = Path(self.path.text())
        self.write_button.setEnabled(False)
        self.jobs.run(
            lambda progress, cancel: run_report(self.case_path, out, kind, value, reason,
                                                self.reread.isChecked(), progress, cancel),
            "Writing the report…",
        )  # fmt: skip
        self.jobs.failed.connect(lambda _m: self.write_button.setEnabled(True))

    def _finished(self, summary: Any) -> None:
        self.write_button.setEnabled(True)
        self.result = summary
        if summary is None or summary.cancelled:
            self.jobs.message.setText("Report stopped: no file was written.")
            return
        state = "UNBLURRED" if summary.unblurred else "pictures blurred"
        self.jobs.message.setText(f"Wrote {summary.media:,} media to {summary.path} ({state}).")

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.jobs.cancel()
        super().closeEvent(event)
