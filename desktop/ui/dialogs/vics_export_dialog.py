"""VICS export in the program: the file, the form (case or hash set), progress and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs.export_vics import export_vics
from desktop.store.db import CaseError, open_case
from desktop.ui.dialogs.job_panel import JobPanel

FORMS = {"A case (Project VIC, Griffeye, GLEAPP)": "cases", "A hash set (IPED's importer)": "media"}


def run_export(case_path: Path, out: Path, form: str, progress: Any, cancel: Any) -> Any:
    db = open_case(case_path)
    try:
        return export_vics(db, out, progress, cancel, form=form)
    except (OSError, ValueError) as error:
        raise CaseError(f"Cannot write {out}: {error}") from None
    finally:
        db.close()


class VicsExportDialog(QDialog):
    def __init__(self, case_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export VICS")
        self.resize(600, 200)
        self.case_path = case_path
        self.path = QLineEdit(str(case_path.with_name(case_path.stem + "-vics.json")))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose)
        self.form = QComboBox()
        self.form.addItems(list(FORMS))
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Write as", self.form)
        self.jobs = JobPanel()
        self.jobs.finished.connect(self._done)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.export)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.jobs)
        layout.addLayout(buttons)
        self.result: Any = None

    def choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "VICS file", self.path.text(), "*.json")
        if path:
            self.path.setText(path)

    def export(self) -> None:
        out, form = Path(self.path.text()), FORMS[self.form.currentText()]
        self.export_button.setEnabled(False)
        self.jobs.failed.connect(lambda _m: self.export_button.setEnabled(True))
        self.jobs.run(lambda p, c: run_export(self.case_path, out, form, p, c), "Exporting…")

    def _done(self, summary: Any) -> None:
        self.export_button.setEnabled(True)
        self.result = summary
        if summary.get("cancelled"):
            self.jobs.message.setText("Export stopped: no file was written.")
        else:
            self.jobs.message.setText(
                f"Wrote {summary.get('media', 0):,} media to {summary.get('path', '')}."
            )

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.jobs.cancel()
        super().closeEvent(event)
