"""A picture (blurred, one region sharp) beside its investigation panel, wired together."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget
from sqlite_utils import Database

from desktop.core.regions import Region
from desktop.ui import imaging
from desktop.ui.widgets.investigation_panel import InvestigationPanel
from desktop.ui.widgets.region_view import RegionView


def wire(view: RegionView, panel: InvestigationPanel) -> None:
    """Connect a region view and a panel: R draws, a drawn rectangle becomes a clue, selecting
    a clue shows its region sharp, changes redraw the outlines. The viewer calls this once."""

    def drawn(region: Region) -> None:
        view.set_drawing(False)
        panel.status.clear()
        if panel.add_clue_dialog(region) is None:
            view.select_region(None)  # cancelled: back to all blurred
        view.set_clues(panel.region_clues())

    def selected(clue: Any) -> None:
        region = clue.region if clue is not None else None
        view.select_region(region, clue.id if region is not None else None)

    def draw() -> None:
        view.set_drawing(True)
        view.setFocus()
        panel.status.setText("Drag a rectangle over the object on the picture; Esc cancels.")

    panel.drawRequested.connect(draw)
    view.drawingCancelled.connect(panel.status.clear)
    view.regionDrawn.connect(drawn)
    panel.clueSelected.connect(selected)
    panel.changed.connect(lambda: view.set_clues(panel.region_clues()))


class ClueWorkspace(QWidget):
    """RegionView and InvestigationPanel side by side for one media."""

    entityActivated = Signal(int)

    def __init__(
        self, db: Database, parent: QWidget | None = None, blur_strength: int = imaging.DEFAULT_BLUR
    ):
        super().__init__(parent)
        self.view = RegionView(blur_strength=blur_strength)
        self.panel = InvestigationPanel(db)
        self.panel.entityActivated.connect(self.entityActivated)
        wire(self.view, self.panel)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_media(
        self, media_id: int | None, image: QImage | None, media_size: tuple[int, int] | None
    ) -> None:
        """The media to work on: its picture (full size, or the thumbnail) and recorded size."""
        self.view.set_image(image, media_size)
        self.view.select_region(None)
        self.panel.set_media(media_id)
        self.view.set_clues(self.panel.region_clues())
