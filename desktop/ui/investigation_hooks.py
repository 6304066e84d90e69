"""The investigation inside an open case: clue panel beside the viewer, clue regions on the
picture, the entity browser, the investigation filters, tile badges and keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QImage

from desktop.core.regions import Region
from desktop.store import links
from desktop.store.clues import Clue
from desktop.store.db import CaseError
from desktop.store.investigation import media_size
from desktop.ui.dialogs.clue_export_dialog import ClueExportDialog
from desktop.ui.dialogs.entity_browser import EntityBrowserDialog
from desktop.ui.hosting import TileAction
from desktop.ui.keys import Binding, Scope
from desktop.ui.widgets.clue_overlay import ClueOverlay
from desktop.ui.widgets.investigation_filters import InvestigationBadges, InvestigationFilters
from desktop.ui.widgets.investigation_panel import InvestigationPanel

if TYPE_CHECKING:
    from desktop.ui.workspace import CaseWorkspace

PANEL_TITLE = "Clues && links"  # && shows one & in a tab title


class InvestigationPart(QObject):
    """A WorkspacePart (desktop.ui.hosting). Keys anywhere in the workspace (never in a text
    field): D draws a clue region on the current picture, N adds a clue, T goes to the tag
    field, L links, X exports the selected clue, Ctrl+Shift+E opens the entity browser."""

    def __init__(self, workspace: CaseWorkspace):
        super().__init__(workspace)
        self.workspace = workspace
        self.db = workspace.db
        self.panel = InvestigationPanel(self.db, workspace.selected_media, workspace.frame_time)
        self.panel_tab = workspace.add_panel(self.panel, PANEL_TITLE)
        self.overlay = ClueOverlay(workspace.viewer.image_view, workspace.reveals)
        self.filters = InvestigationFilters(self.db, workspace)
        workspace.add_badges(InvestigationBadges())
        self.browser: EntityBrowserDialog | None = None
        self.export_dialog: ClueExportDialog | None = None
        self._wire()
        for keys, title, action, scope in (
            ("D", "Draw a clue region on the picture", self.draw, Scope.WORKSPACE),
            ("N", "Add a clue (whole picture)", self.add_clue, Scope.WORKSPACE),
            ("T", "Tag (go to the tag field)", self.focus_tag, Scope.WORKSPACE),
            ("L", "Link to an entity…", self.link, Scope.WORKSPACE),
            ("X", "Export the selected clue…", self.panel.export_selected_clue, Scope.WORKSPACE),
            ("Ctrl+Shift+E", "Entities…", lambda: self.open_browser(None), Scope.ANYWHERE),
        ):
            workspace.keys.bind(Binding((keys,), title, action, scope, menu="investigation"))
        for title, run, key in (
            ("Tag…", lambda ids: self.focus_tag(), "T"),
            ("Link to an entity…", lambda ids: self.link(), "L"),
            ("Add a clue…", lambda ids: self.add_clue(), "N"),
        ):
            workspace.add_tile_action(TileAction(title, run, key))

    def _wire(self) -> None:
        panel, overlay = self.panel, self.overlay
        panel.changed.connect(self.filters.reload)
        panel.changed.connect(self.workspace.refresh_badges)
        panel.changed.connect(lambda: overlay.set_clues(panel.region_clues()))
        panel.entityActivated.connect(lambda entity_id: self.open_browser(entity_id))
        panel.browseRequested.connect(lambda: self.open_browser(None))
        panel.exportRequested.connect(self.export_clue)
        panel.drawRequested.connect(self.draw)
        panel.clueSelected.connect(self._clue_selected)
        overlay.regionDrawn.connect(self._region_drawn)

    # ---- WorkspacePart ---------------------------------------------------------------------------

    def media_shown(self, media_id: int | None) -> None:
        size = None
        if media_id is not None:
            try:
                width, height = media_size(self.db, media_id)
            except CaseError:
                media_id = None
            else:
                size = (width, height) if width and height else None
        self.overlay.set_media(media_id, size)
        self.panel.set_media(media_id)
        self.overlay.set_clues(self.panel.region_clues())

    def reveal_region(self, media_id: int) -> Region | None:
        """With a clue selected, a reveal shows its region only."""
        clue = self.panel.selected_clue()
        if clue is None or self.panel.media_id != media_id:
            return None
        return clue.region

    def reveal_kind(self, media_id: int) -> str | None:
        return None

    def frame_time(self, media_id: int) -> float | None:
        return None

    def case_changed(self) -> None:
        self.filters.reload()
        self.panel.refresh()

    def close(self) -> None:
        for dialog in (self.browser, self.export_dialog):
            if dialog is not None:
                dialog.close()

    # ---- clues -----------------------------------------------------------------------------------

    def draw(self) -> None:
        """Draw a clue region on the current picture (the panel's tab comes to the front). The
        focus stays where it was: drawing is done with the mouse, Esc cancels."""
        if self.panel.media_id is None:
            return
        self.workspace.show_panel(self.panel_tab)
        self.overlay.set_drawing(True)
        if self.overlay.is_drawing():
            self.panel.status.setText(
                "Drag a rectangle over the object on the picture; Esc cancels."
            )

    def cancel_drawing(self) -> bool:
        if not self.overlay.is_drawing():
            return False
        self.overlay.set_drawing(False)
        self.panel.status.clear()
        return True

    def _region_drawn(self, region: Region) -> None:
        self.overlay.set_drawing(False)
        self.panel.status.clear()
        self.panel.add_clue_dialog(region)
        self.overlay.set_clues(self.panel.region_clues())

    def _clue_selected(self, clue: Clue | None) -> None:
        region = clue.region if clue is not None else None
        self.overlay.select_region(region, clue.id if region is not None else None)
        # a reveal was of the picture or another clue's region
        self.workspace.picture_reveal.blur_all()

    def add_clue(self) -> None:
        self.workspace.show_panel(self.panel_tab)
        self.panel.add_clue_dialog()

    def focus_tag(self) -> None:
        self.workspace.show_panel(self.panel_tab)
        self.panel.tag_field.setFocus()

    def link(self) -> None:
        self.workspace.show_panel(self.panel_tab)
        self.panel.link_dialog()

    def region_preview(self, clue: Clue) -> QImage | None:
        """The clue's region cut from the picture the viewer holds (full size or thumbnail);
        None for a clue on a video's frame (the export dialog reads that frame itself: the
        player may show another)."""
        image = self.workspace.viewer.image_view.image
        size = self.overlay.media_size
        if image is None or size is None or clue.region is None or clue.time is not None:
            return None
        sx, sy = image.width() / size[0], image.height() / size[1]
        r = clue.region
        return image.copy(QRectF(r.x * sx, r.y * sy, r.w * sx, r.h * sy).toAlignedRect())

    def export_clue(self, clue: Clue) -> ClueExportDialog:
        settings = self.workspace.settings
        dialog = ClueExportDialog(
            self.workspace.case_path, clue, self.region_preview(clue), self.workspace.reveals,
            settings.blur_strength, self.workspace,
        )  # fmt: skip
        self.export_dialog = dialog
        dialog.open()
        return dialog

    # ---- entities --------------------------------------------------------------------------------

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
            browser.changed.connect(self.workspace.refresh_badges)
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
