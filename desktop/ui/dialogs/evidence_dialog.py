"""Choosing the evidence to add: several folders (or files) at once, read only."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip


class EvidenceDialog(QDialog):
    """A list of evidence folders and files to ingest together; Add starts one ingest."""

    def __init__(
        self,
        parent: QWidget | None = None,
        pick_folder: Callable[[], str] | None = None,
        pick_files: Callable[[], list[str]] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Add evidence")
        # The pickers are the standard file dialogs; tests give their own.
        self._pick_folder = pick_folder or (
            lambda: QFileDialog.getExistingDirectory(self, "Evidence folder (read only)")
        )
        self._pick_files = pick_files or (
            lambda: QFileDialog.getOpenFileNames(self, "Evidence files (read only)")[0]
        )
        self.sources = QListWidget()
        folder = QPushButton("Add folder…")
        folder.clicked.connect(self.add_folder)
        files = QPushButton("Add files…")
        files.clicked.connect(self.add_files)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self.remove_selected)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Ingest")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (folder, files, self.remove):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Evidence is only read: Vigil never writes beside it or changes its times.")
        )
        layout.addWidget(self.sources)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self._update()

    def chosen(self) -> list[str]:
        return [self.sources.item(i).text() for i in range(self.sources.count())]

    def _add(self, paths: list[str]) -> None:
        present = set(self.chosen())
        for path in paths:
            if path and path not in present:
                self.sources.addItem(path)
                present.add(path)
        self._update()

    def add_paths(self, paths: list[str]) -> None:
        """Folders or files chosen another way (dropped on the window)."""
        self._add(paths)

    def add_folder(self) -> None:
        self._add([self._pick_folder()])

    def add_files(self) -> None:
        self._add(self._pick_files())

    def remove_selected(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.sources.count() > 0)
