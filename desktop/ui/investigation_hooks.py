"""Puts the investigation into an open case: clue panel beside the viewer, clue regions on the
picture, the entity browser, and the investigation filters in the grid's filter bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut

from desktop.store import links
from desktop.store.db import CaseError
from desktop.store.investigation import media_size
from desktop.ui.dialogs.clue_export_dialog import ClueExportDialog
from desktop.ui.dialogs.entity_browser import EntityBrowserDialog
from desktop.ui.widgets.clue_overlay import ClueOverlay
from desktop.ui.widgets.clue_workspace import wire
from desktop.ui.widgets.investigation_filters import InvestigationFilters
from desktop.ui.widgets.investigation_panel import InvestigationPanel

PANEL_TITLE = "Clues && links"  # && shows one & in a tab title


class InvestigationHooks(QObject):
    """Installed once per case workspace (which has db, case_path, settings, viewer,
    filter_bar and show_in_viewer). Keys anywhere in the workspace: D draws a clue region on
    the current picture, Ctrl+Shift+E opens the entity browser."""

    def __init__(self, workspace: Any):
        super().__init__(workspace)
        self.workspace = workspace
        self.db = workspace.db
        viewer = workspace.viewer
        self.panel = InvestigationPanel(self.db)
        self.panel.selection = workspace.selected_media
        self.panel_tab = viewer.add_side_panel(self.panel, PANEL_TITLE)
        self.overlay = ClueOverlay(viewer.image_view)
        wire(self.overlay, self.panel)
        self.filters = InvestigationFilters(self.db, workspace.filter_bar)
        self.browser: EntityBrowserDialog | None = None
        viewer.media_changed.connect(self.follow)
        self._wrap_show_media(viewer)
        self.panel.changed.connect(self.filters.reload)
        self.panel.entityActivated.connect(lambda entity_id: self.open_browser(entity_id))
        self.panel.browseRequested.connect(lambda: self.open_browser(None))
        self.panel.exportRequested.connect(self.export_clue)
        self.export_dialog: ClueExportDialog | None = None
        for key, action in (("D", self.draw), ("Ctrl+Shift+E", lambda: self.open_browser(None))):
            shortcut = QShortcut(QKeySequence(key), workspace)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)

    def _wrap_show_media(self, viewer: Any) -> None:
        """The viewer announces new media (media_changed) but not "no media": follow that too,
        so the panel never edits a media the viewer no longer shows."""
        show_media = viewer.show_media

        def show_media_and_follow(media_id: int | None) -> None:
            show_media(media_id)
            if media_id is None:
                self.follow(None)

        viewer.show_media = show_media_and_follow

    def follow(self, media_id: int | None) -> None:
        size = None
        if media_id is not None:
            try:
                width, height = media_size(self.db, media_id)
            except CaseError:
                media_id = None
            else:
                size = (width, height) if width and height else None
        self.overlay.set_media_size(size)
        self.panel.set_media(media_id)
        self.overlay.set_clues(self.panel.region_clues())

    def draw(self) -> None:
        """Draw a clue region on the current picture (the panel's tab comes to the front)."""
        if self.panel.media_id is None:
            return
        self.workspace.viewer.side_tabs.setCurrentIndex(self.panel_tab)
        self.panel.drawRequested.emit()

    def open_browser(self, entity_id: int | None) -> EntityBrowserDialog:
        """The entity browser: at an entity, or at the current media's entities, or all."""
        if self.browser is None:
            settings = self.workspace.settings
            self.browser = EntityBrowserDialog(
                self.db,
                self.workspace.case_path,
                self.workspace,
                blur_strength=settings.blur_strength,
                greyscale=settings.greyscale,
            )
            browser = self.browser.browser
            browser.mediaActivated.connect(self.workspace.show_in_viewer)
            browser.showInGrid.connect(lambda entity_id: self.filters.select("entity", entity_id))
            browser.changed.connect(self.panel.refresh)
            browser.changed.connect(self.filters.reload)
        browser = self.browser.browser
        media_id = self.panel.media_id
        if entity_id is not None:
            browser.show_entity(entity_id)
        elif media_id is not None and links.links_for_media(self.db, media_id):
            browser.show_entities_of_media(media_id)
        else:
            browser.show_entities_of_media(None)
        self.browser.show()
        self.browser.raise_()
        return self.browser

    def region_preview(self, clue: Any) -> QImage | None:
        """The clue's region cut from the picture the viewer holds (full size or thumbnail)."""
        image = self.workspace.viewer.image_view.image
        size = self.overlay.media_size
        if image is None or size is None or clue.region is None:
            return None
        sx, sy = image.width() / size[0], image.height() / size[1]
        r = clue.region
        return image.copy(QRectF(r.x * sx, r.y * sy, r.w * sx, r.h * sy).toAlignedRect())

    def export_clue(self, clue: Any) -> ClueExportDialog:
        dialog = ClueExportDialog(
            self.workspace.case_path, clue, self.region_preview(clue), self.workspace
        )
        self.export_dialog = dialog
        dialog.open()
        return dialog


def install_investigation(workspace: Any) -> InvestigationHooks:
    return InvestigationHooks(workspace)
