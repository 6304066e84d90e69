"""Puts known material into the main window: a Hash library menu entry, and for each opened
case the "new material only" filter, known badges on the tiles and a Known tab in the viewer."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence

from desktop.ui.dialogs.hash_library import HashLibraryDialog
from desktop.ui.widgets.known_material import KnownBadges, KnownFilter, KnownPanel

SHORTCUT = "Ctrl+Shift+H"


class KnownMaterial:
    """Installed once per main window (which has `menus`, `case_opened` and `workspace`)."""

    def __init__(self, window: Any):
        self.window = window
        self.dialog: HashLibraryDialog | None = None
        self.action = QAction("Hash library…", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.triggered.connect(self.open_library)
        window.addAction(self.action)
        window.menus["file"].addAction(self.action)
        window.case_opened.append(self.case_opened)

    def case_opened(self, workspace: Any) -> None:
        workspace.known_filter = KnownFilter(workspace.filter_bar)
        workspace.known_badges = KnownBadges(workspace.db, workspace.grid)
        panel = workspace.known_panel = KnownPanel(workspace.db, workspace.scheme)
        workspace.viewer.add_side_panel(panel, "Known")
        workspace.viewer.media_changed.connect(panel.set_media)
        # ingest matches the media it adds: statuses seen while it ran may have changed
        workspace.ingest_finished.connect(lambda *_: self._refresh(workspace))
        if self.dialog is not None:
            self.dialog.case_path = workspace.case_path
            self.dialog.match_button.setEnabled(True)

    def open_library(self) -> HashLibraryDialog:
        workspace = self.window.workspace
        case_path = workspace.case_path if workspace is not None else None
        if self.dialog is None:
            self.dialog = HashLibraryDialog(case_path, self.window)
            self.dialog.matched.connect(self._matched)
        else:
            self.dialog.case_path = case_path
            self.dialog.match_button.setEnabled(case_path is not None)
            self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _matched(self, summary: Any) -> None:
        if self.window.workspace is not None:
            self._refresh(self.window.workspace)
            self.window.workspace.filter_bar.refresh()  # the filter's answer changed too

    def _refresh(self, workspace: Any) -> None:
        workspace.known_badges.clear()
        workspace.known_panel.set_media(workspace.known_panel.media_id)


def install_known_material(window: Any) -> KnownMaterial:
    window.known_material = KnownMaterial(window)
    return window.known_material
