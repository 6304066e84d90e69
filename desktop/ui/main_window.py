"""The main window: start screen or an open case, menus, toolbar, break reminder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from desktop.core import categories
from desktop.store.db import CASE_SUFFIX, CaseError, open_case
from desktop.ui.dialogs.evidence_dialog import EvidenceDialog
from desktop.ui.dialogs.settings_dialog import SettingsDialog
from desktop.ui.imaging import MIN_BLUR
from desktop.ui.known_hooks import install_known_material
from desktop.ui.report_hooks import CaseTools
from desktop.ui.settings import AnalystSettings
from desktop.ui.widgets.break_banner import BreakReminder
from desktop.ui.widgets.start_screen import StartScreen
from desktop.ui.workspace import CaseWorkspace


class MainWindow(QMainWindow):
    """Extension points: `workspace` (the open case; None on the start screen),
    `case_opened(workspace)` hooks (list of callables run after a case opens: add filters,
    side panels, menu actions), and the menus `self.menus[name]`.
    """

    def __init__(self, settings: AnalystSettings | None = None):
        super().__init__()
        self.setWindowTitle("Vigil")
        self.resize(1400, 900)
        self.settings = settings or AnalystSettings()
        self.workspace: CaseWorkspace | None = None
        self.case_opened: list[Any] = []
        self.start = StartScreen()
        self.start.new_case.connect(self.choose_new_case)
        self.start.open_case.connect(self.choose_case)
        self.start.open_path.connect(self.open_case)
        self.paused = self._paused_page()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start)
        self.pages.addWidget(self.paused)
        self.breaks = BreakReminder()
        self.breaks.pause_requested.connect(self.pause)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.breaks)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self._menus()
        self._toolbar()
        self.start.set_recent(self.settings.recent_cases())
        self.breaks.configure(self.settings.break_minutes)
        self._update_actions()
        geometry = self.settings.layout("window")
        if geometry:
            self.restoreGeometry(geometry)
        install_known_material(self)  # hash library menu, known filter and badges (issue 5)
        self.case_tools = CaseTools(self)  # report, verify, audit log, VICS, Help (issue 15)

    def scheme(self) -> categories.Scheme:
        try:
            return categories.scheme(self.settings.scheme or None)
        except KeyError:
            return categories.scheme()

    # ---- menus and toolbar -----------------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)
        return action

    def _menus(self) -> None:
        self.menus = {}
        bar = self.menuBar()
        file_menu = self.menus["file"] = bar.addMenu("&Case")
        self.new_action = self._action(
            "New case…", self.choose_new_case, QKeySequence.StandardKey.New
        )
        self.open_action = self._action(
            "Open case…", self.choose_case, QKeySequence.StandardKey.Open
        )
        self.add_action = self._action("Add evidence…", self.choose_evidence, "Ctrl+E")
        self.close_action = self._action("Close case", self.close_case, "Ctrl+W")
        for action in (self.new_action, self.open_action, self.add_action, self.close_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", self.close, QKeySequence.StandardKey.Quit))
        review_menu = self.menus["review"] = bar.addMenu("&Review")
        self.undo_action = self._action(
            "Undo last review change", self._undo, QKeySequence.StandardKey.Undo
        )
        review_menu.addAction(self.undo_action)
        review_menu.addSeparator()
        for category in self.scheme().categories:
            review_menu.addAction(f"{category.key}  {category.name}").setEnabled(False)
        review_menu.addAction("Return  Reviewed, no category").setEnabled(False)
        review_menu.addAction("Delete  Clear category").setEnabled(False)
        review_menu.addAction("Space (hold)  Look at the current picture").setEnabled(False)
        review_menu.addAction("R  Reveal / blur the current picture").setEnabled(False)
        view_menu = self.menus["view"] = bar.addMenu("&View")
        view_menu.addAction(self._action("Settings…", self.edit_settings, "Ctrl+,"))

    def _toolbar(self) -> None:
        tools = self.addToolBar("Review")
        tools.setObjectName("reviewToolbar")
        tools.setMovable(False)
        tools.addAction(self.add_action)
        tools.addSeparator()
        tools.addWidget(QLabel(" Blur "))
        self.blur_slider = QSlider(Qt.Orientation.Horizontal)
        self.blur_slider.setRange(MIN_BLUR, 100)
        self.blur_slider.setMaximumWidth(140)
        self.blur_slider.setValue(self.settings.blur_strength)
        self.blur_slider.setToolTip("Blur strength (it cannot be switched off)")
        self.blur_slider.valueChanged.connect(self._look_changed)
        tools.addWidget(self.blur_slider)
        self.grey_box = QCheckBox("Greyscale")
        self.grey_box.setChecked(self.settings.greyscale)
        self.grey_box.toggled.connect(self._look_changed)
        tools.addWidget(self.grey_box)
        tools.addWidget(QLabel("  Size "))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(64, 256)
        self.size_slider.setMaximumWidth(140)
        self.size_slider.setValue(self.settings.thumbnail_size)
        self.size_slider.valueChanged.connect(self._look_changed)
        tools.addWidget(self.size_slider)

    def _update_actions(self) -> None:
        has_case = self.workspace is not None
        for action in (self.add_action, self.close_action, self.undo_action):
            action.setEnabled(has_case)

    def _look_changed(self, *_: Any) -> None:
        self.settings.blur_strength = self.blur_slider.value()
        self.settings.greyscale = self.grey_box.isChecked()
        self.settings.thumbnail_size = self.size_slider.value()
        if self.workspace is not None:
            self.workspace.apply_look()

    def _undo(self) -> None:
        if self.workspace is not None:
            self.workspace.undo()

    # ---- cases -----------------------------------------------------------------------------------

    def choose_new_case(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New case", "", f"Vigil case (*{CASE_SUFFIX})")
        if path:
            if not path.endswith(CASE_SUFFIX):
                path += CASE_SUFFIX
            self.open_case(path, create=True)

    def choose_case(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open case", "", f"Vigil case (*{CASE_SUFFIX})")
        if path:
            self.open_case(path)

    def open_case(self, path: str | Path, create: bool = False) -> bool:
        """Open (or create) a case and show it; a problem is one sentence in a message box."""
        try:
            open_case(path, create=create).close()  # checks and migrates before the UI reads it
            workspace = CaseWorkspace(Path(path), self.scheme(), self.settings)
        except CaseError as error:
            QMessageBox.warning(self, "Vigil", str(error))
            return False
        self.close_case()
        self.workspace = workspace
        workspace.status_changed.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.pages.addWidget(workspace)
        self.pages.setCurrentWidget(workspace)
        self.settings.add_recent_case(path)
        self.setWindowTitle(f"Vigil · {Path(path).name}")
        self._update_actions()
        workspace.grid.setFocus()
        for hook in self.case_opened:
            hook(workspace)
        return True

    def close_case(self) -> None:
        if self.workspace is None:
            return
        self.workspace.close_case()
        self.pages.removeWidget(self.workspace)
        self.workspace.deleteLater()
        self.workspace = None
        self.start.set_recent(self.settings.recent_cases())
        self.pages.setCurrentWidget(self.start)
        self.setWindowTitle("Vigil")
        self._update_actions()

    def choose_evidence(self) -> None:
        if self.workspace is None:
            return
        dialog = EvidenceDialog(self)
        dialog.add_folder()  # most additions are one folder: start with its chooser
        if dialog.chosen() and dialog.exec():
            self.workspace.add_evidence(dialog.chosen())

    # ---- settings and breaks ---------------------------------------------------------------------

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.blur_slider.setValue(self.settings.blur_strength)
            self.grey_box.setChecked(self.settings.greyscale)
            self.breaks.configure(self.settings.break_minutes)
            self._look_changed()

    def _paused_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        label = QLabel("Paused. Pictures are hidden. Come back when you are ready.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        resume = QPushButton("Resume")
        resume.clicked.connect(self.resume)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addWidget(resume, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        return page

    def pause(self) -> None:
        if self.workspace is not None:
            self.workspace.blur_all()
        self.pages.setCurrentWidget(self.paused)

    def resume(self) -> None:
        self.pages.setCurrentWidget(self.workspace or self.start)

    def closeEvent(self, event) -> None:
        if self.workspace is not None and self.workspace.ingest_worker is not None:
            answer = QMessageBox.question(
                self, "Vigil", "Evidence is still being added. Stop it and quit? "
                "(What is done so far is kept; adding the same folder again resumes.)",
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.close_case()
        self.settings.set_layout("window", bytes(self.saveGeometry().data()))
        self.settings.sync()
        super().closeEvent(event)
