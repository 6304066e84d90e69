"""Known material in the program: a Hash library menu entry (a WindowPart), and in each open
case the "new material only" filter, known badges on the tiles and a Known tab (a
WorkspacePart); see desktop.ui.hosting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from desktop.core.regions import Region
from desktop.ui.dialogs.hash_library import HashLibraryDialog
from desktop.ui.widgets.known_material import KnownBadges, KnownFilter, KnownPanel

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.workspace import CaseWorkspace

SHORTCUT = "Ctrl+Shift+H"


class KnownInCase:
    """What known material adds to one open case (a WorkspacePart)."""

    def __init__(self, workspace: CaseWorkspace):
        self.workspace = workspace
        self.filter = KnownFilter(workspace)
        self.badges = KnownBadges()
        workspace.add_badges(self.badges)
        self.panel = KnownPanel(workspace.db, workspace.scheme)
        workspace.add_panel(self.panel, "Known")

    def media_shown(self, media_id: int | None) -> None:
        self.panel.set_media(media_id)

    def reveal_region(self, media_id: int) -> Region | None:
        return None

    def reveal_kind(self, media_id: int) -> str | None:
        return None

    def frame_time(self, media_id: int) -> float | None:
        return None

    def case_changed(self) -> None:
        """Ingest matches the media it adds, a match run rematches: statuses may differ."""
        self.workspace.refresh_badges()
        self.panel.set_media(self.panel.media_id)

    def close(self) -> None:
        return None


class KnownMaterial:
    """The hash library in the main window (a WindowPart): its dialog, and KnownInCase for the
    open case."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.dialog: HashLibraryDialog | None = None
        self.in_case: KnownInCase | None = None
        self.action = QAction("Hash library…", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.triggered.connect(self.open_library)
        window.add_action("tools", self.action)

    def case_opened(self, workspace: CaseWorkspace) -> None:
        self.in_case = KnownInCase(workspace)
        workspace.add_part(self.in_case)
        if self.dialog is not None:
            self.dialog.set_case(workspace.case_path)

    def case_closed(self) -> None:
        self.in_case = None
        if self.dialog is not None:
            self.dialog.set_case(None)

    def open_library(self) -> HashLibraryDialog:
        workspace = self.window.workspace
        case_path = workspace.case_path if workspace is not None else None
        if self.dialog is None:
            self.dialog = HashLibraryDialog(case_path, self.window)
            self.dialog.matched.connect(self._matched)
        else:
            self.dialog.set_case(case_path)
            self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _matched(self, _summary: object) -> None:
        if self.in_case is not None:
            self.in_case.case_changed()
            self.in_case.workspace.refresh_filters()  # the filter's answer changed too
