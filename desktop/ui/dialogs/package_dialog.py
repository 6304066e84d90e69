"""Case packages in the program: export (optionally signed, with a chosen key) and import (trust
a key; a preview shows what would be merged and every conflict before anything is written; the
analyst keeps theirs or takes the sender's record, conflict by conflict)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.packages import PackageError
from desktop.jobs.package_export import export_package
from desktop.jobs.package_import import import_package
from desktop.store.db import CaseError, open_case
from desktop.ui.dialogs.job_panel import JobPanel

PACKAGE_FILTER = "Vigil case package (*.vpkg);;All files (*)"
KEYS = "All files (*)"
PUBLIC_KEYS = "Public keys (*.pub);;All files (*)"


def _on_case(case_path: Path, job: Any) -> Any:
    """Run `job(db)` on a connection of the worker's own thread; refusals become one sentence."""
    db = open_case(case_path)
    try:
        return job(db)
    except PackageError as error:
        raise CaseError(str(error)) from None
    finally:
        db.close()


def _file_row(field: QLineEdit, pick: Any) -> QHBoxLayout:
    choose = QPushButton("Choose…")
    choose.clicked.connect(pick)
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(choose)
    return row


def _pick(parent: QWidget, field: QLineEdit, save: bool, filter_: str = PACKAGE_FILTER) -> None:
    chooser = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, _ = chooser(parent, "Choose a file", field.text(), filter_)
    if path:
        field.setText(path)


class _JobDialog(QDialog):
    """A form above a JobPanel and a row of buttons (the action button first)."""

    def __init__(self, title: str, action: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.jobs = JobPanel()
        self.action_button = QPushButton(action)
        self.action_button.setDefault(True)
        self.jobs.failed.connect(lambda _message: self.action_button.setEnabled(True))
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.action_button)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.buttons.addWidget(close)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)

    def finish_layout(self) -> None:
        self.body.addWidget(self.jobs)
        self.body.addLayout(self.buttons)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.jobs.cancel()
        super().closeEvent(event)


class PackageExportDialog(_JobDialog):
    def __init__(self, case_path: Path, parent: QWidget | None = None):
        super().__init__("Export case package", "Export", parent)
        self.resize(640, 240)
        self.case_path = case_path
        self.path = QLineEdit(str(case_path.with_suffix(".vpkg")))
        self.thumbnails = QCheckBox("Include thumbnails (pictures leave the case: blurred or not)")
        self.sign = QCheckBox("Sign with my key")
        self.key = QLineEdit()
        self.key.setPlaceholderText("private key file (vigil key new)")
        self.key.setEnabled(False)
        self.sign.toggled.connect(self.key.setEnabled)
        self.form.addRow("File", _file_row(self.path, partial(_pick, self, self.path, True)))
        self.form.addRow("", self.thumbnails)
        self.form.addRow("", self.sign)
        self.form.addRow("Key", _file_row(self.key, partial(_pick, self, self.key, False, KEYS)))
        self.action_button.clicked.connect(self.export)
        self.jobs.finished.connect(self._done)
        self.finish_layout()
        self.result: dict[str, Any] | None = None

    def export(self) -> None:
        key = self.key.text().strip() if self.sign.isChecked() else None
        if self.sign.isChecked() and not key:
            self.jobs.message.setText("Choose the private key to sign with.")
            return
        out, thumbnails = Path(self.path.text()), self.thumbnails.isChecked()
        self.action_button.setEnabled(False)
        self.jobs.run(lambda progress, cancel: _on_case(self.case_path, lambda db: export_package(
            db, out, thumbnails, key, progress, cancel)), "Writing the package…")  # fmt: skip

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.action_button.setEnabled(True)
        signed = f"signed by key {result['signer']}" if result["signer"] else "unsigned"
        self.jobs.message.setText(
            f"Wrote {result['media']:,} media to {result['path']} ({signed}); SHA-256 "
            f"{result['sha256']}."
        )


