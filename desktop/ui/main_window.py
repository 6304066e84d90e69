"""The main window: start screen or an open case, menus, toolbar, break reminder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
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
from desktop.jobs.demo import default_demo_dir, demo_case, write_demo_evidence
from desktop.store.audit import current_user
from desktop.store.db import CASE_SUFFIX, CaseError, open_case
from desktop.ui import workers
from desktop.ui.dialogs.evidence_dialog import EvidenceDialog
from desktop.ui.dialogs.settings_dialog import SettingsDialog
from desktop.ui.hosting import WindowPart
from desktop.ui.imaging import MIN_BLUR
from desktop.ui.known_hooks import KnownMaterial
from desktop.ui.report_hooks import CaseTools
from desktop.ui.reveal import exposure_text
from desktop.ui.settings import AnalystSettings
from desktop.ui.style import icon
from desktop.ui.widgets.break_banner import BreakReminder
from desktop.ui.widgets.start_screen import StartScreen
from desktop.ui.workspace import CaseWorkspace


class MainWindow(QMainWindow):
    """The start screen or the open case (`workspace`; None on the start screen).

    Features plug in as WindowParts (desktop.ui.hosting): `add_part(part)` (told when a case
    opens and closes) and `add_action(menu, action)` for their menu entries, in the menus
    "case", "review", "tools", "view" and "help". The Review menu lists the open case's keys
    (its KeyOwner's bindings), enabled, each running its action.
    """

    def __init__(self, settings: AnalystSettings | None = None):
        super().__init__()
        self.setWindowTitle("Vigil")
        self.resize(1400, 900)
        self.setAcceptDrops(True)  # evidence folders dropped on the window are added
        self.settings = settings or AnalystSettings()
        self.workspace: CaseWorkspace | None = None
        self.parts: list[WindowPart] = []
        self._case_actions: list[QAction] = []  # the open case's keys, in the menus
        self.start = StartScreen()
        self.start.new_case.connect(self.choose_new_case)
        self.start.open_case.connect(self.choose_case)
        self.start.open_path.connect(self.open_case)
        self.start.demo.connect(self.start_demo)
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
        self.breaks.configure(self.settings.break_minutes, self.settings.break_counts_exposure)
        self._update_actions()
        geometry = self.settings.layout("window")
        if geometry:
            self.restoreGeometry(geometry)
        self.count_label = QLabel("")  # what the grid shows and how much is reviewed
        self.count_label.setObjectName("countLabel")
        self.statusBar().addWidget(self.count_label, 1)
        self.status_label = QLabel("")  # case, analyst, exposure today
        self.status_label.setObjectName("caseStatus")
        self.statusBar().addPermanentWidget(self.status_label)
        self.known_material = KnownMaterial(self)  # hash library, known filter and badges
        self.add_part(self.known_material)
        self.case_tools = CaseTools(self)  # report, verify, audit log, VICS, Help (issue 15)
        self.add_part(self.case_tools)

    def add_part(self, part: WindowPart) -> None:
        self.parts.append(part)
        if self.workspace is not None:
            part.case_opened(self.workspace)

    def add_action(self, menu: str, action: QAction) -> None:
        """A feature's menu entry; in the Case menu it goes above Quit."""
        target = self.menus[menu]
        if menu == "case":
            target.insertAction(self.quit_separator, action)
        else:
            target.addAction(action)
        self.addAction(action)  # its shortcut works wherever the focus is

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
        file_menu = self.menus["case"] = bar.addMenu("&Case")
        self.new_action = self._action(
            "New case…", self.choose_new_case, QKeySequence.StandardKey.New
        )
        self.open_action = self._action(
            "Open case…", self.choose_case, QKeySequence.StandardKey.Open
        )
        self.add_evidence_action = self._action(
            "Add evidence…", lambda: self.choose_evidence(), "Ctrl+E"
        )
        self.add_evidence_action.setIcon(icon("add-evidence"))
        self.close_action = self._action("Close case", self.close_case, "Ctrl+W")
        for action in (
            self.new_action,
            self.open_action,
            self.add_evidence_action,
            self.close_action,
        ):
            file_menu.addAction(action)
        self.quit_separator = file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", self.close, QKeySequence.StandardKey.Quit))
        self.menus["review"] = bar.addMenu("&Review")
        self.menus["investigation"] = bar.addMenu("&Investigation")
        self.menus["tools"] = bar.addMenu("&Tools")
        view_menu = self.menus["view"] = bar.addMenu("&View")
        view_menu.addAction(self._action("Settings…", self.edit_settings, "Ctrl+,"))
        self.menus["help"] = bar.addMenu("&Help")

    def _toolbar(self) -> None:
        tools = self.tools = self.addToolBar("Review")
        tools.setObjectName("reviewToolbar")
        tools.setMovable(False)
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tools.addAction(self.add_evidence_action)
        tools.addSeparator()
        self.case_tool_actions = []
        for name, text, tip, run in (
            ("next-unreviewed", "Next unreviewed", "The next media not yet reviewed (U)",
             lambda ws: ws.tile_tools.next_unreviewed()),
            ("reveal", "Reveal", "Reveal the current picture until you move on (R)",
             lambda ws: ws.picture_reveal.toggle_reveal()),
            ("compare", "Compare", "The two selected media side by side (C)",
             lambda ws: ws.tile_tools.compare()),
            ("list", "Grid / list", "The grid, or a list with columns (V)",
             lambda ws: ws.toggle_list()),
            ("detach", "Viewer window", "The viewer in a window of its own, for a second "
             "screen (Ctrl+Shift+D)", lambda ws: ws.toggle_viewer_window()),
        ):  # fmt: skip
            action = QAction(icon(name), text, self)
            action.setToolTip(tip)
            action.triggered.connect(lambda _=False, r=run: self.workspace and r(self.workspace))
            tools.addAction(action)
            self.case_tool_actions.append(action)
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
        for action in (self.add_evidence_action, self.close_action):
            action.setEnabled(has_case)
        self.tools.setVisible(has_case)  # blur and size mean nothing without pictures

    def _case_menus(self, workspace: CaseWorkspace | None) -> None:
        """The open case's keys as menu entries (enabled; the key shown beside each)."""
        for action in self._case_actions:
            for menu in self.menus.values():
                menu.removeAction(action)
            action.deleteLater()
        self._case_actions = []
        if workspace is None:
            return
        for name in ("review", "investigation"):
            for binding in workspace.keys.bindings(name):
                key = QKeySequence(binding.keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
                action = QAction(f"{binding.title}\t{key}", self)
                action.triggered.connect(lambda _=False, b=binding: b.action())
                self.menus[name].addAction(action)
                self._case_actions.append(action)

    def _show_status(self, today: dict[str, float] | None = None) -> None:
        """Case, analyst and today's exposure, always in view while a case is open."""
        workspace = self.workspace
        if workspace is None:
            self.status_label.setText("")
            return
        seconds = today if today is not None else workspace.reveals.today
        self.status_label.setText(
            f"{workspace.case_path.name} · analyst {current_user()} · {exposure_text(seconds)}"
        )

    def _look_changed(self, *_: Any) -> None:
        self.settings.blur_strength = self.blur_slider.value()
        self.settings.greyscale = self.grey_box.isChecked()
        self.settings.thumbnail_size = self.size_slider.value()
        if self.workspace is not None:
            self.workspace.apply_look()

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
        workspace.count_changed.connect(self.count_label.setText)
        workspace.add_evidence_requested.connect(self.choose_evidence)
        self.pages.addWidget(workspace)
        self.pages.setCurrentWidget(workspace)
        self.settings.add_recent_case(path)
        self.setWindowTitle(f"Vigil · {Path(path).name}")
        self._update_actions()
        workspace.grid.setFocus()
        for part in self.parts:
            part.case_opened(workspace)
        self._case_menus(workspace)
        workspace.reveals.exposure_changed.connect(self._show_status)
        workspace.reveals.exposure_changed.connect(self.breaks.exposure_changed)
        self.breaks.exposure_changed(workspace.reveals.today)  # the baseline: counts from now
        self._show_status()
        return True

    def close_case(self) -> None:
        if self.workspace is None:
            return
        self.workspace.close_case()
        self._case_menus(None)
        for part in self.parts:
            part.case_closed()
        self.pages.removeWidget(self.workspace)
        self.workspace.deleteLater()
        self.workspace = None
        self.count_label.setText("")
        self._show_status()
        self.start.set_recent(self.settings.recent_cases())
        self.pages.setCurrentWidget(self.start)
        self.setWindowTitle("Vigil")
        self._update_actions()

    def start_demo(self) -> workers.Worker:
        """The demo case: sample pictures written once in a worker, then the case opened and
        the pictures added as any evidence is (progress in the ingest strip)."""
        folder = default_demo_dir()
        self.start.demo_button.setEnabled(False)
        self.start.status.setText(f"Writing harmless sample pictures to {folder}…")
        worker = workers.Worker(write_demo_evidence, folder)

        def written(evidence: Path) -> None:
            self.start.demo_button.setEnabled(True)
            self.start.status.setText("")
            if self.open_case(demo_case(folder), create=True) and self.workspace is not None:
                self.workspace.evidence.add([str(evidence)])

        def failed(message: str) -> None:
            self.start.demo_button.setEnabled(True)
            self.start.status.setText(message)

        worker.signals.result.connect(workers.guarded(self, written))
        worker.signals.failed.connect(workers.guarded(self, failed))
        return workers.start(worker)

    def choose_evidence(self, dropped: list[str] | None = None) -> None:
        """Ask which evidence to add (starting from the folders dropped on the window, or
        from a folder chooser), then add it."""
        if self.workspace is None:
            return
        dialog = EvidenceDialog(self)
        if dropped:
            dialog.add_paths(dropped)
        else:
            dialog.add_folder()  # most additions are one folder: start with its chooser
        if dialog.chosen() and dialog.exec():
            self.workspace.evidence.add(dialog.chosen())

    # ---- evidence dropped on the window ----------------------------------------------------------

    @staticmethod
    def _local_paths(event: QDropEvent | QDragEnterEvent) -> list[str]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [u.toLocalFile() for u in urls if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self._local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = self._local_paths(event)
        if not paths:
            return
        event.acceptProposedAction()
        if self.workspace is None:
            self.statusBar().showMessage(
                "Open or create a case first, then drop the evidence folders on it.", 8000
            )
            return
        self.choose_evidence(paths)

    # ---- settings and breaks ---------------------------------------------------------------------

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.blur_slider.setValue(self.settings.blur_strength)
            self.grey_box.setChecked(self.settings.greyscale)
            self.breaks.configure(self.settings.break_minutes, self.settings.break_counts_exposure)
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
            self.workspace.picture_reveal.blur_all()
        self.pages.setCurrentWidget(self.paused)

    def resume(self) -> None:
        self.pages.setCurrentWidget(self.workspace or self.start)

    def closeEvent(self, event) -> None:
        if self.workspace is not None and self.workspace.evidence.worker is not None:
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
