"""Puts the investigation into an open case: clue panel beside the viewer, clue regions on the
picture, the entity browser, and the investigation filters in the grid's filter bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut

from desktop.store import links
from desktop.store.db import CaseError
from desktop.store.investigation import media_size
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


def install_investigation(workspace: Any) -> InvestigationHooks:
    return InvestigationHooks(workspace)