class PackageImportDialog(_JobDialog):
    """Check (a preview in a worker: nothing written), choose per conflict, then Import."""

    def __init__(self, case_path: Path, parent: QWidget | None = None):
        super().__init__("Import case package", "Check package", parent)
        self.resize(900, 520)
        self.case_path = case_path
        self.path = QLineEdit()
        self.path.setPlaceholderText("the package file")
        self.trust = QLineEdit()
        self.trust.setPlaceholderText("optional: the sender's public key (.pub); then a "
                                      "signature by it is required")  # fmt: skip
        self.form.addRow("Package", _file_row(self.path, partial(_pick, self, self.path, False)))
        trust_row = _file_row(self.trust, partial(_pick, self, self.trust, False, PUBLIC_KEYS))
        self.form.addRow("Trust key", trust_row)
        self.summary = QLabel("Check the package first: nothing is written until you import.")
        self.summary.setWordWrap(True)
        self.conflicts = QTableWidget(0, 2)
        self.conflicts.setHorizontalHeaderLabels(
            ["Take theirs", "Conflict (yours is kept unless ticked)"]
        )
        self.conflicts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.conflicts.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.conflicts, 1)
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        self.buttons.insertWidget(2, self.import_button)
        self.action_button.clicked.connect(self.check)
        self.jobs.finished.connect(self._done)
        self.jobs.failed.connect(lambda _message: self.import_button.setEnabled(False))
        self.finish_layout()
        self.preview: dict[str, Any] | None = None
        self.result: dict[str, Any] | None = None

    def _job(self, preview: bool, theirs: list[str]) -> Any:
        path = Path(self.path.text())
        trust = Path(self.trust.text()) if self.trust.text().strip() else None
        return lambda progress, cancel: _on_case(self.case_path, lambda db: import_package(
            db, path, trust, preview=preview, take_theirs=theirs, progress=progress,
            cancel=cancel))  # fmt: skip

    def check(self) -> None:
        self.preview = None
        self.import_button.setEnabled(False)
        self.action_button.setEnabled(False)
        self.jobs.run(self._job(True, []), "Checking the package and what it would change…")

    def chosen(self) -> list[str]:
        """Keys of the conflicts ticked "take theirs"."""
        keys = []
        for row in range(self.conflicts.rowCount()):
            item = self.conflicts.item(row, 0)
            if item.checkState() == Qt.CheckState.Checked:
                keys.append(item.data(Qt.ItemDataRole.UserRole))
        return keys

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.action_button.setEnabled(False)
        self.jobs.run(self._job(False, self.chosen()), "Importing…")

    def _done(self, summary: dict[str, Any]) -> None:
        self.action_button.setEnabled(True)
        if summary.get("preview"):
            self._show_preview(summary)
            return
        self.result = summary
        self.summary.setText(_describe(summary, "Imported"))
        self.conflicts.setRowCount(0)

    def _show_preview(self, summary: dict[str, Any]) -> None:
        self.preview = summary
        self.summary.setText(_describe(summary, "Would import"))
        choices = summary["choices"]
        self.conflicts.setRowCount(len(choices))
        for row, choice in enumerate(choices):
            tick = QTableWidgetItem("")
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, choice["key"])
            self.conflicts.setItem(row, 0, tick)
            # the column says yours is kept unless ticked: a row saying so too reads wrong
            # once ticked (the CLI's sentence keeps it)
            reason = choice["reason"].removesuffix(" (yours is kept)")
            self.conflicts.setItem(row, 1, QTableWidgetItem(reason.removesuffix("; yours is kept")))
        self.import_button.setEnabled(True)
        self.jobs.message.setText("Nothing has been written. Tick the conflicts where the "
                                  "sender's record should replace yours, then Import.")  # fmt: skip


def _describe(summary: dict[str, Any], verb: str) -> str:
    trust = (
        "signed by the trusted key" if summary["trusted"]
        else f"signed by an untrusted key {summary['signer']}" if summary["signer"]
        else "UNSIGNED"
    )  # fmt: skip
    merged = summary.get("investigation") or {}
    parts = []
    for what in ("entities", "links", "clues", "tags"):
        counts = merged.get(what) or {}
        done = {k: v for k, v in counts.items() if v}
        if done:
            parts.append(
                what + " " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in done.items())
            )
    again = " (imported before: merged again, no duplicates)" if summary["already_imported"] else ""
    return (
        f"{verb} {Path(summary['file']).name} ({trust}){again}: {summary['records']:,} records, "
        f"{summary['in_case']:,} media of this case; {summary['conflict_count']} conflicts. "
        + "; ".join(parts)
    )
